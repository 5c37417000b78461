/**
 * relaycontrol inside Apache James's SMTP protocol stack (protocols-smtp 3.8.1): hooks that ask a
 * {@link io.relaycontrol.api.RelayDecider} at connect, HELO/EHLO, MAIL FROM and RCPT TO and turn the decision
 * into James's {@code HookResult} with the same reply code and enhanced status.
 *
 * <p>Entry points: {@link io.relaycontrol.examples.james.RelayControlHook} (the relay hook) and
 * {@link io.relaycontrol.examples.james.DemoAuthHook} (an {@code AuthHook} that records the login on the
 * session, which protocols-smtp does not do by itself).
 *
 * <p>Null policy: arguments must not be {@code null} ({@link java.lang.NullPointerException} naming the
 * argument).
 */
package io.relaycontrol.examples.james;
