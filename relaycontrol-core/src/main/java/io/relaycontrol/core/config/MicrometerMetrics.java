package io.relaycontrol.core.config;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.relaycontrol.api.Decision;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Exports decisions to Micrometer as the counter {@code relaycontrol.decisions} tagged {@code rule} and
 * {@code verdict}. Micrometer is an optional dependency of relaycontrol-core: this class is loaded only when
 * used. Register it with {@link MonitoredPolicy.Builder#listener(Consumer)}:
 * <pre>{@code
 * MonitoredPolicy.builder(policy).listener(new MicrometerMetrics(registry)).build();
 * }</pre>
 * Thread-safe.
 *
 * @since 0.1.0
 */
public final class MicrometerMetrics implements Consumer<Decision> {

    /** The counter's name. */
    public static final String METER = "relaycontrol.decisions";

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

    /**
     * @param registry the registry to register counters in
     */
    public MicrometerMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void accept(Decision decision) {
        String rule = decision.decisive().rule();
        String verdict = decision.verdict().name();
        counters.computeIfAbsent(rule + '\0' + verdict, k -> Counter.builder(METER)
                .description("relay decisions by deciding rule and verdict")
                .tag("rule", rule).tag("verdict", verdict).register(registry)).increment();
    }
}
