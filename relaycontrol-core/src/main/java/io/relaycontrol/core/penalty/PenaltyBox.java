package io.relaycontrol.core.penalty;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayClock;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.FailureMode;
import io.relaycontrol.core.limit.LimitKey;
import io.relaycontrol.core.limit.LimitKeys;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.limit.RateLimit;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Conditions;
import io.relaycontrol.core.rules.GuardedRule;
import io.relaycontrol.core.rules.Rule;
import io.relaycontrol.core.rules.Rules;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A penalty box: clients that keep committing violations (a refused relay attempt, a sender their login does not
 * own, a rate limit hit, a DNS-list hit) are refused early, at CONNECT and every later stage, for a ban that grows
 * with every repeat offence, and forgotten once they stay clean. fail2ban's {@code bantime.increment} for SMTP.
 *
 * <pre>{@code
 * PenaltyBox box = PenaltyBox.builder()
 *         .after(Rate.parse("5/10m"))          // more than 5 violations in 10 minutes box the client
 *         .ban(Duration.ofMinutes(10)).factor(2).max(Duration.ofDays(1))
 *         .build();
 * Rule guarded = box.around("boxed-relay", policy,
 *         Violations.decidedBy("relay", Verdict.DENY, "default"));
 * }</pre>
 *
 * <h2>As a rule: is the client boxed?</h2>
 * {@link #decide} looks the client's key up in the {@link PenaltyStore}: a boxed client is refused,
 * {@code 421 4.7.0} at CONNECT (DEFER: Postfix's answer to a client it will not talk to now) and {@code 554 5.7.1}
 * at every later stage (DENY), with the offence number, the remaining ban and its end in the reason and in the
 * details {@code key}, {@code offence}, {@code remaining} (ISO-8601, rounded up to seconds) and {@code until}. Anyone
 * else gets NO_OPINION (a constant: nothing is allocated). Exempt clients ({@link Builder#exempt}, and what
 * {@link #exempting} adds, such as the trusted networks) are never looked up, never counted and never boxed. The box
 * only ever refuses; it never grants relay.
 *
 * <h2>Counting: {@link #record}</h2>
 * Whoever asked the rest of the policy tells the box of a violation (the standard policy does, and
 * {@link #around} does for any decider). Violations are counted per client key (IPv4 per address, IPv6 per
 * prefix, {@code /64} by default) in a token bucket of rate {@code after} in the configured
 * {@link LimitStore} (a {@link RateLimit} named {@link #counterName()}, so a shared Redis store shares the counts
 * and its circuit breaker guards them). The violation that finds the bucket empty boxes the client: with
 * {@code 5/10m}, the sixth within ten minutes.
 *
 * <h2>Ban length and forgetting</h2>
 * The n-th ban lasts {@code min(max, ban * factor^(n-1))} plus a random extra of up to {@code jitter} of that
 * (default 10%, never past {@code max}), so that boxed clients do not all return in the same second. The offence
 * count is remembered until {@code forget} (default: {@code max}) after the ban ends; a client that stays clean that
 * long starts again at one, and its record is dropped. A violation by a client that is already boxed (by another
 * server) does not escalate.
 *
 * <h2>When the store fails</h2>
 * The box fails open: while the penalty store (or the counter's store) fails or its breaker is open, the box has
 * no opinion and counts nothing, and the rest of the policy still decides every request as it would without a box
 * (so blocked networks, relay refusals and rate limits keep working). Failing closed would turn an outage of an
 * optional protection into a refusal of every client. The change to unavailable and back is logged once each
 * (logger {@code io.relaycontrol.core.penalty.PenaltyBox}); the decision keeps the exception. A bounded store that
 * is full boxes no new client (nothing is evicted) and logs that once.
 *
 * <p>Built boxes are immutable and thread-safe (their state lives in the stores); builders are not.
 *
 * @since 0.2.0
 */
public final class PenaltyBox extends GuardedRule {

    private static final Logger LOG = LoggerFactory.getLogger(PenaltyBox.class);

    /** The default name, {@code penalty-box}. */
    public static final String DEFAULT_NAME = "penalty-box";

    /** {@code 421 4.7.0}: the refusal of a boxed client at CONNECT. */
    public static final SmtpReply CONNECT_REPLY =
            SmtpReply.of(421, "4.7.0", "Too many refused requests from your network, try again later");

    /** {@code 554 5.7.1}: the refusal of a boxed client at every stage after CONNECT. */
    public static final SmtpReply REFUSED_REPLY =
            SmtpReply.of(554, "5.7.1", "Access denied: too many refused requests from your network");

    /** Most compare-and-set rounds one violation tries before giving up (other servers keep changing the record). */
    static final int MAX_ROUNDS = 16;

    private final String name;
    private final LimitKey key;
    private final Rate after;
    private final long banMillis;
    private final double factor;
    private final long maxMillis;
    private final long forgetMillis;
    private final double jitter;
    private final int ipv6Prefix;
    private final long maxKeys;
    private final Condition exemption;
    private final PenaltyStore store;
    private final RateLimit counter;
    private final RelayClock clock;
    private final DoubleSupplier random;
    private final AtomicBoolean storeDown;
    private final Decision exempt;
    private final Decision notBoxed;
    private final String describe;

    private PenaltyBox(Builder b, RateLimit counter, Condition exemption, AtomicBoolean storeDown) {
        this.name = b.name;
        this.ipv6Prefix = b.ipv6Prefix;
        this.key = LimitKeys.clientAddress(32, b.ipv6Prefix);
        this.after = b.after;
        this.banMillis = b.ban.toMillis();
        this.factor = b.factor;
        this.maxMillis = b.max.toMillis();
        this.forgetMillis = (b.forget == null ? b.max : b.forget).toMillis();
        this.jitter = b.jitter;
        this.maxKeys = b.maxKeys;
        this.exemption = exemption;
        this.store = b.store;
        this.counter = counter;
        this.clock = b.clock;
        this.random = b.random;
        this.storeDown = storeDown;
        this.exempt = exemption == null ? null
                : Decision.noOpinion(name, "exempt from the penalty box: " + exemption.description());
        this.notBoxed = Decision.noOpinion(name, "not in the penalty box");
        this.describe = "penalty box " + name + ": more than " + after.count() + " violations per " + after.period()
                + " per " + key.description() + " box a client for " + Duration.ofMillis(banMillis) + " x" + factor
                + " per repeat offence up to " + Duration.ofMillis(maxMillis) + " (+ up to " + Math.round(jitter * 100)
                + "% jitter), forgotten " + Duration.ofMillis(forgetMillis) + " after a ban ends; store "
                + store.description() + (exemption == null ? "" : "; exempt: " + exemption.description());
    }

    private PenaltyBox(PenaltyBox p, Condition exemption) {
        this.name = p.name;
        this.ipv6Prefix = p.ipv6Prefix;
        this.key = p.key;
        this.after = p.after;
        this.banMillis = p.banMillis;
        this.factor = p.factor;
        this.maxMillis = p.maxMillis;
        this.forgetMillis = p.forgetMillis;
        this.jitter = p.jitter;
        this.maxKeys = p.maxKeys;
        this.exemption = exemption;
        this.store = p.store;
        this.counter = p.counter;
        this.clock = p.clock;
        this.random = p.random;
        this.storeDown = p.storeDown;
        this.exempt = Decision.noOpinion(name, "exempt from the penalty box: " + exemption.description());
        this.notBoxed = p.notBoxed;
        int cut = p.describe.indexOf("; exempt: ");
        this.describe = (cut < 0 ? p.describe : p.describe.substring(0, cut)) + "; exempt: " + exemption.description();
    }

    /** @return a builder with the defaults: 5/10m, ban 10m, factor 2, max 1d, jitter 10%, IPv6 /64, local store */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * This box with one more exemption (for example the trusted networks of the policy it guards), sharing every
     * store and setting: a client the box already knew stays boxed, but an exempt one is never refused or counted.
     *
     * @param condition clients that are never boxed, besides those already exempt
     * @return the box with the added exemption
     */
    public PenaltyBox exempting(Condition condition) {
        Objects.requireNonNull(condition, "condition");
        return new PenaltyBox(this, exemption == null ? condition : Conditions.anyOf(exemption, condition));
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
     * The name of the rate limit that counts violations, in the {@link LimitStore}: {@code <name>-violations}. A
     * reload keeps it with the limits it retains ({@link LimitStore#retainLimits}).
     *
     * @return the counter's name
     */
    public String counterName() {
        return counter.name();
    }

    /** @return the violation rate past which a client is boxed */
    public Rate after() {
        return after;
    }

    /** @return the prefix length an IPv6 client is counted and boxed by */
    public int ipv6PrefixLength() {
        return ipv6Prefix;
    }

    /** @return the penalty store */
    public PenaltyStore store() {
        return store;
    }

    /**
     * The ban of the {@code offence}-th offence without jitter: {@code min(max, ban * factor^(offence-1))}.
     *
     * @param offence 1 for the first offence
     * @return the ban's length
     * @throws IllegalArgumentException if {@code offence < 1}
     */
    public Duration banLength(int offence) {
        if (offence < 1) {
            throw new IllegalArgumentException("offence must be at least 1, was " + offence);
        }
        return Duration.ofMillis(baseBan(offence));
    }

    private long baseBan(int offence) {
        if (factor == 1.0 || offence == 1) {
            return Math.min(maxMillis, banMillis);
        }
        double b = banMillis * Math.pow(factor, offence - 1);
        return b >= maxMillis ? maxMillis : (long) b;
    }

    /** The ban with jitter: up to {@code jitter} of the base more, never past max. */
    long banWithJitter(int offence) {
        long base = baseBan(offence);
        if (jitter == 0 || base >= maxMillis) {
            return base;
        }
        double u = random.getAsDouble();
        if (!(u >= 0) || u >= 1) { // a broken random source must not lengthen a ban past its bound
            u = 0;
        }
        long extra = (long) Math.floor(u * jitter * base);
        return Math.min(maxMillis, base + extra);
    }

    private long nowMillis() {
        return Math.floorDiv(clock.epochNanos(), 1_000_000L);
    }

    /**
     * Is the client boxed? See the class documentation for the verdicts.
     *
     * @param request the request
     * @return NO_OPINION, or the refusal of a boxed client; never {@code null}; never throws
     */
    @Override
    protected Decision decideUnguarded(RelayRequest request) {
        if (exemption != null && exemption.test(request)) {
            return exempt;
        }
        Object k = key.keyOf(request);
        PenaltyRecord rec;
        try {
            rec = store.get(k);
        } catch (RuntimeException e) {
            down(e);
            return Decision.builder(Verdict.NO_OPINION, name, "penalty store unavailable, no opinion: "
                    + shortText(e)).detail("key", k).detail("store", "failed").error(e).build();
        }
        if (storeDown.get()) {
            up();
        }
        if (rec == null) {
            return notBoxed;
        }
        long now = nowMillis();
        if (!rec.bannedAt(now)) {
            return notBoxed;
        }
        return boxed(request.stage(), k, rec, now);
    }

    private Decision boxed(Stage stage, Object k, PenaltyRecord rec, long now) {
        long left = rec.bannedUntilMillis() - now;
        String remaining = roundUp(left);
        String reason = k + " is in the penalty box: offence " + rec.offences() + ", " + remaining + " left (until "
                + Instant.ofEpochMilli(rec.bannedUntilMillis()) + ")";
        boolean connect = stage == Stage.CONNECT;
        return Decision.builder(connect ? Verdict.DEFER : Verdict.DENY, name, reason)
                .reply(connect ? CONNECT_REPLY : REFUSED_REPLY)
                .detail("key", k).detail("offence", rec.offences()).detail("remaining", remaining)
                .detail("until", Instant.ofEpochMilli(rec.bannedUntilMillis())).build();
    }

    /**
     * Counts one violation of the client of {@code request}, and boxes the client when it is one too many. Never
     * throws: a store failure means the violation is not counted (see the class documentation).
     *
     * @param request the refused request
     * @param violation the violation's kind, for logs and {@code explain()}, e.g. {@code relay}
     * @return a NO_OPINION decision named after the box saying what happened (counted, boxed, already boxed,
     *     exempt, not counted because a store failed or is full), with the counter's decision as a child when it
     *     was asked; details {@code key}, {@code violation} and, when boxed, {@code offence} and {@code ban}
     */
    public Decision record(RelayRequest request, String violation) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(violation, "violation");
        try {
            return recordUnguarded(request, violation);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            LOG.warn("penalty box {}: counting a violation failed", name, t);
            return Decision.builder(Verdict.NO_OPINION, name, "violation (" + violation + ") not counted: "
                    + shortText(t)).error(t).build();
        }
    }

    private Decision recordUnguarded(RelayRequest request, String violation) {
        if (exemption != null && exemption.test(request)) {
            return Decision.noOpinion(name, "violation (" + violation + ") not counted: " + exempt.reason());
        }
        Object k = key.keyOf(request);
        RelayRequest asConnect = request.stage() == Stage.CONNECT ? request
                : RelayRequest.builder(Stage.CONNECT).client(request.clientAddress()).build();
        Decision counted = counter.decide(asConnect);
        if (counted.verdict() == Verdict.NO_OPINION) {
            boolean failed = counted.details().containsKey("store");
            String why = failed ? "violation (" + violation + ") by " + k + " not counted: " + counted.reason()
                    : "violation (" + violation + ") by " + k + " counted: " + counted.details().get("tokensLeft")
                            + " more within " + after.period() + " box it";
            return Decision.builder(Verdict.NO_OPINION, name, why).child(counted).detail("key", k)
                    .detail("violation", violation).build();
        }
        if (counted.error().isPresent()) {
            return Decision.builder(Verdict.NO_OPINION, name, "violation (" + violation + ") by " + k
                    + " not counted: the counter failed").child(counted).detail("key", k)
                    .detail("violation", violation).build();
        }
        return box(k, violation, counted);
    }

    private Decision box(Object k, String violation, Decision counted) {
        String what = "violation (" + violation + ") by " + k + ": more than " + after.count() + " per "
                + after.period();
        try {
            for (int round = 0; round < MAX_ROUNDS; round++) {
                long now = nowMillis();
                PenaltyRecord cur = store.get(k);
                if (cur != null && cur.bannedAt(now)) {
                    return note(what + "; already boxed (offence " + cur.offences() + ", "
                            + roundUp(cur.bannedUntilMillis() - now) + " left)", counted, k, violation, cur, null);
                }
                int n = cur != null && cur.rememberedAt(now) ? (cur.offences() == Integer.MAX_VALUE
                        ? Integer.MAX_VALUE : cur.offences() + 1) : 1;
                long ban = banWithJitter(n);
                long until = saturatedAdd(now, ban);
                PenaltyRecord update = new PenaltyRecord(n, until, saturatedAdd(until, forgetMillis));
                if (store.compareAndSet(k, cur, update)) {
                    if (storeDown.get()) {
                        up();
                    }
                    LOG.info("penalty box {}: {} boxed for {} (offence {}, {})", name, k, Duration.ofMillis(ban), n,
                            violation);
                    return note(what + "; boxed for " + roundUp(ban) + " (offence " + n + ")", counted, k, violation,
                            update, Duration.ofMillis(ban));
                }
            }
            return note(what + "; not boxed: the record kept changing", counted, k, violation, null, null);
        } catch (PenaltyStoreFullException e) {
            return Decision.builder(Verdict.NO_OPINION, name, what + "; not boxed: " + e.getMessage()).child(counted)
                    .detail("key", k).detail("violation", violation).detail("store", "full").build();
        } catch (RuntimeException e) {
            down(e);
            return Decision.builder(Verdict.NO_OPINION, name, what + "; not boxed: penalty store unavailable: "
                    + shortText(e)).child(counted).detail("key", k).detail("violation", violation)
                    .detail("store", "failed").error(e).build();
        }
    }

    private Decision note(String reason, Decision counted, Object k, String violation, PenaltyRecord rec,
            Duration ban) {
        Decision.Builder b = Decision.builder(Verdict.NO_OPINION, name, reason).child(counted).detail("key", k)
                .detail("violation", violation);
        if (rec != null) {
            b.detail("offence", rec.offences());
        }
        if (ban != null) {
            b.detail("ban", ban);
        }
        return b.build();
    }

    private void down(Throwable e) {
        if (storeDown.compareAndSet(false, true)) {
            LOG.warn("penalty box {}: penalty store {} unavailable ({}); the box has no opinion until it returns",
                    name, store.description(), shortText(e));
        }
    }

    private void up() {
        if (storeDown.compareAndSet(true, false)) {
            LOG.info("penalty box {}: penalty store {} available again", name, store.description());
        }
    }

    /**
     * The record of {@code client}'s key now, for operators and tests.
     *
     * @param client a client address
     * @return its record, or empty if it has none
     * @throws RuntimeException if the store fails
     */
    public Optional<PenaltyRecord> find(InetAddress client) {
        return Optional.ofNullable(store.get(key.keyOf(RelayRequest.builder(Stage.CONNECT).client(client).build())));
    }

    /**
     * A rule that puts this box in front of {@code inner}: a boxed client is refused without asking {@code inner};
     * otherwise {@code inner} decides, and a refusal that {@code counted} classifies as a violation is
     * {@linkplain #record recorded}. The decision is a composite named {@code name} that passes on the box's refusal
     * or {@code inner}'s decision; its children are the box's answer, {@code inner}'s decision and, after a
     * violation, the box's note of it.
     *
     * @param name the rule's name
     * @param inner the decider the box guards
     * @param counted which refusals of {@code inner} are violations
     * @return the rule; immutable and thread-safe if {@code inner} is; never throws
     * @throws IllegalArgumentException if {@code name} is blank or is this box's name
     */
    public Rule around(String name, RelayDecider inner, ViolationFilter counted) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(inner, "inner");
        Objects.requireNonNull(counted, "counted");
        if (name.isBlank()) {
            throw new IllegalArgumentException("rule name must not be blank");
        }
        if (name.equals(this.name)) {
            throw new IllegalArgumentException("the guarded rule needs a name other than the box's, '" + name + "'");
        }
        Rule r = inner instanceof Rule ? (Rule) inner : Rules.named(name + "-inner", inner);
        return new Around(name, this, r, counted);
    }

    private static final class Around extends GuardedRule {
        private final String name;
        private final PenaltyBox box;
        private final Rule inner;
        private final ViolationFilter counted;

        Around(String name, PenaltyBox box, Rule inner, ViolationFilter counted) {
            this.name = name;
            this.box = box;
            this.inner = inner;
            this.counted = counted;
        }

        @Override
        protected Decision decideUnguarded(RelayRequest request) {
            Decision b = box.decide(request);
            if (b.verdict() != Verdict.NO_OPINION) {
                return Decision.composite(name, b, List.of(b));
            }
            Decision d = inner.decide(request);
            if (d.verdict() == Verdict.DENY || d.verdict() == Verdict.DEFER) {
                String v = counted.violation(request, d);
                if (v != null) {
                    return Decision.composite(name, d, List.of(b, d, box.record(request, v)));
                }
            }
            return Decision.composite(name, d, List.of(b, d));
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<Rule> members() {
            return List.of(box, inner);
        }

        @Override
        public String describe() {
            return name + ": " + box.describe() + ", in front of\n" + inner.describe().indent(2).stripTrailing();
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /** Milliseconds as ISO-8601, rounded up to seconds ({@code PT9M58S}). */
    static String roundUp(long millis) {
        if (millis <= 0) {
            return Duration.ZERO.toString();
        }
        return Duration.ofSeconds(millis / 1000 + (millis % 1000 == 0 ? 0 : 1)).toString();
    }

    private static String shortText(Throwable e) {
        String s = String.valueOf(e);
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    /**
     * Builds a {@link PenaltyBox}. Not thread-safe. Bad values fail at once with a message naming them.
     */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private Rate after = Rate.of(5, Duration.ofMinutes(10));
        private Duration ban = Duration.ofMinutes(10);
        private double factor = 2;
        private Duration max = Duration.ofDays(1);
        private Duration forget;
        private double jitter = 0.1;
        private int ipv6Prefix = LimitKeys.DEFAULT_IPV6_PREFIX_LENGTH;
        private long maxKeys = RateLimit.DEFAULT_MAX_KEYS;
        private Condition exemption;
        private PenaltyStore store;
        private LimitStore limitStore;
        private RelayClock clock = RelayClock.system();
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

        private Builder() {
        }

        /**
         * @param name the rule's name in decisions (default {@code penalty-box}); also names the counter
         *     ({@code <name>-violations}) in the limit store
         * @return this builder
         * @throws IllegalArgumentException if blank or containing whitespace
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("penalty box name must be non-blank without whitespace: '" + name
                        + "'");
            }
            this.name = name;
            return this;
        }

        /**
         * @param rate the violations a client may commit (per its bucket); the one that finds the bucket empty
         *     boxes it. Default {@code 5/10m}.
         * @return this builder
         */
        public Builder after(Rate rate) {
            this.after = Objects.requireNonNull(rate, "rate");
            return this;
        }

        /**
         * @param ban the first ban, at least one second; default 10 minutes
         * @return this builder
         * @throws IllegalArgumentException if shorter than one second
         */
        public Builder ban(Duration ban) {
            this.ban = atLeastASecond(ban, "ban");
            return this;
        }

        /**
         * @param factor how much longer each repeat ban is, 1 (constant) to 100; default 2
         * @return this builder
         * @throws IllegalArgumentException if outside 1..100 or not a number
         */
        public Builder factor(double factor) {
            if (!(factor >= 1 && factor <= 100)) {
                throw new IllegalArgumentException("factor must be from 1 to 100, was " + factor);
            }
            this.factor = factor;
            return this;
        }

        /**
         * @param max the longest ban, jitter included, at least the first ban (checked by {@link #build()}); default
         *     1 day
         * @return this builder
         * @throws IllegalArgumentException if shorter than one second
         */
        public Builder max(Duration max) {
            this.max = atLeastASecond(max, "max");
            return this;
        }

        /**
         * @param forget how long after a ban ends the offence count is remembered (and the record kept), at least
         *     one second; default the {@link #max} ban
         * @return this builder
         * @throws IllegalArgumentException if shorter than one second
         */
        public Builder forget(Duration forget) {
            this.forget = atLeastASecond(forget, "forget");
            return this;
        }

        /**
         * @param fraction the most random extra a ban gets, as a fraction of it, 0 to 1; default 0.1 (10%)
         * @return this builder
         * @throws IllegalArgumentException if outside 0..1
         */
        public Builder jitter(double fraction) {
            if (!(fraction >= 0 && fraction <= 1)) {
                throw new IllegalArgumentException("jitter must be from 0 to 1, was " + fraction);
            }
            this.jitter = fraction;
            return this;
        }

        /**
         * @param prefixLength the prefix an IPv6 client is counted and boxed by, 1 to 128; default 64
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder ipv6PrefixLength(int prefixLength) {
            if (prefixLength < 1 || prefixLength > 128) {
                throw new IllegalArgumentException("IPv6 prefix length must be 1..128, was " + prefixLength);
            }
            this.ipv6Prefix = prefixLength;
            return this;
        }

        /**
         * @param maxKeys the most clients a local store keeps records and violation counts for; default
         *     {@value RateLimit#DEFAULT_MAX_KEYS}. A hard bound that evicts nothing: beyond it new clients are
         *     not counted or boxed.
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxKeys(long maxKeys) {
            if (maxKeys <= 0) {
                throw new IllegalArgumentException("maxKeys must be positive, was " + maxKeys);
            }
            this.maxKeys = maxKeys;
            return this;
        }

        /**
         * @param condition clients never boxed or counted (for example exempt networks); adds to earlier ones
         * @return this builder
         */
        public Builder exempt(Condition condition) {
            Objects.requireNonNull(condition, "condition");
            this.exemption = exemption == null ? condition : Conditions.anyOf(exemption, condition);
            return this;
        }

        /**
         * @param store where the ban records live; default a new {@link PenaltyStore#local(RelayClock)} on the
         *     box's clock. Give a store that outlives the box to keep bans across reloads.
         * @return this builder
         */
        public Builder store(PenaltyStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * @param store where violations are counted; default a new local store on the box's clock. Give the rate
         *     limits' store to share the counts (and their circuit breaker) between servers and across reloads.
         * @return this builder
         */
        public Builder violationStore(LimitStore store) {
            this.limitStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * @param clock the clock bans are measured by (and the default stores'); default {@link RelayClock#system()}
         * @return this builder
         */
        public Builder clock(RelayClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param random the source of the jitter, values in [0, 1); must be thread-safe; default
         *     {@code ThreadLocalRandom}. Tests pass a constant.
         * @return this builder
         */
        public Builder random(DoubleSupplier random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        private static Duration atLeastASecond(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException(what + " must be at least 1s, was " + d);
            }
            return d;
        }

        /**
         * @return the box
         * @throws IllegalArgumentException if {@code max} is shorter than {@code ban}
         */
        public PenaltyBox build() {
            if (max.compareTo(ban) < 0) {
                throw new IllegalArgumentException("max (" + max + ") must not be shorter than ban (" + ban + ")");
            }
            Builder copy = new Builder();
            copy.name = name;
            copy.after = after;
            copy.ban = ban;
            copy.factor = factor;
            copy.max = max;
            copy.forget = forget;
            copy.jitter = jitter;
            copy.ipv6Prefix = ipv6Prefix;
            copy.maxKeys = maxKeys;
            copy.clock = clock;
            copy.random = random;
            copy.store = store == null ? PenaltyStore.local(clock) : store;
            if (copy.store instanceof LocalPenaltyStore) {
                ((LocalPenaltyStore) copy.store).bound(maxKeys);
            }
            RateLimit.Builder c = RateLimit.builder(name + "-violations").key(LimitKeys.clientAddress(32, ipv6Prefix))
                    .counting(Counted.CONNECTIONS).rate(after).maxKeys(maxKeys).onStoreFailure(FailureMode.NO_OPINION);
            if (limitStore != null) {
                c.store(limitStore);
            } else {
                c.clock(clock);
            }
            return new PenaltyBox(copy, c.build(), exemption, new AtomicBoolean());
        }
    }
}
