package io.relaycontrol.testkit;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import org.assertj.core.api.AbstractAssert;

/**
 * Fluent assertions on one {@link Decision}. Failure messages include the decision's {@code explain()} tree.
 * Not thread-safe (one per assertion).
 *
 * @since 0.1.0
 */
public final class DecisionAssert extends AbstractAssert<DecisionAssert, Decision> {

    DecisionAssert(Decision actual) {
        super(actual, DecisionAssert.class);
    }

    /**
     * @param verdict the expected verdict
     * @return this
     */
    public DecisionAssert hasVerdict(Verdict verdict) {
        isNotNull();
        if (actual.verdict() != verdict) {
            failWithMessage("expected verdict %s but was %s:%n%s", verdict, actual.verdict(), actual.explain());
        }
        return this;
    }

    /**
     * Asserts the reply code and enhanced status.
     *
     * @param code the expected reply code, e.g. 554
     * @param enhancedStatus the expected enhanced status, e.g. "5.7.1"
     * @return this
     */
    public DecisionAssert withReply(int code, String enhancedStatus) {
        isNotNull();
        SmtpReply reply = actual.reply().orElse(null);
        if (reply == null || reply.code() != code || !reply.status().toString().equals(enhancedStatus)) {
            failWithMessage("expected reply %d %s but was %s:%n%s", code, enhancedStatus, reply, actual.explain());
        }
        return this;
    }

    /**
     * @param expected the exact reply
     * @return this
     */
    public DecisionAssert withReply(SmtpReply expected) {
        isNotNull();
        if (!actual.reply().map(expected::equals).orElse(false)) {
            failWithMessage("expected reply %s but was %s:%n%s", expected, actual.reply().orElse(null),
                    actual.explain());
        }
        return this;
    }

    /**
     * Asserts which rule decided: the {@linkplain Decision#decisive() innermost decision} with this verdict, or
     * the top decision itself, is named {@code rule}.
     *
     * @param rule the expected rule name
     * @return this
     */
    public DecisionAssert decidedBy(String rule) {
        isNotNull();
        if (!actual.rule().equals(rule) && !actual.decisive().rule().equals(rule)) {
            failWithMessage("expected the decision to be made by rule '%s' but it was '%s':%n%s", rule,
                    actual.decisive().rule(), actual.explain());
        }
        return this;
    }

    /**
     * Asserts that the reason of the deciding rule (or of the top decision) contains {@code text}.
     *
     * @param text the expected fragment
     * @return this
     */
    public DecisionAssert withReasonContaining(String text) {
        isNotNull();
        if (!actual.reason().contains(text) && !actual.decisive().reason().contains(text)) {
            failWithMessage("expected the reason to contain '%s':%n%s", text, actual.explain());
        }
        return this;
    }

    /**
     * Asserts that the decision's {@code explain()} contains {@code text}.
     *
     * @param text the expected fragment
     * @return this
     */
    public DecisionAssert explainContains(String text) {
        isNotNull();
        if (!actual.explain().contains(text)) {
            failWithMessage("expected explain() to contain '%s':%n%s", text, actual.explain());
        }
        return this;
    }
}
