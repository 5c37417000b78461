package io.relaycontrol.core.limit.redis;

import io.relaycontrol.core.limit.GuardedLimitStore;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.core.penalty.PenaltyRecord;
import io.relaycontrol.core.penalty.PenaltyStore;
import java.util.Objects;
import java.util.Optional;

/**
 * Penalty-box records in Redis, on the connection of a {@link RedisLimitStore} (standalone, Sentinel or Cluster), so
 * that a client boxed by one server is boxed by every server sharing that Redis, and a penalty box costs no second
 * connection.
 *
 * <p>A record is one Redis string, {@code relaycontrol:penalty:<client key>} (in a Redis Cluster
 * {@code relaycontrol:penalty:{<client key>}}), e.g. {@code relaycontrol:penalty:2001:db8:1:2::/64}, holding
 * {@link PenaltyRecord#encode()} and set with {@code PX} to expire when the record may be forgotten (measured from
 * the store's clock). {@link #get} is a {@code GET}; {@link #compareAndSet} is one Lua script ({@code EVAL}) that
 * compares the current value with the expected one and sets the new one only if they are equal, atomically on the
 * Redis server, so two servers boxing one client at once escalate once. Commands time out after the limit store's
 * request timeout and are rejected at once while disconnected (see {@link RedisLimitStore}); put a
 * {@link io.relaycontrol.core.penalty.GuardedPenaltyStore} in front for a circuit breaker (the configured store
 * does).
 *
 * <p>Thread-safe. {@link #close()} does nothing: the connection belongs to the limit store, which closes it.
 *
 * @since 0.2.0
 */
public final class RedisPenaltyStore implements PenaltyStore {

    private final LettucePenalties lettuce;

    private RedisPenaltyStore(LettucePenalties lettuce) {
        this.lettuce = lettuce;
    }

    /**
     * A penalty store on the connection of {@code limits}.
     *
     * @param limits the rate limits' Redis store; it must stay open while this store is used
     * @return the penalty store
     */
    public static RedisPenaltyStore on(RedisLimitStore limits) {
        Objects.requireNonNull(limits, "limits");
        return new RedisPenaltyStore(new LettucePenalties(limits.backend()));
    }

    /**
     * A penalty store sharing {@code limits}' Redis, if it is one: a {@link RedisLimitStore}, or a
     * {@link GuardedLimitStore} in front of one.
     *
     * @param limits a rate-limit store
     * @return the Redis penalty store on its connection, or empty if {@code limits} is not a Redis store
     */
    public static Optional<PenaltyStore> sharing(LimitStore limits) {
        Objects.requireNonNull(limits, "limits");
        LimitStore s = limits instanceof GuardedLimitStore ? ((GuardedLimitStore) limits).guarded() : limits;
        return s instanceof RedisLimitStore ? Optional.of(on((RedisLimitStore) s)) : Optional.empty();
    }

    @Override
    public PenaltyRecord get(Object key) {
        String v = lettuce.get(lettuce.redisKey(key));
        return v == null ? null : PenaltyRecord.decode(v);
    }

    @Override
    public boolean compareAndSet(Object key, PenaltyRecord expected, PenaltyRecord update) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(update, "update");
        long ttl = Math.max(1, update.forgetAtMillis() - lettuce.nowMillis());
        return lettuce.compareAndSet(lettuce.redisKey(key), expected == null ? "" : expected.encode(), update.encode(),
                ttl);
    }

    @Override
    public String description() {
        return lettuce.description();
    }

    @Override
    public String toString() {
        return "RedisPenaltyStore[" + description() + "]";
    }
}
