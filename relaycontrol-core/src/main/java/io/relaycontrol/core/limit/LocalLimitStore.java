package io.relaycontrol.core.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.BucketState;
import io.github.bucket4j.ConsumptionProbe;
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
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buckets in this JVM: per limit name, a Caffeine cache of buckets, each bucket a Bucket4j {@link BucketState}
 * (Bucket4j's own token arithmetic, the state type its distributed backends store) in an atomic reference,
 * consumed lock-free with compare-and-swap exactly as Bucket4j's {@code LockFreeBucket} does.
 *
 * <p>Why not a {@code LockFreeBucket} per key (built with {@code Bucket.builder()}): each one carries five view
 * objects ({@code asBlocking()}, {@code asVerbose()}, ...) and its own atomic reference, 144 bytes per key that
 * a rate limit never uses: measured with {@code LocalStoreHeapMeasurement}, a million keys with two rates took
 * 330 bytes each with it and about 200 with the bare state (see the README). The CAS loop below is the only
 * hand-written part; the refill, consumption, wait and migration arithmetic are Bucket4j's
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
        Object r = b.tryConsume(key, plan, tokens, now);
        if (r == null) {
            throw new LimitStoreFullException("local rate-limit store full for " + limit + " (" + b.maxKeys
                    + " keys not yet full again)");
        }
        if (r instanceof BucketState) {
            BucketState st = (BucketState) r;
            return new Consumption(true, st.getAvailableTokens(), 0, st.calculateFullRefillingTime(now));
        }
        ConsumptionProbe p = (ConsumptionProbe) r;
        return new Consumption(false, p.getRemainingTokens(), p.getNanosToWaitForRefill(), p.getNanosToWaitForReset());
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

        /**
         * Charges a bucket.
         *
         * @return when charged, the bucket's new state (published, never changed again: read what is left
         *         and when it is full from it, when needed); when refused, a rejected probe; {@code null} when
         *         the key is new and every slot holds a bucket not yet full
         */
        Object tryConsume(Object key, Plan plan, long tokens, long now) {
            Slot slot = cache.getIfPresent(key);
            if (slot == null) {
                slot = admit(key, plan);
                if (slot == null) {
                    return null;
                }
            } else if (slot.get().getConfiguration() != plan.configuration) {
                migrate(key, slot, plan);
            }
            return slot.tryConsume(tokens, now);
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
            BucketConfiguration c = b.get().getConfiguration();
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
     * One bucket: Bucket4j's state behind an atomic reference, replaced copy-on-write. The loop is
     * {@code LockFreeBucket.tryConsumeAndReturnRemainingTokensImpl} of Bucket4j 8.14 without the bucket
     * object around it. Thread-safe.
     */
    static final class Slot extends AtomicReference<BucketState> {
        private static final long serialVersionUID = 1L;

        Slot(BucketState initial) {
            super(initial);
        }

        /** @return the published new state when charged (allocates no probe), or a rejected probe */
        Object tryConsume(long tokens, long now) {
            BucketState previous = get();
            BucketState next = previous.copy();
            while (true) {
                next.refillAllBandwidth(now);
                long available = next.getAvailableTokens();
                if (tokens > available) {
                    return ConsumptionProbe.rejected(available,
                            next.calculateDelayNanosAfterWillBePossibleToConsume(tokens, now, true),
                            next.calculateFullRefillingTime(now));
                }
                next.consume(tokens);
                if (compareAndSet(previous, next)) {
                    return next;
                }
                previous = get();
                if (previous.getConfiguration() == next.getConfiguration()) {
                    next.copyStateFrom(previous);
                } else {
                    next = previous.copy(); // migrated meanwhile: other bandwidths
                }
            }
        }

        /** Migrates to another configuration, keeping what was spent (ADDITIVE, see {@link Buckets#migrate}). */
        void replaceConfiguration(BucketConfiguration configuration, long now) {
            while (true) {
                BucketState previous = get();
                if (previous.getConfiguration() == configuration) {
                    return;
                }
                BucketState next = previous.copy();
                next.refillAllBandwidth(now);
                next = next.replaceConfiguration(configuration, TokensInheritanceStrategy.ADDITIVE, now);
                if (compareAndSet(previous, next)) {
                    return;
                }
            }
        }
    }

    /**
     * The {@code refillIn} detail of a charged decision: computed from the bucket's published state only when
     * someone reads it. Immutable (the state is never changed once published).
     */
    static final class RefillIn {
        private final BucketState state;
        private final long now;

        RefillIn(BucketState state, long now) {
            this.state = state;
            this.now = now;
        }

        long nanos() {
            return state.calculateFullRefillingTime(now);
        }

        @Override
        public String toString() {
            return RateLimit.roundUpText(nanos());
        }
    }
}
