package io.relaycontrol.core;

import static io.relaycontrol.testkit.PolicyAssertions.assertThat;
import static io.relaycontrol.testkit.Requests.rcpt;

import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Conditions;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rules;
import org.junit.jupiter.api.Test;

/** The README's quick start, compiled and run so that it cannot rot. Keep the two in step. */
class ReadmeSnippetsTest {

    // README: quick-start
    static Policy relayPolicy() {
        Condition localRecipient = Condition.of("recipient domain is example.com",
                r -> r.recipient().map(a -> a.domain().equals("example.com") && !a.isRouted()).orElse(false));
        return Policy.builder("relay")
                .rule(Rules.when(localRecipient).allow("local-domains"))
                .rule(Rules.when(Conditions.authenticated().and(Conditions.tls())).allow("authenticated"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED) // mandatory: there is no implicit accept
                .build();
    }

    @Test
    void relayPolicyWhenStrangerRelaysThenRefused() {
        assertThat(relayPolicy())
                .refuses(rcpt("203.0.113.7", "<spam@example.org>", "<victim@elsewhere.test>").build())
                .withReply(554, "5.7.1");
        assertThat(relayPolicy())
                .allows(rcpt("203.0.113.7", "<friend@example.org>", "<bob@example.com>").build())
                .decidedBy("local-domains");
        assertThat(relayPolicy())
                .allows(rcpt("203.0.113.7", "<alice@example.com>", "<carol@elsewhere.test>")
                        .authenticated("alice").tls(true).build())
                .decidedBy("authenticated");
    }
    // README: end
}
