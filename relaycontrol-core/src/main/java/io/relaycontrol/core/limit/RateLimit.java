package io.relaycontrol.core.limit;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayClock;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A rate limit: a {@link Rule} that charges tokens from buckets, one bucket per {@link LimitKey}, and refuses
 * temporarily when the bucket is empty. A limit only ever refuses; it never grants relay.
 *
 * <pre>{@code
 * RateLimit limit = RateLimit.builder("client-recipients")
 *         .key(LimitKeys.clientAddress())                      // IPv6 per /64
 *         .counting(Counted.RECIPIENTS)
 *         .rates(Rate.parseList("100/1h, 1000/1d"))
 *         .rate(Rate.perMinute(20))
 *         .override("198.51.100.25", Rate.parseList("5000/1d"))
 *         .exempt(Conditions.authenticated())
 *         .build();
 * }</pre>
 *
 * <h2>Verdicts</h2>
 * <ul>
 * <li><b>NO_OPINION, charged</b>: a token was available and was taken. Details: {@code key},
 *     {@code tokensLeft} (the least of all rates) and {@code refillIn} (time until the bucket is full
 *     again, ISO-8601, rounded up to seconds). The reason is a constant and the details are rendered from one
 *     object only when read ({@link Decision#withDetails}), so charging builds no string, map or boxed number:
 *     a charging decision on the local store allocates the key (16 bytes for IPv4), that object (32) and the
 *     decision (48), and Bucket4j's state is updated in place (see {@code RateLimitBenchmark}).</li>
 * <li><b>DEFER, rate limited</b>: the bucket is empty: the configured reply ({@code 451 4.7.1} by default);
 *     the reason says when the next token is free. Details: {@code key}, {@code tokensLeft},
 *     {@code retryAfter} (e.g. {@code PT12S}; {@code never} when one request asks more than the burst,
 *     such as a message larger than a byte limit's burst). Nothing is charged.</li>
 * <li><b>NO_OPINION, not counted</b>: the stage is not the one the limit counts at
 *     ({@link Counted#stage()}), the request is exempt, it has no key, or (bytes) the request has no size.
 *     Precomputed, nothing is charged.</li>
 * <li><b>Store failed</b>: the store threw (Redis down, timeout). The {@link FailureMode} decides:
 *     DEFER {@code 451 4.3.0} "rate-limit store unavailable", NO_OPINION, or a local bucket. Details
 *     {@code store=failed} and {@code mode=...}; the exception is kept on the decision.</li>
 * <li><b>Store full</b>: the key is new and every one of the limit's {@linkplain Builder#maxKeys(long) slots}
 *     holds a bucket that is not full again yet (a flood of distinct keys). No bucket is ever evicted to make
 *     room, because that would hand its client a fresh budget: the new key gets the {@link FailureMode}
 *     (DEFER {@code 451 4.3.0} "rate-limit store full" by default), details {@code store=full} and
 *     {@code mode=...}. The local store logs the change to full and back once each.</li>
 * <li>Anything else that throws becomes {@link Decision#failed} (451 4.3.0).</li>
 * </ul>
 * Several rates are charged atomically: either every rate has the tokens and all are charged, or none is.
 *
 * <h2>Where to put it in a policy</h2>
 * A limit charges whenever it is asked, so ask it only for requests you want to count: combine it with the
 * rule whose permission it limits, {@code Rules.checkedAllow("authenticated", authenticatedRule, limit)}
 * ({@link io.relaycontrol.core.rules.Rules#checkedAllow}). The limit is then asked only when that rule
 * allows: a relay attempt that is refused anyway spends no token and keeps its 554, and an allowed request
 * over its limit is deferred. {@code StandardRelayPolicy} does this for each of its allowing rules. To charge
 * every attempt instead (as Postfix's anvil counts connections), place the limit as a rule of its own before
 * the rules that refuse.
 *
 * <h2>Stores, reloads and time</h2>
 * Buckets live in a {@link LimitStore}, by default a {@linkplain LimitStore#local() local one} of this limit's
 * own. A store given with {@link Builder#store(LimitStore)} outlives the limit: buckets are found by the
 * limit's name and the key, so a limit rebuilt under the same name (a reload) keeps every bucket. When the
 * rebuilt limit has other rates for a key, the bucket is migrated with Bucket4j's
 * {@code replaceConfiguration(..., TokensInheritanceStrategy.ADDITIVE)}, rates matched by period: raising
 * {@code 3/1h} to {@code 5/1h} adds the 2 new tokens to what is left, so the 3 already spent still count
 * (PROPORTIONALLY would scale the spent tokens down, RESET would forget them, AS_IS would keep the client
 * blocked at 0 of 5). Lowering a capacity caps the tokens left at the new burst. A rate with a new period
 * starts full. The local store forgets a bucket exactly when it would be full again, never earlier, and never
 * evicts one to make room. {@link io.relaycontrol.core.limit.redis.RedisLimitStore} shares buckets between
 * servers, under the keys {@code relaycontrol:limit:<limit name>:<key>}.
 *
 * <p>Time is a {@link RelayClock}: the store's own for shared stores, {@link Builder#clock(RelayClock)} for
 * the limit's own local buckets; tests pass {@code io.relaycontrol.testkit.ManualClock} and never sleep.
 *
 * <p>Built limits are immutable in configuration and thread-safe (the buckets are the only state, and
 * Bucket4j consumes atomically: concurrent requests on one key never take more than the burst). Builders are
 * not thread-safe.
 *
 * @since 0.1.0
 */
public final class RateLimit extends GuardedRule {

    /** Default number of keys a limit keeps in a local store. */
    public static final long DEFAULT_MAX_KEYS = 100_000;

    private static final int MAX_FAILURE_REASON = 200;

    private final String name;
    private final LimitKey key;
    private final Counted counted;
    private final Plan defaultPlan;
    private final Map<Object, Plan> overrides;
    private final Condition exemption;
    private final SmtpReply reply;
    /** The shared store, or null when the buckets are local ({@link #local}). */
    private final LimitStore shared;
    /** The local buckets: the limit's store, or the fallback of a shared store, or null. */
    private final LocalLimitStore.Buckets local;
    private final FailureMode failureMode;
    private final Decision[] notCountedAt;
    private final Decision exempt;
    private final Decision noKey;
    private final Decision noSize;
    private final String chargedOne;
    private final String describe;

    private RateLimit(Builder b, Plan defaultPlan, Map<Object, Plan> overrides, LimitStore shared,
            LocalLimitStore.Buckets local, String storeDescription) {
        this.name = b.name;
        this.key = b.key;
        this.counted = b.counted;
        this.defaultPlan = defaultPlan;
        this.overrides = overrides;
        this.exemption = b.exemptions.isEmpty() ? null
                : b.exemptions.size() == 1 ? b.exemptions.get(0)
                : Conditions.anyOf(b.exemptions.toArray(new Condition[0]));
        this.reply = b.reply;
        this.shared = shared;
        this.local = local;
        this.failureMode = b.failureMode;
        this.notCountedAt = new Decision[Stage.values().length];
        for (Stage s : Stage.values()) {
            notCountedAt[s.ordinal()] = Decision.noOpinion(name,
                    "counts " + counted.label() + " at " + counted.stage() + ", nothing to count at " + s);
        }
        this.exempt = exemption == null ? null : Decision.noOpinion(name, "exempt: " + exemption.description());
        this.noKey = Decision.noOpinion(name, "no key: the request has no " + key.description());
        this.noSize = Decision.noOpinion(name, counted == Counted.MESSAGE_BYTES
                ? "no message size, nothing to count" : "no message size declared, nothing to count");
        this.chargedOne = "charged 1 " + unit(1);
        StringBuilder d = new StringBuilder("rate limit ").append(name).append(": ").append(counted.label())
                .append(" per ").append(key.description()).append(", ").append(defaultPlan.description);
        if (!overrides.isEmpty()) {
            d.append(", ").append(overrides.size()).append(" override(s)");
        }
        if (exemption != null) {
            d.append(", exempt: ").append(exemption.description());
        }
        d.append(", store ").append(storeDescription).append(", on store failure ").append(failureMode)
                .append(", reply ").append(reply);
        this.describe = d.toString();
    }

    /**
     * Starts a limit.
     *
     * @param name the rule's name, as it appears in decisions; it also names the limit's buckets in a store,
     *        so a limit rebuilt under the same name keeps them
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

    /** @return what is counted */
    public Counted counted() {
        return counted;
    }

    /** @return the rates of keys without an override, in order */
    public List<Rate> rates() {
        return defaultPlan.rates;
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
        Stage stage = request.stage();
        if (stage != counted.stage()) {
            return notCountedAt[stage.ordinal()];
        }
        if (exemption != null && exemption.test(request)) {
            return exempt;
        }
        Object k = key.keyOf(request);
        if (k == null) {
            return noKey;
        }
        long tokens = 1;
        if (counted == Counted.BYTES || counted == Counted.MESSAGE_BYTES) {
            tokens = request.declaredSize().orElse(0);
            if (tokens <= 0) {
                return noSize;
            }
        }
        Plan plan = overrides.isEmpty() ? defaultPlan : overrides.getOrDefault(k, defaultPlan);
        if (shared == null) {
            Charged c = new Charged(k);
            int outcome = local.tryConsume(k, plan.local, tokens, local.now(), c);
            if (outcome == LocalLimitStore.Buckets.FULL) {
                return storeFull(k, plan, tokens, local.name);
            }
            return fromLocal(outcome, c, plan, tokens, null);
        }
        Consumption c;
        try {
            c = shared.tryConsume(name, k, plan.rates, tokens);
        } catch (LimitStoreFullException e) {
            return storeFull(k, plan, tokens, e.getMessage());
        } catch (RuntimeException e) {
            return storeFailed(k, plan, tokens, e);
        }
        Charged charged = new Charged(k);
        charged.left = c.tokensLeft();
        if (c.consumed()) {
            charged.nanos = c.nanosToFull();
            return charged(charged, tokens, null);
        }
        return limited(k, c.tokensLeft(), c.nanosToWait(), tokens, plan, null);
    }

    private Decision fromLocal(int outcome, Charged c, Plan plan, long tokens, String prefix) {
        return outcome == LocalLimitStore.Buckets.CHARGED ? charged(c, tokens, prefix)
                : limited(c.key, c.left, c.nanos, tokens, plan, prefix);
    }

    private Decision storeFull(Object k, Plan plan, long tokens, String what) {
        String why = "rate-limit store full: no room for a new key (" + what + ")";
        switch (failureMode) {
            case NO_OPINION:
                return Decision.builder(Verdict.NO_OPINION, name, why + ", not limiting")
                        .detail("key", k).detail("store", "full").detail("mode", failureMode).build();
            case LOCAL_FALLBACK:
                Charged c = new Charged(k);
                int outcome = local.tryConsume(k, plan.local, tokens, local.now(), c);
                if (outcome != LocalLimitStore.Buckets.FULL) {
                    return withStore(fromLocal(outcome, c, plan, tokens, "rate-limit store full, local bucket used: "),
                            "full", null);
                }
                // the fallback is full too: defer
            case DEFER:
            default:
                return Decision.builder(Verdict.DEFER, name, why).reply(SmtpReply.TEMPORARY_FAILURE)
                        .detail("key", k).detail("store", "full").detail("mode", failureMode).build();
        }
    }

    private Decision storeFailed(Object k, Plan plan, long tokens, RuntimeException e) {
        String why = String.valueOf(e);
        if (why.length() > MAX_FAILURE_REASON) {
            why = why.substring(0, MAX_FAILURE_REASON) + "...";
        }
        switch (failureMode) {
            case NO_OPINION:
                return Decision.builder(Verdict.NO_OPINION, name, "rate-limit store unavailable, not limiting: " + why)
                        .detail("key", k).detail("store", "failed").detail("mode", failureMode).error(e).build();
            case LOCAL_FALLBACK:
                Charged c = new Charged(k);
                int outcome = local.tryConsume(k, plan.local, tokens, local.now(), c);
                if (outcome != LocalLimitStore.Buckets.FULL) {
                    return withStore(fromLocal(outcome, c, plan, tokens,
                            "rate-limit store unavailable, local bucket used: "), "failed", e);
                }
                return Decision.builder(Verdict.DEFER, name, "rate-limit store unavailable and local fallback full: "
                        + why).reply(SmtpReply.TEMPORARY_FAILURE).detail("key", k).detail("store", "failed")
                        .detail("mode", failureMode).error(e).build();
            case DEFER:
            default:
                return Decision.builder(Verdict.DEFER, name, "rate-limit store unavailable: " + why)
                        .reply(SmtpReply.TEMPORARY_FAILURE)
                        .detail("key", k).detail("store", "failed").detail("mode", FailureMode.DEFER)
                        .error(e).build();
        }
    }

    private Decision withStore(Decision d, String store, RuntimeException e) {
        Decision.Builder b = d.toBuilder().detail("store", store).detail("mode", failureMode);
        return e == null ? b.build() : b.error(e).build();
    }

    /**
     * The hot path of every counted request: a constant reason, and the details rendered from one object
     * ({@link Charged}) only when somebody reads them (explain(), logs): no string, no map, no boxed number.
     */
    private Decision charged(Charged c, long tokens, String prefix) {
        String reason = prefix == null && tokens == 1 ? chargedOne
                : (prefix == null ? "" : prefix) + "charged " + tokens + " " + unit(tokens);
        return Decision.withDetails(Verdict.NO_OPINION, name, reason, null, c);
    }

    private Decision limited(Object k, long left, long wait, long tokens, Plan plan, String prefix) {
        String pre = prefix == null ? "" : prefix;
        boolean never = wait == Long.MAX_VALUE || tokens > plan.capacity;
        String retry = never ? "never" : roundUpText(wait);
        String reason = never
                ? pre + tokens + " " + unit(tokens) + " for " + k + " exceed the burst capacity " + plan.capacity
                : pre + "rate limit reached for " + k + ": " + left + " left, " + tokens + " needed, next in " + retry;
        return Decision.builder(Verdict.DEFER, name, reason).reply(reply)
                .detail("key", k).detail("tokensLeft", left).detail("retryAfter", retry).build();
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

    /** @return {@code nanos} rounded up to seconds, ISO-8601 ({@code PT20S}) */
    static String roundUpText(long nanos) {
        if (nanos <= 0) {
            return Duration.ZERO.toString();
        }
        return Duration.ofSeconds(nanos / 1_000_000_000L + (nanos % 1_000_000_000L == 0 ? 0 : 1)).toString();
    }

    /**
     * What a charge found, and the details of its decision: {@code key}, {@code tokensLeft} and {@code refillIn}
     * rendered when read. 32 bytes: the only object a charging decision allocates besides the decision itself
     * and the key. Written by the charging thread before the decision is built, never changed afterwards (the
     * decision's final fields publish it).
     */
    private static final class Charged extends LocalLimitStore.Outcome implements Decision.Rendering {
        final Object key;

        Charged(Object key) {
            this.key = key;
        }

        @Override
        public void details(java.util.function.BiConsumer<String, Object> detail) {
            detail.accept("key", key);
            detail.accept("tokensLeft", left);
            detail.accept("refillIn", roundUpText(nanos));
        }
    }

    /** For tests in this package: the local buckets (the limit's own or the fallback), or null. */
    LocalLimitStore.Buckets localBuckets() {
        return local;
    }

    /** One list of rates of this limit (the default or an override), resolved for the stores. Immutable. */
    private static final class Plan {
        final List<Rate> rates;
        final LocalLimitStore.Plan local;
        final long capacity;
        final String description;

        Plan(List<Rate> rates, LocalLimitStore.Plan local) {
            this.rates = rates;
            this.local = local;
            long min = Long.MAX_VALUE;
            StringBuilder d = new StringBuilder();
            for (Rate r : rates) {
                if (d.length() > 0) {
                    d.append(" and ");
                }
                d.append(r.count()).append(" per ").append(r.period()).append(" (burst ").append(r.burst()).append(')');
                min = Math.min(min, r.burst());
            }
            this.capacity = min;
            this.description = d.toString();
        }
    }

    /**
     * Builds a {@link RateLimit}. Not thread-safe. Required: {@link #key}, {@link #counting} and at least one
     * rate. Options that take one value may be set once; a second call throws {@link IllegalStateException}.
     * Bad values fail at once with a message naming them.
     */
    public static final class Builder {
        private final String name;
        private LimitKey key;
        private Counted counted;
        private final List<Rate> rates = new ArrayList<>();
        private final Map<String, List<Rate>> overrides = new LinkedHashMap<>();
        private final List<Condition> exemptions = new ArrayList<>();
        private SmtpReply reply;
        private long maxKeys;
        private LimitStore store;
        private FailureMode failureMode;
        private RelayClock clock;

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
         * Adds a rate, e.g. {@code Rate.perHour(100)}. Repeatable: a request must fit every rate.
         *
         * @param rate the rate
         * @return this builder
         * @throws IllegalArgumentException if a rate with the same period was added already
         */
        public Builder rate(Rate rate) {
            Objects.requireNonNull(rate, "rate");
            requireDistinctPeriod(rates, rate, "rate limit " + name);
            rates.add(rate);
            return this;
        }

        /**
         * Adds rates, e.g. {@code Rate.parseList("100/1h, 1000/1d")}.
         *
         * @param list the rates
         * @return this builder
         * @throws IllegalArgumentException if two rates have the same period
         */
        public Builder rates(List<Rate> list) {
            Objects.requireNonNull(list, "rates");
            for (Rate r : list) {
                rate(r);
            }
            return this;
        }

        private static void requireDistinctPeriod(List<Rate> existing, Rate rate, String where) {
            for (Rate r : existing) {
                if (r.period().equals(rate.period())) {
                    throw new IllegalArgumentException(where + ": rates " + r + " and " + rate
                            + " have the same period; keep one");
                }
            }
        }

        /**
         * Gives one key its own rates instead of the limit's (e.g. this login may send 5,000 a day).
         *
         * @param key the key as text, as the limit's {@link LimitKey} renders it (e.g. {@code 192.0.2.25},
         *        {@code 2001:db8::/64}, {@code alice}); read with {@link LimitKey#parseKey(String)} when built
         * @param overrideRates the key's rates, at least one
         * @return this builder
         * @throws IllegalArgumentException if {@code key} is blank, the list is empty or has two rates with
         *         the same period
         * @throws IllegalStateException if {@code key} already has an override
         */
        public Builder override(String key, List<Rate> overrideRates) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(overrideRates, "overrideRates");
            if (key.isBlank()) {
                throw new IllegalArgumentException("override key must not be blank");
            }
            if (overrideRates.isEmpty()) {
                throw new IllegalArgumentException("override for '" + key + "' needs at least one rate");
            }
            if (overrides.containsKey(key)) {
                throw new IllegalStateException("override for '" + key + "' is already set");
            }
            List<Rate> checked = new ArrayList<>();
            for (Rate r : overrideRates) {
                requireDistinctPeriod(checked, Objects.requireNonNull(r, "rate"), "override for '" + key + "'");
                checked.add(r);
            }
            overrides.put(key, List.copyOf(checked));
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
         * The most buckets this limit keeps in a local store (its own, a given {@link LimitStore#local()}, or
         * the fallback of {@link FailureMode#LOCAL_FALLBACK}). A hard bound: a bucket that is not full again is
         * never evicted; a new key beyond the bound gets the failure mode.
         *
         * @param maxKeys the most buckets kept; default {@link #DEFAULT_MAX_KEYS}
         * @return this builder
         * @throws IllegalArgumentException if {@code maxKeys} is not positive
         * @throws IllegalStateException if already set
         */
        public Builder maxKeys(long maxKeys) {
            if (maxKeys <= 0) {
                throw new IllegalArgumentException("maxKeys must be positive, was " + maxKeys);
            }
            if (this.maxKeys != 0) {
                throw new IllegalStateException("maxKeys is already set");
            }
            this.maxKeys = maxKeys;
            return this;
        }

        /**
         * Keeps the buckets in {@code store}, which outlives this limit: a limit built later under the same
         * name on the same store continues every bucket. {@link LimitStore#local()} for this JVM (what
         * {@code ReloadingRelayPolicy} does across reloads), or a shared store such as
         * {@link io.relaycontrol.core.limit.redis.RedisLimitStore}.
         *
         * @param store the store
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder store(LimitStore store) {
            Objects.requireNonNull(store, "store");
            once(this.store, "store");
            this.store = store;
            return this;
        }

        /**
         * @param mode what to do when the store fails or is full; default {@link FailureMode#DEFER}
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
         * @param clock the clock of this limit's own local buckets (when no {@link #store} is given, and of the
         *        {@link FailureMode#LOCAL_FALLBACK} buckets); default {@link RelayClock#system()}. A given store
         *        keeps its own clock. Tests pass a manual clock.
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder clock(RelayClock clock) {
            Objects.requireNonNull(clock, "clock");
            once(this.clock, "clock");
            this.clock = clock;
            return this;
        }

        private static void once(Object current, String option) {
            if (current != null) {
                throw new IllegalStateException(option + " is already set");
            }
        }

        /**
         * @return the limit
         * @throws IllegalStateException if the key, what is counted or every rate is missing, or
         *         {@link FailureMode#LOCAL_FALLBACK} is chosen without a shared store
         * @throws IllegalArgumentException if an override key cannot be a key of this limit's {@link LimitKey}
         */
        public RateLimit build() {
            if (key == null) {
                throw new IllegalStateException("rate limit " + name + ": key(...) is required");
            }
            if (counted == null) {
                throw new IllegalStateException("rate limit " + name + ": counting(...) is required");
            }
            if (rates.isEmpty()) {
                throw new IllegalStateException("rate limit " + name + ": at least one rate is required");
            }
            boolean localStore = store == null || store instanceof LocalLimitStore;
            if (failureMode == FailureMode.LOCAL_FALLBACK && localStore) {
                throw new IllegalStateException("rate limit " + name
                        + ": onStoreFailure(LOCAL_FALLBACK) needs a shared store(...)");
            }
            SmtpReply r = reply == null ? SmtpReply.RATE_LIMITED : reply;
            FailureMode mode = failureMode == null ? FailureMode.DEFER : failureMode;
            long keys = maxKeys == 0 ? DEFAULT_MAX_KEYS : maxKeys;
            LocalLimitStore localStoreImpl = null;
            if (localStore) {
                localStoreImpl = store == null ? new LocalLimitStore(clock == null ? RelayClock.system() : clock)
                        : (LocalLimitStore) store;
            } else if (mode == FailureMode.LOCAL_FALLBACK) {
                localStoreImpl = new LocalLimitStore(clock == null ? RelayClock.system() : clock);
            }
            List<Rate> defaults = List.copyOf(rates);
            Plan defaultPlan = new Plan(defaults, localStoreImpl == null ? null : localStoreImpl.plan(defaults));
            Map<Object, Plan> plans = new HashMap<>();
            List<LocalLimitStore.Plan> known = new ArrayList<>();
            known.add(defaultPlan.local);
            Set<Object> seen = new HashSet<>();
            for (Map.Entry<String, List<Rate>> e : overrides.entrySet()) {
                Object k;
                try {
                    k = Objects.requireNonNull(key.parseKey(e.getKey()), "parseKey returned null");
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("rate limit " + name + ": override key '" + e.getKey()
                            + "': " + ex.getMessage(), ex);
                }
                if (!seen.add(k)) {
                    throw new IllegalArgumentException("rate limit " + name + ": override key '" + e.getKey()
                            + "' names the same bucket as another override (" + k + ")");
                }
                Plan p = new Plan(e.getValue(), localStoreImpl == null ? null : localStoreImpl.plan(e.getValue()));
                plans.put(k, p);
                known.add(p.local);
            }
            LocalLimitStore.Buckets buckets = null;
            if (localStoreImpl != null) {
                buckets = localStoreImpl.bind(name, keys,
                        counted == Counted.BYTES || counted == Counted.MESSAGE_BYTES, known);
            }
            this.reply = r;
            this.failureMode = mode;
            String storeDescription = localStore ? "local (at most " + keys + " keys)"
                    : store.description() + (mode == FailureMode.LOCAL_FALLBACK
                            ? ", local fallback (at most " + keys + " keys)" : "");
            return new RateLimit(this, defaultPlan, Map.copyOf(plans), localStore ? null : store, buckets,
                    storeDescription);
        }
    }
}
