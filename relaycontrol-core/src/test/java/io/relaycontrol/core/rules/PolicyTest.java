package io.relaycontrol.core.rules;

import static io.relaycontrol.testkit.PolicyAssertions.assertThat;
import static io.relaycontrol.testkit.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import org.junit.jupiter.api.Test;

class PolicyTest {

    static final RelayRequest STRANGER = rcpt("198.51.100.7", "<a@example.org>", "<b@elsewhere.test>").build();
    static final RelayRequest ALICE = STRANGER.toBuilder().authenticated("alice").tls(true).build();

    static Policy policy() {
        return Policy.builder("relay")
                .rule(Rules.when(Conditions.authenticated()).allow("authenticated"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .build();
    }

    @Test
    void decideWhenARuleAllowsThenAllowedAndNamed() {
        assertThat(policy()).allows(ALICE).decidedBy("authenticated");
        Decision d = policy().decide(ALICE);
        assertThat(d.rule()).isEqualTo("relay");
        assertThat(d.children()).extracting(Decision::rule).containsExactly("authenticated");
    }

    @Test
    void decideWhenEveryRuleAbstainsThenTheDefault() {
        assertThat(policy()).denies(STRANGER).withReply(554, "5.7.1").decidedBy("default")
                .explainContains("NO_OPINION by authenticated");
    }

    @Test
    void buildWhenNoDefaultThenRefused() {
        assertThatThrownBy(() -> Policy.builder("p").rule(Rules.allow("a", "x")).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no default");
    }

    @Test
    void buildWhenNoRulesThenRefused() {
        assertThatThrownBy(() -> Policy.builder("p").otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no rules");
    }

    @Test
    void otherwiseWhenNoOpinionOrSetTwiceThenRefused() {
        assertThatThrownBy(() -> Policy.builder("p").otherwise(Decision.noOpinion("d", "x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Policy.builder("p").otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .otherwiseDefer(SmtpReply.TEMPORARY_FAILURE)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Policy.builder("p").otherwiseDeny(SmtpReply.TEMPORARY_FAILURE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Policy.builder(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decideWhenARuleThrowsThenTemporaryRefusalWithTheExceptionAndLaterRulesUnasked() {
        IllegalStateException boom = new IllegalStateException("database down");
        Policy p = Policy.builder("relay")
                .rule(req -> {
                    throw boom;
                })
                .rule(Rules.allow("everyone", "would open the relay"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .build();
        Decision d = p.decide(ALICE);
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.reply()).contains(SmtpReply.TEMPORARY_FAILURE);
        assertThat(d.decisive().rule()).isEqualTo("relay[0]");
        assertThat(d.decisive().error()).containsSame(boom);
        assertThat(d.children()).hasSize(1);
    }

    @Test
    void decideWhenARuleReturnsNullThenTemporaryRefusal() {
        Policy p = Policy.builder("relay").rule(req -> null).otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build();
        assertThat(p).defers(ALICE).withReply(451, "4.3.0");
    }

    @Test
    void decideWhenRequestIsNullThenTemporaryRefusalNotAnException() {
        Decision d = policy().decide(null);
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.error()).get().isInstanceOf(NullPointerException.class);
    }

    @Test
    void describeWhenBuiltThenRulesInOrderAndTheDefault() {
        assertThat(policy().describe()).isEqualTo("relay: first decisive of\n"
                + "  1. authenticated: when client is authenticated then ALLOW\n"
                + "  otherwise DENY [554 5.7.1 Relay access denied]: no rule allowed this request\n"
                + "  before a recipient (CONNECT, HELO, MAIL, DATA) otherwise ALLOW: no rule refused; relay is decided"
                + " per recipient at RCPT");
        assertThat(policy().rules()).hasSize(1);
    }

    @Test
    void otherwiseAllowWhenSpelledOutThenPossible() {
        Policy p = Policy.builder("open-on-purpose").rule(Rules.deny("d", "x", SmtpReply.RELAY_ACCESS_DENIED)
                ).otherwise(Decision.allow("default", "explicitly configured")).build();
        assertThat(p.otherwise().verdict()).isEqualTo(Verdict.ALLOW);
    }
}
