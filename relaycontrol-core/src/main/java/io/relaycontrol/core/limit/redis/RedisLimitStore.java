package io.relaycontrol.core.limit.redis;

import io.relaycontrol.api.RelayClock;
import io.relaycontrol.core.limit.Consumption;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.core.limit.Rate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A Redis store for {@link io.relaycontrol.core.limit.RateLimit} buckets, shared by every server that uses
 * the same Redis: a Lettuce client with short timeouts and a bounded reconnect delay, and a Bucket4j
 * compare-and-swap proxy manager on top. Neither library appears in this class's signatures.
 *
 * <pre>{@code
 * try (RedisLimitStore redis = RedisLimitStore.builder("redis://127.0.0.1:6379").build()) {
 *     RateLimit limit = RateLimit.builder("sender-messages")
 *             .key(LimitKeys.senderAddress()).counting(Counted.MESSAGES)
 *             .rates(Rate.parseList("100/1h, 1000/1d"))
 *             .store(redis)
 *             .onStoreFailure(FailureMode.DEFER)
 *             .build();
 *     ...
 * }
 * }</pre>
 *
 * <p>Keys: {@code relaycontrol:limit:<limit name>:<key>}, e.g.
 * {@code relaycontrol:limit:client-recipients:2001:db8:1:2::/64}; in a Redis Cluster
 * {@code relaycontrol:limit:{<limit name>:<key>}} (a hash tag over the whole bucket name: each bucket is one
 * key, so one slot, and braces inside a client-chosen key cannot concentrate buckets on one slot). The key does not depend on the rates, so a
 * limit rebuilt with other rates (a reload, here or on another server) continues the same buckets: each
 * bucket is migrated to the new rates by Bucket4j's implicit configuration replacement with
 * {@code TokensInheritanceStrategy.ADDITIVE} (what was spent still counts; see {@code RateLimit}). The
 * configuration version is the time this store first saw the limit with those rates, so the newest
 * configuration wins when servers disagree during a rolling change. A limit removed by a reload is not
 * deleted from Redis (another server may still use it): its buckets expire once full again.
 *
 * <p>Failure behaviour, chosen so that a dead Redis costs little and a restarted one is used again at once:
 * each command times out after the request timeout (200 ms by default, in Lettuce and in Bucket4j); while
 * disconnected, commands are rejected at once instead of being queued
 * ({@code DisconnectedBehavior.REJECT_COMMANDS}); Lettuce reconnects in the background with an exponential
 * delay from 10 ms bounded by {@link Builder#maxReconnectDelay(Duration)} (200 ms by default, where Lettuce's
 * own default grows to 30 s). Measured on loopback (2-core machine under load): with Redis killed, kept down
 * 8 s and started again on the same port, the first decision that reached Redis came 0.19 to 0.30 s after the
 * new server was ready, against 1.0 to 2.8 s with Lettuce's own 30 s bound, which doubles with every failed
 * attempt and so grows with the downtime (three runs each of
 * {@code RedisRecoveryMeasurement 8 200 30000} in the core module's tests). Until then each decision fails at
 * once (rejected, not queued) and the
 * limit's {@link io.relaycontrol.core.limit.FailureMode} decides what a failed command means. Buckets expire in
 * Redis once they are full again plus {@link Builder#keepAfterRefill(Duration)}.
 *
 * <p>Requires the optional dependencies {@code com.bucket4j:bucket4j_jdk17-lettuce} and
 * {@code io.lettuce:lettuce-core} (which brings Netty 4.2); without them {@link Builder#build()} throws one
 * {@link IllegalStateException} naming both. Instances are thread-safe; builders are not. Close the store
 * when done: it closes the connection and shuts the client down.
 *
 * @since 0.1.0
 */
public final class RedisLimitStore implements LimitStore {

    static final String LETTUCE = "io.lettuce:lettuce-core";
    static final String BUCKET4J_LETTUCE = "com.bucket4j:bucket4j_jdk17-lettuce";

    private final LettuceBackend backend;

    private RedisLimitStore(LettuceBackend backend) {
        this.backend = backend;
    }

    /**
     * Starts a store for a Redis URI.
     *
     * @param uri {@code redis://[user:pass@]host:port[/db]}, {@code rediss://...} (TLS),
     *        {@code redis-cluster://[user:pass@]host:port,host:port,...} (a Redis Cluster: the nodes to learn the
     *        topology from; Bucket4j's {@code casBasedBuilder} on a Lettuce cluster connection, every bucket one
     *        key on one slot) or {@code redis-sentinel://[user:pass@]host:port,host:port,.../master-name} (the
     *        sentinels and the master's name; Lettuce follows a failover); read when the store is built
     * @return a builder (not thread-safe)
     * @throws NullPointerException if {@code uri} is null
     */
    public static Builder builder(String uri) {
        return new Builder(Objects.requireNonNull(uri, "uri"));
    }

    @Override
    public Consumption tryConsume(String limit, Object key, List<Rate> rates, long tokens) {
        return backend.tryConsume(limit, key, rates, tokens);
    }

    /**
     * Sends the charge without waiting for Redis (Bucket4j's asynchronous proxy on the same connection).
     *
     * @param limit the limit's name
     * @param key the bucket's key
     * @param rates the rates of this key's bucket
     * @param tokens how many tokens to take, positive
     * @return the answer when Redis gives it, or a stage failed with the command's error or timeout
     * @since 0.2.0
     */
    @Override
    public CompletableFuture<Consumption> tryConsumeAsync(String limit, Object key, List<Rate> rates, long tokens) {
        try {
            return backend.tryConsumeAsync(limit, key, rates, tokens);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Does nothing in Redis: another server may still use the removed limits, and their buckets expire once
     * full again.
     *
     * @param limitNames the names of the limits still in use
     */
    @Override
    public void retainLimits(Collection<String> limitNames) {
        Objects.requireNonNull(limitNames, "limitNames");
    }

    @Override
    public String description() {
        return backend.description();
    }

    /** @return the Lettuce side, for a {@link RedisPenaltyStore} sharing the connection */
    LettuceBackend backend() {
        return backend;
    }

    /** @return whether the connection is up now; for tests */
    boolean isConnected() {
        return backend.isConnected();
    }

    /** Closes the connection and shuts the client down. */
    @Override
    public void close() {
        backend.close();
    }

    @Override
    public String toString() {
        return "RedisLimitStore[" + description() + "]";
    }

    /**
     * Fails with one clear message when the optional Redis dependencies are missing.
     *
     * @param loader where to look
     * @throws IllegalStateException naming both artifacts and the missing ones
     */
    static void requireRedisDependencies(ClassLoader loader) {
        List<String> missing = new ArrayList<>();
        if (!present("io.lettuce.core.RedisClient", loader)) {
            missing.add(LETTUCE);
        }
        if (!present("io.github.bucket4j.redis.lettuce.Bucket4jLettuce", loader)) {
            missing.add(BUCKET4J_LETTUCE);
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the Redis rate-limit store needs two optional dependencies: add "
                    + BUCKET4J_LETTUCE + " and " + LETTUCE + " to the application (missing now: "
                    + String.join(", ", missing) + ")");
        }
    }

    private static boolean present(String className, ClassLoader loader) {
        try {
            Class.forName(className, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Builds a {@link RedisLimitStore}. Not thread-safe. Each option may be set once. */
    public static final class Builder {
        private final String uri;
        private Duration requestTimeout;
        private Duration connectTimeout;
        private Duration keepAfterRefill;
        private Duration maxReconnectDelay;
        private RelayClock clock;

        private Builder(String uri) {
            this.uri = uri;
        }

        /**
         * @param timeout the longest a command may take; default 200 ms
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if already set
         */
        public Builder requestTimeout(Duration timeout) {
            once(requestTimeout, "requestTimeout");
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /**
         * @param timeout the longest a (re)connection may take; default 1 s
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if already set
         */
        public Builder connectTimeout(Duration timeout) {
            once(connectTimeout, "connectTimeout");
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * @param delay the longest wait between two reconnection attempts while Redis is unreachable; default
         *        200 ms (attempts start at 10 ms and double up to this). It bounds how long decisions keep
         *        failing after Redis is back.
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if already set
         */
        public Builder maxReconnectDelay(Duration delay) {
            once(maxReconnectDelay, "maxReconnectDelay");
            this.maxReconnectDelay = positive(delay, "maxReconnectDelay");
            return this;
        }

        /**
         * @param keep how long a bucket stays in Redis after it is full again; default 10 s (a full bucket
         *        and a missing one are the same, so this only saves re-creating buckets of busy keys)
         * @return this builder
         * @throws IllegalArgumentException if negative
         * @throws IllegalStateException if already set
         */
        public Builder keepAfterRefill(Duration keep) {
            Objects.requireNonNull(keep, "keepAfterRefill");
            if (keep.isNegative()) {
                throw new IllegalArgumentException("keepAfterRefill must not be negative, was " + keep);
            }
            once(keepAfterRefill, "keepAfterRefill");
            this.keepAfterRefill = keep;
            return this;
        }

        /**
         * @param clock the clock Bucket4j refills by; default {@link RelayClock#system()}. Every server sharing
         *        the Redis must use a wall clock in sync (NTP); tests pass a manual one.
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder clock(RelayClock clock) {
            Objects.requireNonNull(clock, "clock");
            once(this.clock, "clock");
            this.clock = clock;
            return this;
        }

        private static void once(Object current, String option) {
            if (current != null) {
                throw new IllegalStateException(option + " is already set");
            }
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }

        /**
         * Connects to Redis.
         *
         * @return the store
         * @throws IllegalStateException if {@code com.bucket4j:bucket4j_jdk17-lettuce} or
         *         {@code io.lettuce:lettuce-core} is missing (one message naming both), or Redis cannot be
         *         reached now (the cause says why)
         * @throws IllegalArgumentException if the URI is not a Redis URI
         */
        public RedisLimitStore build() {
            requireRedisDependencies(RedisLimitStore.class.getClassLoader());
            Duration request = requestTimeout == null ? Duration.ofMillis(200) : requestTimeout;
            Duration connect = connectTimeout == null ? Duration.ofSeconds(1) : connectTimeout;
            Duration keep = keepAfterRefill == null ? Duration.ofSeconds(10) : keepAfterRefill;
            Duration reconnect = maxReconnectDelay == null ? Duration.ofMillis(200) : maxReconnectDelay;
            RelayClock c = clock == null ? RelayClock.system() : clock;
            return new RedisLimitStore(LettuceBackend.connect(uri, request, connect, keep, reconnect, c));
        }
    }
}
