package io.relaycontrol.core.auth;

import static io.relaycontrol.core.auth.Requests.OUTSIDE;
import static io.relaycontrol.core.auth.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.rules.Rule;
import java.util.List;
import org.junit.jupiter.api.Test;

class NullSenderRulesTest extends AuthRuleContract {

    private static final String TO = "<bob@example.com>";
    private final Rule rule = NullSenderRules.multiRecipientBounce();

    @Override
    Rule rule() {
        return rule;
    }

    @Override
    protected List<RelayRequest> requests() {
        return List.of(rcpt(OUTSIDE, "<>", TO).build(), rcpt(OUTSIDE, "<>", TO).recipientCount(1).build(),
                rcpt(OUTSIDE, "<a@example.org>", TO).recipientCount(5).build(), data("<>", 2), data("<>", 1),
                Requests.connect(OUTSIDE));
    }

    private static RelayRequest data(String sender, int recipients) {
        return RelayRequest.builder(Stage.DATA).client(OUTSIDE).sender(sender).recipientCount(recipients).build();
    }

    @Test
    void decideWhenNullSenderSecondRecipientThenDeny550() {
        Decision d = rule.decide(rcpt(OUTSIDE, "<>", TO).recipientCount(1).build());
        assertThat(d.verdict()).isEqualTo(Verdict.DENY);
        assertThat(d.reply()).contains(NullSenderRules.MULTI_RECIPIENT_BOUNCE_REPLY);
        assertThat(d.reply().orElseThrow().toString()).isEqualTo("550 5.5.3 Multi-recipient bounce");
        assertThat(d.reason()).isEqualTo("null sender <> with a second recipient: a bounce has exactly one recipient");
        assertThat(d.rule()).isEqualTo("multi-recipient-bounce");
    }

    @Test
    void decideWhenNullSenderAtDataWithSeveralRecipientsThenDeny() {
        Decision d = rule.decide(data("<>", 2));
        assertThat(d.verdict()).isEqualTo(Verdict.DENY);
        assertThat(d.reason()).startsWith("null sender <> with more than one recipient");
    }

    @Test
    void decideWhenNullSenderSingleRecipientThenNoOpinionNeverAllow() {
        assertThat(rule.decide(rcpt(OUTSIDE, "<>", TO).build()).verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(rule.decide(data("<>", 1)).reason()).isEqualTo("null sender with a single recipient so far");
        assertThat(rule.decide(RelayRequest.builder(Stage.MAIL).client(OUTSIDE).sender("<>").build()).verdict())
                .isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenOrdinarySenderManyRecipientsThenNoOpinion() {
        Decision d = rule.decide(rcpt(OUTSIDE, "<a@example.org>", TO).recipientCount(5).build());
        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.reason()).isEqualTo("sender is not the null sender");
    }

    @Test
    void multiRecipientBounceWhenCustomTemporaryReplyThenDefers() {
        Rule soft = NullSenderRules.multiRecipientBounce("bounce-check", SmtpReply.of(450, "4.5.3", "Try one at a time"));
        Decision d = soft.decide(rcpt(OUTSIDE, "<>", TO).recipientCount(3).build());
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.rule()).isEqualTo("bounce-check");
        assertThatThrownBy(() -> NullSenderRules.multiRecipientBounce("x", SmtpReply.of(250, "2.0.0", "ok")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("250");
        assertThatThrownBy(() -> NullSenderRules.multiRecipientBounce(" ", NullSenderRules.MULTI_RECIPIENT_BOUNCE_REPLY))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nullSenderConditionWhenSenderIsNullPathThenHolds() {
        assertThat(NullSenderRules.nullSender().test(rcpt(OUTSIDE, "<>", TO).build())).isTrue();
        assertThat(NullSenderRules.nullSender().test(rcpt(OUTSIDE, "<a@example.org>", TO).build())).isFalse();
        assertThat(NullSenderRules.nullSender().test(Requests.connect(OUTSIDE))).isFalse();
    }
}
