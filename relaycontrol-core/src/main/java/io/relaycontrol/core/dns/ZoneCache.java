package io.relaycontrol.core.dns;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.Ticker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One zone's answers and health, part of a {@link DnsListCache}; shared by every rule (and every reloaded
 * policy) that asks the zone.
 *
 * <p>Why it looks like this (the hot path at RCPT is a read of a cached answer; {@code DnsListBenchmark}):
 * <ul>
 * <li>A plain synchronous Caffeine cache of finished answers, not an {@code AsyncCache} of futures: a read then
 *     follows hash slot, node and value, with no future in between.</li>
 * <li>Each answer's TTL is given when it is stored ({@link Policy.VarExpiration#put}) and kept in Caffeine's node,
 *     not in the value, so "not listed" is one shared value and reading it touches no per-client object.</li>
 * <li>Reads are quiet ({@link Policy#getIfPresentQuietly}): a recorded read costs Caffeine its read-buffer
 *     bookkeeping on the deciding thread (about 11 times a plain map in an earlier run). Eviction (W-TinyLFU)
 *     still sees every write, that is every answer once per TTL. Expiry is checked on every read.</li>
 * <li>Queries in flight are shared through a small map of futures beside the cache, so a lookup started at
 *     CONNECT is the one RCPT waits for.</li>
 * </ul>
 * Thread-safe.
 */
final class ZoneCache {

    private static final Logger LOG = LoggerFactory.getLogger(ZoneCache.class);
    /**
     * Maintenance on the calling thread: handing it to the common pool allocates a task per drain (0.75 B/op in
     * {@code DnsListBenchmark.cachedScore} with the default executor), and the hot path must allocate nothing.
     */
    private static final Executor DIRECT = Runnable::run;

    final String name;
    private final Cache<Object, DnsAnswer> answers;
    private final Policy<Object, DnsAnswer> policy;
    private final Policy.VarExpiration<Object, DnsAnswer> expiry;
    private final ConcurrentHashMap<Object, CompletableFuture<DnsAnswer>> inFlight = new ConcurrentHashMap<>();
    private final AtomicReference<String> health = new AtomicReference<>("ok");

    ZoneCache(String name, long maximumSize, Ticker ticker) {
        this.name = name;
        this.answers = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .executor(DIRECT)
                .ticker(ticker)
                .expireAfter(new Expiry<Object, DnsAnswer>() {
                    // Every answer is stored with its own TTL (store); these only serve other writes.
                    @Override
                    public long expireAfterCreate(Object key, DnsAnswer value, long currentTime) {
                        return 0;
                    }

                    @Override
                    public long expireAfterUpdate(Object key, DnsAnswer value, long currentTime,
                            long currentDuration) {
                        return currentDuration;
                    }

                    @Override
                    public long expireAfterRead(Object key, DnsAnswer value, long currentTime,
                            long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
        this.policy = answers.policy();
        this.expiry = policy.expireVariably().orElseThrow();
    }

    /** The cached, unexpired answer for {@code key}, or {@code null} (also while a query is in flight); allocates nothing. */
    DnsAnswer cached(Object key) {
        return policy.getIfPresentQuietly(key);
    }

    /**
     * @param key the key
     * @return how long the cached answer for {@code key} is still valid, in nanoseconds, or -1 if none is cached
     */
    long remainingNanos(Object key) {
        java.util.OptionalLong left = expiry.getExpiresAfter(key, TimeUnit.NANOSECONDS);
        return left.isPresent() ? left.getAsLong() : -1;
    }

    /**
     * The cached answer, the query in flight, or a new query started with {@code query}.
     *
     * @param key the key
     * @param query starts a query; its future completes (normally) within the rule's timeout
     * @return the answer's future
     */
    CompletableFuture<DnsAnswer> lookup(Object key, Function<Object, CompletableFuture<DnsAnswer>> query) {
        DnsAnswer a = cached(key);
        if (a != null) {
            return CompletableFuture.completedFuture(a);
        }
        CompletableFuture<DnsAnswer> f = inFlight.get(key);
        if (f != null) {
            return f;
        }
        CompletableFuture<DnsAnswer> mine = new CompletableFuture<>();
        f = inFlight.putIfAbsent(key, mine);
        if (f != null) {
            return f;
        }
        a = cached(key); // stored between the first look and the claim
        if (a != null) {
            inFlight.remove(key, mine);
            mine.complete(a);
            return mine;
        }
        CompletableFuture<DnsAnswer> q;
        try {
            q = query.apply(key);
        } catch (RuntimeException e) {
            q = CompletableFuture.failedFuture(e);
        }
        q.whenComplete((answer, error) -> {
            DnsAnswer done = error != null || answer == null
                    ? DnsAnswer.failed("lookup error: " + error, 0)
                    : answer;
            try {
                health(done);
                store(key, done);
            } finally {
                // stored first, then released: a lookup after the release finds the answer in the cache
                inFlight.remove(key, mine);
                mine.complete(done);
            }
        });
        return mine;
    }

    private void store(Object key, DnsAnswer a) {
        if (a.ttlNanos > 0) {
            // Value and key are copied here, just before Caffeine allocates its node, so that a read finds them
            // next to the node in memory instead of wherever the query happened to create them (one cache miss
            // less per read; DnsListBenchmark).
            DnsAnswer value = a.forCache();
            Object k = key instanceof DnsQueries.V4Key ? new DnsQueries.V4Key(((DnsQueries.V4Key) key).ip) : key;
            expiry.put(k, value, a.ttlNanos, TimeUnit.NANOSECONDS);
        } else {
            answers.invalidate(key);
        }
    }

    void resize(long maximumSize) {
        policy.eviction().ifPresent(e -> e.setMaximum(maximumSize));
    }

    void clear() {
        answers.invalidateAll();
        answers.cleanUp();
    }

    long estimatedSize() {
        answers.cleanUp();
        return answers.estimatedSize();
    }

    /** For tests: the number of queries in flight. */
    int inFlight() {
        return inFlight.size();
    }

    /** Records the zone's health; logs once per change of state, across reloads. */
    void health(DnsAnswer a) {
        String state = a.status == DnsAnswer.Status.FAILED ? a.failure : "ok";
        String before = health.getAndSet(state);
        if (before.equals(state)) {
            return;
        }
        if (state.equals("ok")) {
            LOG.info("DNS list {} answers again (was: {})", name, before);
        } else if (state.startsWith("127.255.255.") || state.startsWith("answer outside")) {
            LOG.warn("DNS list {} configuration problem: {}; its answers do not count until this is fixed",
                    name, state);
        } else {
            LOG.warn("DNS list {} failed: {}; it counts as not listed while this lasts", name, state);
        }
    }

    String health() {
        return health.get();
    }
}
