package io.relaycontrol.core.config;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link RelayMetricsSink} that counts in a Micrometer {@link MeterRegistry} (for Prometheus:
 * {@code PrometheusMeterRegistry}). Micrometer is an optional dependency of relaycontrol-core: this class is
 * loaded only when used. Counters (Prometheus names in brackets):
 * <ul>
 * <li>{@value #DECISIONS} ({@code relaycontrol_policy_decisions_total}), tags {@code verdict}, {@code rule} (the
 *     rule that really decided, {@link Decision#decisive()}) and {@code stage};</li>
 * <li>{@value #RATE_LIMIT_DEFERRALS} ({@code relaycontrol_ratelimit_deferrals_total}), tag {@code rule}: deferrals
 *     by a rate limit because a client or user was over its limit;</li>
 * <li>{@value #STORE_FAILURES} ({@code relaycontrol_ratelimit_store_failures_total}), tag {@code rule}: decisions
 *     in which a rate-limit store failed (whatever the failure mode made of it);</li>
 * <li>{@value #RELOADS} ({@code relaycontrol_policy_reloads_total}), tag {@code outcome} = {@code success} or
 *     {@code failure};</li>
 * <li>{@value #STORE_BREAKER} ({@code relaycontrol_ratelimit_store_breaker_total}), tag {@code state} =
 *     {@code OPEN}, {@code HALF_OPEN} or {@code CLOSED}: state changes of the circuit breaker in front of the
 *     configured rate-limit store;</li>
 * <li>{@value #STORE_CAPACITY} ({@code relaycontrol_ratelimit_store_capacity_total}), tags {@code rule} (the
 *     limit) and {@code state} = {@code FULL} or {@code ROOM}: changes of a limit's local buckets to full (its
 *     key cap reached: new keys get the failure mode) and back, once per change.</li>
 * </ul>
 * And one gauge: {@value #STORE_FULL} ({@code relaycontrol_ratelimit_store_full}), tag {@code rule}: 1 while the
 * limit's local buckets are full, 0 otherwise (registered at the limit's first change).
 * A rate limit is recognised by the details it puts on its decisions ({@code tokensLeft}; {@code store=failed}
 * when its store failed). Thread-safe; one counter per tag combination, created on first use.
 *
 * <pre>{@code
 * ReloadingRelayPolicy policy = ReloadingRelayPolicy.watch(file, "relay.", new MicrometerRelayMetrics(registry));
 * }</pre>
 *
 * @since 0.2.0
 */
public final class MicrometerRelayMetrics implements RelayMetricsSink {

    /** Decisions by verdict, deciding rule and stage. */
    public static final String DECISIONS = "relaycontrol.policy.decisions";
    /** Deferrals by a rate limit. */
    public static final String RATE_LIMIT_DEFERRALS = "relaycontrol.ratelimit.deferrals";
    /** Decisions in which a rate-limit store failed. */
    public static final String STORE_FAILURES = "relaycontrol.ratelimit.store.failures";
    /** Reload attempts by outcome. */
    public static final String RELOADS = "relaycontrol.policy.reloads";
    /** State changes of the rate-limit store's circuit breaker. */
    public static final String STORE_BREAKER = "relaycontrol.ratelimit.store.breaker";
    /** Changes of a limit's local buckets to full and back. */
    public static final String STORE_CAPACITY = "relaycontrol.ratelimit.store.capacity";
    /** Whether a limit's local buckets are full now (1) or not (0). */
    public static final String STORE_FULL = "relaycontrol.ratelimit.store.full";

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    /** The gauges' values, one per limit; held here because a gauge only keeps a weak reference. */
    private final ConcurrentHashMap<String, AtomicInteger> fullStates = new ConcurrentHashMap<>();
    private final Counter reloadSuccess;
    private final Counter reloadFailure;

    /**
     * Registers the reload counters at once (so that they read 0 before the first reload) and the others on
     * first use.
     *
     * @param registry the registry to count in
     * @throws NullPointerException if {@code registry} is null
     */
    public MicrometerRelayMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.reloadSuccess = Counter.builder(RELOADS).description("relay policy reload attempts")
                .tag("outcome", "success").register(registry);
        this.reloadFailure = Counter.builder(RELOADS).description("relay policy reload attempts")
                .tag("outcome", "failure").register(registry);
    }

    @Override
    public void decision(RelayRequest request, Decision decision) {
        Decision leaf = decision.decisive();
        String rule = leaf.rule();
        String verdict = decision.verdict().name();
        String stage = request.stage().name();
        counters.computeIfAbsent("d\0" + verdict + '\0' + rule + '\0' + stage, k -> Counter.builder(DECISIONS)
                .description("relay decisions by verdict, deciding rule and stage")
                .tag("verdict", verdict).tag("rule", rule).tag("stage", stage).register(registry)).increment();
        if (decision.verdict() == io.relaycontrol.api.Verdict.DEFER && leaf.details().containsKey("tokensLeft")) {
            counters.computeIfAbsent("l\0" + rule, k -> Counter.builder(RATE_LIMIT_DEFERRALS)
                    .description("deferrals by a rate limit").tag("rule", rule).register(registry)).increment();
        }
        String failed = storeFailure(decision);
        if (failed != null) {
            counters.computeIfAbsent("s\0" + failed, k -> Counter.builder(STORE_FAILURES)
                    .description("decisions in which a rate-limit store failed").tag("rule", failed)
                    .register(registry)).increment();
        }
    }

    /** @return the rule of the first node in the tree whose store failed, or null */
    private static String storeFailure(Decision d) {
        if ("failed".equals(d.details().get("store"))) {
            return d.rule();
        }
        for (Decision c : d.children()) {
            String r = storeFailure(c);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    @Override
    public void reload(ReloadingRelayPolicy.ReloadResult result) {
        (result.failed() ? reloadFailure : reloadSuccess).increment();
    }

    @Override
    public void limitStoreState(String store, io.relaycontrol.core.limit.GuardedLimitStore.State state) {
        String st = state.name();
        counters.computeIfAbsent("b\0" + st, k -> Counter.builder(STORE_BREAKER)
                .description("state changes of the rate-limit store's circuit breaker").tag("state", st)
                .register(registry)).increment();
    }

    @Override
    public void limitStoreFull(String limit, boolean full) {
        String st = full ? "FULL" : "ROOM";
        counters.computeIfAbsent("c\0" + st + '\0' + limit, k -> Counter.builder(STORE_CAPACITY)
                .description("changes of a rate limit's local buckets to full (key cap reached) and back")
                .tag("rule", limit).tag("state", st).register(registry)).increment();
        fullStates.computeIfAbsent(limit, k -> {
            AtomicInteger v = new AtomicInteger();
            Gauge.builder(STORE_FULL, v, AtomicInteger::get)
                    .description("1 while a rate limit's local buckets are full (new keys get the failure mode)")
                    .tag("rule", limit).register(registry);
            return v;
        }).set(full ? 1 : 0);
    }
}
