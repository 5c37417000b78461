package io.relaycontrol.core.config;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;

/**
 * Where a running relay policy reports what it does, for a metrics system: every decision with the request it
 * answered, and every reload attempt. {@link ReloadingRelayPolicy#watch(java.nio.file.Path, String,
 * RelayMetricsSink)} and {@link RelayProperties#monitored(PolicyMetrics, RelayMetricsSink)} take one;
 * {@link MicrometerRelayMetrics} is the implementation for Micrometer (and through it Prometheus).
 *
 * <p>Implementations must be thread-safe and fast (they run on the deciding thread) and should not throw; a
 * sink that throws is logged and ignored, it never changes a decision or a reload.
 *
 * @since 0.2.0
 */
public interface RelayMetricsSink {

    /** A sink that records nothing. */
    RelayMetricsSink NONE = new RelayMetricsSink() {
        @Override
        public void decision(RelayRequest request, Decision decision) {
        }

        @Override
        public void reload(ReloadingRelayPolicy.ReloadResult result) {
        }
    };

    /**
     * Called with every decision the policy enforces (in dry run: the decision before it is replaced by an allow).
     *
     * @param request the request
     * @param decision its decision
     */
    void decision(RelayRequest request, Decision decision);

    /**
     * Called after every reload attempt that read the files (the first load included), successful or not; not
     * called when a check found nothing changed.
     *
     * @param result what happened
     */
    void reload(ReloadingRelayPolicy.ReloadResult result);

    /**
     * Called once for each state change of the circuit breaker in front of a configured rate-limit store
     * ({@code relay.limit.store}); the default does nothing.
     *
     * @param store the store's description
     * @param state the breaker's new state
     * @since 0.2.0
     */
    default void limitStoreState(String store, io.relaycontrol.core.limit.GuardedLimitStore.State state) {
    }

    /**
     * Called once each time a rate limit's buckets in the local store reach the limit's key cap
     * ({@code relay.limit.max-keys}: new keys then get the limit's failure mode) and once each time the store has
     * room again; the default does nothing. {@link ReloadingRelayPolicy#watch(java.nio.file.Path, String,
     * RelayMetricsSink)} wires its local store to this ({@link io.relaycontrol.core.limit.LocalStoreListener}).
     *
     * @param limit the rate limit's name
     * @param full {@code true} when the store became full, {@code false} when it has room again
     * @since 0.2.0
     */
    default void limitStoreFull(String limit, boolean full) {
    }
}
