package io.relaycontrol.core.config;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.Verdict;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of decisions per deciding rule and verdict, readable at any time. Thread-safe and lock-free on the
 * hot path ({@link LongAdder} per key). Export them to Micrometer with {@link MicrometerMetrics} if Micrometer
 * is on the classpath.
 *
 * @since 0.1.0
 */
public final class PolicyMetrics {

    private final ConcurrentHashMap<String, ConcurrentHashMap<Verdict, LongAdder>> counters =
            new ConcurrentHashMap<>();
    private final LongAdder dryRunOverrides = new LongAdder();
    private final LongAdder shadowDifferences = new LongAdder();

    /**
     * Counts {@code decision} under the rule that {@linkplain Decision#decisive() really decided}.
     *
     * @param decision the decision
     */
    public void record(Decision decision) {
        counter(decision.decisive().rule(), decision.verdict()).increment();
    }

    LongAdder counter(String rule, Verdict verdict) {
        return counters.computeIfAbsent(rule, r -> new ConcurrentHashMap<>())
                .computeIfAbsent(verdict, v -> new LongAdder());
    }

    void recordDryRunOverride() {
        dryRunOverrides.increment();
    }

    void recordShadowDifference() {
        shadowDifferences.increment();
    }

    /**
     * @param rule a rule name
     * @param verdict a verdict
     * @return how many decisions that rule made with that verdict
     */
    public long count(String rule, Verdict verdict) {
        Map<Verdict, LongAdder> m = counters.get(rule);
        LongAdder a = m == null ? null : m.get(verdict);
        return a == null ? 0 : a.sum();
    }

    /** @return refusals that dry-run mode logged and counted but did not enforce */
    public long dryRunOverrides() {
        return dryRunOverrides.sum();
    }

    /** @return decisions where the shadow policy disagreed with the active one */
    public long shadowDifferences() {
        return shadowDifferences.sum();
    }

    /** @return every counter as {@code rule/VERDICT -> count}, sorted; a copy */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((rule, m) -> m.forEach((v, a) -> out.put(rule + "/" + v, a.sum())));
        return out;
    }

    @Override
    public String toString() {
        return "PolicyMetrics" + snapshot();
    }
}
