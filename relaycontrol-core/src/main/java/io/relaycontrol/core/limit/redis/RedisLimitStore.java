package io.relaycontrol.core.limit.redis;

import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A Redis store for {@link io.relaycontrol.core.limit.RateLimit} buckets, shared by every server that uses
 * the same Redis: a Lettuce client and connection with short timeouts, and a Bucket4j compare-and-swap
 * {@link ProxyManager} on top.
 *
 * <pre>{@code
 * try (RedisLimitStore redis = RedisLimitStore.builder("redis://127.0.0.1:6379").build()) {
 *     RateLimit limit = RateLimit.builder("sender-messages")
 *             .key(LimitKeys.senderAddress()).counting(Counted.MESSAGES)
 *             .bandwidths(Bandwidths.parse("100/1h, 1000/1d"))
 *             .store(redis.proxyManager())
 *             .onStoreFailure(FailureMode.DEFER)
 *             .build();
 *     ...
 * }
 * }</pre>
 *
 * <p>Failure behaviour, chosen so that a dead Redis costs little: each command times out after the request
 * timeout (200 ms by default, both in Lettuce and in Bucket4j); while disconnected, commands are rejected at
 * once instead of being queued ({@code DisconnectedBehavior.REJECT_COMMANDS}); Lettuce reconnects in the
 * background, so the limit works again as soon as Redis is back. The limit's
 * {@link io.relaycontrol.core.limit.FailureMode} decides what a failed command means. Buckets expire in Redis
 * once they are full again plus {@link Builder#keepAfterRefill(Duration)}.
 *
 * <p>Requires the optional dependencies {@code com.bucket4j:bucket4j_jdk17-lettuce} and
 * {@code io.lettuce:lettuce-core} (which brings Netty 4.2). Instances are thread-safe; builders are not.
 * Close the store when done: it closes the connection and shuts the client down.
 *
 * @since 0.1.0
 */
public final class RedisLimitStore implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final ProxyManager<String> proxyManager;

    private RedisLimitStore(RedisClient client, StatefulRedisConnection<String, byte[]> connection,
            ProxyManager<String> proxyManager) {
        this.client = client;
        this.connection = connection;
        this.proxyManager = proxyManager;
    }

    /**
     * Starts a store for a Redis URI.
     *
     * @param uri e.g. {@code redis://127.0.0.1:6379} or {@code rediss://user:secret@host:6380/0}
     * @return a builder (not thread-safe)
     * @throws NullPointerException if {@code uri} is null
     * @throws IllegalArgumentException if Lettuce cannot read {@code uri}
     */
    public static Builder builder(String uri) {
        Objects.requireNonNull(uri, "uri");
        try {
            return new Builder(RedisURI.create(uri));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a Redis URI: '" + uri + "'", e);
        }
    }

    /**
     * Starts a store for a Lettuce {@link RedisURI}; the builder's timeouts replace the URI's timeout.
     *
     * @param uri the Redis URI
     * @return a builder (not thread-safe)
     */
    public static Builder builder(RedisURI uri) {
        return new Builder(Objects.requireNonNull(uri, "uri"));
    }

    /** @return the Bucket4j proxy manager to pass to {@code RateLimit.Builder.store(...)}; thread-safe */
    public ProxyManager<String> proxyManager() {
        return proxyManager;
    }

    /** Closes the connection and shuts the client down. */
    @Override
    public void close() {
        try {
            connection.close();
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    /** Builds a {@link RedisLimitStore}. Not thread-safe. Each option may be set once. */
    public static final class Builder {
        private final RedisURI uri;
        private Duration requestTimeout;
        private Duration connectTimeout;
        private Duration keepAfterRefill;
        private TimeMeter clientClock;

        private Builder(RedisURI uri) {
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
         * @param clock the clock Bucket4j uses for refills; default {@link TimeMeter#SYSTEM_MILLISECONDS}.
         *        Every server sharing the Redis must use a wall clock in sync (NTP); tests pass a manual one.
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder clientClock(TimeMeter clock) {
            Objects.requireNonNull(clock, "clientClock");
            once(clientClock, "clientClock");
            this.clientClock = clock;
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
         * @throws io.lettuce.core.RedisConnectionException if Redis cannot be reached now
         */
        public RedisLimitStore build() {
            Duration request = requestTimeout == null ? Duration.ofMillis(200) : requestTimeout;
            Duration connect = connectTimeout == null ? Duration.ofSeconds(1) : connectTimeout;
            Duration keep = keepAfterRefill == null ? Duration.ofSeconds(10) : keepAfterRefill;
            RedisURI u = RedisURI.builder(uri).withTimeout(request).build();
            RedisClient client = RedisClient.create(u);
            client.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(request))
                    .socketOptions(SocketOptions.builder().connectTimeout(connect).build())
                    .build());
            StatefulRedisConnection<String, byte[]> connection;
            try {
                connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
            } catch (RuntimeException e) {
                client.shutdown(0, 2, TimeUnit.SECONDS);
                throw e;
            }
            var pm = Bucket4jLettuce.casBasedBuilder(connection)
                    .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(keep))
                    .requestTimeout(request);
            if (clientClock != null) {
                pm.clientClock(clientClock);
            }
            return new RedisLimitStore(client, connection, pm.build());
        }
    }
}
