package io.relaycontrol.testkit;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Verdict;
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

    private DecisionAssert decide(RelayRequest request) {
        isNotNull();
        Decision d = actual.decide(request);
        if (d == null) {
            failWithMessage("decider returned null for %s", request);
        }
        return new DecisionAssert(d);
    }
}
