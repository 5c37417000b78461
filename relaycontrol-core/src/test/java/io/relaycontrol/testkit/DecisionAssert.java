package io.relaycontrol.testkit;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
     * Asserts which rule decided: the {@linkplain Decision#decisive() deciding leaf}, found by following the links
     * that composite decisions record, is named {@code rule}. The policy's or a combinator's own name does not
     * match (since 0.2.0; before, {@code decidedBy("my-policy")} passed whichever rule decided); use
     * {@link #decidedByPath(String...)} to assert the chain.
     *
     * @param rule the expected rule name
     * @return this
     */
    public DecisionAssert decidedBy(String rule) {
        isNotNull();
        String leaf = actual.decisive().rule();
        if (!leaf.equals(rule)) {
            failWithMessage("expected the decision to be made by rule '%s' but it was '%s' (path %s):%n%s", rule,
                    leaf, path(actual), actual.explain());
        }
        return this;
    }

    /**
     * Asserts the whole chain of rules that passed the answer on, from the top decision down to the deciding leaf
     * ({@link Decision#decisivePath()}): {@code decidedByPath("relay", "local-domains-limited", "local-domains")}.
     *
     * @param rules the expected rule names, top first, leaf last
     * @return this
     * @since 0.2.0
     */
    public DecisionAssert decidedByPath(String... rules) {
        isNotNull();
        List<String> expected = Arrays.asList(rules);
        List<String> seen = path(actual);
        if (!seen.equals(expected)) {
            failWithMessage("expected the decision path %s but it was %s:%n%s", expected, seen, actual.explain());
        }
        return this;
    }

    private static List<String> path(Decision d) {
        List<String> names = new ArrayList<>();
        for (Decision x : d.decisivePath()) {
            names.add(x.rule());
        }
        return names;
    }

    /**
     * Asserts that the decision's reason (which is the deciding rule's reason: a composite passes its member's on)
     * contains {@code text}.
     *
     * @param text the expected fragment
     * @return this
     */
    public DecisionAssert withReasonContaining(String text) {
        isNotNull();
        if (!actual.reason().contains(text)) {
            failWithMessage("expected the reason to contain '%s' but it was '%s':%n%s", text, actual.reason(),
                    actual.explain());
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
