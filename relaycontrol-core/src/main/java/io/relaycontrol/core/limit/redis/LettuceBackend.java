package io.relaycontrol.core.limit.redis;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
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
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.relaycontrol.api.RelayClock;
import io.relaycontrol.core.limit.Consumption;
import io.relaycontrol.core.limit.Rate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything that touches Lettuce and Bucket4j's Redis module, kept out of {@link RedisLimitStore} so that the
 * public class loads without them and can say clearly that they are missing. Thread-safe. Not API.
 */
final class LettuceBackend {

    /** First reconnection delay; doubled per attempt up to the configured bound. */
    static final Duration MIN_RECONNECT_DELAY = Duration.ofMillis(10);

    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final ProxyManager<String> proxyManager;
    private final RelayClock clock;
    private final String description;
    private final ConcurrentHashMap<String, ConcurrentHashMap<List<Rate>, Versioned>> configurations =
            new ConcurrentHashMap<>();
    private final AtomicLong lastVersion = new AtomicLong();

    /** A configuration and the version it is written with. */
    private record Versioned(BucketConfiguration configuration, long version) {
    }

    private LettuceBackend(ClientResources resources, RedisClient client,
            StatefulRedisConnection<String, byte[]> connection, ProxyManager<String> proxyManager, RelayClock clock,
            String description) {
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.proxyManager = proxyManager;
        this.clock = clock;
        this.description = description;
    }

    /** The fail-fast options of the client: see {@link RedisLimitStore}'s failure behaviour. */
    static ClientOptions clientOptions(Duration request, Duration connect) {
        return ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(request))
                .socketOptions(SocketOptions.builder().connectTimeout(connect).build())
                .build();
    }

    /** The reconnect delay: exponential from {@link #MIN_RECONNECT_DELAY}, bounded by {@code max}. */
    static Delay reconnectDelay(Duration max) {
        if (max.compareTo(MIN_RECONNECT_DELAY) <= 0) {
            return Delay.constant(max);
        }
        return Delay.exponential(MIN_RECONNECT_DELAY, max, 2, TimeUnit.MILLISECONDS);
    }

    static LettuceBackend connect(String uri, Duration request, Duration connect, Duration keep,
            Duration maxReconnect, RelayClock clock) {
        RedisURI parsed;
        try {
            parsed = RedisURI.create(uri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a Redis URI: '" + uri + "'", e);
        }
        // The URI's timeout bounds the connection handshake (HELLO/AUTH), so it gets the connect timeout; the
        // commands are bounded by TimeoutOptions (the request timeout) and by Bucket4j's requestTimeout.
        RedisURI u = RedisURI.builder(parsed).withTimeout(connect).build();
        ClientResources resources = ClientResources.builder().reconnectDelay(reconnectDelay(maxReconnect)).build();
        RedisClient client = RedisClient.create(resources, u);
        client.setOptions(clientOptions(request, connect));
        StatefulRedisConnection<String, byte[]> connection;
        try {
            connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        } catch (RuntimeException e) {
            client.shutdown(0, 2, TimeUnit.SECONDS);
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot connect to Redis at " + u.getHost() + ":" + u.getPort() + ": "
                    + e.getMessage(), e);
        }
        TimeMeter meter = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return clock.epochNanos();
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
        ProxyManager<String> pm = Bucket4jLettuce.casBasedBuilder(connection)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(keep))
                .requestTimeout(request)
                .clientClock(meter)
                .build();
        return new LettuceBackend(resources, client, connection, pm, clock,
                "redis " + u.getHost() + ":" + u.getPort());
    }

    Consumption tryConsume(String limit, Object key, List<Rate> rates, long tokens) {
        Versioned v = configuration(limit, rates);
        ConsumptionProbe p = proxyManager.builder()
                .withImplicitConfigurationReplacement(v.version(), TokensInheritanceStrategy.ADDITIVE)
                .build("relaycontrol:limit:" + limit + ":" + key, () -> v.configuration())
                .tryConsumeAndReturnRemaining(tokens);
        return new Consumption(p.isConsumed(), p.getRemainingTokens(), p.isConsumed() ? 0 : p.getNanosToWaitForRefill(),
                p.getNanosToWaitForReset());
    }

    /** The configuration of a limit's rates, and a version that is newer than every one this store issued. */
    private Versioned configuration(String limit, List<Rate> rates) {
        ConcurrentHashMap<List<Rate>, Versioned> byRates = configurations.computeIfAbsent(limit,
                n -> new ConcurrentHashMap<>());
        Versioned v = byRates.get(rates);
        if (v != null) {
            return v;
        }
        return byRates.computeIfAbsent(List.copyOf(rates), r -> {
            var b = BucketConfiguration.builder();
            for (Rate rate : r) {
                b.addLimit(Bandwidth.builder().capacity(rate.burst()).refillGreedy(rate.count(), rate.period())
                        .id(periodId(rate.period())).build());
            }
            long now = clock.epochNanos() / 1_000_000L;
            long version = lastVersion.updateAndGet(last -> Math.max(last + 1, now));
            return new Versioned(b.build(), version);
        });
    }

    /** The bandwidth id: the period, so that a changed count migrates the tokens of the same period. */
    private static String periodId(Duration period) {
        return period.toString();
    }

    boolean isConnected() {
        return connection.isOpen();
    }

    String description() {
        return description;
    }

    void close() {
        try {
            connection.close();
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
