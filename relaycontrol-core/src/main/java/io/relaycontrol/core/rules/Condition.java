package io.relaycontrol.core.rules;

import io.relaycontrol.api.RelayRequest;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A yes/no question about a {@link RelayRequest} with a description for people ("client in trusted
 * networks"). Conditions carry no verdict: turn one into a rule with {@link Rules#when(Condition)}.
 *
 * <p>Composition: {@link #and}, {@link #or} and {@link #negate()} short-circuit left to right, like Java's
 * {@code &&}, {@code ||} and {@code !}; see {@link Conditions} for n-ary forms. Conditions must be
 * thread-safe and side-effect free; the ones built here are.
 *
 * @since 0.1.0
 */
public interface Condition {

    /**
     * @param request the request
     * @return whether the condition holds
     */
    boolean test(RelayRequest request);

    /** @return what the condition asks, for people and {@code explain()} */
    String description();

    /**
     * A condition from a predicate.
     *
     * @param description what it asks, e.g. "client is authenticated"
     * @param predicate the test; must be thread-safe
     * @return the condition
     * @throws IllegalArgumentException if {@code description} is blank
     */
    static Condition of(String description, Predicate<RelayRequest> predicate) {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(predicate, "predicate");
        return new DescribedCondition(description) {
            @Override
            public boolean test(RelayRequest request) {
                return predicate.test(request);
            }
        };
    }

    /**
     * @param other the right-hand condition, tested only when this one holds
     * @return {@code this && other}
     */
    default Condition and(Condition other) {
        return Conditions.allOf(this, other);
    }

    /**
     * @param other the right-hand condition, tested only when this one does not hold
     * @return {@code this || other}
     */
    default Condition or(Condition other) {
        return Conditions.anyOf(this, other);
    }

    /** @return {@code !this} */
    default Condition negate() {
        return Conditions.not(this);
    }
}
