package io.relaycontrol.testkit;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.audit.AuditPlan;
import io.relaycontrol.core.audit.RelayAudit;
import org.assertj.core.api.AbstractAssert;

/**
 * Fluent assertions on a {@link RelayDecider} (a rule or a whole policy): each method decides the request and
 * returns a {@link DecisionAssert} on the result. Not thread-safe (one per assertion).
 *
 * @since 0.1.0
 */
public final class DeciderAssert extends AbstractAssert<DeciderAssert, RelayDecider> {

    DeciderAssert(RelayDecider actual) {
        super(actual, DeciderAssert.class);
    }

    /**
     * @param request the request
     * @return assertions on a decision that must be ALLOW
     */
    public DecisionAssert allows(RelayRequest request) {
        return decide(request).hasVerdict(Verdict.ALLOW);
    }

    /**
     * @param request the request
     * @return assertions on a decision that must be DENY (5xx)
     */
    public DecisionAssert denies(RelayRequest request) {
        return decide(request).hasVerdict(Verdict.DENY);
    }

    /**
     * @param request the request
     * @return assertions on a decision that must be DEFER (4xx)
     */
    public DecisionAssert defers(RelayRequest request) {
        return decide(request).hasVerdict(Verdict.DEFER);
    }

    /**
     * @param request the request
     * @return assertions on a decision that must be DENY or DEFER
     */
    public DecisionAssert refuses(RelayRequest request) {
        DecisionAssert a = decide(request);
        Decision d = a.actual();
        if (!d.verdict().isRefusal()) {
            failWithMessage("expected a refusal (DENY or DEFER) but was %s:%n%s", d.verdict(), d.explain());
        }
        return a;
    }

    /**
     * @param request the request
     * @return assertions on a decision that must be NO_OPINION
     */
    public DecisionAssert hasNoOpinionOn(RelayRequest request) {
        return decide(request).hasVerdict(Verdict.NO_OPINION);
    }

    /**
     * @param request the request
     * @return assertions on whatever the decider decides
     */
    public DecisionAssert decides(RelayRequest request) {
        return decide(request);
    }

    /**
     * Runs the open-relay self-audit with the plan derived from the decider (a {@code StandardRelayPolicy}, or a
     * reloading or monitored policy running one) and fails with the report unless nothing was wrongly allowed
     * and nothing wrongly refused.
     *
     * @return this
     * @throws IllegalArgumentException if no plan can be derived from this decider (use
     *     {@link #passesRelayAudit(AuditPlan)})
     * @since 0.2.0
     */
    public DeciderAssert passesRelayAudit() {
        isNotNull();
        RelayAuditAssert.assertThat(RelayAudit.derivedFor(actual)).passes();
        return this;
    }

    /**
     * Runs the open-relay self-audit with the given plan and fails with the report unless nothing was wrongly
     * allowed and nothing wrongly refused.
     *
     * @param plan the probes and contexts, e.g. {@code AuditPlan.builder().localDomains(...).build()}
     * @return this
     * @since 0.2.0
     */
    public DeciderAssert passesRelayAudit(AuditPlan plan) {
        isNotNull();
        RelayAuditAssert.assertThat(RelayAudit.of(actual, plan)).passes();
        return this;
    }

    private DecisionAssert decide(RelayRequest request) {
        isNotNull();
        Decision d = actual.decide(request);
        if (d == null) {
            failWithMessage("decider returned null for %s", request);
        }
        return new DecisionAssert(d);
    }
}
