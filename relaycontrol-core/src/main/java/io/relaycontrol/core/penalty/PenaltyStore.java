package io.relaycontrol.core.penalty;

import io.relaycontrol.api.RelayClock;
import java.util.Objects;

/**
 * Where a {@link PenaltyBox} keeps its ban records: in this JVM ({@link #local()}) or in a store shared by every
 * server ({@code io.relaycontrol.core.limit.redis.RedisPenaltyStore}), so that a client boxed by one server is
 * boxed by all.
 *
 * <p>A store is a map from a client key (a value with {@code equals}, {@code hashCode} and a stable text form as
 * {@code toString()}, as {@link io.relaycontrol.core.limit.LimitKey} produces) to a {@link PenaltyRecord}, with one
 * atomic operation, {@link #compareAndSet}: the box computes the next record and the store swaps it in only if
 * nobody changed the record meanwhile (two servers boxing one client at once escalate once, not twice). A store
 * keeps each record until its {@link PenaltyRecord#forgetAtMillis()} and may drop it then.
 *
 * <p>A store outlives the boxes that use it: {@code ReloadingRelayPolicy} keeps one for every policy it builds, so
 * a reload never releases a boxed client. Implementations are thread-safe.
 *
 * @since 0.2.0
 */
public interface PenaltyStore extends AutoCloseable {

    /**
     * A store in this JVM on the system clock, bounded (by default 100,000 records; a {@link PenaltyBox} built on it
     * sets its {@linkplain PenaltyBox.Builder#maxKeys(long) own bound}), each record dropped when it can be
     * forgotten; a new record beyond the bound is refused ({@link PenaltyStoreFullException}), never made room for
     * by evicting another.
     *
     * @return a new local store
     */
    static PenaltyStore local() {
        return new LocalPenaltyStore(RelayClock.system());
    }

    /**
     * A local store on a given clock (tests pass {@code io.relaycontrol.testkit.ManualClock}).
     *
     * @param clock the clock records expire by
     * @return a new local store
     * @throws NullPointerException if {@code clock} is null
     */
    static PenaltyStore local(RelayClock clock) {
        return new LocalPenaltyStore(Objects.requireNonNull(clock, "clock"));
    }

    /**
     * The record of {@code key}, on the hot path (every decision of a client that is not exempt).
     *
     * @param key the client key
     * @return the record, or {@code null} when there is none (or it was forgotten)
     * @throws RuntimeException if the store fails (unreachable, timeout, breaker open); the box then has no opinion
     */
    PenaltyRecord get(Object key);

    /**
     * Replaces the record of {@code key} by {@code update} if it is {@code expected} now (equal by value;
     * {@code null} for "no record"), atomically. The store keeps {@code update} at least until
     * {@link PenaltyRecord#forgetAtMillis()}.
     *
     * @param key the client key
     * @param expected the record read before, or {@code null} if there was none
     * @param update the new record
     * @return {@code true} if replaced, {@code false} if the record had changed (read again and retry)
     * @throws PenaltyStoreFullException if {@code expected} is {@code null} and a bounded store has no room
     * @throws RuntimeException if the store fails
     */
    boolean compareAndSet(Object key, PenaltyRecord expected, PenaltyRecord update);

    /**
     * @return whether the records live outside this JVM (and may fail like a remote store); the local store says
     *     {@code false}
     */
    default boolean shared() {
        return true;
    }

    /** @return for {@code describe()}, e.g. {@code local (at most 100000 records)} or {@code redis 127.0.0.1:6379} */
    String description();

    /** Releases what the store holds; the default does nothing. */
    @Override
    default void close() {
    }
}
