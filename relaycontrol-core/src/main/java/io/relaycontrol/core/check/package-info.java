/**
 * Policy checks: findings of a linter that inspects a relay configuration for open-relay mistakes and known
 * traps. Entry point: {@link io.relaycontrol.core.check.PolicyFinding}; the checks themselves live beside the
 * rules they inspect and are run together by the configuration loader.
 *
 * <p>Null policy: no {@code null} arguments or results.
 */
package io.relaycontrol.core.check;
