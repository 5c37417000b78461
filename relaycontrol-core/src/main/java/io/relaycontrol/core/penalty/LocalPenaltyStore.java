package io.relaycontrol.core.penalty;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.relaycontrol.api.RelayClock;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records in this JVM: a Caffeine cache with a per-entry expiry at the record's
 * {@link PenaltyRecord#forgetAtMillis()} (never earlier, so a boxed client is never released early), no size
 * eviction, and a hard bound counted exactly: at the bound a new record is refused with
 * {@link PenaltyStoreFullException} until expiry frees a slot (a full store runs the cache's cleanup at most every
 * {@value #CLEANUP_INTERVAL_MILLIS} ms of its clock to find such slots; Caffeine drops at most about a thousand
 * expired entries per maintenance run, and its timer wheel drops an entry a little after its expiry, up to about
 * 1.2 hours late for records a day long: reads never see a record after its forget time, but its slot comes back
 * only then). The change to full and back is logged once
 * each. The bound is set by the {@link PenaltyBox} built on the store and may change with a reload (lowering it
 * evicts nothing: no new record is admitted until enough expire).
 *
 * <p>Maintenance runs on the calling thread. Thread-safe.
 */
final class LocalPenaltyStore implements PenaltyStore {

    private static final Logger LOG = LoggerFactory.getLogger(LocalPenaltyStore.class);

    /** The bound until a box sets one. */
    static final long DEFAULT_MAX_KEYS = 100_000;

    /** Most often a full store runs its cache's cleanup, on the store's clock. */
    static final long CLEANUP_INTERVAL_MILLIS = 100;

    private final RelayClock clock;
    private final Cache<Object, PenaltyRecord> cache;
    private final ConcurrentMap<Object, PenaltyRecord> map;
    private final AtomicLong size = new AtomicLong();
    private final AtomicBoolean full = new AtomicBoolean();
    private volatile long maxKeys = DEFAULT_MAX_KEYS;
    private volatile long lastCleanup = Long.MIN_VALUE;

    LocalPenaltyStore(RelayClock clock) {
        this.clock = clock;
        this.cache = Caffeine.newBuilder()
                .expireAfter(new Expiry<Object, PenaltyRecord>() {
                    @Override
                    public long expireAfterCreate(Object key, PenaltyRecord value, long currentTime) {
                        return ttl(value, currentTime);
                    }

                    @Override
                    public long expireAfterUpdate(Object key, PenaltyRecord value, long currentTime,
                            long currentDuration) {
                        return ttl(value, currentTime);
                    }

                    @Override
                    public long expireAfterRead(Object key, PenaltyRecord value, long currentTime,
                            long currentDuration) {
                        return currentDuration;
                    }
                })
                .ticker(clock::epochNanos)
                .executor(Runnable::run)
                .evictionListener((Object k, PenaltyRecord v, com.github.benmanes.caffeine.cache.RemovalCause c)
                        -> size.decrementAndGet())
                .build();
        this.map = cache.asMap();
    }

    /** Nanoseconds from {@code nowNanos} to the record's forget time, at least 1, far below overflow. */
    static long ttl(PenaltyRecord r, long nowNanos) {
        long forget = r.forgetAtMillis();
        long forgetNanos = forget >= Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE >> 2 : forget * 1_000_000L;
        long d = forgetNanos - nowNanos;
        return Math.max(1, Math.min(d, Long.MAX_VALUE >> 2));
    }

    /** Sets the bound (from the box built on this store). */
    void bound(long maxKeys) {
        if (maxKeys <= 0) {
            throw new IllegalArgumentException("maxKeys must be positive, was " + maxKeys);
        }
        this.maxKeys = maxKeys;
    }

    long maxKeys() {
        return maxKeys;
    }

    @Override
    public PenaltyRecord get(Object key) {
        return cache.getIfPresent(key);
    }

    @Override
    public boolean compareAndSet(Object key, PenaltyRecord expected, PenaltyRecord update) {
        java.util.Objects.requireNonNull(key, "key");
        java.util.Objects.requireNonNull(update, "update");
        if (expected != null) {
            return map.replace(key, expected, update);
        }
        if (!reserve()) {
            long now = clock.epochNanos();
            long last = lastCleanup;
            if (last == Long.MIN_VALUE || now - last >= TimeUnit.MILLISECONDS.toNanos(CLEANUP_INTERVAL_MILLIS)
                    || now < last) {
                lastCleanup = now;
                cache.cleanUp(); // expired records count until maintenance removes them
            }
            if (!reserve()) {
                if (full.compareAndSet(false, true)) {
                    LOG.warn("penalty box: local store full ({} records, none forgettable yet): new offenders are"
                            + " not boxed until records expire", maxKeys);
                }
                throw new PenaltyStoreFullException("local penalty store full (" + maxKeys
                        + " records not yet forgettable)");
            }
        }
        if (full.get() && full.compareAndSet(true, false)) {
            LOG.info("penalty box: local store has room again ({} records)", size.get());
        }
        PenaltyRecord prev = map.putIfAbsent(key, update);
        if (prev != null) {
            size.decrementAndGet();
            return false;
        }
        return true;
    }

    private boolean reserve() {
        if (size.incrementAndGet() > maxKeys) {
            size.decrementAndGet();
            return false;
        }
        return true;
    }

    /** @return the records held (admitted minus expired); for tests and measurements */
    long size() {
        return size.get();
    }

    /** Runs pending expiry now; for tests. */
    void cleanUp() {
        cache.cleanUp();
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public String description() {
        return "local (at most " + maxKeys + " records)";
    }

    @Override
    public String toString() {
        return "PenaltyStore.local(" + clock + ")";
    }
}
