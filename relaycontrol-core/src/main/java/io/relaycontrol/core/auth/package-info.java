/**
 * Relay permission from who the client is, and the traps around it: authenticated relay
 * ({@link io.relaycontrol.core.auth.AuthenticatedRelayRule}), a sender bound to the login
 * ({@link io.relaycontrol.core.auth.SenderLoginMap}, {@link io.relaycontrol.core.auth.SenderLoginRule}),
 * trusted networks ({@link io.relaycontrol.core.auth.TrustedNetworksRule}), allow-listed devices such as
 * printers ({@link io.relaycontrol.core.auth.AllowListedDevicesRule}), rules for the null sender
 * ({@link io.relaycontrol.core.auth.NullSenderRules}) and the policy check that finds dangerous
 * combinations at load time ({@link io.relaycontrol.core.auth.AuthChecks}).
 *
 * <p>Entry points: the {@code builder()} of each rule, {@link io.relaycontrol.core.auth.SenderLoginMap#load}
 * and {@link io.relaycontrol.core.auth.AuthChecks#check(java.util.List)}.
 *
 * <p>Design: only {@link io.relaycontrol.core.auth.AuthenticatedRelayRule}, the trusted-networks rule and
 * {@link io.relaycontrol.core.auth.AllowListedDevicesRule} ever <em>allow</em>. The sender and null-sender
 * rules only refuse or abstain, so placing them first in a policy can never open it. Identities are compared
 * exactly on canonical forms (domains case-insensitive as A-labels, local parts case-preserving unless
 * configured otherwise, logins exact unless configured otherwise); nothing is matched by substring.
 *
 * <p>Null policy: arguments must not be {@code null} ({@link java.lang.NullPointerException} naming the
 * argument); rules never return {@code null} and never throw from {@code decide}: a failure becomes a
 * temporary refusal, 451 4.3.0. Built objects are immutable and thread-safe; builders are not thread-safe.
 *
 * @since 0.1.0
 */
package io.relaycontrol.core.auth;
