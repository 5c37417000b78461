/**
 * The relay API: {@link io.relaycontrol.api.RelayDecider} decides a {@link io.relaycontrol.api.RelayRequest}
 * and returns a {@link io.relaycontrol.api.Decision} carrying a typed {@link io.relaycontrol.api.SmtpReply}.
 * This module depends on the JDK alone.
 *
 * <p>Null policy: no method accepts or returns {@code null} unless its name says so ({@code ...OrNull});
 * absent values are {@link java.util.Optional}. "No opinion" is a {@link io.relaycontrol.api.Verdict}, never
 * {@code null}.
 */
package io.relaycontrol.api;
