package io.relaycontrol.core.penalty;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.Verdict;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Ready-made {@link ViolationFilter}s. Each looks at the rule that really decided ({@link Decision#decisive()},
 * recorded when the decision was made, never guessed) and never counts a decision that records an exception (a rule
 * that failed is our problem, not the client's).
 *
 * <p>Every filter returned is immutable and thread-safe.
 *
 * @since 0.2.0
 */
public final class Violations {

    private Violations() {
    }

    /**
     * Counts refusals with {@code verdict} decided by one of {@code rules}.
     *
     * @param kind the violation's kind, e.g. {@code relay}
     * @param verdict {@link Verdict#DENY} or {@link Verdict#DEFER}
     * @param rules the names of the deciding rules counted, at least one
     * @return the filter
     * @throws IllegalArgumentException if {@code kind} is blank, {@code verdict} is not a refusal or no rule is named
     */
    public static ViolationFilter decidedBy(String kind, Verdict verdict, String... rules) {
        String k = requireKind(kind);
        Objects.requireNonNull(verdict, "verdict");
        if (verdict != Verdict.DENY && verdict != Verdict.DEFER) {
            throw new IllegalArgumentException("only refusals are violations, not " + verdict);
        }
        Set<String> names = names(List.of(rules));
        return (request, decision) -> {
            Decision d = decision.decisive();
            return d.verdict() == verdict && d.error().isEmpty() && names.contains(d.rule()) ? k : null;
        };
    }

    /**
     * Counts deferrals of the rate limits {@code limits} because their bucket was empty: the decision shows
     * {@code retryAfter} (see {@link io.relaycontrol.core.limit.RateLimit}); a deferral because the limit's store
     * failed or was full is not the client's doing and is not counted.
     *
     * @param kind the violation's kind, e.g. {@code rate-limit}
     * @param limits the names of the limits, at least one
     * @return the filter
     * @throws IllegalArgumentException if {@code kind} is blank or no limit is named
     */
    public static ViolationFilter rateLimited(String kind, Collection<String> limits) {
        String k = requireKind(kind);
        Set<String> names = names(limits);
        return (request, decision) -> {
            Decision d = decision.decisive();
            return d.verdict() == Verdict.DEFER && d.error().isEmpty() && names.contains(d.rule())
                    && d.details().containsKey("retryAfter") ? k : null;
        };
    }

    /**
     * The first filter that counts the refusal decides its kind.
     *
     * @param filters the filters, asked in order; may be empty (nothing is counted)
     * @return the filter
     */
    public static ViolationFilter firstOf(List<ViolationFilter> filters) {
        ViolationFilter[] fs = filters.toArray(new ViolationFilter[0]);
        for (ViolationFilter f : fs) {
            Objects.requireNonNull(f, "filter");
        }
        return (request, decision) -> {
            for (ViolationFilter f : fs) {
                String k = f.violation(request, decision);
                if (k != null) {
                    return k;
                }
            }
            return null;
        };
    }

    private static String requireKind(String kind) {
        Objects.requireNonNull(kind, "kind");
        if (kind.isBlank()) {
            throw new IllegalArgumentException("a violation kind must not be blank");
        }
        return kind;
    }

    private static Set<String> names(Collection<String> names) {
        Set<String> s = Set.copyOf(names);
        if (s.isEmpty()) {
            throw new IllegalArgumentException("name at least one rule");
        }
        return s;
    }
}
