package io.relaycontrol.core.limit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BandwidthBuilder.BandwidthBuilderBuildStage;
import io.github.bucket4j.BandwidthBuilder.BandwidthBuilderCapacityStage;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Conditions;
import io.relaycontrol.core.rules.GuardedRule;
import io.relaycontrol.core.rules.Rule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A rate limit: a {@link Rule} that charges tokens from Bucket4j buckets, one bucket per {@link LimitKey},
 * and refuses temporarily when the bucket is empty. A limit only ever refuses; it never grants relay.
 *
 * <pre>{@code
 * RateLimit limit = RateLimit.builder("client-recipients")
 *         .key(LimitKeys.clientAddress())                      // IPv6 per /64
 *         .counting(Counted.RECIPIENTS)
 *         .bandwidths(Bandwidths.parse("100/1h, 1000/1d"))
 *         .bandwidth(b -> b.capacity(20).refillGreedy(20, Duration.ofMinutes(1)))
 *         .override("198.51.100.25", Bandwidths.parse("5000/1d"))
 *         .exempt(Conditions.authenticated())
 *         .build();
 * }</pre>
 *
 * <h2>Verdicts</h2>
 * <ul>
 * <li><b>NO_OPINION, charged</b>: a token was available and was taken. Details: {@code key},
 *     {@code tokensLeft} (the least of all bandwidths) and {@code refillIn} (time until the bucket is full
 *     again, ISO-8601, rounded up to seconds).</li>
 * <li><b>DEFER, rate limited</b>: the bucket is empty: the configured reply ({@code 451 4.7.1} by default);
 *     the reason says when the next token is free. Details: {@code key}, {@code tokensLeft},
 *     {@code retryAfter} (e.g. {@code PT12S}; {@code never} when one request asks more than the burst
 *     capacity, such as a message larger than a byte limit's capacity). Nothing is charged.</li>
 * <li><b>NO_OPINION, not counted</b>: the stage is not the one the limit counts at
 *     ({@link Counted#stage()}), the request is exempt, it has no key, or (bytes) no size was declared.
 *     Precomputed, nothing is charged.</li>
 * <li><b>Store failed</b>: the store threw (Redis down, timeout). The {@link FailureMode} decides:
 *     DEFER {@code 451 4.3.0} "rate-limit store unavailable", NO_OPINION, or a local bucket. Details
 *     {@code store=failed} and {@code mode=...}; the exception is kept on the decision.</li>
 * <li>Anything else that throws becomes {@link Decision#failed} (451 4.3.0).</li>
 * </ul>
 * Several bandwidths are charged atomically: either every bandwidth has the tokens and all are charged, or
 * none is.
 *
 * <h2>Where to put it in a policy</h2>
 * A limit charges whenever it is asked, so ask it only for requests you want to count. In a first-decisive
 * list ({@link io.relaycontrol.core.rules.Policy}, {@link io.relaycontrol.core.rules.Rules#firstDecisive})
 * place it after the rules that refuse (their refusals stop the list, so refused attempts are not charged)
 * and before the rules that allow (which would stop the list before the limit). To charge refused attempts
 * too, place it first.
 *
 * <h2>Stores and time</h2>
 * By default buckets live in this JVM ({@link Builder#localStore(long)}), bounded in number and evicted once
 * idle long enough to be full again. {@link Builder#store(ProxyManager)} shares buckets between servers
 * through any Bucket4j proxy manager, for example Redis via
 * {@link io.relaycontrol.core.limit.redis.RedisLimitStore}; the keys there are
 * {@code relaycontrol:limit:<limit name>:<configuration fingerprint>:<key>}. The limit's {@link TimeMeter}
 * drives local buckets; a proxy manager uses its own clock ({@code clientClock}).
 *
 * <p>Built limits are immutable in configuration and thread-safe (the buckets are the only state, and
 * Bucket4j consumes atomically: concurrent requests on one key never take more than the capacity).
 * Builders are not thread-safe.
 *
 * @since 0.1.0
 */
public final class RateLimit extends GuardedRule {

    /** Default number of keys held by the local store. */
    public static final long DEFAULT_MAX_KEYS = 100_000;

    private static final int MAX_FAILURE_REASON = 200;

    private final String name;
    private final LimitKey key;
    private final Counted counted;
    private final BucketPlan defaultPlan;
    private final Map<String, BucketPlan> overrides;
    private final Condition exemption;
    private final SmtpReply reply;
    private final BucketStore store;
    private final LocalBucketStore fallback;
    private final FailureMode failureMode;
    private final Decision[] notCountedAt;
    private final Decision exempt;
    private final Decision noKey;
    private final Decision noSize;
    private final String chargedOne;
    private final String describe;

    private RateLimit(Builder b, BucketPlan defaultPlan, Map<String, BucketPlan> overrides,
            BucketStore store, LocalBucketStore fallback) {
        this.name = b.name;
        this.key = b.key;
        this.counted = b.counted;
        this.defaultPlan = defaultPlan;
        this.overrides = overrides;
        this.exemption = b.exemptions.isEmpty() ? null
                : b.exemptions.size() == 1 ? b.exemptions.get(0)
                : Conditions.anyOf(b.exemptions.toArray(new Condition[0]));
        this.reply = b.reply;
        this.store = store;
        this.fallback = fallback;
        this.failureMode = b.failureMode;
        this.notCountedAt = new Decision[Stage.values().length];
        for (Stage s : Stage.values()) {
            notCountedAt[s.ordinal()] = Decision.noOpinion(name,
                    "counts " + counted.label() + " at " + counted.stage() + ", nothing to count at " + s);
        }
        this.exempt = exemption == null ? null : Decision.noOpinion(name, "exempt: " + exemption.description());
        this.noKey = Decision.noOpinion(name, "no key: the request has no " + key.description());
        this.noSize = Decision.noOpinion(name, "no message size declared, nothing to count");
        this.chargedOne = "charged 1 " + unit(1);
        StringBuilder d = new StringBuilder("rate limit ").append(name).append(": ").append(counted.label())
                .append(" per ").append(key.description()).append(", ").append(defaultPlan.description);
        if (!overrides.isEmpty()) {
            d.append(", ").append(overrides.size()).append(" override(s)");
        }
        if (exemption != null) {
            d.append(", exempt: ").append(exemption.description());
        }
        d.append(", store ").append(store.description()).append(", on store failure ").append(failureMode)
                .append(", reply ").append(reply);
        this.describe = d.toString();
    }

    /**
     * Starts a limit.
     *
     * @param name the rule's name, as it appears in decisions and in shared-store keys
     * @return a builder (not thread-safe)
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank or contains whitespace
     */
    public static Builder builder(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("rate limit name must not be blank");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isWhitespace(name.charAt(i)) || Character.isISOControl(name.charAt(i))) {
                throw new IllegalArgumentException("rate limit name must not contain whitespace: '" + name + "'");
            }
        }
        return new Builder(name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describe() {
        return describe;
    }

    @Override
    public String toString() {
        return describe;
    }

    /**
     * Charges the request's key if the request is counted here, and refuses temporarily if its bucket is
     * empty. See the class documentation for every verdict and its details.
     *
     * @param request the request
     * @return NO_OPINION or DEFER, never {@code null}; never throws
     */
    @Override
    protected Decision decideUnguarded(RelayRequest request) {
        return decideUnsafe(request);
    }

    private Decision decideUnsafe(RelayRequest request) {
        Objects.requireNonNull(request, "request");
        Stage stage = request.stage();
        if (stage != counted.stage()) {
            return notCountedAt[stage.ordinal()];
        }
        if (exemption != null && exemption.test(request)) {
            return exempt;
        }
        Optional<String> k = key.key(request);
        if (k.isEmpty()) {
            return noKey;
        }
        String keyValue = k.get();
        long tokens = 1;
        if (counted == Counted.BYTES) {
            tokens = request.declaredSize().orElse(0);
            if (tokens <= 0) {
                return noSize;
            }
        }
        BucketPlan plan = overrides.isEmpty() ? defaultPlan : overrides.getOrDefault(keyValue, defaultPlan);
        ConsumptionProbe probe;
        try {
            probe = store.tryConsume(keyValue, plan, tokens);
        } catch (RuntimeException e) {
            return storeFailed(keyValue, plan, tokens, e);
        }
        return fromProbe(probe, keyValue, plan, tokens, null).build();
    }

    private Decision storeFailed(String keyValue, BucketPlan plan, long tokens, RuntimeException e) {
        String why = String.valueOf(e);
        if (why.length() > MAX_FAILURE_REASON) {
            why = why.substring(0, MAX_FAILURE_REASON) + "...";
        }
        switch (failureMode) {
            case NO_OPINION:
                return Decision.builder(Verdict.NO_OPINION, name, "rate-limit store unavailable, not limiting: " + why)
                        .detail("key", keyValue).detail("store", "failed").detail("mode", failureMode).error(e).build();
            case LOCAL_FALLBACK:
                ConsumptionProbe probe = fallback.tryConsume(keyValue, plan, tokens);
                return fromProbe(probe, keyValue, plan, tokens, "rate-limit store unavailable, local bucket used: ")
                        .detail("store", "failed").detail("mode", failureMode).error(e).build();
            case DEFER:
            default:
                return Decision.builder(Verdict.DEFER, name, "rate-limit store unavailable: " + why)
                        .reply(SmtpReply.TEMPORARY_FAILURE)
                        .detail("key", keyValue).detail("store", "failed").detail("mode", FailureMode.DEFER)
                        .error(e).build();
        }
    }

    private Decision.Builder fromProbe(ConsumptionProbe probe, String keyValue, BucketPlan plan, long tokens,
            String prefix) {
        String pre = prefix == null ? "" : prefix;
        long left = probe.getRemainingTokens();
        if (probe.isConsumed()) {
            // The hot path of every counted request: a constant reason, and details that are rendered only
            // when somebody reads them (explain(), logs), so that charging builds no strings.
            String reason = prefix == null && tokens == 1 ? chargedOne : pre + "charged " + tokens + " " + unit(tokens);
            return Decision.builder(Verdict.NO_OPINION, name, reason)
                    .detail("key", keyValue).detail("tokensLeft", left)
                    .detail("refillIn", roundUp(probe.getNanosToWaitForReset()));
        }
        long wait = probe.getNanosToWaitForRefill();
        boolean never = wait == Long.MAX_VALUE || tokens > plan.capacity;
        String retry = never ? "never" : roundUp(wait).toString();
        String reason = never
                ? pre + tokens + " " + unit(tokens) + " for " + keyValue + " exceed the burst capacity " + plan.capacity
                : pre + "rate limit reached for " + keyValue + ": " + left + " left, " + tokens + " needed, next in "
                        + retry;
        return Decision.builder(Verdict.DEFER, name, reason).reply(reply)
                .detail("key", keyValue).detail("tokensLeft", left).detail("retryAfter", retry);
    }

    private String unit(long tokens) {
        if (tokens == 1) {
            switch (counted) {
                case CONNECTIONS:
                    return "connection";
                case MESSAGES:
                    return "message";
                case RECIPIENTS:
                    return "recipient";
                default:
                    return "byte";
            }
        }
        return counted.label();
    }

    private static Duration roundUp(long nanos) {
        if (nanos <= 0) {
            return Duration.ZERO;
        }
        return Duration.ofSeconds(nanos / 1_000_000_000L + (nanos % 1_000_000_000L == 0 ? 0 : 1));
    }

    /** For tests in this package: the local store, or the local fallback of a shared store, or null. */
    LocalBucketStore localStore() {
        return store instanceof LocalBucketStore ? (LocalBucketStore) store : fallback;
    }

    /**
     * Builds a {@link RateLimit}. Not thread-safe. Required: {@link #key}, {@link #counting} and at least one
     * bandwidth. Options that take one value may be set once; a second call throws
     * {@link IllegalStateException}. Bad values fail at once with a message naming them.
     */
    public static final class Builder {
        private final String name;
        private LimitKey key;
        private Counted counted;
        private final List<Bandwidth> bandwidths = new ArrayList<>();
        private final Map<String, BucketConfiguration> overrides = new LinkedHashMap<>();
        private final List<Condition> exemptions = new ArrayList<>();
        private SmtpReply reply;
        private long maxKeys;
        private ProxyManager<String> proxyManager;
        private FailureMode failureMode;
        private TimeMeter timeMeter;

        private Builder(String name) {
            this.name = name;
        }

        /**
         * @param key which bucket a request is charged to, see {@link LimitKeys}
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder key(LimitKey key) {
            Objects.requireNonNull(key, "key");
            once(this.key, "key");
            this.key = key;
            return this;
        }

        /**
         * @param counted what is counted, which also fixes the stage at which tokens are charged
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder counting(Counted counted) {
            Objects.requireNonNull(counted, "counted");
            once(this.counted, "counting");
            this.counted = counted;
            return this;
        }

        /**
         * Adds a bandwidth, e.g. {@code Bandwidth.builder().capacity(100).refillGreedy(100, Duration.ofHours(1)).build()}.
         * Repeatable: a request must fit every bandwidth.
         *
         * @param bandwidth the bandwidth
         * @return this builder
         */
        public Builder bandwidth(Bandwidth bandwidth) {
            bandwidths.add(Objects.requireNonNull(bandwidth, "bandwidth"));
            return this;
        }

        /**
         * Adds a bandwidth with Bucket4j's staged builder:
         * {@code .bandwidth(b -> b.capacity(100).refillGreedy(100, Duration.ofHours(1)))}. Repeatable.
         *
         * @param spec the bandwidth, built from {@link Bandwidth#builder()}
         * @return this builder
         * @throws NullPointerException if {@code spec} or its result is null
         */
        public Builder bandwidth(Function<BandwidthBuilderCapacityStage, BandwidthBuilderBuildStage> spec) {
            Objects.requireNonNull(spec, "spec");
            BandwidthBuilderBuildStage stage = Objects.requireNonNull(spec.apply(Bandwidth.builder()),
                    "bandwidth spec returned null");
            return bandwidth(stage.build());
        }

        /**
         * Adds bandwidths, e.g. from {@link Bandwidths#parse(String)}.
         *
         * @param list the bandwidths
         * @return this builder
         */
        public Builder bandwidths(List<Bandwidth> list) {
            Objects.requireNonNull(list, "bandwidths");
            for (Bandwidth b : list) {
                bandwidth(b);
            }
            return this;
        }

        /**
         * Adds the bandwidths of a Bucket4j configuration.
         *
         * @param configuration the configuration
         * @return this builder
         */
        public Builder configuration(BucketConfiguration configuration) {
            Objects.requireNonNull(configuration, "configuration");
            return bandwidths(List.of(configuration.getBandwidths()));
        }

        /**
         * Gives one key its own bandwidths instead of the limit's (e.g. this login may send 5,000 a day).
         *
         * @param key the key exactly as the limit's {@link LimitKey} produces it (e.g. {@code 2001:db8::/64})
         * @param overrideBandwidths the key's bandwidths, at least one
         * @return this builder
         * @throws IllegalArgumentException if {@code key} is blank or the list is empty
         * @throws IllegalStateException if {@code key} already has an override
         */
        public Builder override(String key, List<Bandwidth> overrideBandwidths) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(overrideBandwidths, "overrideBandwidths");
            if (key.isBlank()) {
                throw new IllegalArgumentException("override key must not be blank");
            }
            if (overrideBandwidths.isEmpty()) {
                throw new IllegalArgumentException("override for '" + key + "' needs at least one bandwidth");
            }
            if (overrides.containsKey(key)) {
                throw new IllegalStateException("override for '" + key + "' is already set");
            }
            overrides.put(key, new BucketConfiguration(new ArrayList<>(overrideBandwidths)));
            return this;
        }

        /**
         * Exempts requests for which {@code condition} holds (e.g. a trusted client network): they are
         * neither counted nor refused. Repeatable: any one condition exempts.
         *
         * @param condition the exemption
         * @return this builder
         */
        public Builder exempt(Condition condition) {
            exemptions.add(Objects.requireNonNull(condition, "condition"));
            return this;
        }

        /**
         * @param reply the 4xx reply when the bucket is empty; default {@link SmtpReply#RATE_LIMITED} (451 4.7.1)
         * @return this builder
         * @throws IllegalArgumentException if {@code reply} is not 4xx
         * @throws IllegalStateException if already set
         */
        public Builder reply(SmtpReply reply) {
            Objects.requireNonNull(reply, "reply");
            if (!reply.isTransientFailure()) {
                throw new IllegalArgumentException("a rate limit defers: its reply must be 4xx, was " + reply);
            }
            once(this.reply, "reply");
            this.reply = reply;
            return this;
        }

        /**
         * Bounds the local store (the default store, and the fallback of {@link FailureMode#LOCAL_FALLBACK}).
         *
         * @param maxKeys the most buckets kept; default {@link #DEFAULT_MAX_KEYS}
         * @return this builder
         * @throws IllegalArgumentException if {@code maxKeys} is not positive
         * @throws IllegalStateException if already set
         */
        public Builder localStore(long maxKeys) {
            if (maxKeys <= 0) {
                throw new IllegalArgumentException("maxKeys must be positive, was " + maxKeys);
            }
            if (this.maxKeys != 0) {
                throw new IllegalStateException("localStore is already set");
            }
            this.maxKeys = maxKeys;
            return this;
        }

        /**
         * Keeps the buckets in a shared store, so that several servers share one budget; e.g.
         * {@link io.relaycontrol.core.limit.redis.RedisLimitStore#proxyManager()}. The proxy manager's own
         * clock ({@code clientClock}) is used, not {@link #timeMeter}.
         *
         * @param proxyManager the Bucket4j proxy manager
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder store(ProxyManager<String> proxyManager) {
            Objects.requireNonNull(proxyManager, "proxyManager");
            once(this.proxyManager, "store");
            this.proxyManager = proxyManager;
            return this;
        }

        /**
         * @param mode what to do when the store fails; default {@link FailureMode#DEFER}
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder onStoreFailure(FailureMode mode) {
            Objects.requireNonNull(mode, "mode");
            once(this.failureMode, "onStoreFailure");
            this.failureMode = mode;
            return this;
        }

        /**
         * @param timeMeter the clock of local buckets and of their eviction; default
         *        {@link TimeMeter#SYSTEM_NANOTIME}. Tests pass a manual clock.
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder timeMeter(TimeMeter timeMeter) {
            Objects.requireNonNull(timeMeter, "timeMeter");
            once(this.timeMeter, "timeMeter");
            this.timeMeter = timeMeter;
            return this;
        }

        private static void once(Object current, String option) {
            if (current != null) {
                throw new IllegalStateException(option + " is already set");
            }
        }

        /**
         * @return the limit
         * @throws IllegalStateException if the key, what is counted or every bandwidth is missing, or
         *         {@link FailureMode#LOCAL_FALLBACK} is chosen without a shared store
         * @throws IllegalArgumentException if Bucket4j rejects the bandwidths (e.g. too many, duplicate ids)
         */
        public RateLimit build() {
            if (key == null) {
                throw new IllegalStateException("rate limit " + name + ": key(...) is required");
            }
            if (counted == null) {
                throw new IllegalStateException("rate limit " + name + ": counting(...) is required");
            }
            if (bandwidths.isEmpty()) {
                throw new IllegalStateException("rate limit " + name + ": at least one bandwidth is required");
            }
            if (failureMode == FailureMode.LOCAL_FALLBACK && proxyManager == null) {
                throw new IllegalStateException("rate limit " + name
                        + ": onStoreFailure(LOCAL_FALLBACK) needs a shared store(...)");
            }
            if (reply == null) {
                reply = SmtpReply.RATE_LIMITED;
            }
            if (failureMode == null) {
                failureMode = FailureMode.DEFER;
            }
            TimeMeter meter = timeMeter == null ? TimeMeter.SYSTEM_NANOTIME : timeMeter;
            long keys = maxKeys == 0 ? DEFAULT_MAX_KEYS : maxKeys;
            BucketPlan defaultPlan = new BucketPlan(name, new BucketConfiguration(new ArrayList<>(bandwidths)));
            Map<String, BucketPlan> plans = new HashMap<>();
            long longestFill = defaultPlan.nanosToFill();
            for (Map.Entry<String, BucketConfiguration> e : overrides.entrySet()) {
                BucketPlan p = new BucketPlan(name, e.getValue());
                plans.put(e.getKey(), p);
                longestFill = Math.max(longestFill, p.nanosToFill());
            }
            BucketStore store;
            LocalBucketStore fallback = null;
            if (proxyManager == null) {
                store = new LocalBucketStore(keys, longestFill, meter);
            } else {
                store = new ProxyBucketStore(proxyManager);
                if (failureMode == FailureMode.LOCAL_FALLBACK) {
                    fallback = new LocalBucketStore(keys, longestFill, meter);
                }
            }
            return new RateLimit(this, defaultPlan, Map.copyOf(plans), store, fallback);
        }
    }
}
