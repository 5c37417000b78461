package io.relaycontrol.core.rules;

import io.relaycontrol.api.RelayDecider;
import java.util.List;

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

    /**
     * The rules this rule is composed of and asks, in order: a combinator's members, a policy's rules. Policies and
     * combinators walk this tree when they are built to refuse two different rules with the same name (so that a
     * name in {@code explain()}, the metrics and the audit log means one rule).
     *
     * @return the member rules; unmodifiable; by default none (a leaf rule)
     * @since 0.2.0
     */
    default List<Rule> members() {
        return List.of();
    }
}
