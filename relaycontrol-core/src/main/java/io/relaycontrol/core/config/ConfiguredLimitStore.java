package io.relaycontrol.core.config;

import io.relaycontrol.core.limit.GuardedLimitStore;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.core.limit.redis.RedisLimitStore;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rate-limit store that {@code relay.limit.store} names, owned by one {@link ReloadingRelayPolicy}: created
 * once, handed to every policy the loader builds, recreated only when a reload changes the store's keys (the
 * old one is closed after the new policy is active), and closed with the policy. The local store is kept for
 * the policy's whole life, so that a reload that goes back to {@code local} finds its buckets.
 *
 * <p>A shared store is a {@link RedisLimitStore} behind a {@link GuardedLimitStore} (time budget and circuit
 * breaker) whose state changes go to the metrics sink. Thread-safe (reloads are serialised by the caller; the
 * methods are synchronized anyway). Not API.
 */
final class ConfiguredLimitStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfiguredLimitStore.class);

    static final String STORE = "relay.limit.store";
    static final String FAILURE = "relay.limit.store.failure";
    static final String TIMEOUT = "relay.limit.store.timeout";
    static final String BREAKER_FAILURES = "relay.limit.store.breaker.failures";
    static final String BREAKER_OPEN = "relay.limit.store.breaker.open";

    /** The keys that decide which store is built (the failure mode is per limit and needs no new store). */
    record Spec(String uri, Duration timeout, int breakerFailures, Duration breakerOpen) {
        boolean local() {
            return uri.equals("local");
        }
    }

    /** A store for one load: the current one, or a new one that becomes current on {@link #commit}. */
    record Candidate(Spec spec, LimitStore store, boolean fresh) {
    }

    private final LimitStore local;
    private final RelayMetricsSink sink;
    /** The penalty box's stores, kept as long as this (bans survive reloads); Redis ones share this store's connection. */
    private final PenaltyKeys.Stores penalties;
    private Spec spec;
    private LimitStore current;
    private boolean closed;

    ConfiguredLimitStore(LimitStore local, RelayMetricsSink sink) {
        this.local = Objects.requireNonNull(local, "local");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.penalties = new PenaltyKeys.Stores(sink);
        this.spec = new Spec("local", Duration.ofMillis(50), 5, Duration.ofSeconds(1));
        this.current = local;
    }

    /**
     * Reads the store keys.
     *
     * @param keys the configuration
     * @return the store they name
     * @throws ConfigException naming the key and the bad value
     */
    static Spec spec(Map<String, String> keys) {
        String uri = keys.getOrDefault(STORE, "local").trim();
        if (uri.isEmpty()) {
            throw new ConfigException(STORE, "is empty (expected local, redis://host:port, rediss://..., "
                    + "redis-cluster://host:port,... or redis-sentinel://host:port,.../master-name)");
        }
        String scheme = uri.toLowerCase(Locale.ROOT);
        if (scheme.equals("local")) {
            uri = "local";
        } else if (!(scheme.startsWith("redis://") || scheme.startsWith("rediss://")
                || scheme.startsWith("redis-cluster://") || scheme.startsWith("redis-sentinel://"))) {
            throw new ConfigException(STORE, "expected local, redis://host:port, rediss://..., "
                    + "redis-cluster://host:port,... or redis-sentinel://host:port,.../master-name, was '"
                    + redact(uri) + "'");
        }
        Duration timeout = duration(keys, TIMEOUT, Duration.ofMillis(50));
        Duration open = duration(keys, BREAKER_OPEN, Duration.ofSeconds(1));
        int failures = 5;
        if (keys.containsKey(BREAKER_FAILURES)) {
            String v = keys.get(BREAKER_FAILURES).trim();
            try {
                failures = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                failures = 0;
            }
            if (failures < 1 || failures > 1000) {
                throw new ConfigException(BREAKER_FAILURES, "expected a whole number from 1 to 1000, was '" + v + "'");
            }
        }
        return new Spec(uri, timeout, failures, open);
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)");

    /** {@code 50ms}, {@code 2s}, {@code 1m}, {@code 1h}: positive. */
    static Duration duration(Map<String, String> keys, String key, Duration dflt) {
        if (!keys.containsKey(key)) {
            return dflt;
        }
        String v = keys.get(key).trim();
        Matcher m = DURATION.matcher(v.toLowerCase(Locale.ROOT));
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new ConfigException(key, "expected a positive duration like 50ms, 2s, 1m or 1h, was '" + v + "'");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            default:
                return Duration.ofHours(n);
        }
    }

    static String redact(String uri) {
        int scheme = uri.indexOf("://");
        int at = uri.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return uri;
        }
        String info = uri.substring(scheme + 3, at);
        int colon = info.indexOf(':');
        return uri.substring(0, scheme + 3) + (colon < 0 ? "" : info.substring(0, colon + 1)) + "***"
                + uri.substring(at);
    }

    /**
     * The store for a load of {@code keys}: the current one if its keys did not change, else a new one (not yet
     * current).
     *
     * @throws ConfigException if the keys are bad or the new store cannot be built (Redis unreachable now)
     */
    synchronized Candidate prepare(Map<String, String> keys) {
        if (closed) {
            throw new ConfigException(STORE, "the policy owning this rate-limit store is closed");
        }
        Spec s = spec(keys);
        if (s.equals(spec)) {
            return new Candidate(s, current, false);
        }
        if (s.local()) {
            return new Candidate(s, local, true);
        }
        RedisLimitStore redis;
        try {
            redis = RedisLimitStore.builder(s.uri()).requestTimeout(s.timeout()).build();
        } catch (RuntimeException e) {
            throw new ConfigException(STORE, null, 0, "cannot use rate-limit store '" + redact(s.uri()) + "': "
                    + e.getMessage(), e);
        }
        GuardedLimitStore guarded = GuardedLimitStore.builder(redis).timeout(s.timeout())
                .failureThreshold(s.breakerFailures()).openFor(s.breakerOpen())
                .listener((store, state) -> {
                    try {
                        sink.limitStoreState(store, state);
                    } catch (RuntimeException e) {
                        LOG.warn("metrics sink failed", e);
                    }
                })
                .build();
        return new Candidate(s, guarded, true);
    }

    /** Makes {@code c} current; closes the store it replaces (unless it is the local one). */
    synchronized void commit(Candidate c) {
        if (!c.fresh()) {
            return;
        }
        LimitStore old = current;
        current = c.store();
        spec = c.spec();
        LOG.info("rate-limit store: {}", current.description());
        if (old != local && old != current) {
            closeQuietly(old);
        }
    }

    /** Forgets {@code c} after a failed load: closes it if it was new. */
    synchronized void abandon(Candidate c) {
        if (c.fresh() && c.store() != local && c.store() != current) {
            closeQuietly(c.store());
        }
    }

    /** @return the penalty box's stores, for every load of the owning policy */
    PenaltyKeys.Stores penalties() {
        return penalties;
    }

    /** @return the store in use now */
    synchronized LimitStore current() {
        return current;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (current != local) {
            closeQuietly(current);
        }
        closeQuietly(local);
    }

    private static void closeQuietly(LimitStore s) {
        try {
            s.close();
        } catch (RuntimeException e) {
            LOG.warn("closing rate-limit store {} failed", s.description(), e);
        }
    }
}
