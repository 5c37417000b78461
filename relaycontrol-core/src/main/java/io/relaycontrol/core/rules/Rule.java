package io.relaycontrol.core.rules;

import io.relaycontrol.api.RelayDecider;

/**
 * A {@link RelayDecider} with a name, so that every decision says which rule made it, and a description
 * for {@code describe()} renderings of a whole policy.
 *
 * <p>Rules built by {@link Rules} and the other factories of relaycontrol-core are immutable and thread-safe,
 * never return {@code null} and never throw: an exception inside becomes a temporary refusal
 * ({@code 451 4.3.0}) that keeps the exception. Wrap a hand-written decider with {@link Rules#named} to get
 * the same guarantees.
 *
 * @since 0.1.0
 */
public interface Rule extends RelayDecider {

    /** @return the rule's name, as it appears in decisions; never blank */
    String name();

    /**
     * A rendering of the rule for people: for a combinator, its members indented below it.
     *
     * @return the description; by default the name
     */
    default String describe() {
        return name();
    }
}
