package io.relaycontrol.core.limit;

import io.relaycontrol.api.RelayClock;
import java.util.Collection;
import java.util.List;

/**
 * Where the buckets of {@link RateLimit}s live: in this JVM ({@link #local()}) or in a shared store such as
 * Redis ({@link io.relaycontrol.core.limit.redis.RedisLimitStore}), so that several servers share one budget.
 *
 * <p>A store outlives the limits that use it. Buckets are identified by the limit's name and the request's
 * key, never by a limit instance: a limit rebuilt under the same name (a configuration reload) finds every
 * bucket as it left it. If the rebuilt limit has other rates for a key, the store migrates that bucket to them
 * and keeps what was spent (Bucket4j's {@code TokensInheritanceStrategy.ADDITIVE}: the tokens a client used
 * still count against the new capacity; see {@link RateLimit} for why). {@link #retainLimits} forgets the
 * buckets of limits that a reload removed. {@code ReloadingRelayPolicy} keeps one store for every policy it
 * builds.
 *
 * <p>The one charging method, {@link #tryConsume}, speaks only relaycontrol's types, so that a store can be
 * written or wrapped (a circuit breaker, a cluster client, a penalty box sharing the store) without Bucket4j
 * or Lettuce types in any signature.
 *
 * <p>Implementations are thread-safe.
 *
 * @since 0.2.0
 */
public interface LimitStore extends AutoCloseable {

    /**
     * A store in this JVM on the system clock: per limit a map of buckets bounded by the limit's
     * {@linkplain RateLimit.Builder#maxKeys(long) key cap}, each bucket forgotten exactly when it is full again.
     *
     * @return a new local store
     */
    static LimitStore local() {
        return new LocalLimitStore(RelayClock.system());
    }

    /**
     * A local store on a given clock (tests pass {@code io.relaycontrol.testkit.ManualClock}).
     *
     * @param clock the clock buckets refill by and expire by
     * @return a new local store
     * @throws NullPointerException if {@code clock} is null
     */
    static LimitStore local(RelayClock clock) {
        return new LocalLimitStore(java.util.Objects.requireNonNull(clock, "clock"));
    }

    /**
     * A local store on a given clock that tells {@code listener} whenever a limit's buckets become full (new keys
     * get the limit's failure mode) and when they have room again, once per change. {@code ReloadingRelayPolicy}
     * passes its metrics sink this way.
     *
     * @param clock the clock buckets refill by and expire by
     * @param listener told of every change to full and back
     * @return a new local store
     * @throws NullPointerException if an argument is null
     * @since 0.2.0
     */
    static LimitStore local(RelayClock clock, LocalStoreListener listener) {
        return new LocalLimitStore(java.util.Objects.requireNonNull(clock, "clock"),
                java.util.Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Charges {@code tokens} to the bucket of ({@code limit}, {@code key}), creating it full with
     * {@code rates} if it does not exist, and migrating it to {@code rates} if it was made with others.
     * Either every rate has the tokens and all are charged, or nothing is charged.
     *
     * @param limit the limit's name
     * @param key the bucket's key as the limit's {@link LimitKey} produced it; its {@code toString()} is its
     *        stable text form (the key in a shared store)
     * @param rates the rates of this key's bucket, at least one, no two with the same period
     * @param tokens how many tokens to take, positive
     * @return what happened
     * @throws LimitStoreFullException if the bucket does not exist and the store has no room for it
     * @throws RuntimeException if the store fails (unreachable, timeout); the limit applies its
     *         {@link FailureMode}
     */
    Consumption tryConsume(String limit, Object key, List<Rate> rates, long tokens);

    /**
     * As {@link #tryConsume}, without blocking the caller: the answer arrives in the returned stage. A store
     * that talks to a server overrides this so that a caller can stop waiting (see {@link GuardedLimitStore},
     * which puts a time budget and a circuit breaker in front of any store); the default charges at once on
     * the calling thread.
     *
     * @param limit the limit's name
     * @param key the bucket's key
     * @param rates the rates of this key's bucket
     * @param tokens how many tokens to take, positive
     * @return what happened, or a stage completed exceptionally with what {@link #tryConsume} would throw
     * @since 0.2.0
     */
    default java.util.concurrent.CompletableFuture<Consumption> tryConsumeAsync(String limit, Object key,
            List<Rate> rates, long tokens) {
        try {
            return java.util.concurrent.CompletableFuture.completedFuture(tryConsume(limit, key, rates, tokens));
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Forgets the buckets of every limit whose name is not in {@code limitNames} (limits that a reload
     * removed). A shared store may keep them until they expire (another server may still use them), and says
     * so in its documentation.
     *
     * @param limitNames the names of the limits still in use
     */
    void retainLimits(Collection<String> limitNames);

    /**
     * Whether the buckets live outside this JVM (or may fail like a remote store), so that a
     * {@link FailureMode} applies; the local store says {@code false}.
     *
     * @return {@code true} unless this is the local store
     * @since 0.2.0
     */
    default boolean shared() {
        return true;
    }

    /** @return for {@code describe()}, e.g. {@code local} or {@code redis 127.0.0.1:6379} */
    String description();

    /** Releases what the store holds (connections); the default does nothing. */
    @Override
    default void close() {
    }
}
