package io.relaycontrol.core.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.BucketState;
import io.github.bucket4j.MathType;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.relaycontrol.api.RelayClock;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buckets in this JVM: per limit name, a Caffeine cache of buckets, each bucket a Bucket4j {@link BucketState}
 * (Bucket4j's own token arithmetic, the state type its distributed backends store), refilled and consumed in
 * place under the bucket's monitor exactly as Bucket4j's {@code SynchronizedBucket} does
 * ({@code SynchronizationStrategy.SYNCHRONIZED}).
 *
 * <p>Why not a {@code LockFreeBucket} per key (built with {@code Bucket.builder()}): each one carries five view
 * objects ({@code asBlocking()}, {@code asVerbose()}, ...) and its own atomic reference, 144 bytes per key that
 * a rate limit never uses: measured with {@code LocalStoreHeapMeasurement}, a million keys with two rates took
 * 330 bytes each with it and about 200 with the bare state (see the README). And why in place under a lock
 * rather than copy-on-write with compare-and-swap (what {@code LockFreeBucket} does, and this class did before):
 * the copy is an 88-byte {@code BucketState} per charge, which alone is most of a 100-byte budget per decision;
 * an uncontended monitor costs about what the CAS does, and {@code RateLimitBenchmark} measures both threads on
 * one hot key. The locking below is the only hand-written part; the refill, consumption, wait and migration
 * arithmetic are Bucket4j's
 * ({@link BucketState#refillAllBandwidth}, {@link BucketState#consume},
 * {@link BucketState#calculateDelayNanosAfterWillBePossibleToConsume},
 * {@link BucketState#calculateFullRefillingTime}, {@link BucketState#replaceConfiguration}). And why not
 * {@code bucket4j_jdk17-caffeine}'s ProxyManager: it serialises a command per request through the cache's
 * {@code compute}, where a local bucket needs one CAS.
 *
 * <h2>Never forgetting a bucket that is not full</h2>
 * Each entry has its own expiry ({@link Expiry}), kept at or after the moment its bucket would be full again:
 * a new bucket is charged at most {@code k} tokens, and each later charge of {@code k} tokens makes the bucket
 * full again at most {@code k * nanosPerToken} later (the slowest rate's time per token), never later than
 * the time to fill from empty. So every read extends the entry by one token's refill time (one request's
 * worth), capped at the time to fill from empty; a limit that counts bytes (a request's size is not known to
 * the cache) keeps its entries for the time to fill from empty after each use. An entry therefore expires
 * when its bucket is full, or a little later when the last requests were refused (a refused request is not
 * charged but still extended) or the rates differ in speed; never earlier, so forgetting a bucket never hands
 * its client tokens back.
 *
 * <h2>A hard bound that never evicts</h2>
 * There is no size eviction: each limit counts its buckets and, at its cap, admits no new key (the caller
 * gets {@link LimitStoreFullException} and applies the limit's failure mode) until expiry frees a slot (Caffeine's
 * timer wheel removes an expired entry within about a second of its expiry; a full limit runs the cache's
 * cleanup at most every {@value #CLEANUP_INTERVAL_MILLIS} ms of its clock to find such slots). The
 * transition to full and back is logged once each (logger {@code io.relaycontrol.core.limit.LocalLimitStore})
 * and told to the store's {@link LocalStoreListener} once each (metrics).
 *
 * <p>The configuration objects of a bucket are interned per list of rates, so every bucket of a plan shares
 * one, a reload that keeps the rates finds its buckets with the very same configuration (nothing to do), and
 * a reload that changes them is seen by an identity check and migrated with
 * {@code replaceConfiguration(..., ADDITIVE)}.
 *
 * <p>The caches' maintenance runs on the calling thread ({@code executor(Runnable::run)}): amortised,
 * bounded, and nothing is handed to the common pool. Thread-safe.
 */
final class LocalLimitStore implements LimitStore {

    private static final Logger LOG = LoggerFactory.getLogger(LocalLimitStore.class);

    /** Most often a full limit runs its cache's cleanup to find expired slots, on the store's clock. */
    static final long CLEANUP_INTERVAL_MILLIS = 100;

    private static final long CLEANUP_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(CLEANUP_INTERVAL_MILLIS);

    final RelayClock clock;
    private final LocalStoreListener listener;
    private final ConcurrentHashMap<String, Buckets> limits = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<List<Rate>, Plan> plans = new ConcurrentHashMap<>();

    LocalLimitStore(RelayClock clock) {
        this(clock, LocalStoreListener.NONE);
    }

    LocalLimitStore(RelayClock clock, LocalStoreListener listener) {
        this.clock = clock;
        this.listener = listener;
    }

    /** Tells the listener of a change to full or back; a listener that throws is logged, never passed on. */
    private void fullChanged(String limit, boolean full) {
        try {
            listener.fullChanged(limit, full);
        } catch (RuntimeException e) {
            LOG.warn("local store listener failed", e);
        }
    }

    /**
     * The one configuration object for a list of rates, with what expiry needs precomputed.
     *
     * @param rates validated rates (at least one, periods distinct)
     * @return the interned plan
     */
    Plan plan(List<Rate> rates) {
        Plan p = plans.get(rates);
        return p != null ? p : plans.computeIfAbsent(List.copyOf(rates), Plan::new);
    }

    /**
     * The buckets of a limit, created on first use, and (re)configured for the limit being built.
     *
     * @param limit the limit's name
     * @param maxKeys its cap
     * @param countsBytes whether its requests charge a variable number of tokens
     * @param knownPlans the plans it uses (for expiry lookups)
     * @return the buckets, shared with every earlier limit of that name
     */
    Buckets bind(String limit, long maxKeys, boolean countsBytes, List<Plan> knownPlans) {
        Buckets b = limits.computeIfAbsent(limit, n -> new Buckets(n, maxKeys));
        b.configure(maxKeys, countsBytes, knownPlans.toArray(new Plan[0]));
        return b;
    }

    @Override
    public Consumption tryConsume(String limit, Object key, List<Rate> rates, long tokens) {
        Plan plan = plan(rates);
        Buckets b = limits.get(limit);
        if (b == null) {
            b = bind(limit, RateLimit.DEFAULT_MAX_KEYS, true, List.of(plan));
        }
        long now = clock.epochNanos();
        Result r = new Result();
        int outcome = b.tryConsume(key, plan, tokens, now, r);
        if (outcome == Buckets.FULL) {
            throw new LimitStoreFullException("local rate-limit store full for " + limit + " (" + b.maxKeys
                    + " keys not yet full again)");
        }
        return outcome == Buckets.CHARGED ? new Consumption(true, r.left, 0, r.nanos)
                : new Consumption(false, r.left, r.nanos, r.nanosToFull);
    }

    /**
     * Where a charge reports what it found, so that charging allocates nothing of its own: the caller passes an
     * object it needs anyway ({@code RateLimit} passes its decision's details). Written by the charging thread
     * before the caller publishes it.
     */
    abstract static class Outcome {
        /** Tokens left (the least of all rates). */
        long left;
        /** Charged: nanoseconds until the bucket is full again; refused: until the tokens asked are there. */
        long nanos;

        /** Refused: also the time until full, for callers that report it; the default ignores it. */
        void nanosToFull(long nanosToFull) {
        }
    }

    /** An {@link Outcome} that keeps the time until full of a refusal too, for {@link #tryConsume}. */
    private static final class Result extends Outcome {
        long nanosToFull;

        @Override
        void nanosToFull(long nanosToFull) {
            this.nanosToFull = nanosToFull;
        }
    }

    @Override
    public void retainLimits(Collection<String> limitNames) {
        Set<String> keep = new HashSet<>(limitNames);
        for (String name : limits.keySet()) {
            if (!keep.contains(name)) {
                Buckets removed = limits.remove(name);
                if (removed != null) {
                    LOG.info("rate limit {} removed: forgetting its {} bucket(s)", name, removed.size());
                }
            }
        }
    }

    /** @return the buckets of a limit, or null; for tests */
    Buckets bucketsOf(String limit) {
        return limits.get(limit);
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public String description() {
        return "local";
    }

    @Override
    public String toString() {
        return "LimitStore.local(" + clock + ")";
    }

    /** One list of rates as Bucket4j configuration, shared by every bucket made with it. Immutable. */
    static final class Plan {
        final List<Rate> rates;
        final BucketConfiguration configuration;
        /** Time one token of the slowest rate takes to come back. */
        final long nanosPerToken;
        /** Time the slowest rate takes to fill from empty. */
        final long nanosToFill;
        /** The least burst: more than this in one request is never possible. */
        final long capacity;

        Plan(List<Rate> rates) {
            this.rates = rates;
            var builder = BucketConfiguration.builder();
            long perToken = 0;
            long fill = 0;
            long cap = Long.MAX_VALUE;
            for (Rate r : rates) {
                // The id is the period: a reload that changes 3/1h to 5/1h migrates the hourly bandwidth's
                // tokens to the new hourly bandwidth (Bucket4j matches bandwidths by id).
                builder.addLimit(Bandwidth.builder().capacity(r.burst()).refillGreedy(r.count(), r.period())
                        .id(r.periodText()).build());
                perToken = Math.max(perToken, r.nanosPerToken());
                fill = Math.max(fill, r.nanosToFill());
                cap = Math.min(cap, r.burst());
            }
            this.configuration = builder.build();
            this.nanosPerToken = perToken;
            this.nanosToFill = fill;
            this.capacity = cap;
        }
    }

    /** The buckets of one limit name. Thread-safe. */
    final class Buckets {
        final String name;
        private final Cache<Object, Slot> cache;
        private final Policy.VarExpiration<Object, Slot> expiration;
        private final AtomicLong size = new AtomicLong();
        private final AtomicBoolean full = new AtomicBoolean();
        private volatile long maxKeys;
        private volatile boolean countsBytes;
        private volatile Plan[] known = new Plan[0];
        private volatile long lastCleanup = Long.MIN_VALUE;

        Buckets(String name, long maxKeys) {
            this.name = name;
            this.maxKeys = maxKeys;
            this.cache = Caffeine.newBuilder()
                    .expireAfter(new BucketExpiry())
                    .ticker(clock::epochNanos)
                    .executor(Runnable::run)
                    .evictionListener((Object k, Slot v, com.github.benmanes.caffeine.cache.RemovalCause c)
                            -> size.decrementAndGet())
                    .build();
            this.expiration = cache.policy().expireVariably().orElseThrow();
        }

        void configure(long maxKeys, boolean countsBytes, Plan[] plans) {
            this.maxKeys = maxKeys;
            this.countsBytes = countsBytes;
            this.known = plans;
        }

        /** @return the store's clock reading, to pass to {@link #tryConsume} */
        long now() {
            return clock.epochNanos();
        }

        /** {@link #tryConsume}: charged. */
        static final int CHARGED = 1;
        /** {@link #tryConsume}: refused, nothing charged. */
        static final int REFUSED = 0;
        /** {@link #tryConsume}: the key is new and every slot holds a bucket not yet full. */
        static final int FULL = -1;

        /**
         * Charges a bucket.
         *
         * @param into receives what is left and the time until full (charged) or until possible (refused)
         * @return {@link #CHARGED}, {@link #REFUSED} or {@link #FULL} ({@code into} untouched)
         */
        int tryConsume(Object key, Plan plan, long tokens, long now, Outcome into) {
            Slot slot = cache.getIfPresent(key);
            if (slot == null) {
                slot = admit(key, plan);
                if (slot == null) {
                    return FULL;
                }
            } else if (slot.state.getConfiguration() != plan.configuration) {
                migrate(key, slot, plan);
            }
            return slot.tryConsume(tokens, now, into) ? CHARGED : REFUSED;
        }

        private Slot admit(Object key, Plan plan) {
            Slot b = cache.get(key, k -> reserve() ? newSlot(plan) : null);
            if (b == null) {
                long now = clock.epochNanos();
                long last = lastCleanup;
                if (last == Long.MIN_VALUE || now - last >= CLEANUP_INTERVAL_NANOS || now < last) {
                    lastCleanup = now;
                    cache.cleanUp(); // expired slots count until maintenance removes them
                    b = cache.get(key, k -> reserve() ? newSlot(plan) : null);
                }
            }
            if (b == null) {
                if (full.compareAndSet(false, true)) {
                    LOG.warn("rate limit {}: local store full ({} keys, none of them full again yet): new keys get"
                            + " the limit's failure mode until buckets refill", name, maxKeys);
                    fullChanged(name, true);
                }
            } else if (full.get() && full.compareAndSet(true, false)) {
                LOG.info("rate limit {}: local store has room again ({} keys)", name, size.get());
                fullChanged(name, false);
            }
            return b;
        }

        private boolean reserve() {
            if (size.incrementAndGet() > maxKeys) {
                size.decrementAndGet();
                return false;
            }
            return true;
        }

        /** A full bucket of the plan; its state shares the plan's configuration (one object for every key). */
        private Slot newSlot(Plan plan) {
            return new Slot(BucketState.createInitialState(plan.configuration, MathType.INTEGER_64_BITS,
                    clock.epochNanos()));
        }

        /**
         * A reload changed this key's rates: keep what was spent. ADDITIVE: a raised capacity adds the
         * difference to the tokens left (3 of 3/1h spent, now 5/1h: 2 left, the 3 still count); a lowered
         * capacity caps the tokens left at it. Bandwidths are matched by period; a new period starts full.
         */
        private void migrate(Object key, Slot slot, Plan plan) {
            slot.replaceConfiguration(plan.configuration, clock.epochNanos());
            expiration.setExpiresAfter(key, Math.max(1, Math.min(plan.nanosToFill, Long.MAX_VALUE >> 2)),
                    TimeUnit.NANOSECONDS);
        }

        /** @return the number of buckets held (exact: admitted minus expired) */
        long size() {
            return size.get();
        }

        /** @return whether a bucket for {@code key} is held and not expired; for tests (counts as no read) */
        boolean contains(Object key) {
            return cache.policy().getIfPresentQuietly(key) != null;
        }

        /** @return whether the last new key was refused for want of room */
        boolean isFull() {
            return full.get();
        }

        /** Runs pending expiry now. */
        void cleanUp() {
            cache.cleanUp();
        }

        private Plan planOf(Slot b) {
            BucketConfiguration c = b.state.getConfiguration();
            for (Plan p : known) {
                if (p.configuration == c) {
                    return p;
                }
            }
            for (Plan p : plans.values()) {
                if (p.configuration == c) {
                    return p;
                }
            }
            throw new IllegalStateException("bucket of " + name + " with an unknown configuration");
        }

        /** See the class documentation: never before the bucket is full again. */
        private final class BucketExpiry implements Expiry<Object, Slot> {
            @Override
            public long expireAfterCreate(Object key, Slot value, long currentTime) {
                Plan p = planOf(value);
                return countsBytes ? p.nanosToFill : Math.min(p.nanosToFill, p.nanosPerToken);
            }

            @Override
            public long expireAfterUpdate(Object key, Slot value, long currentTime, long currentDuration) {
                return Math.max(currentDuration, planOf(value).nanosToFill);
            }

            @Override
            public long expireAfterRead(Object key, Slot value, long currentTime, long currentDuration) {
                Plan p = planOf(value);
                if (countsBytes) {
                    return p.nanosToFill;
                }
                long extended = currentDuration + p.nanosPerToken;
                return extended < 0 || extended > p.nanosToFill ? Math.max(currentDuration, p.nanosToFill)
                        : extended;
            }
        }
    }

    /**
     * One bucket: Bucket4j's state, refilled and consumed in place under this object's monitor. The body is
     * {@code SynchronizedBucket.tryConsumeAndReturnRemainingTokensImpl} of Bucket4j 8.14 without the bucket
     * object and the probe around it. The state's reference changes only when a reload migrates it (a new state
     * object with the new configuration), and is volatile so that expiry reads the configuration without the
     * lock. Thread-safe.
     */
    static final class Slot {
        /** Mutated only under {@code this}; replaced (never mutated afterwards) by a migration. */
        volatile BucketState state;

        Slot(BucketState initial) {
            this.state = initial;
        }

        /**
         * @param into receives the tokens left and the time until full (charged) or until possible (refused)
         * @return whether the tokens were taken
         */
        boolean tryConsume(long tokens, long now, Outcome into) {
            synchronized (this) {
                BucketState s = state;
                s.refillAllBandwidth(now);
                long available = s.getAvailableTokens();
                if (tokens > available) {
                    into.left = available;
                    into.nanos = s.calculateDelayNanosAfterWillBePossibleToConsume(tokens, now, true);
                    into.nanosToFull(s.calculateFullRefillingTime(now));
                    return false;
                }
                s.consume(tokens);
                into.left = available - tokens;
                into.nanos = s.calculateFullRefillingTime(now);
                return true;
            }
        }

        /** Migrates to another configuration, keeping what was spent (ADDITIVE, see {@link Buckets#migrate}). */
        void replaceConfiguration(BucketConfiguration configuration, long now) {
            synchronized (this) {
                BucketState previous = state;
                if (previous.getConfiguration() == configuration) {
                    return;
                }
                BucketState next = previous.copy();
                next.refillAllBandwidth(now);
                state = next.replaceConfiguration(configuration, TokensInheritanceStrategy.ADDITIVE, now);
            }
        }
    }
}
