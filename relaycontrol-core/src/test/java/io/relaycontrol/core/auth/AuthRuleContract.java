package io.relaycontrol.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.rules.Rule;
import io.relaycontrol.testkit.RelayDeciderContract;
import org.junit.jupiter.api.Test;

/**
 * The house contract ({@link RelayDeciderContract}: never null, named, explainable, same answers under concurrent
 * calls) plus what every rule of the auth package adds: every decision carries the rule's own name, a
 * {@code null} request becomes a temporary refusal (451 4.3.0) instead of an exception, and {@code describe()}
 * names the rule.
 */
abstract class AuthRuleContract extends RelayDeciderContract {

    /** @return the rule under test */
    abstract Rule rule();

    @Override
    protected final RelayDecider decider() {
        return rule();
    }

    @Test
    void decideWhenAnyRequestThenDecisionCarriesTheRuleName() {
        Rule rule = rule();
        for (RelayRequest r : requests()) {
            assertThat(rule.decide(r).rule()).as("rule of the decision for %s", r).isEqualTo(rule.name());
        }
    }

    @Test
    void decideWhenRequestIsNullThenTemporaryFailureNotException() {
        Decision d = rule().decide(null);
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.reply()).contains(SmtpReply.TEMPORARY_FAILURE);
        assertThat(d.error()).isPresent();
    }

    @Test
    void describeWhenBuiltThenNamesTheRule() {
        assertThat(rule().describe()).contains(rule().name());
    }
}
