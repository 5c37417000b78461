package io.relaycontrol.core.config;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.api.address.EnvelopeAddress;
import io.relaycontrol.core.rules.Rule;
import io.relaycontrol.core.rules.Rules;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Makes a policy's behaviour visible and safe to change: an audit log, metrics, a dry-run mode and a shadow
 * policy, around any {@link RelayDecider}.
 *
 * <ul>
 * <li><b>Audit log</b>: every refusal and deferral (and, if {@link Builder#auditAllDecisions(boolean)}, every
 *     decision) is logged once through SLF4J on the logger {@value #AUDIT_LOGGER}, at INFO, as structured
 *     key-values (SLF4J 2 fluent API): {@code verdict, reply, rule, reason, stage, client, identity, sender,
 *     recipient}. Grep {@code verdict=DENY} for unauthorised relay attempts. The library ships no binding.</li>
 * <li><b>Metrics</b>: {@link PolicyMetrics} counts decisions per deciding rule and verdict.</li>
 * <li><b>Dry run</b>: refusals are logged (with {@code dryRun=true}) and counted, then replaced by an ALLOW
 *     whose child is the refusal. <em>A relay policy in dry run is an open relay while it lasts</em>; prefer a
 *     shadow policy to try out changes.</li>
 * <li><b>Shadow</b>: a candidate policy decides every request beside the active one; where the verdict or
 *     reply differ, the difference is logged on {@value #SHADOW_LOGGER} and counted. The candidate never
 *     affects the answer, and its failures are contained.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe if the wrapped deciders are; never throws from {@link #decide}.
 *
 * @since 0.1.0
 */
public final class MonitoredPolicy implements Rule {

    /** The audit logger's name. */
    public static final String AUDIT_LOGGER = "io.relaycontrol.audit";
    /** The logger for shadow-policy differences. */
    public static final String SHADOW_LOGGER = "io.relaycontrol.shadow";

    private static final Logger AUDIT = LoggerFactory.getLogger(AUDIT_LOGGER);
    private static final Logger SHADOW = LoggerFactory.getLogger(SHADOW_LOGGER);

    private final String name;
    private final Rule active;
    private final Rule shadow;
    private final boolean dryRun;
    private final boolean auditAll;
    private final PolicyMetrics metrics;
    private final List<Consumer<Decision>> listeners;
    private final RelayMetricsSink sink;

    private MonitoredPolicy(Builder b) {
        this.active = b.active;
        this.name = active.name();
        this.shadow = b.shadow;
        this.dryRun = b.dryRun;
        this.auditAll = b.auditAll;
        this.metrics = b.metrics;
        this.listeners = List.copyOf(b.listeners);
        this.sink = b.sink;
    }

    /**
     * @param active the policy whose decisions are enforced (unless in dry run)
     * @return a builder (not thread-safe)
     */
    public static Builder builder(RelayDecider active) {
        return new Builder(active);
    }

    @Override
    public Decision decide(RelayRequest request) {
        Decision d = Rules.decideSafely(name, active, request);
        if (shadow != null) {
            compareWithShadow(request, d);
        }
        Decision result = d;
        if (dryRun && d.verdict().isRefusal()) {
            metrics.recordDryRunOverride();
            result = Decision.builder(Verdict.ALLOW, name, "dry run: not enforcing " + d.verdict() + " "
                    + d.reply().map(SmtpReply::toString).orElse("") + " by " + d.decisive().rule()).child(d).build();
        }
        metrics.record(d);
        if (d.verdict().isRefusal() || auditAll) {
            audit(request, d);
        }
        for (Consumer<Decision> l : listeners) {
            try {
                l.accept(d);
            } catch (RuntimeException e) {
                AUDIT.warn("decision listener failed", e);
            }
        }
        try {
            sink.decision(request, d);
        } catch (RuntimeException e) {
            AUDIT.warn("metrics sink failed", e);
        }
        return result;
    }

    private void compareWithShadow(RelayRequest request, Decision d) {
        Decision s = Rules.decideSafely(shadow.name(), shadow, request);
        if (s.verdict() != d.verdict() || !s.reply().equals(d.reply())) {
            metrics.recordShadowDifference();
            if (SHADOW.isInfoEnabled()) {
                LoggingEventBuilder e = SHADOW.atInfo().setMessage("shadow policy differs");
                keyValues(e, request);
                e.addKeyValue("active", d.verdict() + " " + d.decisive().rule())
                        .addKeyValue("shadow", s.verdict() + " " + s.decisive().rule())
                        .addKeyValue("shadowReply", s.reply().map(SmtpReply::toString).orElse("-"))
                        .log();
            }
        }
    }

    private void audit(RelayRequest request, Decision d) {
        if (!AUDIT.isInfoEnabled()) {
            return;
        }
        Decision leaf = d.decisive();
        LoggingEventBuilder e = AUDIT.atInfo()
                .setMessage(d.verdict().isRefusal() ? "relay refused" : "relay decision")
                .addKeyValue("verdict", d.verdict())
                .addKeyValue("reply", d.reply().map(SmtpReply::toString).orElse("-"))
                .addKeyValue("rule", leaf.rule())
                .addKeyValue("reason", leaf.reason());
        keyValues(e, request);
        if (dryRun && d.verdict().isRefusal()) {
            e.addKeyValue("dryRun", true);
        }
        leaf.error().ifPresent(e::setCause);
        e.log();
    }

    private static void keyValues(LoggingEventBuilder e, RelayRequest r) {
        e.addKeyValue("stage", r.stage())
                .addKeyValue("client", r.clientAddress().getHostAddress())
                .addKeyValue("identity", r.authenticatedIdentity().orElse("-"))
                .addKeyValue("sender", r.sender().map(MonitoredPolicy::address).orElse("-"))
                .addKeyValue("recipient", r.recipient().map(MonitoredPolicy::address).orElse("-"));
    }

    private static String address(EnvelopeAddress a) {
        // The raw form is what the client sent; control characters are escaped so a log line stays one line.
        String raw = a.isInvalid() ? a.raw() : "<" + (a.isNullPath() ? "" : a.canonical()) + ">";
        StringBuilder sb = new StringBuilder(Math.min(raw.length(), 320));
        for (int i = 0; i < raw.length() && i < 300; i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (raw.length() > 300) {
            sb.append("...(").append(raw.length()).append(" chars)");
        }
        return sb.toString();
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the counters */
    public PolicyMetrics metrics() {
        return metrics;
    }

    /** @return whether refusals are only logged, not enforced */
    public boolean isDryRun() {
        return dryRun;
    }

    /** @return the shadow policy, if any */
    public Optional<Rule> shadow() {
        return Optional.ofNullable(shadow);
    }

    /** @return the active policy */
    public Rule active() {
        return active;
    }

    @Override
    public String describe() {
        String head = (dryRun ? "DRY RUN (refusals not enforced) " : "") + active.describe();
        return shadow == null ? head : head + "\nshadow candidate:\n" + shadow.describe().indent(2).stripTrailing();
    }

    /** Builds a {@link MonitoredPolicy}. Not thread-safe. */
    public static final class Builder {
        private final Rule active;
        private Rule shadow;
        private boolean dryRun;
        private boolean auditAll;
        private PolicyMetrics metrics = new PolicyMetrics();
        private final List<Consumer<Decision>> listeners = new ArrayList<>();
        private RelayMetricsSink sink = RelayMetricsSink.NONE;

        private Builder(RelayDecider active) {
            Objects.requireNonNull(active, "active");
            this.active = active instanceof Rule ? (Rule) active : Rules.named("policy", active);
        }

        /**
         * @param candidate a policy to run beside the active one and compare
         * @return this builder
         */
        public Builder shadow(RelayDecider candidate) {
            Objects.requireNonNull(candidate, "candidate");
            this.shadow = candidate instanceof Rule ? (Rule) candidate : Rules.named("shadow", candidate);
            return this;
        }

        /**
         * @param enabled log and count refusals but do not enforce them
         * @return this builder
         */
        public Builder dryRun(boolean enabled) {
            this.dryRun = enabled;
            return this;
        }

        /**
         * @param enabled log allows too, not only refusals
         * @return this builder
         */
        public Builder auditAllDecisions(boolean enabled) {
            this.auditAll = enabled;
            return this;
        }

        /**
         * @param metrics counters to record into (e.g. shared across reloads)
         * @return this builder
         */
        public Builder metrics(PolicyMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * @param listener called with every active decision (before dry-run replacement); exceptions are logged
         * @return this builder
         */
        public Builder listener(Consumer<Decision> listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * @param sink told of every active decision with its request (before dry-run replacement); a sink that
         *     throws is logged. Default {@link RelayMetricsSink#NONE}
         * @return this builder
         * @since 0.2.0
         */
        public Builder metricsSink(RelayMetricsSink sink) {
            this.sink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** @return the monitored policy */
        public MonitoredPolicy build() {
            return new MonitoredPolicy(this);
        }
    }
}
