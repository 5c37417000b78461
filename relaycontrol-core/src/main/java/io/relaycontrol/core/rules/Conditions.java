package io.relaycontrol.core.rules;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Factories for {@link Condition}s: logical composition and the basic facts of a request. Conditions about
 * networks, domains and addresses live beside those sets ({@code io.relaycontrol.core.net},
 * {@code io.relaycontrol.core.address}).
 *
 * <p>Every condition returned is immutable and thread-safe. Empty member lists are errors.
 *
 * @since 0.1.0
 */
public final class Conditions {

    private Conditions() {
    }

    /**
     * All of the conditions hold; tested left to right, stopping at the first that does not.
     *
     * @param conditions one or more conditions
     * @return the conjunction
     * @throws IllegalArgumentException if no condition is given
     */
    public static Condition allOf(Condition... conditions) {
        Condition[] cs = members(conditions);
        String description = Arrays.stream(cs).map(Conditions::group).collect(Collectors.joining(" and "));
        return Condition.of(description, r -> {
            for (Condition c : cs) {
                if (!c.test(r)) {
                    return false;
                }
            }
            return true;
        });
    }

    /**
     * At least one of the conditions holds; tested left to right, stopping at the first that does.
     *
     * @param conditions one or more conditions
     * @return the disjunction
     * @throws IllegalArgumentException if no condition is given
     */
    public static Condition anyOf(Condition... conditions) {
        Condition[] cs = members(conditions);
        String description = Arrays.stream(cs).map(Conditions::group).collect(Collectors.joining(" or "));
        return Condition.of(description, r -> {
            for (Condition c : cs) {
                if (c.test(r)) {
                    return true;
                }
            }
            return false;
        });
    }

    /**
     * @param condition the condition to negate
     * @return a condition that holds exactly when {@code condition} does not
     */
    public static Condition not(Condition condition) {
        Objects.requireNonNull(condition, "condition");
        return Condition.of("not " + group(condition), r -> !condition.test(r));
    }

    /** @return a condition that holds when the client authenticated successfully */
    public static Condition authenticated() {
        return Condition.of("client is authenticated", RelayRequest::isAuthenticated);
    }

    /** @return a condition that holds when TLS is active */
    public static Condition tls() {
        return Condition.of("TLS is active", RelayRequest::isTls);
    }

    /**
     * @param stages one or more stages
     * @return a condition that holds at the given stages
     * @throws IllegalArgumentException if no stage is given
     */
    public static Condition stage(Stage... stages) {
        if (stages.length == 0) {
            throw new IllegalArgumentException("at least one stage is required");
        }
        Set<Stage> set = EnumSet.copyOf(List.of(stages));
        return Condition.of("stage is " + (set.size() == 1 ? set.iterator().next() : "one of " + set),
                r -> set.contains(r.stage()));
    }

    private static Condition[] members(Condition[] conditions) {
        if (conditions.length == 0) {
            throw new IllegalArgumentException("at least one condition is required");
        }
        Condition[] cs = conditions.clone();
        for (int i = 0; i < cs.length; i++) {
            Objects.requireNonNull(cs[i], "condition " + i);
        }
        return cs;
    }

    private static String group(Condition c) {
        String d = c.description();
        return d.contains(" and ") || d.contains(" or ") ? "(" + d + ")" : d;
    }
}
