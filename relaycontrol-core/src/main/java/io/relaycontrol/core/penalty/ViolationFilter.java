package io.relaycontrol.core.penalty;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;

/**
 * Says whether a refusal is a violation that a {@link PenaltyBox} counts, and of what kind. Ready-made filters are
 * in {@link Violations}; the standard policy builds its own from its step names.
 *
 * <p>Implementations must be thread-safe and side-effect free; they are asked only about DENY and DEFER decisions.
 *
 * @since 0.2.0
 */
@FunctionalInterface
public interface ViolationFilter {

    /**
     * Classifies a refusal.
     *
     * @param request the request that was refused
     * @param decision the refusal (DENY or DEFER)
     * @return the violation's kind for logs and {@code explain()} (e.g. {@code relay}), or {@code null} when the
     *     refusal is not counted; {@code null} rather than an empty {@code Optional} so that a refusal that is not
     *     counted allocates nothing
     */
    String violation(RelayRequest request, Decision decision);
}
