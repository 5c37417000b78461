package io.relaycontrol.core.config;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.core.address.AddressConditions;
import io.relaycontrol.core.address.AddressRules;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.auth.AuthenticatedRelayRule;
import io.relaycontrol.core.auth.NullSenderRules;
import io.relaycontrol.core.auth.SenderLoginMap;
import io.relaycontrol.core.auth.SenderLoginRule;
import io.relaycontrol.core.auth.TrustedNetworksRule;
import io.relaycontrol.core.dns.DnsListRule;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.core.limit.RateLimit;
import io.relaycontrol.core.net.NetworkRules;
import io.relaycontrol.core.net.NetworkSet;
import io.relaycontrol.core.penalty.PenaltyBox;
import io.relaycontrol.core.penalty.ViolationFilter;
import io.relaycontrol.core.penalty.Violations;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Conditions;
import io.relaycontrol.core.rules.DescribedCondition;
import io.relaycontrol.core.rules.GuardedRule;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rule;
import io.relaycontrol.core.rules.Rules;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The standard relay policy: what Postfix ships, in Java. First decisive rule wins, in this order:
 * <ol>
 * <li>{@code blocked-networks}: clients in the blocked networks are refused (554 5.7.1), at connect and at
 *     every later stage. Then, when DNS lists are configured ({@link Builder#dnsLists}), {@code dns-lists}:
 *     a client or sender they list is refused (554 5.7.1) at RCPT, even for a local domain (Postfix's usual
 *     placement); the lookups start at CONNECT. Trusted and authenticated clients are never looked up, and an
 *     allow list's verdict only ends the DNS question: it never grants relay. When a penalty box is configured
 *     ({@link Builder#penaltyBox}), it is asked right after {@code blocked-networks}: a boxed client is refused
 *     (421 4.7.0 at CONNECT, 554 5.7.1 later) before any DNS lookup; see "Penalty box" below.</li>
 * <li>{@code recipient-syntax}, {@code sender-syntax}, {@code multi-recipient-bounce}: malformed or routed
 *     recipients ({@code user%host@}, {@code host!user@}, source routes, {@code @} in a quoted local part),
 *     malformed senders and multi-recipient bounces from clients that are neither trusted nor authenticated
 *     are refused.</li>
 * <li>{@code sender-login}: an authenticated client may only use the senders its login owns (553 5.7.1 at MAIL);
 *     and (unless switched off) an untrusted unauthenticated client may not use a sender of a local domain.
 *     Without a sender login map only the second part applies, and the policy check warns.</li>
 * <li>Rate limits, in the order given: deferred (451 4.7.1) when exceeded. By default a limit is charged only
 *     for a request that steps 5 to 7 allow (each allowing rule is combined with the limits in an all-of),
 *     so refused attempts spend nothing; {@link Builder#chargeRefusedAttempts(boolean)} charges every attempt
 *     instead, with the limits as a step of their own.</li>
 * <li>{@code no-recipient-yet}: at CONNECT, HELO and MAIL, a request that nothing above refused is allowed:
 *     there is nothing to relay yet. At DATA likewise (each recipient was decided at RCPT).</li>
 * <li>{@code postmaster}, {@code local-domains}, {@code relay-domains}: the domain-less {@code <Postmaster>}
 *     (RFC 5321 4.1.1.3, 4.5.1) and recipients in the local or relay domains are allowed, for anyone. A routed or
 *     malformed recipient is never in a domain list, and {@code <Postmaster>} is in none.</li>
 * <li>{@code trusted-networks}: clients in the trusted networks are allowed.</li>
 * <li>{@code authenticated-relay}: authenticated clients are allowed (by default only over TLS).</li>
 * <li>Everything else: refused, {@code 554 5.7.1 Relay access denied}. There is no path to an implicit accept.</li>
 * </ol>
 *
 * <h2>Penalty box</h2>
 * With {@link Builder#penaltyBox(PenaltyBox, Set)} the policy counts a client's violations (the {@link Violation}s
 * chosen, by default all four) and the box refuses a client that commits too many, for a ban that grows per repeat
 * offence (see {@link PenaltyBox}). A refusal counts when the rule that decided it ({@link Decision#decisive()}) is:
 * {@link Violation#RELAY} the default of step 8 ({@code default}, 554 5.7.1 relay access denied);
 * {@link Violation#SENDER_LOGIN} {@code sender-login} (a DENY); {@link Violation#RATE_LIMIT} one of the rate limits,
 * deferring because its bucket is empty (not because its store failed or is full); {@link Violation#DNS_LIST} the
 * DNS step's DENY (a DEFER because every list failed does not count). Nothing else counts: malformed or routed
 * addresses and multi-recipient bounces (broken clients send them, and they cannot relay anyway), blocked networks
 * (already refused everywhere), rules that failed. Trusted clients are never counted or boxed. The violation's
 * note (counted, or boxed for how long) is added as the last child of the refusal, so {@code explain()} shows it.
 *
 * <p>Build it in code with {@link #builder()} or from properties with {@link #fromProperties(Map, Path)} (keys in
 * {@link RelayProperties}). Immutable and thread-safe; never throws from {@link #decide}.
 *
 * @since 0.1.0
 */
public final class StandardRelayPolicy implements Rule {

    /** The reply for blocked clients. */
    public static final SmtpReply BLOCKED_REPLY =
            SmtpReply.of(554, "5.7.1", "Access denied: your network is blocked");

    private final Policy policy;
    private final Builder settings;
    private final List<Rule> rules;
    /** The penalty box with the trusted networks exempt, or null. */
    private final PenaltyBox box;
    /** Which refusals are violations, or null without a box. */
    private final ViolationFilter violations;

    /**
     * What the penalty box counts; see the class documentation for which refusal is which.
     *
     * @since 0.2.0
     */
    public enum Violation {
        /** A relay attempt refused by the policy's default ({@code 554 5.7.1 Relay access denied}). */
        RELAY("relay"),
        /** A sender the client may not use, refused by {@code sender-login}. */
        SENDER_LOGIN("sender-login"),
        /** A rate limit whose bucket is empty. */
        RATE_LIMIT("rate-limit"),
        /** A DNS-list hit refused by the DNS step. */
        DNS_LIST("dns-list");

        private final String label;

        Violation(String label) {
            this.label = label;
        }

        /** @return the name in configuration ({@code relay.penalty.count}) and in the box's notes */
        public String label() {
            return label;
        }

        /**
         * @param label a {@link #label()}
         * @return the violation with that label, if any
         */
        public static Optional<Violation> byLabel(String label) {
            for (Violation v : values()) {
                if (v.label.equals(label)) {
                    return Optional.of(v);
                }
            }
            return Optional.empty();
        }
    }

    private StandardRelayPolicy(Builder b) {
        this.settings = b;
        Condition trusted = NetworkRules.clientIn("client in trusted networks", b.trustedNetworks);
        Condition privileged = new Privileged(trusted.or(Conditions.authenticated()), b.trustedNetworks, false);

        List<Rule> r = new ArrayList<>();
        r.add(NetworkRules.denyClientsIn("blocked-networks", b.blockedNetworks, BLOCKED_REPLY));
        this.box = b.penaltyBox == null ? null : b.penaltyBox.exempting(trusted);
        if (box != null) {
            r.add(box);
        }
        Condition unprivileged = new Privileged(Conditions.not(privileged), b.trustedNetworks, true);
        if (b.dnsLists != null) {
            r.add(new DnsStep(b.dnsLists, privileged));
        }
        r.add(Rules.when(unprivileged).then(AddressRules.refuseMalformedOrRouted("recipient-syntax")));
        r.add(Rules.when(unprivileged).then(AddressRules.refuseMalformedSender("sender-syntax")));
        r.add(Rules.when(unprivileged).then(NullSenderRules.multiRecipientBounce()));
        // Without a map nobody owns any sender: only the local-sender protection of unauthenticated clients is
        // checked, and the policy check warns that a login may send as anyone (sender-not-bound-to-login).
        SenderLoginRule.Builder senderLogin = SenderLoginRule.builder(b.senderLogins)
                .checkAuthenticatedSenders(b.senderLoginsSet);
        if (b.protectLocalSenders) {
            senderLogin.protectLocalSenders(b.localDomains, trusted);
        }
        Rule senderLoginRule = senderLogin.build();
        r.add(senderLoginRule);
        this.violations = box == null ? null : violations(b, senderLoginRule.name());
        List<Rule> allows = List.of(
                Rules.when(Conditions.stage(Stage.CONNECT, Stage.HELO, Stage.MAIL, Stage.DATA))
                        .allow("no-recipient-yet"),
                Rules.when(AddressConditions.recipientPostmaster()).allow("postmaster"),
                Rules.when(AddressConditions.recipientDomainIn(b.localDomains)).allow("local-domains"),
                Rules.when(AddressConditions.recipientDomainIn(b.relayDomains)).allow("relay-domains"),
                TrustedNetworksRule.of(trusted),
                AuthenticatedRelayRule.builder().requireTls(b.requireTlsForAuth).build());
        List<Rule> steps = new ArrayList<>(r);
        steps.addAll(b.limits);
        steps.addAll(allows);
        this.rules = List.copyOf(steps);
        if (b.limits.isEmpty() || b.chargeRefusedAttempts) {
            r.addAll(b.limits);
            r.addAll(allows);
        } else {
            // Each allowing rule is asked first and the limits only when it allows (Rules.checkedAllow), so a
            // request that is refused spends no token, and one over its limit is deferred.
            RelayDecider[] limits = b.limits.toArray(new RelayDecider[0]);
            for (Rule allow : allows) {
                r.add(Rules.checkedAllow(allow.name() + "-limited", allow, limits));
            }
        }
        Policy.Builder pb = Policy.builder(b.name);
        r.forEach(pb::rule);
        this.policy = pb.otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build();
    }

    /**
     * "Client in trusted networks or authenticated" ({@code negated}: its negation), with the description of the
     * composed condition it replaces, tested directly: the composed condition answers the same but through a chain of
     * predicates ({@code not} over {@code anyOf} over two conditions, each a lambda), and every RCPT asks it or its
     * negation four times. The trusted networks are asked first, as the composed condition does, so that a failing
     * lookup fails the same way.
     */
    private static final class Privileged extends DescribedCondition {
        private final NetworkSet trustedNetworks;
        private final boolean negated;

        Privileged(Condition composed, NetworkSet trustedNetworks, boolean negated) {
            super(composed.description());
            this.trustedNetworks = trustedNetworks;
            this.negated = negated;
        }

        @Override
        public boolean test(RelayRequest request) {
            return negated != (trustedNetworks.contains(request.clientAddress()) || request.isAuthenticated());
        }
    }

    private static ViolationFilter violations(Builder b, String senderLogin) {
        List<ViolationFilter> fs = new ArrayList<>();
        if (b.penaltyCounts.contains(Violation.RELAY)) {
            fs.add(Violations.decidedBy(Violation.RELAY.label(), io.relaycontrol.api.Verdict.DENY, "default"));
        }
        if (b.penaltyCounts.contains(Violation.SENDER_LOGIN)) {
            fs.add(Violations.decidedBy(Violation.SENDER_LOGIN.label(), io.relaycontrol.api.Verdict.DENY, senderLogin));
        }
        if (b.penaltyCounts.contains(Violation.RATE_LIMIT) && !b.limits.isEmpty()) {
            List<String> names = new ArrayList<>();
            b.limits.forEach(l -> names.add(l.name()));
            fs.add(Violations.rateLimited(Violation.RATE_LIMIT.label(), names));
        }
        if (b.penaltyCounts.contains(Violation.DNS_LIST) && b.dnsLists != null) {
            fs.add(Violations.decidedBy(Violation.DNS_LIST.label(), io.relaycontrol.api.Verdict.DENY,
                    b.dnsLists.name()));
        }
        return Violations.firstOf(fs);
    }

    /**
     * The rules of the eight steps, unwrapped, in step order: for policy checks and documentation. The
     * {@link #policy()} asks exactly these, but (unless refused attempts are charged) combines each allowing
     * rule with the rate limits.
     *
     * @return the rules; unmodifiable
     */
    public List<Rule> rules() {
        return rules;
    }

    /** @return a builder with safe defaults: empty lists, TLS required for authenticated relay, no limits */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds the standard policy from {@code relay.*} keys; see {@link RelayProperties} for the keys.
     *
     * @param keys the keys (only {@code relay.*} keys; others are errors)
     * @param baseDir the directory that relative {@code file:} paths are resolved against
     * @return the policy
     * @throws ConfigException naming the key, file and line of the first problem, or listing the policy
     *     check's errors
     */
    public static StandardRelayPolicy fromProperties(Map<String, String> keys, Path baseDir) {
        return RelayProperties.parse(keys, baseDir).policy();
    }

    /**
     * The {@link ReloadingRelayPolicy.Loader} for the standard policy: parses the keys, runs the policy check,
     * and wraps the policy in a {@link MonitoredPolicy} (audit log, metrics, dry run) as configured.
     *
     * @param metrics counters every loaded version records into, so that they survive reloads
     * @return the loader
     */
    public static ReloadingRelayPolicy.Loader loader(PolicyMetrics metrics) {
        return loader(metrics, RelayMetricsSink.NONE, LimitStore.local());
    }

    /**
     * As {@link #loader(PolicyMetrics)}, also telling {@code sink} of every decision.
     *
     * @param metrics counters every loaded version records into, so that they survive reloads
     * @param sink told of every decision of every loaded version
     * @return the loader
     * @since 0.2.0
     */
    public static ReloadingRelayPolicy.Loader loader(PolicyMetrics metrics, RelayMetricsSink sink) {
        return loader(metrics, sink,
                LimitStore.local(io.relaycontrol.api.RelayClock.system(), sink::limitStoreFull));
    }

    /**
     * The {@link ReloadingRelayPolicy.Loader} for the standard policy, with the rate limits' buckets in
     * {@code limitStore}, which outlives every policy the loader builds: a reload that keeps a limit (by name)
     * keeps its buckets, one that changes its rates migrates them (what was spent still counts), and one that
     * removes a limit drops its buckets ({@link LimitStore#retainLimits}).
     *
     * @param metrics counters every loaded version records into, so that they survive reloads
     * @param limitStore where the limits' buckets live, e.g. {@link LimitStore#local()}
     * @return the loader
     * @since 0.2.0
     */
    public static ReloadingRelayPolicy.Loader loader(PolicyMetrics metrics, LimitStore limitStore) {
        return loader(metrics, RelayMetricsSink.NONE, limitStore);
    }

    /**
     * The standard loader with a metrics sink and a limit store (see {@link #loader(PolicyMetrics, LimitStore)}).
     *
     * @param metrics counters every loaded version records into, so that they survive reloads
     * @param sink told of every decision of every loaded version
     * @param limitStore where the limits' buckets live
     * @return the loader
     * @since 0.2.0
     */
    public static ReloadingRelayPolicy.Loader loader(PolicyMetrics metrics, RelayMetricsSink sink,
            LimitStore limitStore) {
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(limitStore, "limitStore");
        return loader(metrics, sink, limitStore, io.relaycontrol.core.dns.DnsListCache.create());
    }

    /**
     * As {@link #loader(PolicyMetrics, RelayMetricsSink, LimitStore)}, with the DNS lists' answers in
     * {@code dnsCache}, which outlives every policy the loader builds (the other loaders create one of their own):
     * a reload keeps the cached answers of every zone it still asks (filters and weights apply when deciding), drops
     * those of zones it no longer asks, applies a changed {@code relay.dns.cache-size}, and drops everything when
     * {@code relay.dns.servers} changed. A reload that fails changes nothing.
     *
     * @param metrics counters every loaded version records into, so that they survive reloads
     * @param sink told of every decision of every loaded version
     * @param limitStore where the limits' buckets live
     * @param dnsCache where the DNS lists' answers live
     * @return the loader
     * @since 0.2.0
     */
    public static ReloadingRelayPolicy.Loader loader(PolicyMetrics metrics, RelayMetricsSink sink,
            LimitStore limitStore, io.relaycontrol.core.dns.DnsListCache dnsCache) {
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(limitStore, "limitStore");
        Objects.requireNonNull(dnsCache, "dnsCache");
        PenaltyKeys.Stores penalties = new PenaltyKeys.Stores(sink); // bans outlive every reload of this loader
        return (keys, baseDir) -> {
            RelayProperties props = RelayProperties.parse(keys, baseDir, limitStore, penalties, dnsCache);
            List<String> names = new ArrayList<>();
            for (RateLimit l : props.policy().limits()) {
                names.add(l.name());
            }
            props.policy().penaltyBox().ifPresent(p -> names.add(p.counterName()));
            limitStore.retainLimits(names);
            DnsKeys.retain(dnsCache, keys, props.policy());
            return new ReloadingRelayPolicy.Loaded(props.monitored(metrics, sink), props.sources());
        };
    }

    /**
     * The standard loader on the store that {@code relay.limit.store} names, owned by {@code stores}: each load
     * takes the current store or a new one, and a new one becomes current only if the load succeeds.
     */
    static ReloadingRelayPolicy.Loader loader(PolicyMetrics metrics, RelayMetricsSink sink,
            ConfiguredLimitStore stores) {
        io.relaycontrol.core.dns.DnsListCache dnsCache = io.relaycontrol.core.dns.DnsListCache.create();
        return (keys, baseDir) -> {
            ConfiguredLimitStore.Candidate c = stores.prepare(keys);
            RelayProperties props;
            try {
                props = RelayProperties.parseWithConfiguredStore(keys, baseDir, c.store(), stores.penalties(),
                        dnsCache);
            } catch (RuntimeException e) {
                stores.abandon(c);
                throw e;
            }
            List<String> names = new ArrayList<>();
            for (RateLimit l : props.policy().limits()) {
                names.add(l.name());
            }
            props.policy().penaltyBox().ifPresent(p -> names.add(p.counterName()));
            stores.commit(c);
            c.store().retainLimits(names);
            DnsKeys.retain(dnsCache, keys, props.policy());
            return new ReloadingRelayPolicy.Loaded(props.monitored(metrics, sink), props.sources());
        };
    }

    @Override
    public Decision decide(RelayRequest request) {
        Decision d = policy.decide(request);
        if (box == null || d.verdict() == io.relaycontrol.api.Verdict.ALLOW
                || d.verdict() == io.relaycontrol.api.Verdict.NO_OPINION) {
            return d;
        }
        String v = violations.violation(request, d);
        if (v == null || d.decisiveChild().isEmpty()) {
            return d;
        }
        // the policy's own decision, with the box's note of the violation as its last child
        List<Decision> children = new ArrayList<>(d.children().size() + 1);
        children.addAll(d.children());
        children.add(box.record(request, v));
        return Decision.composite(d.rule(), d.decisiveChild().get(), children);
    }

    @Override
    public String name() {
        return policy.name();
    }

    /** @return the underlying policy: the rules in the order they are asked */
    public Policy policy() {
        return policy;
    }

    /** @return the local domains */
    public DomainSet localDomains() {
        return settings.localDomains;
    }

    /** @return the relay domains */
    public DomainSet relayDomains() {
        return settings.relayDomains;
    }

    /** @return the trusted networks */
    public NetworkSet trustedNetworks() {
        return settings.trustedNetworks;
    }

    /** @return the blocked networks */
    public NetworkSet blockedNetworks() {
        return settings.blockedNetworks;
    }

    /** @return the sender login map */
    public SenderLoginMap senderLogins() {
        return settings.senderLogins;
    }

    /** @return whether a sender login map was configured (without one, a login may send as anyone) */
    public boolean hasSenderLogins() {
        return settings.senderLoginsSet;
    }

    /** @return whether authenticated relay requires TLS */
    public boolean requiresTlsForAuth() {
        return settings.requireTlsForAuth;
    }

    /** @return the DNS list rule, if DNS lists are configured */
    public Optional<DnsListRule> dnsLists() {
        return Optional.ofNullable(settings.dnsLists);
    }

    /**
     * @return the penalty box (with the trusted networks exempt), if one is configured
     * @since 0.2.0
     */
    public Optional<PenaltyBox> penaltyBox() {
        return Optional.ofNullable(box);
    }

    /**
     * @return what the penalty box counts (empty without a box)
     * @since 0.2.0
     */
    public Set<Violation> penaltyCounts() {
        return box == null ? Set.of() : Set.copyOf(settings.penaltyCounts);
    }

    /** @return the rate limits in the order they are asked */
    public List<RateLimit> limits() {
        return List.copyOf(settings.limits);
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("standard relay policy '").append(policy.name()).append("'\n");
        sb.append("  local domains: ").append(summary(settings.localDomains.size(), settings.localSource)).append('\n');
        sb.append("  relay domains: ").append(summary(settings.relayDomains.size(), settings.relaySource)).append('\n');
        sb.append("  trusted networks: ").append(summary(settings.trustedNetworks.size(), settings.trustedSource))
                .append('\n');
        sb.append("  blocked networks: ").append(summary(settings.blockedNetworks.size(), settings.blockedSource))
                .append('\n');
        sb.append("  sender logins: ").append(settings.senderLogins.size()).append(" logins")
                .append(settings.protectLocalSenders ? ", local senders protected" : "").append('\n');
        sb.append("  authenticated relay: ").append(settings.requireTlsForAuth ? "TLS required" : "TLS optional")
                .append('\n');
        if (settings.dnsLists != null) {
            sb.append("  DNS lists: ").append(settings.dnsLists.lists().size()).append(", threshold ")
                    .append(settings.dnsLists.threshold()).append('\n');
        }
        sb.append("  rate limits: ").append(settings.limits.isEmpty() ? "none" : settings.limits.size()).append('\n');
        if (box != null) {
            sb.append("  penalty box: counts ").append(settings.penaltyCounts).append("; ").append(box.describe())
                    .append('\n');
        }
        sb.append(policy.describe().indent(2).stripTrailing());
        return sb.toString();
    }

    private static String summary(int size, String source) {
        return size + (size == 1 ? " entry" : " entries") + (source == null ? "" : " from " + source);
    }

    @Override
    public String toString() {
        return "StandardRelayPolicy{" + policy.name() + "}";
    }

    /**
     * The DNS step: trusted and authenticated clients are not looked up, and the rule's allow (an allow list
     * brought the score low) becomes "no opinion", so that it can never grant relay.
     */
    private static final class DnsStep extends GuardedRule {
        private final DnsListRule dns;
        private final Condition privileged;
        private final Decision exempt;

        DnsStep(DnsListRule dns, Condition privileged) {
            this.dns = dns;
            this.privileged = privileged;
            this.exempt = Decision.noOpinion(dns.name(), "trusted or authenticated client: not looked up");
        }

        @Override
        public String name() {
            return dns.name();
        }

        @Override
        public String describe() {
            return dns.describe();
        }

        @Override
        protected Decision decideUnguarded(RelayRequest request) {
            if (privileged.test(request)) {
                return exempt;
            }
            Decision d = dns.decide(request);
            if (d.verdict() != io.relaycontrol.api.Verdict.ALLOW) {
                return d;
            }
            return Decision.builder(io.relaycontrol.api.Verdict.NO_OPINION, dns.name(),
                    d.reason() + "; passes the DNS step (an allow list grants no relay)").child(d).build();
        }
    }

    /**
     * Builds a {@link StandardRelayPolicy}. Not thread-safe; {@link #build()} copies nothing mutable (the sets
     * and rules given are immutable), so a built policy never changes.
     */
    public static final class Builder {
        private String name = "standard-relay";
        private DomainSet localDomains = DomainSet.empty();
        private DomainSet relayDomains = DomainSet.empty();
        private NetworkSet trustedNetworks = NetworkSet.empty();
        private NetworkSet blockedNetworks = NetworkSet.empty();
        private SenderLoginMap senderLogins = SenderLoginMap.parse(List.of(), "none");
        private boolean senderLoginsSet;
        private boolean chargeRefusedAttempts;
        private boolean protectLocalSenders = true;
        private boolean requireTlsForAuth = true;
        private final List<RateLimit> limits = new ArrayList<>();
        private DnsListRule dnsLists;
        private PenaltyBox penaltyBox;
        private Set<Violation> penaltyCounts = EnumSet.allOf(Violation.class);
        private String localSource;
        private String relaySource;
        private String trustedSource;
        private String blockedSource;

        private Builder() {
        }

        /**
         * @param name the policy's name in decisions (default {@code standard-relay})
         * @return this builder
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("policy name must not be blank");
            }
            this.name = name;
            return this;
        }

        /**
         * @param domains domains we accept mail for from anyone, and deliver
         * @return this builder
         */
        public Builder localDomains(DomainSet domains) {
            this.localDomains = Objects.requireNonNull(domains, "domains");
            return this;
        }

        /**
         * @param domains domains we accept mail for from anyone, and forward (e.g. as a backup MX)
         * @return this builder
         */
        public Builder relayDomains(DomainSet domains) {
            this.relayDomains = Objects.requireNonNull(domains, "domains");
            return this;
        }

        /**
         * @param networks clients that may relay without authenticating
         * @return this builder
         */
        public Builder trustedNetworks(NetworkSet networks) {
            this.trustedNetworks = Objects.requireNonNull(networks, "networks");
            return this;
        }

        /**
         * @param networks clients refused at every stage
         * @return this builder
         */
        public Builder blockedNetworks(NetworkSet networks) {
            this.blockedNetworks = Objects.requireNonNull(networks, "networks");
            return this;
        }

        /**
         * @param map which senders each login owns
         * @return this builder
         */
        public Builder senderLogins(SenderLoginMap map) {
            this.senderLogins = Objects.requireNonNull(map, "map");
            this.senderLoginsSet = true;
            return this;
        }

        /**
         * @param enabled refuse senders of the local domains from untrusted, unauthenticated clients (default on)
         * @return this builder
         */
        public Builder protectLocalSenders(boolean enabled) {
            this.protectLocalSenders = enabled;
            return this;
        }

        /**
         * @param required whether authenticated relay needs TLS (default {@code true})
         * @return this builder
         */
        public Builder requireTlsForAuth(boolean required) {
            this.requireTlsForAuth = required;
            return this;
        }

        /**
         * Whether requests that the policy refuses are charged to the rate limits. By default ({@code false})
         * a limit is charged only when a rule of steps 5 to 7 allows the request: a refused relay attempt
         * spends nothing and keeps its 554, and an allowed request over its limit is deferred. With
         * {@code true} the limits are asked as a step of their own before the relay decision, as Postfix's
         * anvil counts every attempt: a client over its limit is deferred whatever it asks.
         *
         * @param charge whether refused attempts are charged
         * @return this builder
         */
        public Builder chargeRefusedAttempts(boolean charge) {
            this.chargeRefusedAttempts = charge;
            return this;
        }

        /**
         * Adds a rate limit, asked after the sender check and before the relay decision.
         *
         * @param limit the limit
         * @return this builder
         */
        public Builder limit(RateLimit limit) {
            limits.add(Objects.requireNonNull(limit, "limit"));
            return this;
        }

        /**
         * Adds the DNS list step after {@code blocked-networks}: clients (or senders, HELO names) that the lists
         * score at or above the threshold are refused at RCPT, even for local domains. Trusted and authenticated
         * clients are not looked up; an allow list's verdict grants no relay.
         *
         * @param rule the DNS lists
         * @return this builder
         * @since 0.2.0
         */
        public Builder dnsLists(DnsListRule rule) {
            this.dnsLists = Objects.requireNonNull(rule, "rule");
            return this;
        }

        /**
         * Adds a penalty box that counts every {@link Violation}; see {@link #penaltyBox(PenaltyBox, Set)}.
         *
         * @param box the box
         * @return this builder
         * @since 0.2.0
         */
        public Builder penaltyBox(PenaltyBox box) {
            return penaltyBox(box, EnumSet.allOf(Violation.class));
        }

        /**
         * Adds a penalty box after {@code blocked-networks}: it refuses boxed clients at every stage, and the policy
         * tells it of each refusal of the kinds in {@code counted} (see the class documentation). The trusted
         * networks are exempt from it.
         *
         * @param box the box; give it stores that outlive the policy to keep bans across reloads
         * @param counted the violations counted, at least one
         * @return this builder
         * @throws IllegalArgumentException if {@code counted} is empty
         * @since 0.2.0
         */
        public Builder penaltyBox(PenaltyBox box, Set<Violation> counted) {
            Objects.requireNonNull(box, "box");
            Objects.requireNonNull(counted, "counted");
            if (counted.isEmpty()) {
                throw new IllegalArgumentException("a penalty box must count at least one violation");
            }
            this.penaltyBox = box;
            this.penaltyCounts = EnumSet.copyOf(counted);
            return this;
        }

        Builder sources(String local, String relay, String trusted, String blocked) {
            this.localSource = local;
            this.relaySource = relay;
            this.trustedSource = trusted;
            this.blockedSource = blocked;
            return this;
        }

        /** @return the policy */
        public StandardRelayPolicy build() {
            Builder copy = new Builder();
            copy.name = name;
            copy.localDomains = localDomains;
            copy.relayDomains = relayDomains;
            copy.trustedNetworks = trustedNetworks;
            copy.blockedNetworks = blockedNetworks;
            copy.senderLogins = senderLogins;
            copy.senderLoginsSet = senderLoginsSet;
            copy.chargeRefusedAttempts = chargeRefusedAttempts;
            copy.protectLocalSenders = protectLocalSenders;
            copy.requireTlsForAuth = requireTlsForAuth;
            copy.limits.addAll(limits);
            copy.dnsLists = dnsLists;
            copy.penaltyBox = penaltyBox;
            copy.penaltyCounts = EnumSet.copyOf(penaltyCounts);
            copy.sources(localSource, relaySource, trustedSource, blockedSource);
            return new StandardRelayPolicy(copy);
        }
    }
}
