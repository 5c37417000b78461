package io.relaycontrol.core.limit.redis;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.relaycontrol.api.RelayClock;
import io.relaycontrol.core.limit.Consumption;
import io.relaycontrol.core.limit.Rate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
    private final Runnable shutdown;
    private final StatefulConnection<String, byte[]> connection;
    private final ProxyManager<String> proxyManager;
    private final AsyncProxyManager<String> asyncProxyManager;
    private final boolean cluster;
    private final RelayClock clock;
    private final String description;
    private final ConcurrentHashMap<String, ConcurrentHashMap<List<Rate>, Versioned>> configurations =
            new ConcurrentHashMap<>();
    private final AtomicLong lastVersion = new AtomicLong();

    /** A configuration and the version it is written with. */
    private record Versioned(BucketConfiguration configuration, long version) {
    }

    private LettuceBackend(ClientResources resources, Runnable shutdown, StatefulConnection<String, byte[]> connection,
            ProxyManager<String> proxyManager, boolean cluster, RelayClock clock, String description) {
        this.resources = resources;
        this.shutdown = shutdown;
        this.connection = connection;
        this.proxyManager = proxyManager;
        this.asyncProxyManager = proxyManager.asAsync();
        this.cluster = cluster;
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

    static final String CLUSTER = "redis-cluster://";
    static final String SENTINEL = "redis-sentinel://";

    static LettuceBackend connect(String uri, Duration request, Duration connect, Duration keep,
            Duration maxReconnect, RelayClock clock) {
        if (uri.regionMatches(true, 0, CLUSTER, 0, CLUSTER.length())) {
            return connectCluster(uri, request, connect, keep, maxReconnect, clock);
        }
        RedisURI parsed;
        if (uri.regionMatches(true, 0, SENTINEL, 0, SENTINEL.length())) {
            parsed = sentinelUri(uri);
        } else {
            try {
                parsed = RedisURI.create(uri);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a Redis URI: '" + redact(uri) + "'", e);
            }
        }
        // The URI's timeout bounds the connection handshake (HELLO/AUTH), so it gets the connect timeout; the
        // commands are bounded by TimeoutOptions (the request timeout) and by Bucket4j's requestTimeout.
        RedisURI u = RedisURI.builder(parsed).withTimeout(connect).build();
        ClientResources resources = ClientResources.builder().reconnectDelay(reconnectDelay(maxReconnect)).build();
        RedisClient client = RedisClient.create(resources, u);
        client.setOptions(clientOptions(request, connect));
        StatefulRedisConnection<String, byte[]> connection;
        String where = u.getSentinelMasterId() != null
                ? "sentinel master " + u.getSentinelMasterId() + " via " + hosts(u.getSentinels())
                : u.getHost() + ":" + u.getPort();
        try {
            connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        } catch (RuntimeException e) {
            client.shutdown(0, 2, TimeUnit.SECONDS);
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot connect to Redis at " + where + ": " + e.getMessage(), e);
        }
        ProxyManager<String> pm = Bucket4jLettuce.casBasedBuilder(connection)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(keep))
                .requestTimeout(request)
                .clientClock(meter(clock))
                .build();
        return new LettuceBackend(resources, () -> client.shutdown(0, 2, TimeUnit.SECONDS), connection, pm, false,
                clock, "redis " + where);
    }

    /**
     * A Redis Cluster: Lettuce's {@link RedisClusterClient} with adaptive and periodic topology refresh, and
     * Bucket4j's {@code casBasedBuilder} for a cluster connection. One bucket is one Redis key (Bucket4j's
     * compare-and-swap script reads and writes only that key), so it always lives on one slot; the key carries a
     * hash tag over the whole bucket name so that braces in a client-chosen key (a sender address) cannot pick
     * the slot.
     */
    private static LettuceBackend connectCluster(String uri, Duration request, Duration connect, Duration keep,
            Duration maxReconnect, RelayClock clock) {
        HostList h = hostList(uri, CLUSTER.length(), false);
        List<RedisURI> seeds = new ArrayList<>();
        for (String[] hp : h.hosts) {
            RedisURI.Builder b = RedisURI.builder().withHost(hp[0]).withPort(Integer.parseInt(hp[1]))
                    .withTimeout(connect);
            if (h.password != null) {
                if (h.user != null) {
                    b.withAuthentication(h.user, h.password);
                } else {
                    b.withPassword(h.password.toCharArray());
                }
            }
            seeds.add(b.build());
        }
        ClientResources resources = ClientResources.builder().reconnectDelay(reconnectDelay(maxReconnect)).build();
        RedisClusterClient client = RedisClusterClient.create(resources, seeds);
        client.setOptions(ClusterClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(request))
                .socketOptions(SocketOptions.builder().connectTimeout(connect).build())
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enableAllAdaptiveRefreshTriggers()
                        .enablePeriodicRefresh(Duration.ofSeconds(10))
                        .build())
                .build());
        StatefulRedisClusterConnection<String, byte[]> connection;
        String where = hosts(seeds);
        try {
            connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        } catch (RuntimeException e) {
            client.shutdown(0, 2, TimeUnit.SECONDS);
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot connect to Redis Cluster at " + where + ": " + e.getMessage(), e);
        }
        ProxyManager<String> pm = Bucket4jLettuce.casBasedBuilder(connection)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(keep))
                .requestTimeout(request)
                .clientClock(meter(clock))
                .build();
        return new LettuceBackend(resources, () -> client.shutdown(0, 2, TimeUnit.SECONDS), connection, pm, true,
                clock, "redis-cluster " + where);
    }

    /** {@code redis-sentinel://[user:pass@]host:port,host:port,.../master-name} as a Lettuce sentinel URI. */
    static RedisURI sentinelUri(String uri) {
        HostList h = hostList(uri, SENTINEL.length(), true);
        RedisURI.Builder b = null;
        for (String[] hp : h.hosts) {
            if (b == null) {
                b = RedisURI.Builder.sentinel(hp[0], Integer.parseInt(hp[1]), h.master);
            } else {
                b.withSentinel(hp[0], Integer.parseInt(hp[1]));
            }
        }
        if (h.password != null) {
            if (h.user != null) {
                b.withAuthentication(h.user, h.password);
            } else {
                b.withPassword(h.password.toCharArray());
            }
        }
        return b.build();
    }

    /** The parts of a cluster or sentinel URI. */
    static final class HostList {
        String user;
        String password;
        final List<String[]> hosts = new ArrayList<>();
        String master;
    }

    /**
     * Parses {@code [user:pass@]host:port,host:port[/master]} after the scheme.
     *
     * @throws IllegalArgumentException naming the URI (password hidden) and what is wrong
     */
    static HostList hostList(String uri, int schemeLength, boolean needMaster) {
        HostList h = new HostList();
        String rest = uri.substring(schemeLength);
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String info = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = info.indexOf(':');
            if (colon < 0) {
                h.password = decode(info);
            } else {
                String user = decode(info.substring(0, colon));
                h.user = user.isEmpty() ? null : user;
                h.password = decode(info.substring(colon + 1));
            }
        }
        int slash = rest.indexOf('/');
        String list = slash < 0 ? rest : rest.substring(0, slash);
        if (needMaster) {
            String master = slash < 0 ? "" : rest.substring(slash + 1).trim();
            if (master.isEmpty() || master.contains("/")) {
                throw new IllegalArgumentException("not a Redis Sentinel URI: '" + redact(uri)
                        + "' (expected redis-sentinel://host:port,host:port/master-name)");
            }
            h.master = master;
        } else if (slash >= 0 && !rest.substring(slash + 1).isEmpty()) {
            throw new IllegalArgumentException("not a Redis Cluster URI: '" + redact(uri)
                    + "' (expected redis-cluster://host:port,host:port; a cluster has no database number)");
        }
        for (String item : list.split(",", -1)) {
            String t = item.trim();
            int colon = t.lastIndexOf(':');
            String host = colon < 0 ? "" : t.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port = -1;
            if (colon >= 0) {
                try {
                    port = Integer.parseInt(t.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            if (host.isEmpty() || port < 1 || port > 65535) {
                throw new IllegalArgumentException("'" + t + "' in '" + redact(uri)
                        + "' is not host:port (a port from 1 to 65535)");
            }
            h.hosts.add(new String[] {host, String.valueOf(port)});
        }
        return h;
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The URI with any password replaced by {@code ***}, for messages. */
    static String redact(String uri) {
        int scheme = uri.indexOf("://");
        int at = uri.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return uri;
        }
        String info = uri.substring(scheme + 3, at);
        int colon = info.indexOf(':');
        String user = colon < 0 ? "" : info.substring(0, colon + 1);
        return uri.substring(0, scheme + 3) + user + "***" + uri.substring(at);
    }

    private static String hosts(Iterable<RedisURI> uris) {
        StringBuilder sb = new StringBuilder();
        for (RedisURI u : uris) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(u.getHost()).append(':').append(u.getPort());
        }
        return sb.toString();
    }

    private static TimeMeter meter(RelayClock clock) {
        return new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return clock.epochNanos();
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }

    /** The Redis key of a bucket; in a cluster with a hash tag over the whole name (see connectCluster). */
    String redisKey(String limit, Object key) {
        return cluster ? "relaycontrol:limit:{" + limit + ":" + key + "}" : "relaycontrol:limit:" + limit + ":" + key;
    }

    CompletableFuture<Consumption> tryConsumeAsync(String limit, Object key, List<Rate> rates, long tokens) {
        Versioned v = configuration(limit, rates);
        return asyncProxyManager.builder()
                .withImplicitConfigurationReplacement(v.version(), TokensInheritanceStrategy.ADDITIVE)
                .build(redisKey(limit, key), () -> CompletableFuture.completedFuture(v.configuration()))
                .tryConsumeAndReturnRemaining(tokens)
                .thenApply(LettuceBackend::consumption);
    }

    private static Consumption consumption(ConsumptionProbe p) {
        return new Consumption(p.isConsumed(), p.getRemainingTokens(), p.isConsumed() ? 0 : p.getNanosToWaitForRefill(),
                p.getNanosToWaitForReset());
    }

    Consumption tryConsume(String limit, Object key, List<Rate> rates, long tokens) {
        Versioned v = configuration(limit, rates);
        ConsumptionProbe p = proxyManager.builder()
                .withImplicitConfigurationReplacement(v.version(), TokensInheritanceStrategy.ADDITIVE)
                .build(redisKey(limit, key), () -> v.configuration())
                .tryConsumeAndReturnRemaining(tokens);
        return consumption(p);
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

    /** The connection, shared with a {@link RedisPenaltyStore}; closed only by {@link #close()}. */
    StatefulConnection<String, byte[]> connection() {
        return connection;
    }

    /** @return whether this is a Redis Cluster connection (keys need a hash tag) */
    boolean isCluster() {
        return cluster;
    }

    /** @return the clock buckets refill by */
    RelayClock clock() {
        return clock;
    }

    String description() {
        return description;
    }

    void close() {
        try {
            connection.close();
        } finally {
            shutdown.run();
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
