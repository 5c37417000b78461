package io.relaycontrol.api;

/**
 * Decides one relay request: may this client, with this identity, send this message to this
 * recipient, right now?
 *
 * <p>This is the one interface an SMTP server calls. Implementations must never return {@code null}:
 * a decider with nothing to say returns {@link Decision#noOpinion(String, String)}. Deciders built by
 * {@code relaycontrol-core} also never throw: a failure becomes a temporary refusal
 * ({@code 451 4.3.0}) with the exception kept on the decision. Hand-written deciders should do the same;
 * the core's {@code Policy} wraps them so that they cannot break the server.
 *
 * <p>Implementations are expected to be thread-safe: one instance decides for every SMTP session.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface RelayDecider {

    /**
     * Decides {@code request}.
     *
     * @param request the request, never {@code null}
     * @return the decision, never {@code null}
     */
    Decision decide(RelayRequest request);
}
