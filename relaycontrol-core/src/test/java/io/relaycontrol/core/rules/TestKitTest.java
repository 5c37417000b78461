package io.relaycontrol.core.rules;

import static io.relaycontrol.testkit.PolicyAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.testkit.ManualClock;
import io.relaycontrol.testkit.Requests;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The test kit's assertions fail, with the explanation, when the policy does something else; each one is shown to. */
class TestKitTest {

    static final Policy POLICY = PolicyTest.policy();
    static final RelayRequest STRANGER = PolicyTest.STRANGER;

    @Test
    void assertionsWhenExpectationMatchesThenPass() {
        assertThat(POLICY).refuses(STRANGER).withReply(554, "5.7.1").decidedBy("default")
                .withReasonContaining("no rule allowed");
        assertThat(POLICY).allows(PolicyTest.ALICE).decidedBy("authenticated");
    }

    @Test
    void assertionsWhenExpectationIsWrongThenFailWithTheExplanation() {
        assertThatThrownBy(() -> assertThat(POLICY).allows(STRANGER))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected verdict ALLOW but was DENY")
                .hasMessageContaining("NO_OPINION by authenticated");
        assertThatThrownBy(() -> assertThat(POLICY).refuses(STRANGER).withReply(451, "4.7.1"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("expected reply 451 4.7.1");
        assertThatThrownBy(() -> assertThat(POLICY).refuses(PolicyTest.ALICE))
                .isInstanceOf(AssertionError.class).hasMessageContaining("expected a refusal");
        assertThatThrownBy(() -> assertThat(POLICY).denies(STRANGER).decidedBy("authenticated"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("made by rule 'authenticated'");
        assertThatThrownBy(() -> assertThat(POLICY).hasNoOpinionOn(STRANGER)).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> assertThat((io.relaycontrol.api.RelayDecider) r -> null)
                .decides(Requests.connect("192.0.2.1").build()))
                .isInstanceOf(AssertionError.class).hasMessageContaining("returned null");
    }

    /** A policy as 0.1 users wrote it, refusing at every stage: what acceptsStrangersBeforeRecipient must catch. */
    static Policy refusingAtTheBanner() {
        return Policy.builder("relay")
                .rule(Rules.when(Conditions.authenticated()).allow("authenticated"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .otherwiseBeforeRecipient(Decision.deny("default", "no rule allowed this request",
                        SmtpReply.RELAY_ACCESS_DENIED))
                .build();
    }

    @Test
    void acceptsStrangersBeforeRecipientWhenPolicyUsesTheStageAwareDefaultThenPasses() {
        assertThat(POLICY).acceptsStrangersBeforeRecipient();
        assertThat(POLICY).acceptsStrangersBeforeRecipient("203.0.113.7", "<a@example.org>");
    }

    @Test
    void acceptsStrangersBeforeRecipientWhenPolicyRefusesAtTheBannerThenFailsNamingEveryStage() {
        assertThatThrownBy(() -> assertThat(refusingAtTheBanner()).acceptsStrangersBeforeRecipient())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("5 of 5 requests were refused")
                .hasMessageContaining("CONNECT").hasMessageContaining("HELO").hasMessageContaining("MAIL")
                .hasMessageContaining("DATA").hasMessageContaining("DENY [554 5.7.1 Relay access denied] by relay");
        Policy refusesOnlyNullSender = Policy.builder("relay")
                .rule(Rules.when(io.relaycontrol.core.rules.Condition.of("null sender",
                        r -> r.sender().map(a -> a.isNullPath()).orElse(false)))
                        .defer("no-bounces", SmtpReply.of(450, "4.7.1", "later")))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build();
        assertThatThrownBy(() -> assertThat(refusesOnlyNullSender).acceptsStrangersBeforeRecipient())
                .isInstanceOf(AssertionError.class).hasMessageContaining("1 of 5 requests were refused")
                .hasMessageContaining("from=<>");
    }

    @Test
    void decidedByWhenGivenThePolicyNameThenFailsBecauseOnlyTheDecidingLeafMatches() {
        assertThatThrownBy(() -> assertThat(POLICY).allows(PolicyTest.ALICE).decidedBy("relay"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("made by rule 'relay'")
                .hasMessageContaining("it was 'authenticated'");
        Rule nested = Rules.firstDecisive("outer", Rules.anyOf("inner",
                Rules.deny("first", "first refusal", SmtpReply.of(550, "5.7.1", "first")),
                Rules.deny("second", "second refusal", SmtpReply.RELAY_ACCESS_DENIED)));
        assertThat(nested).denies(STRANGER).decidedBy("first").withReply(550, "5.7.1");
        assertThatThrownBy(() -> assertThat(nested).denies(STRANGER).decidedBy("second"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("[outer, inner, first]");
        assertThatThrownBy(() -> assertThat(nested).denies(STRANGER).decidedBy("inner"))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void decidedByPathWhenTheChainDiffersThenFails() {
        assertThat(POLICY).allows(PolicyTest.ALICE).decidedByPath("relay", "authenticated");
        assertThatThrownBy(() -> assertThat(POLICY).allows(PolicyTest.ALICE).decidedByPath("authenticated"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected the decision path [authenticated] but it was [relay, authenticated]");
        assertThatThrownBy(() -> assertThat(POLICY).denies(STRANGER).decidedByPath("relay", "authenticated"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("[relay, default]");
    }

    @Test
    void eachAssertionWhenTheDecisionDiffersThenFails() {
        Decision deny = POLICY.decide(STRANGER);
        assertThatThrownBy(() -> assertThat(deny).hasVerdict(Verdict.ALLOW)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected verdict ALLOW but was DENY");
        assertThatThrownBy(() -> assertThat(deny).withReply(554, "5.7.2")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected reply 554 5.7.2");
        assertThatThrownBy(() -> assertThat(deny).withReply(SmtpReply.of(554, "5.7.1", "other text")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("other text");
        assertThatThrownBy(() -> assertThat(deny).withReasonContaining("allowed by"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("expected the reason to contain 'allowed by'");
        assertThatThrownBy(() -> assertThat(deny).explainContains("ALLOW by")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected explain() to contain 'ALLOW by'");
        assertThatThrownBy(() -> assertThat(POLICY).denies(PolicyTest.ALICE)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected verdict DENY but was ALLOW");
        assertThatThrownBy(() -> assertThat(POLICY).defers(STRANGER)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected verdict DEFER but was DENY");
        assertThatThrownBy(() -> assertThat(Rules.allow("a", "x")).hasNoOpinionOn(STRANGER))
                .isInstanceOf(AssertionError.class).hasMessageContaining("expected verdict NO_OPINION but was ALLOW");
        assertThatThrownBy(() -> assertThat((Decision) null).hasVerdict(Verdict.DENY))
                .isInstanceOf(AssertionError.class);
        // and each passes when right
        assertThat(deny).hasVerdict(Verdict.DENY).withReply(SmtpReply.RELAY_ACCESS_DENIED)
                .withReasonContaining("no rule allowed").explainContains("NO_OPINION by authenticated");
        assertThat(Rules.defer("t", "later", SmtpReply.of(450, "4.7.1", "later"))).defers(STRANGER)
                .withReply(450, "4.7.1").decidedBy("t");
    }

    @Test
    void manualClockWhenAdvancedThenMovesOnlyForwardByExactlyThatMuch() {
        ManualClock clock = new ManualClock();
        long start = clock.epochNanos();
        org.assertj.core.api.Assertions.assertThat(start).isEqualTo(ManualClock.DEFAULT_START_NANOS);
        clock.advance(Duration.ofMinutes(1));
        org.assertj.core.api.Assertions.assertThat(clock.epochNanos() - start).isEqualTo(60_000_000_000L);
        clock.stepBack(Duration.ofSeconds(30));
        org.assertj.core.api.Assertions.assertThat(clock.epochNanos() - start).isEqualTo(30_000_000_000L);
        assertThatThrownBy(() -> clock.advance(Duration.ofNanos(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> clock.stepBack(Duration.ofNanos(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
