/**
 * A Postfix SMTPD access policy delegation server that answers with relaycontrol: entry point
 * {@link io.relaycontrol.examples.policy.PolicyServer} (embedded) or {@link io.relaycontrol.examples.policy.Main}
 * ({@code java -jar relaycontrol-policy-server.jar --config FILE}).
 *
 * <p>Null policy: no method accepts or returns {@code null}; absent values are {@link java.util.Optional}.
 *
 * @since 0.2.0
 */
package io.relaycontrol.examples.policy;
