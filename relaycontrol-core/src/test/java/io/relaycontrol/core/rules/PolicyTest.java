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

    @Test
    void buildWhenTwoDifferentRulesShareANameThenRefusedNamingBoth() {
        assertThatThrownBy(() -> Policy.builder("relay")
                .rule(Rules.when(Conditions.authenticated()).allow("trusted"))
                .rule(Rules.when(Conditions.tls()).allow("trusted"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two different rules are named 'trusted'")
                .hasMessageContaining("client is authenticated").hasMessageContaining("TLS is active");
    }

    @Test
    void buildWhenANestedRuleSharesANameThenRefused() {
        Rule inner = Rules.firstDecisive("group", Rules.allow("a", "x"), Rules.deny("b", "y",
                SmtpReply.RELAY_ACCESS_DENIED));
        assertThatThrownBy(() -> Policy.builder("relay").rule(inner).rule(Rules.allow("b", "other"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("named 'b'");
        assertThatThrownBy(() -> Policy.builder("relay").rule(Rules.allow("relay", "x"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("named 'relay'");
        assertThatThrownBy(() -> Policy.builder("relay").rule(Rules.allow("default", "x"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'default' is the name of the"
                        + " policy's default");
    }

    @Test
    void buildWhenTheSameRuleIsUsedTwiceThenAccepted() {
        Rule limit = Rules.named("limit", r -> Decision.noOpinion("limit", "tokens left"));
        Policy p = Policy.builder("relay")
                .rule(Rules.checkedAllow("local-limited", Rules.when(Conditions.tls()).allow("local"), limit))
                .rule(Rules.checkedAllow("auth-limited", Rules.when(Conditions.authenticated()).allow("auth"), limit))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build();
        assertThat(p).allows(ALICE).decidedByPath("relay", "local-limited", "local");
    }

    @Test
    void decideWhenNoRecipientYetAndEveryRuleAbstainsThenAllowedByTheStageAwareDefault() {
        RelayRequest connect = io.relaycontrol.testkit.Requests.connect("198.51.100.7").build();
        assertThat(policy()).allows(connect).decidedBy("default")
                .withReasonContaining("relay is decided per recipient at RCPT");
        assertThat(policy()).acceptsStrangersBeforeRecipient();
        assertThat(policy().otherwiseBeforeRecipient()).isSameAs(Policy.DEFAULT_BEFORE_RECIPIENT);
        // a rule with an opinion before RCPT still decides there
        Policy blocking = Policy.builder("relay")
                .rule(Rules.when(Condition.of("client is 198.51.100.7",
                        r -> r.clientAddress().getHostAddress().equals("198.51.100.7")))
                        .deny("blocked", SmtpReply.of(554, "5.7.1", "blocked")))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build();
        assertThat(blocking).denies(connect).decidedBy("blocked");
    }

    @Test
    void decideWhenTheAuthorChoseADefaultBeforeRecipientThenThatOne() {
        Policy strict = Policy.builder("submission")
                .rule(Rules.when(Conditions.authenticated()).allow("authenticated"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .otherwiseBeforeRecipient(Decision.deny("default", "authenticate first",
                        SmtpReply.of(530, "5.7.0", "Authentication required")))
                .build();
        assertThat(strict).denies(io.relaycontrol.testkit.Requests.mail("198.51.100.7", "<a@example.org>").build())
                .withReply(530, "5.7.0").decidedBy("default");
        assertThatThrownBy(() -> Policy.builder("p").otherwiseBeforeRecipient(Decision.noOpinion("d", "x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Policy.builder("p").otherwiseBeforeRecipient(Policy.DEFAULT_BEFORE_RECIPIENT)
                .otherwiseBeforeRecipient(Policy.DEFAULT_BEFORE_RECIPIENT)).isInstanceOf(IllegalStateException.class);
    }
}
