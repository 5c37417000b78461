package io.relaycontrol.core.audit;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.address.EnvelopeAddress;
import io.relaycontrol.core.config.MonitoredPolicy;
import io.relaycontrol.core.config.ReloadingRelayPolicy;
import io.relaycontrol.core.config.StandardRelayPolicy;
import io.relaycontrol.core.rules.Rule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The open-relay self-audit, in-process: asks a {@link RelayDecider} every probe of an {@link AuditPlan} (nmap's
 * and Metasploit's 16 forms, the MAPS relay test and relaycontrol's own tricks, built from the policy's domains)
 * in every client context (strangers, each trusted network, authenticated with and without TLS, a blocked
 * client), stage by stage as a server would ask: a recipient probe is first asked at MAIL with its sender and
 * only when that is not refused at RCPT; DATA likewise after MAIL. The MAIL answer for one sender in one context
 * is asked once and reused for every probe with that sender there (the request is the same). The {@link AuditReport} lists what was
 * wrongly allowed and wrongly refused, each with the decision's {@code explain()}.
 *
 * <pre>{@code
 * AuditReport report = RelayAudit.of(standardPolicy).run();
 * if (!report.passed()) {
 *     System.err.println(report.describe());
 * }
 * }</pre>
 *
 * <p>A decider that throws or returns null is recorded as a temporary failure (as {@code Rules} would turn it
 * into 451), so the audit itself never throws for a broken decider. Rate limits in the audited policy are charged
 * like real traffic: audit a copy built from the same configuration, not the one serving mail.
 *
 * <p>Immutable and thread-safe when the decider is; {@link #run()} may be called repeatedly.
 *
 * @since 0.2.0
 */
public final class RelayAudit {

    private final RelayDecider decider;
    private final AuditPlan plan;
    private final String target;

    private RelayAudit(RelayDecider decider, AuditPlan plan, String target) {
        this.decider = decider;
        this.plan = plan;
        this.target = target;
    }

    /**
     * Audits a standard policy with the plan derived from it ({@link AuditPlan#from(StandardRelayPolicy)}).
     *
     * @param policy the policy
     * @return the audit
     * @throws NullPointerException if policy is null
     */
    public static RelayAudit of(StandardRelayPolicy policy) {
        return new RelayAudit(policy, AuditPlan.from(policy), policy.name());
    }

    /**
     * Audits any decider with the given plan.
     *
     * @param decider the decider (a rule, a policy, an adapter to another server's policy)
     * @param plan the probes and contexts, e.g. {@code AuditPlan.builder().localDomains(...).build()}
     * @return the audit
     * @throws NullPointerException if an argument is null
     */
    public static RelayAudit of(RelayDecider decider, AuditPlan plan) {
        Objects.requireNonNull(decider, "decider");
        Objects.requireNonNull(plan, "plan");
        return new RelayAudit(decider, plan, nameOf(decider));
    }

    /**
     * The plan for a decider when one can be derived: a {@link StandardRelayPolicy}, or a
     * {@link ReloadingRelayPolicy} or {@link MonitoredPolicy} currently running one (the audit then asks the
     * wrapper, so a dry-run policy is audited as it answers).
     *
     * @param decider the decider
     * @return the audit
     * @throws NullPointerException if decider is null
     * @throws IllegalArgumentException if no plan can be derived from this decider (give one with
     *     {@link #of(RelayDecider, AuditPlan)})
     */
    public static RelayAudit derivedFor(RelayDecider decider) {
        Objects.requireNonNull(decider, "decider");
        if (decider instanceof StandardRelayPolicy) {
            return of((StandardRelayPolicy) decider);
        }
        RelayDecider inner = decider;
        for (int depth = 0; depth < 4; depth++) {
            if (inner instanceof ReloadingRelayPolicy) {
                inner = ((ReloadingRelayPolicy) inner).current();
            } else if (inner instanceof MonitoredPolicy) {
                inner = ((MonitoredPolicy) inner).active();
            }
        }
        if (inner instanceof StandardRelayPolicy) {
            return new RelayAudit(decider, AuditPlan.from((StandardRelayPolicy) inner), nameOf(decider));
        }
        throw new IllegalArgumentException("cannot derive the local domains and networks of " + nameOf(decider)
                + " (" + decider.getClass().getName() + "): give a plan with RelayAudit.of(decider, "
                + "AuditPlan.builder().localDomains(...).build())");
    }

    private static String nameOf(RelayDecider decider) {
        return decider instanceof Rule ? ((Rule) decider).name() : decider.getClass().getSimpleName();
    }

    /** @return the plan */
    public AuditPlan plan() {
        return plan;
    }

    /**
     * Asks every probe in every context.
     *
     * @return the report
     */
    public AuditReport run() {
        List<AuditProbe> probes = plan.probes();
        // each address is parsed once per audit, not once per context and stage
        Map<String, EnvelopeAddress> parsed = new HashMap<>();
        List<AuditResult> results = new ArrayList<>(probes.size() * plan.contexts().size());
        for (AuditContext context : plan.contexts()) {
            // a transaction's MAIL request depends only on the context and the sender: asked once per sender
            Map<String, Decision> mailDecisions = new HashMap<>();
            for (AuditProbe probe : probes) {
                results.add(ask(probe, context, parsed, mailDecisions));
            }
        }
        return AuditReport.of(target, results);
    }

    private AuditResult ask(AuditProbe probe, AuditContext context, Map<String, EnvelopeAddress> parsed,
            Map<String, Decision> mailDecisions) {
        Expectation expected = AuditPlan.expectation(probe, context);
        Stage stage = probe.stage();
        if (stage == Stage.CONNECT || stage == Stage.HELO) {
            return new AuditResult(probe, context, expected, stage, decide(request(stage, probe, context, parsed)));
        }
        String sender = probe.senderIn(context);
        Decision mail = mailDecisions.get(sender);
        if (mail == null) {
            mail = decide(request(Stage.MAIL, probe, context, parsed));
            mailDecisions.put(sender, mail);
        }
        if (stage == Stage.MAIL || mail.verdict().isRefusal()) {
            return new AuditResult(probe, context, expected, Stage.MAIL, mail);
        }
        return new AuditResult(probe, context, expected, stage, decide(request(stage, probe, context, parsed)));
    }

    private static RelayRequest request(Stage stage, AuditProbe probe, AuditContext context,
            Map<String, EnvelopeAddress> parsed) {
        RelayRequest.Builder b = RelayRequest.builder(stage).client(context.client()).tls(context.tls());
        context.login().ifPresent(b::authenticated);
        if (stage != Stage.CONNECT) {
            b.helo(context.helo());
        }
        if (stage == Stage.MAIL || stage == Stage.RCPT || stage == Stage.DATA) {
            b.sender(parsed.computeIfAbsent(probe.senderIn(context), s -> EnvelopeAddress.parse("<" + s + ">")));
        }
        if (stage == Stage.RCPT) {
            b.recipient(parsed.computeIfAbsent(probe.recipient(), r -> EnvelopeAddress.parse("<" + r + ">")))
                    .recipientCount(1);
        } else if (stage == Stage.DATA) {
            b.recipientCount(1);
        }
        return b.build();
    }

    private Decision decide(RelayRequest request) {
        try {
            Decision d = decider.decide(request);
            return d != null ? d : Decision.failed("audit",
                    new NullPointerException("the decider returned null for " + request));
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError) {
                throw e;
            }
            return Decision.failed("audit", e);
        }
    }

    @Override
    public String toString() {
        return "RelayAudit{" + target + ", " + plan.probes().size() + " probes x " + plan.contexts().size()
                + " contexts}";
    }
}
