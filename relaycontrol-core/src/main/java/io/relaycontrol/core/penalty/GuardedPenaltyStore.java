package io.relaycontrol.core.penalty;

import io.relaycontrol.core.limit.GuardedLimitStore;
import io.relaycontrol.core.limit.StoreBreaker;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A circuit breaker (Failsafe's {@code CircuitBreaker}) in front of a shared {@link PenaltyStore}, the same kind
 * that {@link GuardedLimitStore} puts in front of a shared rate-limit store: after {@code failureThreshold}
 * consecutive failures every call fails at once, without touching the network, until after {@code openFor} one
 * probe goes through (half-open) and closes the breaker again or opens it for another period. The time budget of
 * each call is the guarded store's own command timeout (a {@code RedisPenaltyStore} shares the Redis connection of
 * the rate limits, whose commands time out after {@code relay.limit.store.timeout}).
 * {@link PenaltyStoreFullException} passes through and is not a failure.
 *
 * <p>Each state change is logged once and told to the listener, never once per decision. Thread-safe;
 * {@link #close()} closes the guarded store.
 *
 * @since 0.2.0
 */
public final class GuardedPenaltyStore implements PenaltyStore {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedPenaltyStore.class);

    private final PenaltyStore store;
    private final StoreBreaker breaker;
    private final String description;

    private GuardedPenaltyStore(PenaltyStore store, int failureThreshold, Duration openFor,
            GuardedLimitStore.Listener listener) {
        this.store = store;
        this.description = store.description() + " (breaker opens after " + failureThreshold + " failures for "
                + openFor.toMillis() + " ms)";
        this.breaker = new StoreBreaker(LOG, "penalty store " + store.description(),
                "the penalty box has no opinion meanwhile", "penalty " + store.description(), listener,
                e -> e instanceof PenaltyStoreFullException, failureThreshold, openFor, IllegalStateException::new);
    }

    /**
     * Guards {@code store}.
     *
     * @param store the store to guard (normally a shared one)
     * @param failureThreshold consecutive failures that open the breaker, at least 1
     * @param openFor how long the breaker stays open before a probe, positive
     * @param listener told of every state change (with this store's description); must be fast
     * @return the guarded store
     * @throws IllegalArgumentException if {@code failureThreshold < 1} or {@code openFor} is not positive
     */
    public static GuardedPenaltyStore of(PenaltyStore store, int failureThreshold, Duration openFor,
            GuardedLimitStore.Listener listener) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(openFor, "openFor");
        Objects.requireNonNull(listener, "listener");
        return new GuardedPenaltyStore(store, failureThreshold, openFor, listener);
    }

    @Override
    public PenaltyRecord get(Object key) {
        Object r = breaker.run(() -> {
            PenaltyRecord x = store.get(key);
            return x == null ? NONE : x;
        });
        return r == NONE ? null : (PenaltyRecord) r;
    }

    /** Failsafe results may be null, but a sentinel keeps "no record" apart from "no result" plainly. */
    private static final Object NONE = new Object();

    @Override
    public boolean compareAndSet(Object key, PenaltyRecord expected, PenaltyRecord update) {
        return breaker.run(() -> store.compareAndSet(key, expected, update));
    }

    /** @return the breaker's state now */
    public GuardedLimitStore.State state() {
        return breaker.state();
    }

    /** @return how often the breaker has opened since this store was built */
    public long timesOpened() {
        return breaker.transitions(GuardedLimitStore.State.OPEN);
    }

    /** Lets the next call through as a probe now, as if the open time were over; for tests and operators. */
    public void probeNow() {
        breaker.probeNow();
    }

    /** @return the guarded store */
    public PenaltyStore guarded() {
        return store;
    }

    @Override
    public String description() {
        return description;
    }

    /** Closes the guarded store. */
    @Override
    public void close() {
        store.close();
    }

    @Override
    public String toString() {
        return "GuardedPenaltyStore[" + description + ", " + state() + "]";
    }
}
