package io.relaycontrol.core.limit;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedSupplier;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.slf4j.Logger;

/**
 * The one circuit breaker (Failsafe's {@code CircuitBreaker}) that every guarded shared store uses: the rate
 * limits' {@link GuardedLimitStore} and the penalty box's {@code GuardedPenaltyStore}. It counts consecutive
 * failures, opens, lets one probe through when half-open, logs each state change once (a warning on open,
 * information on half-open and close), counts the changes and tells a {@link GuardedLimitStore.Listener}; never
 * once per call.
 *
 * <p>Thread-safe.
 *
 * @since 0.2.0
 */
public final class StoreBreaker {

    private final CircuitBreaker<Object> breaker;
    private final FailsafeExecutor<Object> executor;
    private final AtomicLong[] transitions = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
    private final Logger log;
    private final String store;
    private final String whileOpen;
    private final String listenerName;
    private final GuardedLimitStore.Listener listener;
    private final BiFunction<String, Throwable, RuntimeException> unavailable;

    /**
     * @param log the logger state changes go to (the guarding store's own)
     * @param store how the log names the store, e.g. {@code rate-limit store redis 127.0.0.1:6379}
     * @param whileOpen what the open state means for decisions, logged with it
     * @param listenerName the store's name as the listener is told it
     * @param listener told of every state change; must be fast (a throw is logged)
     * @param notAFailure exceptions that pass through without counting as a failure (a full store)
     * @param failureThreshold consecutive failures that open the breaker, at least 1
     * @param openFor how long the breaker stays open before a probe, positive
     * @param unavailable makes the exception a call throws when the breaker is open or the store failed with a
     *        checked exception, from a message and the cause
     * @throws IllegalArgumentException if {@code failureThreshold < 1} or {@code openFor} is not positive
     */
    public StoreBreaker(Logger log, String store, String whileOpen, String listenerName,
            GuardedLimitStore.Listener listener, Predicate<Throwable> notAFailure, int failureThreshold,
            Duration openFor, BiFunction<String, Throwable, RuntimeException> unavailable) {
        this.log = Objects.requireNonNull(log, "log");
        this.store = Objects.requireNonNull(store, "store");
        this.whileOpen = Objects.requireNonNull(whileOpen, "whileOpen");
        this.listenerName = Objects.requireNonNull(listenerName, "listenerName");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.unavailable = Objects.requireNonNull(unavailable, "unavailable");
        Objects.requireNonNull(notAFailure, "notAFailure");
        Objects.requireNonNull(openFor, "openFor");
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failureThreshold must be at least 1, was " + failureThreshold);
        }
        if (openFor.isNegative() || openFor.isZero()) {
            throw new IllegalArgumentException("openFor must be positive, was " + openFor);
        }
        this.breaker = CircuitBreaker.<Object>builder()
                .handleIf((r, e) -> e != null && !notAFailure.test(e))
                .withFailureThreshold(failureThreshold)
                .withDelay(openFor)
                .withSuccessThreshold(1)
                .onOpen(e -> changed(GuardedLimitStore.State.OPEN))
                .onHalfOpen(e -> changed(GuardedLimitStore.State.HALF_OPEN))
                .onClose(e -> changed(GuardedLimitStore.State.CLOSED))
                .build();
        this.executor = Failsafe.with(breaker);
    }

    private void changed(GuardedLimitStore.State s) {
        transitions[s.ordinal()].incrementAndGet();
        if (s == GuardedLimitStore.State.OPEN) {
            log.warn("{}: circuit breaker open, {}", store, whileOpen);
        } else if (s == GuardedLimitStore.State.HALF_OPEN) {
            log.info("{}: circuit breaker half-open, probing", store);
        } else {
            log.info("{}: circuit breaker closed, store in use again", store);
        }
        try {
            listener.stateChanged(listenerName, s);
        } catch (RuntimeException e) {
            log.warn("circuit breaker listener failed", e);
        }
    }

    /**
     * Runs one store call through the breaker.
     *
     * @param <T> the call's result
     * @param call the store call
     * @return its result
     * @throws RuntimeException what the call threw, or {@code unavailable}'s exception when the breaker is open
     */
    @SuppressWarnings("unchecked")
    public <T> T run(CheckedSupplier<T> call) {
        try {
            return (T) executor.get(call::get);
        } catch (CircuitBreakerOpenException e) {
            throw unavailable.apply(store + ": circuit breaker open", e);
        } catch (FailsafeException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            throw unavailable.apply(store + " failed: " + c, c);
        }
    }

    /** @return the breaker's state now */
    public GuardedLimitStore.State state() {
        switch (breaker.getState()) {
            case OPEN:
                return GuardedLimitStore.State.OPEN;
            case HALF_OPEN:
                return GuardedLimitStore.State.HALF_OPEN;
            case CLOSED:
            default:
                return GuardedLimitStore.State.CLOSED;
        }
    }

    /**
     * @param state a state
     * @return how often the breaker has entered {@code state} since it was built
     */
    public long transitions(GuardedLimitStore.State state) {
        return transitions[state.ordinal()].get();
    }

    /** Lets the next call through as a probe now, as if the open time were over. */
    public void probeNow() {
        if (breaker.isOpen()) {
            breaker.halfOpen();
        }
    }
}
