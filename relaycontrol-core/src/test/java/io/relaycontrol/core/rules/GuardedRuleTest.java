package io.relaycontrol.core.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class GuardedRuleTest {

    static GuardedRule rule(Function<RelayRequest, Decision> body) {
        return new GuardedRule() {
            @Override
            protected Decision decideUnguarded(RelayRequest request) {
                return body.apply(request);
            }

            @Override
            public String name() {
                return "guarded";
            }
        };
    }

    @Test
    void decideWhenBodyDecidesThenItsDecision() {
        Decision allow = Decision.allow("guarded", "fine");
        assertThat(rule(r -> allow).decide(RulesTest.REQUEST)).isSameAs(allow);
    }

    @Test
    void decideWhenBodyThrowsThenTemporaryRefusalNamedAfterTheRule() {
        IllegalStateException boom = new IllegalStateException("boom");
        Decision d = rule(r -> {
            throw boom;
        }).decide(RulesTest.REQUEST);
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.reply()).contains(SmtpReply.TEMPORARY_FAILURE);
        assertThat(d.rule()).isEqualTo("guarded");
        assertThat(d.error()).containsSame(boom);
    }

    @Test
    void decideWhenBodyReturnsNullOrRequestIsNullThenTemporaryRefusal() {
        assertThat(rule(r -> null).decide(RulesTest.REQUEST).error()).get().isInstanceOf(NullPointerException.class);
        assertThat(rule(r -> Decision.noOpinion("guarded", r.stage().name())).decide(null).verdict())
                .isEqualTo(Verdict.DEFER);
    }

    @Test
    void decideWhenTheVirtualMachineFailsThenRethrown() {
        assertThatThrownBy(() -> rule(r -> {
            throw new OutOfMemoryError("simulated");
        }).decide(RulesTest.REQUEST)).isInstanceOf(OutOfMemoryError.class);
    }
}
