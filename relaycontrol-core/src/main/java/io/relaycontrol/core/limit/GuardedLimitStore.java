package io.relaycontrol.core.limit;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A time budget and a circuit breaker (Failsafe's {@code CircuitBreaker}) in front of a shared
 * {@link LimitStore}, so that a sick store costs a decision at most the budget, and an open breaker costs it
 * nothing at all.
 *
 * <pre>{@code
 * LimitStore store = GuardedLimitStore.builder(RedisLimitStore.builder("redis://127.0.0.1:6379").build())
 *         .timeout(Duration.ofMillis(50)).failureThreshold(5).openFor(Duration.ofSeconds(1))
 *         .build();
 * }</pre>
 *
 * <p>Every call goes to the store's {@link LimitStore#tryConsumeAsync} and waits at most the timeout for its
 * answer (the wait is on the deciding thread; a command that answers late is cancelled here and may still be
 * applied by the server, which can only charge a client more, never less). After {@code failureThreshold}
 * consecutive failures (timeouts or errors) the breaker opens: every call then fails at once with a
 * {@link LimitStoreUnavailableException}, without touching the network, and the {@link RateLimit} applies its
 * {@link FailureMode}. After {@code openFor} the breaker is half-open: one call at a time is let through as a
 * probe (the others still fail at once); a probe that succeeds closes the breaker, one that fails opens it for
 * another {@code openFor}. {@link LimitStoreFullException} is passed through and not counted as a failure.
 *
 * <p>Each state change is logged once (a warning on open, information on half-open and close), counted
 * ({@link #transitions(State)}) and told to the {@link Listener}, never once per decision.
 *
 * <p>Thread-safe. {@link #close()} closes the guarded store.
 *
 * @since 0.2.0
 */
public final class GuardedLimitStore implements LimitStore {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedLimitStore.class);

    /** The breaker's state. */
    public enum State {
        /** Calls go to the store. */
        CLOSED,
        /** Calls fail at once. */
        OPEN,
        /** One probe call at a time goes to the store. */
        HALF_OPEN
    }

    /** Told of every state change of a breaker; must be fast and should not throw (a throw is logged). */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param store the guarded store's description
         * @param state the new state
         */
        void stateChanged(String store, State state);
    }

    private final LimitStore store;
    private final long timeoutNanos;
    private final Duration timeout;
    private final StoreBreaker breaker;
    private final String description;

    private GuardedLimitStore(Builder b) {
        this.store = b.store;
        this.timeout = b.timeout;
        this.timeoutNanos = b.timeout.toNanos();
        this.description = store.description() + " (timeout " + b.timeout.toMillis() + " ms, breaker opens after "
                + b.failureThreshold + " failures for " + b.openFor.toMillis() + " ms)";
        this.breaker = new StoreBreaker(LOG, "rate-limit store " + store.description(),
                "limits apply their failure mode", store.description(), b.listener,
                e -> e instanceof LimitStoreFullException, b.failureThreshold, b.openFor,
                LimitStoreUnavailableException::new);
    }

    /**
     * Starts a guard for {@code store}.
     *
     * @param store the store to guard (normally a shared one)
     * @return a builder (not thread-safe)
     * @throws NullPointerException if {@code store} is null
     */
    public static Builder builder(LimitStore store) {
        return new Builder(Objects.requireNonNull(store, "store"));
    }

    @Override
    public Consumption tryConsume(String limit, Object key, List<Rate> rates, long tokens) {
        return breaker.run(() -> call(limit, key, rates, tokens));
    }

    private Consumption call(String limit, Object key, List<Rate> rates, long tokens) {
        CompletableFuture<Consumption> f;
        try {
            f = store.tryConsumeAsync(limit, key, rates, tokens);
        } catch (LimitStoreFullException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new LimitStoreUnavailableException("rate-limit store " + store.description() + " failed: " + e, e);
        }
        try {
            return f.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new LimitStoreUnavailableException("rate-limit store " + store.description() + " did not answer within "
                    + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            f.cancel(false);
            Thread.currentThread().interrupt();
            throw new LimitStoreUnavailableException("interrupted while waiting for rate-limit store "
                    + store.description(), e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof LimitStoreFullException) {
                throw (LimitStoreFullException) c;
            }
            throw new LimitStoreUnavailableException("rate-limit store " + store.description() + " failed: " + c, c);
        }
    }

    /** @return the breaker's state now */
    public State state() {
        return breaker.state();
    }

    /**
     * @param state a state
     * @return how often the breaker has entered {@code state} since this store was built
     */
    public long transitions(State state) {
        return breaker.transitions(state);
    }

    /** Lets the next call through as a probe now, as if the open time were over; for tests and operators. */
    public void probeNow() {
        breaker.probeNow();
    }

    /** @return the guarded store */
    public LimitStore guarded() {
        return store;
    }

    @Override
    public void retainLimits(Collection<String> limitNames) {
        store.retainLimits(limitNames);
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
        return "GuardedLimitStore[" + description + ", " + state() + "]";
    }

    /** Builds a {@link GuardedLimitStore}. Not thread-safe. */
    public static final class Builder {
        private final LimitStore store;
        private Duration timeout = Duration.ofMillis(50);
        private int failureThreshold = 5;
        private Duration openFor = Duration.ofSeconds(1);
        private Listener listener = (s, st) -> {
        };

        private Builder(LimitStore store) {
            this.store = store;
        }

        /**
         * @param timeout the longest a decision waits for the store; default 50 ms
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        /**
         * @param failures consecutive failures that open the breaker; default 5
         * @return this builder
         * @throws IllegalArgumentException if less than 1
         */
        public Builder failureThreshold(int failures) {
            if (failures < 1) {
                throw new IllegalArgumentException("failureThreshold must be at least 1, was " + failures);
            }
            this.failureThreshold = failures;
            return this;
        }

        /**
         * @param openFor how long the breaker stays open before a probe; default 1 s
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder openFor(Duration openFor) {
            this.openFor = positive(openFor, "openFor");
            return this;
        }

        /**
         * @param listener told of every state change
         * @return this builder
         */
        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }

        /** @return the guarded store */
        public GuardedLimitStore build() {
            return new GuardedLimitStore(this);
        }
    }
}
