package io.relaycontrol.core.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.BucketListener;
import io.github.bucket4j.MathType;
import io.github.bucket4j.local.LockFreeBucket;
import java.time.Duration;

/**
 * Buckets in this JVM: a Caffeine cache of Bucket4j local (lock-free) buckets, bounded two ways.
 *
 * <p>Why a cache of plain buckets rather than {@code bucket4j_jdk17-caffeine}'s ProxyManager: a local
 * bucket is consumed in place with one CAS, while the ProxyManager serialises a command per request
 * through the cache's {@code compute}; the plain bucket is smaller and faster, and overrides need nothing
 * more than a different configuration when the bucket is created.
 *
 * <ul>
 * <li>{@code expireAfterAccess} = the longest time any of the limit's bucket configurations takes to fill
 *     from empty. A bucket idle that long is full, so evicting it is exact: limits never reset early.</li>
 * <li>{@code maximumSize} = the limit's {@code maxKeys}: under a flood of distinct keys (a million spoofed
 *     or rotating client addresses) memory stays bounded; Caffeine evicts by frequency and recency, so
 *     the keys that are actually used stay. An evicted bucket that was not full comes back full: that is the
 *     price of the bound.</li>
 * </ul>
 * The cache's maintenance runs on the calling thread ({@code executor(Runnable::run)}): amortised, bounded,
 * deterministic, and nothing is handed to the common fork-join pool. The cache's clock is the limit's
 * {@link TimeMeter}, so tests that advance time also drive expiry.
 */
final class LocalBucketStore implements BucketStore {

    private final Cache<String, Bucket> cache;
    private final TimeMeter timeMeter;
    private final long maxKeys;

    LocalBucketStore(long maxKeys, long expireAfterAccessNanos, TimeMeter timeMeter) {
        this.maxKeys = maxKeys;
        this.timeMeter = timeMeter;
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxKeys)
                .expireAfterAccess(Duration.ofNanos(Math.max(1, expireAfterAccessNanos)))
                .ticker(timeMeter::currentTimeNanos)
                .executor(Runnable::run)
                .build();
    }

    @Override
    public ConsumptionProbe tryConsume(String key, BucketPlan plan, long tokens) {
        Bucket bucket = cache.getIfPresent(key);
        if (bucket == null) {
            bucket = cache.get(key, k -> newBucket(plan));
        }
        return bucket.tryConsumeAndReturnRemaining(tokens);
    }

    /**
     * What {@code Bucket.builder()...build()} does, minus a copy of the configuration per bucket: every bucket
     * of a plan shares the plan's (immutable) configuration, 40 bytes less per key.
     */
    private Bucket newBucket(BucketPlan plan) {
        return new LockFreeBucket(plan.configuration, MathType.INTEGER_64_BITS, timeMeter, BucketListener.NOPE);
    }

    /** @return the approximate number of buckets held */
    long estimatedSize() {
        return cache.estimatedSize();
    }

    /** Runs pending evictions now. */
    void cleanUp() {
        cache.cleanUp();
    }

    @Override
    public String description() {
        return "local (at most " + maxKeys + " keys)";
    }
}
