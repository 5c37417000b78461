package io.relaycontrol.testkit;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;

/**
 * Entry point of the policy test kit: {@code assertThat(policy).refuses(request).withReply(554, "5.7.1")}.
 *
 * <p>Ships in relaycontrol-core's test-jar (Maven {@code <type>test-jar</type>}, test scope); needs AssertJ on
 * the test classpath. Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class PolicyAssertions {

    private PolicyAssertions() {
    }

    /**
     * @param decider a rule or policy
     * @return assertions on it
     */
    public static DeciderAssert assertThat(RelayDecider decider) {
        return new DeciderAssert(decider);
    }

    /**
     * @param decision a decision
     * @return assertions on it
     */
    public static DecisionAssert assertThat(Decision decision) {
        return new DecisionAssert(decision);
    }
}
