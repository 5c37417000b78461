package io.relaycontrol.core.rules;

import static io.relaycontrol.testkit.PolicyAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.testkit.Requests;
import org.junit.jupiter.api.Test;

/** The test kit's assertions fail, with the explanation, when the policy does something else. */
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
}
