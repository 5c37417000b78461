package io.relaycontrol.core.config;

import static io.relaycontrol.testkit.PolicyAssertions.assertThat;
import static io.relaycontrol.testkit.Requests.mail;
import static io.relaycontrol.testkit.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.address.AddressConditions;
import io.relaycontrol.core.address.AddressRules;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.limit.LimitKeys;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: {@code RCPT TO:<Postmaster>} (no domain, any case) must be accepted (RFC 5321 4.1.1.3, 4.5.1) by the
 * standard policy, from anyone who is not blocked, and nothing may treat it as mail for another host.
 */
class PostmasterPolicyTest {

    static final String STRANGER = StandardRelayPolicyTest.STRANGER;
    static final String BLOCKED = StandardRelayPolicyTest.BLOCKED;

    @Test
    void decideWhenStrangerSendsToDomainlessPostmasterThenAllowedByPostmasterRule() {
        StandardRelayPolicy policy = StandardRelayPolicyTest.policy();
        for (String rcpt : List.of("<Postmaster>", "<postmaster>", "<POSTMASTER>", "Postmaster")) {
            assertThat(policy).allows(rcpt(STRANGER, "<someone@elsewhere.test>", rcpt).build())
                    .decidedBy("postmaster");
            assertThat(policy).allows(rcpt(STRANGER, "<>", rcpt).build()).decidedBy("postmaster");
        }
    }

    @Test
    void decideWhenStrangerSendsToPostmasterWithForeignDomainThenStillRelayDenied() {
        // Only the domain-less form is the local postmaster; postmaster@elsewhere is relaying.
        assertThat(StandardRelayPolicyTest.policy())
                .refuses(rcpt(STRANGER, "<someone@elsewhere.test>", "<postmaster@elsewhere.test>").build())
                .withReply(554, "5.7.1");
    }

    @Test
    void decideWhenBlockedClientSendsToPostmasterThenBlocked() {
        assertThat(StandardRelayPolicyTest.policy())
                .refuses(rcpt(BLOCKED, "<someone@elsewhere.test>", "<Postmaster>").build())
                .withReply(554, "5.7.1")
                .decidedBy("blocked-networks");
    }

    @Test
    void decideWhenPolicyWithoutLocalDomainsThenPostmasterStillAccepted() {
        StandardRelayPolicy empty = StandardRelayPolicy.builder().build();
        assertThat(empty).allows(rcpt(STRANGER, "<a@elsewhere.test>", "<Postmaster>").build())
                .decidedBy("postmaster");
        assertThat(empty).refuses(rcpt(STRANGER, "<a@elsewhere.test>", "<b@elsewhere.test>").build());
    }

    @Test
    void decideWhenStrangerUsesDomainlessPostmasterAsSenderThenSyntaxError() {
        assertThat(StandardRelayPolicyTest.policy())
                .refuses(mail(STRANGER, "<Postmaster>").build())
                .withReply(501, "5.1.7")
                .decidedBy("sender-syntax");
        Decision d = AddressRules.refuseMalformedSender("s").decide(mail(STRANGER, "<postmaster>").build());
        assertThat(d.verdict()).isEqualTo(Verdict.DENY);
        assertThat(d.reason()).contains("<Postmaster>");
        Decision ok = AddressRules.refuseMalformedSender("s").decide(mail(STRANGER, "<postmaster@example.com>").build());
        assertThat(ok.verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void conditionsWhenRecipientIsPostmasterThenInNoDomainSetAndNotRouted() {
        RelayRequest r = rcpt(STRANGER, "<a@elsewhere.test>", "<Postmaster>").build();
        DomainSet everything = DomainSet.of("example.com", ".com", ".test", "elsewhere.test");
        assertThat(AddressConditions.recipientPostmaster().test(r)).isTrue();
        assertThat(AddressConditions.recipientDomainIn(everything).test(r)).isFalse();
        assertThat(AddressConditions.recipientDomainNotIn(everything).test(r)).isTrue();
        assertThat(AddressConditions.recipientRouted().test(r)).isFalse();
        assertThat(AddressConditions.recipientInvalid().test(r)).isFalse();
        assertThat(AddressConditions.recipientLiteral().test(r)).isFalse();
        assertThat(AddressRules.refuseMalformedOrRouted("hygiene").decide(r).verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(LimitKeys.recipientDomain().key(r)).isEmpty();

        RelayRequest mailbox = rcpt(STRANGER, "<a@elsewhere.test>", "<postmaster@example.com>").build();
        assertThat(AddressConditions.recipientPostmaster().test(mailbox)).isFalse();
        assertThat(AddressConditions.recipientPostmaster().test(mail(STRANGER, "<a@elsewhere.test>").build()))
                .isFalse();
    }
}
