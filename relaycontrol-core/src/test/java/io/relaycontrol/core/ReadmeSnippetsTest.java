package io.relaycontrol.core;

import static io.relaycontrol.testkit.PolicyAssertions.assertThat;
import static io.relaycontrol.testkit.Requests.rcpt;

import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.auth.SenderLoginMap;
import io.relaycontrol.core.config.StandardRelayPolicy;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.LimitKeys;
import io.relaycontrol.core.limit.RateLimit;
import io.relaycontrol.core.net.NetworkSet;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Conditions;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rules;
import java.util.List;
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

    @Test
    void relayPolicyWhenRefusedThenExplainsAsTheReadmeShows() {
        org.assertj.core.api.Assertions.assertThat(relayPolicy()
                .decide(rcpt("203.0.113.7", "<spam@example.org>", "<victim@elsewhere.test>").build()).explain())
                .isEqualTo("DENY [554 5.7.1 Relay access denied] by relay: no rule allowed this request\n"
                        + "  NO_OPINION by local-domains: not the case: recipient domain is example.com\n"
                        + "  NO_OPINION by authenticated: not the case: client is authenticated and TLS is active\n"
                        + "  DENY [554 5.7.1 Relay access denied] by default: no rule allowed this request");
    }
    // README: end

    // README: standard-policy
    static StandardRelayPolicy standardPolicy() {
        return StandardRelayPolicy.builder()
                .localDomains(DomainSet.of("example.com", ".example.com"))
                .relayDomains(DomainSet.of("backup.example.net"))
                .trustedNetworks(NetworkSet.of("192.0.2.0/24", "2001:db8:1::/48"))
                .blockedNetworks(NetworkSet.of("203.0.113.0/24"))
                .senderLogins(SenderLoginMap.parse(List.of("alice: alice@example.com, @alice.example.org"), "inline"))
                .limit(RateLimit.builder("client-recipients").key(LimitKeys.clientAddress())
                        .counting(Counted.RECIPIENTS).rates(Rate.parseList("100/1h, 1000/1d")).build())
                .build();
    }
    // README: end

    @Test
    void standardPolicyWhenAskedThenTheEightSteps() {
        StandardRelayPolicy policy = standardPolicy();
        assertThat(policy).denies(rcpt("203.0.113.9", "<a@elsewhere.test>", "<bob@example.com>").build())
                .decidedBy("blocked-networks");
        assertThat(policy).allows(rcpt("198.51.100.7", "<a@elsewhere.test>", "<bob@example.com>").build())
                .decidedBy("local-domains");
        assertThat(policy).denies(rcpt("198.51.100.7", "<a@elsewhere.test>", "<bob%far.test@example.com>").build())
                .decidedBy("recipient-syntax");
        assertThat(policy).allows(rcpt("192.0.2.25", "<app@example.com>", "<someone@far.test>").build())
                .decidedBy("trusted-networks");
        assertThat(policy).allows(rcpt("198.51.100.7", "<alice@example.com>", "<someone@far.test>")
                .authenticated("alice").tls(true).build()).decidedBy("authenticated-relay");
        assertThat(policy).denies(rcpt("198.51.100.7", "<a@elsewhere.test>", "<someone@far.test>").build())
                .withReply(554, "5.7.1").decidedBy("default");
    }
}
