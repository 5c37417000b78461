package io.relaycontrol.core.rules;

import java.util.Objects;

/**
 * A condition written as a class, with a fixed description: the subclass gives {@link #test}, and
 * {@link #description()} and {@link #toString()} return the description. {@link Condition#of} builds one around a
 * predicate; a subclass answers without the predicate's call, which counts for a condition asked on every request
 * (the standard policy's trusted-networks condition, {@code NetworkRules.clientIn}).
 *
 * @since 0.2.0
 */
public abstract class DescribedCondition implements Condition {
    private final String description;

    /**
     * @param description what the condition asks, e.g. "client is authenticated"
     * @throws NullPointerException if {@code description} is null
     * @throws IllegalArgumentException if {@code description} is blank
     */
    protected DescribedCondition(String description) {
        Objects.requireNonNull(description, "description");
        if (description.isBlank()) {
            throw new IllegalArgumentException("condition description must not be blank");
        }
        this.description = description;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final String toString() {
        return description;
    }
}
