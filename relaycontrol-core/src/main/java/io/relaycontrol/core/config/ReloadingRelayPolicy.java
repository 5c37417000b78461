package io.relaycontrol.core.config;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.core.rules.Rule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A relay policy read from a properties file and rebuilt when that file, or any list file it includes,
 * changes. The swap is atomic: a decision in flight finishes on the policy it started with; a reload that
 * fails (bad value, unreadable file, policy check refusal) keeps the running policy and logs why.
 *
 * <pre>{@code
 * ReloadingRelayPolicy policy = ReloadingRelayPolicy.watch(Path.of("relay.properties"), "relay.");
 * Decision d = policy.decide(request);
 * }</pre>
 *
 * <p>Only keys starting with the prefix are passed to the loader (so one file can also hold a server's own
 * settings). Changes are detected by a content fingerprint of every file the current policy was built from;
 * {@link #watch} checks every two seconds on a daemon thread, and {@link #checkForChanges()} and
 * {@link #reload()} can be called directly (tests do; they never sleep).
 *
 * <p>Rate-limit buckets are not part of a policy: the standard loader keeps them in one
 * {@link LimitStore} for every policy it builds, so a reload (even one that changes a limit's rates) never
 * hands a client a fresh budget.
 *
 * <p>Thread-safe. {@link #close()} stops the watcher and closes a rate-limit store this policy created from
 * {@code relay.limit.store}; deciding still works after it, but a shared store is then gone (its limits apply
 * their failure mode).
 *
 * @since 0.1.0
 */
public final class ReloadingRelayPolicy implements Rule, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadingRelayPolicy.class);

    /**
     * Turns configuration keys into a policy.
     */
    @FunctionalInterface
    public interface Loader {
        /**
         * @param keys the keys under the prefix, prefix included, in file order
         * @param baseDir the directory relative paths are resolved against
         * @return the policy and the files it was built from
         * @throws ConfigException if the configuration cannot be used
         */
        Loaded load(Map<String, String> keys, Path baseDir);
    }

    /**
     * A loaded policy and the files it read (besides the properties file itself).
     *
     * @param policy the policy
     * @param sources files whose change triggers a reload
     */
    public record Loaded(Rule policy, Collection<Path> sources) {
        /**
         * Validates and copies.
         *
         * @param policy the policy
         * @param sources files whose change triggers a reload
         */
        public Loaded {
            Objects.requireNonNull(policy, "policy");
            sources = List.copyOf(sources);
        }
    }

    /**
     * The outcome of a reload attempt.
     *
     * @param reloaded whether a new policy is now active
     * @param message what happened, for logs
     * @param error the failure, if the reload failed
     */
    public record ReloadResult(boolean reloaded, String message, ConfigException error) {
        /** @return whether the attempt failed (the old policy stays active) */
        public boolean failed() {
            return error != null;
        }
    }

    private record Active(Rule policy, Map<Path, String> fingerprints) {
    }

    private final Path file;
    private final String prefix;
    private final Loader loader;
    private final AtomicReference<Active> active = new AtomicReference<>();
    private final Object reloadLock = new Object();
    private volatile ScheduledExecutorService watcher;
    private volatile PolicyMetrics metrics;
    private final RelayMetricsSink sink;
    private volatile ConfiguredLimitStore ownedStore;

    private ReloadingRelayPolicy(Path file, String prefix, Loader loader, RelayMetricsSink sink) {
        this.file = file.toAbsolutePath().normalize();
        this.prefix = prefix;
        this.loader = loader;
        this.sink = sink;
        ReloadResult first = reload();
        if (first.failed()) {
            throw first.error();
        }
    }

    /**
     * Loads the standard relay policy ({@link StandardRelayPolicy#loader}) from {@code file} and watches it. Its
     * decisions are audited and counted as {@code relay.mode} and {@code relay.audit.all-decisions} say, in
     * {@link #metrics()} counters that survive reloads.
     *
     * @param file the properties file
     * @param keyPrefix the prefix of the policy's keys, normally {@code "relay."}
     * @return the policy, already watching
     * @throws ConfigException if the first load fails
     */
    public static ReloadingRelayPolicy watch(Path file, String keyPrefix) {
        return watch(file, keyPrefix, RelayMetricsSink.NONE);
    }

    /**
     * As {@link #watch(Path, String)}, also telling {@code sink} of every decision (with its request) and of
     * every reload attempt, the first load included: for example {@link MicrometerRelayMetrics} on a
     * Prometheus registry.
     *
     * <p>The rate limits' store is the one {@code relay.limit.store} names (see {@link RelayProperties}):
     * created by the first load, kept by every reload that leaves the store keys alone (so buckets survive),
     * recreated by a reload that changes them (the old store is closed once the new policy is active; a reload
     * that fails keeps the old store), and closed by {@link #close()}. A shared store sits behind a time budget
     * and a circuit breaker ({@link io.relaycontrol.core.limit.GuardedLimitStore}) whose state changes go to
     * {@link RelayMetricsSink#limitStoreState}.
     *
     * @param file the properties file
     * @param keyPrefix the prefix of the policy's keys, normally {@code "relay."}
     * @param sink where decisions and reloads are reported
     * @return the policy, already watching
     * @throws ConfigException if the first load fails (the failure is reported to {@code sink} first)
     * @since 0.2.0
     */
    public static ReloadingRelayPolicy watch(Path file, String keyPrefix, RelayMetricsSink sink) {
        Objects.requireNonNull(sink, "sink");
        PolicyMetrics metrics = new PolicyMetrics();
        ConfiguredLimitStore stores = new ConfiguredLimitStore(
                LimitStore.local(io.relaycontrol.api.RelayClock.system(), sink::limitStoreFull), sink);
        ReloadingRelayPolicy p;
        try {
            p = watch(file, keyPrefix, StandardRelayPolicy.loader(metrics, sink, stores), Duration.ofSeconds(2), sink);
        } catch (RuntimeException e) {
            stores.close();
            throw e;
        }
        p.metrics = metrics;
        p.ownedStore = stores;
        return p;
    }

    /**
     * As {@link #watch(Path, String)}, with the rate limits' buckets in {@code limitStore} (for example a
     * {@link io.relaycontrol.core.limit.redis.RedisLimitStore} shared by several servers). The store outlives
     * every policy this builds: a reload keeps the buckets of the limits it keeps, migrates those whose rates
     * changed, and drops those of removed limits. The caller closes the store after this policy.
     *
     * @param file the properties file
     * @param keyPrefix the prefix of the policy's keys, normally {@code "relay."}
     * @param limitStore where the limits' buckets live
     * @return the policy, already watching
     * @throws ConfigException if the first load fails
     * @since 0.2.0
     */
    public static ReloadingRelayPolicy watch(Path file, String keyPrefix, LimitStore limitStore) {
        return watch(file, keyPrefix, RelayMetricsSink.NONE, limitStore);
    }

    /**
     * As {@link #watch(Path, String, RelayMetricsSink)}, with the rate limits' buckets in {@code limitStore}
     * (see {@link #watch(Path, String, LimitStore)}).
     *
     * @param file the properties file
     * @param keyPrefix the prefix of the policy's keys, normally {@code "relay."}
     * @param sink where decisions and reloads are reported
     * @param limitStore where the limits' buckets live
     * @return the policy, already watching
     * @throws ConfigException if the first load fails (the failure is reported to {@code sink} first)
     * @since 0.2.0
     */
    public static ReloadingRelayPolicy watch(Path file, String keyPrefix, RelayMetricsSink sink,
            LimitStore limitStore) {
        return watch(file, keyPrefix, sink, limitStore, Duration.ofSeconds(2));
    }

    /**
     * As {@link #watch(Path, String, RelayMetricsSink, LimitStore)}, checking for changes every {@code interval}
     * instead of every two seconds.
     *
     * @param file the properties file
     * @param keyPrefix the prefix of the relay keys, usually {@code "relay."}
     * @param sink told of every decision and every reload attempt
     * @param limitStore where the rate limits keep their buckets, across every reload
     * @param interval how often to check for changes; {@link Duration#ZERO} for never (call
     *     {@link #checkForChanges()} yourself, as tests do, so that no background check races with them)
     * @return the watching policy; close it to stop watching
     * @throws ConfigException if the first load fails (the failure is reported to {@code sink} first)
     * @since 0.2.0
     */
    public static ReloadingRelayPolicy watch(Path file, String keyPrefix, RelayMetricsSink sink,
            LimitStore limitStore, Duration interval) {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(limitStore, "limitStore");
        PolicyMetrics metrics = new PolicyMetrics();
        ReloadingRelayPolicy p = watch(file, keyPrefix, StandardRelayPolicy.loader(metrics, sink, limitStore),
                interval, sink);
        p.metrics = metrics;
        return p;
    }

    /**
     * Loads a policy with {@code loader} from {@code file} and checks for changes every {@code interval}.
     *
     * @param file the properties file
     * @param keyPrefix the prefix of the policy's keys
     * @param loader how keys become a policy
     * @param interval how often to check for changes; {@link Duration#ZERO} for never (call
     *     {@link #checkForChanges()} yourself)
     * @return the policy
     * @throws ConfigException if the first load fails
     */
    public static ReloadingRelayPolicy watch(Path file, String keyPrefix, Loader loader, Duration interval) {
        return watch(file, keyPrefix, loader, interval, RelayMetricsSink.NONE);
    }

    /**
     * As {@link #watch(Path, String, Loader, Duration)}, reporting every reload attempt to {@code sink} (the
     * loader decides whether decisions are reported too).
     *
     * @param file the properties file
     * @param keyPrefix the prefix of the policy's keys
     * @param loader how keys become a policy
     * @param interval how often to check for changes; {@link Duration#ZERO} for never
     * @param sink where reload attempts are reported
     * @return the policy
     * @throws ConfigException if the first load fails
     * @since 0.2.0
     */
    public static ReloadingRelayPolicy watch(Path file, String keyPrefix, Loader loader, Duration interval,
            RelayMetricsSink sink) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        Objects.requireNonNull(loader, "loader");
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must not be negative, was " + interval);
        }
        ReloadingRelayPolicy p = new ReloadingRelayPolicy(file, keyPrefix, loader, sink);
        if (!interval.isZero()) {
            ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "relaycontrol-reload " + p.file.getFileName());
                t.setDaemon(true);
                return t;
            });
            long ms = Math.max(1, interval.toMillis());
            s.scheduleWithFixedDelay(p::checkQuietly, ms, ms, TimeUnit.MILLISECONDS);
            p.watcher = s;
        }
        return p;
    }

    private void checkQuietly() {
        try {
            checkForChanges();
        } catch (RuntimeException e) {
            LOG.error("relay policy reload check failed for {}", file, e);
        }
    }

    @Override
    public Decision decide(RelayRequest request) {
        return active.get().policy().decide(request);
    }

    @Override
    public String name() {
        return active.get().policy().name();
    }

    @Override
    public String describe() {
        return active.get().policy().describe() + "\n(loaded from " + file + ", reloaded on change)";
    }

    /** @return the policy now active */
    public Rule current() {
        return active.get().policy();
    }

    /** @return the counters of the standard policy loaded by {@link #watch(Path, String)}; empty for other loaders */
    public Optional<PolicyMetrics> metrics() {
        return Optional.ofNullable(metrics);
    }

    /** @return the properties file */
    public Path file() {
        return file;
    }

    /**
     * Reloads if the properties file or any file the active policy was built from changed (or vanished).
     *
     * @return what happened; {@code reloaded == false} and no error when nothing changed
     */
    public ReloadResult checkForChanges() {
        Active a = active.get();
        for (Map.Entry<Path, String> e : a.fingerprints().entrySet()) {
            if (!fingerprint(e.getKey()).equals(e.getValue())) {
                LOG.info("{} changed, reloading relay policy", e.getKey());
                return reload();
            }
        }
        return new ReloadResult(false, "unchanged", null);
    }

    /**
     * Rebuilds the policy from the files now; on success swaps it in atomically, on failure keeps the
     * running policy and logs why.
     *
     * @return what happened
     */
    public ReloadResult reload() {
        ReloadResult r = reloadLocked();
        try {
            sink.reload(r);
        } catch (RuntimeException e) {
            LOG.warn("metrics sink failed", e);
        }
        return r;
    }

    private ReloadResult reloadLocked() {
        synchronized (reloadLock) {
            try {
                Map<Path, String> fingerprints = new LinkedHashMap<>();
                fingerprints.put(file, fingerprint(file));
                Path baseDir = file.getParent();
                Loaded loaded = loader.load(readKeys(), baseDir);
                for (Path p : loaded.sources()) {
                    Path abs = baseDir.resolve(p).toAbsolutePath().normalize();
                    fingerprints.put(abs, fingerprint(abs));
                }
                boolean first = active.get() == null;
                active.set(new Active(loaded.policy(), fingerprints));
                String msg = (first ? "loaded" : "reloaded") + " relay policy from " + file;
                LOG.info(msg);
                return new ReloadResult(true, msg, null);
            } catch (ConfigException e) {
                return failed(e);
            } catch (RuntimeException e) {
                return failed(new ConfigException(null, file, 0, "cannot load relay policy: " + e, e));
            }
        }
    }

    private ReloadResult failed(ConfigException e) {
        if (active.get() != null) {
            LOG.error("relay policy reload failed, keeping the running policy: {}", e.getMessage(), e);
        }
        return new ReloadResult(false, "reload failed: " + e.getMessage(), e);
    }

    private Map<String, String> readKeys() {
        Map<String, String> all;
        try {
            all = RelayProperties.readFile(file);
        } catch (UncheckedIOException e) {
            throw new ConfigException(null, file, 0, "cannot read properties: " + e.getCause().getMessage(), e.getCause());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(null, file, 0, "cannot read properties: " + e.getMessage(), e);
        }
        Map<String, String> keys = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                keys.put(k, v);
            }
        });
        return keys;
    }

    /** Files up to this size are fingerprinted by content; larger ones by size and modification time. */
    static final long HASH_LIMIT = 1 << 20;

    /** A fingerprint of the file: SHA-256 of its content (size and modification time if large), or "missing". */
    static String fingerprint(Path p) {
        try {
            long size = Files.size(p);
            if (size > HASH_LIMIT) {
                return "size=" + size + " mtime=" + Files.getLastModifiedTime(p).toMillis();
            }
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(Files.readAllBytes(p)));
        } catch (IOException e) {
            return "missing: " + e.getClass().getSimpleName();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    /** Stops the watcher and closes the rate-limit store this policy created from its keys, if any. */
    @Override
    public void close() {
        ScheduledExecutorService s = watcher;
        if (s != null) {
            s.shutdownNow();
        }
        ConfiguredLimitStore owned = ownedStore;
        if (owned != null) {
            owned.close();
        }
    }

    /** @return the rate-limit store in use now if this policy owns it (for tests and diagnostics) */
    Optional<LimitStore> ownedLimitStore() {
        ConfiguredLimitStore owned = ownedStore;
        return owned == null ? Optional.empty() : Optional.of(owned.current());
    }
}
