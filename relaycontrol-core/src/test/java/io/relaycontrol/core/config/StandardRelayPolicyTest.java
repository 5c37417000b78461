package io.relaycontrol.core.config;

import static io.relaycontrol.testkit.PolicyAssertions.assertThat;
import static io.relaycontrol.testkit.Requests.connect;
import static io.relaycontrol.testkit.Requests.mail;
import static io.relaycontrol.testkit.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.auth.SenderLoginMap;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.testkit.ManualClock;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.LimitKeys;
import io.relaycontrol.core.limit.RateLimit;
import io.relaycontrol.core.net.NetworkSet;
import io.relaycontrol.testkit.RelayDeciderContract;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Each of the eight steps of the standard policy, and their order. */
class StandardRelayPolicyTest {

    static final String TRUSTED = "192.0.2.10";
    static final String STRANGER = "198.51.100.7";
    static final String BLOCKED = "203.0.113.66";

    static StandardRelayPolicy.Builder base() {
        return StandardRelayPolicy.builder()
                .localDomains(DomainSet.of("example.com", ".example.com"))
                .relayDomains(DomainSet.of("backup.example.net"))
                .trustedNetworks(NetworkSet.of("192.0.2.0/24", "2001:db8:1::/48"))
                .blockedNetworks(NetworkSet.of("203.0.113.0/24", "192.0.2.66"))
                .senderLogins(SenderLoginMap.parse(List.of("alice: alice@example.com, @alice.example.org",
                        "bob: bob@example.com"), "test"));
    }

    static StandardRelayPolicy policy() {
        return base().build();
    }

    static RelayRequest.Builder relay(String client) {
        return rcpt(client, "<alice@example.com>", "<friend@elsewhere.test>");
    }

    @Nested
    class Contract extends RelayDeciderContract {
        @Override
        protected StandardRelayPolicy decider() {
            return policy();
        }

        @Override
        protected List<RelayRequest> requests() {
            List<RelayRequest> out = new ArrayList<>();
            for (String client : List.of(TRUSTED, STRANGER, BLOCKED, "2001:db8:1::5", "2001:db8:9::5")) {
                out.add(connect(client).build());
                out.add(mail(client, "<x@elsewhere.test>").build());
                out.add(relay(client).build());
                out.add(relay(client).authenticated("alice").tls(true).build());
                out.add(rcpt(client, "<x@elsewhere.test>", "<bob@example.com>").build());
                out.add(rcpt(client, "<x@elsewhere.test>", "<bob%evil.test@example.com>").build());
            }
            return out;
        }
    }

    @Test
    void step1WhenClientIsBlockedThenRefusedAtEveryStageEvenIfTrustedOrAuthenticated() {
        StandardRelayPolicy p = policy();
        assertThat(p).denies(connect(BLOCKED).build()).withReply(554, "5.7.1").decidedBy("blocked-networks");
        assertThat(p).denies(mail(BLOCKED, "<a@elsewhere.test>").build()).decidedBy("blocked-networks");
        assertThat(p).denies(rcpt(BLOCKED, "<a@elsewhere.test>", "<bob@example.com>").build())
                .decidedBy("blocked-networks");
        // 192.0.2.66 is inside the trusted 192.0.2.0/24 and blocked: blocked wins (step 1 before step 6)
        assertThat(p).denies(relay("192.0.2.66").build()).decidedBy("blocked-networks")
                .withReasonContaining("192.0.2.66");
        assertThat(p).denies(relay(BLOCKED).authenticated("alice").tls(true).build()).decidedBy("blocked-networks");
    }

    @Test
    void step2WhenUntrustedClientSendsRoutedOrMalformedRecipientThenRefused() {
        StandardRelayPolicy p = policy();
        for (String trick : List.of("<bob%evil.test@example.com>", "<evil.test!bob@example.com>",
                "<@example.com:bob@evil.test>", "<\"bob@evil.test\"@example.com>")) {
            assertThat(p).denies(rcpt(STRANGER, "<x@elsewhere.test>", trick).build()).decidedBy("recipient-syntax");
        }
        assertThat(p).refuses(rcpt(STRANGER, "<x@elsewhere.test>", "<bob@@example.com>").build())
                .decidedBy("recipient-syntax");
        assertThat(p).refuses(rcpt(STRANGER, "<x@elsewhere.test>", "<bob@1.2.3.4>").build())
                .decidedBy("recipient-syntax");
    }

    @Test
    void step2WhenUntrustedClientSendsAMalformedSenderThenRefusedAtMail() {
        assertThat(policy()).denies(mail(STRANGER, "<bad sender@elsewhere.test>").build()).withReply(501, "5.1.7")
                .decidedBy("sender-syntax");
        assertThat(policy()).denies(mail(STRANGER, "<x@1.2.3.4>").build()).decidedBy("sender-syntax");
        assertThat(policy()).allows(mail(TRUSTED, "<bad sender@elsewhere.test>").build());
        assertThat(policy()).allows(mail(STRANGER, "<>").build()).decidedBy("no-recipient-yet");
    }

    @Test
    void step2WhenTrustedOrAuthenticatedClientSendsRoutedRecipientThenNotARoutingRefusal() {
        StandardRelayPolicy p = policy();
        // a trusted client may route (Postfix allow_untrusted_routing only restricts untrusted clients); it is
        // never local, so it is relayed because the client is trusted
        assertThat(p).allows(rcpt(TRUSTED, "<x@example.com>", "<bob%evil.test@example.com>").build())
                .decidedBy("trusted-networks");
    }

    @Test
    void step2WhenUntrustedClientBouncesToManyRecipientsThenRefused() {
        assertThat(policy()).denies(rcpt(STRANGER, "<>", "<bob@example.com>").recipientCount(1).build())
                .withReply(550, "5.5.3");
        assertThat(policy()).allows(rcpt(STRANGER, "<>", "<bob@example.com>").build()).decidedBy("local-domains");
    }

    @Test
    void step3WhenLoginSendsAsSomeoneElseThenRefusedAtMail() {
        StandardRelayPolicy p = policy();
        assertThat(p).denies(mail(STRANGER, "<bob@example.com>").authenticated("alice").tls(true).build())
                .withReply(553, "5.7.1").decidedBy("sender-login");
        assertThat(p).allows(mail(STRANGER, "<alice@example.com>").authenticated("alice").tls(true).build())
                .decidedBy("no-recipient-yet");
        assertThat(p).allows(mail(STRANGER, "<news@alice.example.org>").authenticated("alice").tls(true).build());
    }

    @Test
    void step3WhenStrangerSpoofsALocalSenderThenRefusedUnlessTrusted() {
        StandardRelayPolicy p = policy();
        assertThat(p).denies(mail(STRANGER, "<ceo@example.com>").build()).withReply(553, "5.7.1")
                .decidedBy("sender-login");
        assertThat(p).allows(mail(TRUSTED, "<ceo@example.com>").build());
        assertThat(base().protectLocalSenders(false).build()).allows(mail(STRANGER, "<ceo@example.com>").build());
    }

    @Test
    void step4WhenRateLimitedThenDeferredEvenForAuthenticatedOrTrustedClients() {
        ManualClock time = new ManualClock();
        StandardRelayPolicy p = base().limit(RateLimit.builder("client-recipients")
                .key(LimitKeys.clientAddress()).counting(Counted.RECIPIENTS)
                .rates(Rate.parseList("2/1h")).clock(time).build()).build();
        RelayRequest r = relay(STRANGER).authenticated("alice").tls(true).build();
        assertThat(p).allows(r).decidedBy("authenticated-relay");
        assertThat(p).allows(r);
        assertThat(p).defers(r).withReply(451, "4.7.1").decidedBy("client-recipients");
        assertThat(p).defers(rcpt(STRANGER, "<x@elsewhere.test>", "<bob@example.com>").build());
        assertThat(p).allows(relay(TRUSTED).build());
        time.advance(java.time.Duration.ofHours(1));
        assertThat(p).allows(r);
    }

    @Test
    void step4WhenARefusedRequestArrivesThenNoTokenIsSpent() {
        ManualClock time = new ManualClock();
        StandardRelayPolicy p = base().limit(RateLimit.builder("client-recipients")
                .key(LimitKeys.clientAddress()).counting(Counted.RECIPIENTS)
                .rates(Rate.parseList("1/1h")).clock(time).build()).build();
        for (int i = 0; i < 5; i++) {
            assertThat(p).denies(rcpt(STRANGER, "<x@elsewhere.test>", "<bob%evil.test@example.com>").build());
        }
        assertThat(p).allows(rcpt(STRANGER, "<x@elsewhere.test>", "<bob@example.com>").build());
    }

    @Test
    void step4WhenRelayIsRefusedThenNotChargedUnlessAskedTo() {
        ManualClock time = new ManualClock();
        RelayRequest refused = rcpt(STRANGER, "<x@elsewhere.test>", "<friend@elsewhere.test>").build();
        RelayRequest local = rcpt(STRANGER, "<x@elsewhere.test>", "<bob@example.com>").build();
        StandardRelayPolicy p = base().limit(RateLimit.builder("client-recipients")
                .key(LimitKeys.clientAddress()).counting(Counted.RECIPIENTS)
                .rates(Rate.parseList("1/1h")).clock(time).build()).build();
        for (int i = 0; i < 3; i++) {
            assertThat(p).denies(refused).withReply(554, "5.7.1").decidedBy("default");
        }
        assertThat(p).allows(local).decidedBy("local-domains").explainContains("tokensLeft=0");
        assertThat(p).defers(local).withReply(451, "4.7.1").decidedBy("client-recipients");

        StandardRelayPolicy counting = base().chargeRefusedAttempts(true).limit(RateLimit.builder("client-recipients")
                .key(LimitKeys.clientAddress()).counting(Counted.RECIPIENTS)
                .rates(Rate.parseList("1/1h")).clock(new ManualClock()).build()).build();
        assertThat(counting).denies(refused).decidedBy("default");
        assertThat(counting).defers(refused).withReply(451, "4.7.1").decidedBy("client-recipients");
        assertThat(counting).defers(local).decidedBy("client-recipients");
    }

    @Test
    void step4WhenMessagesAreLimitedThenDeferredAtMailAndRecipientsNotCounted() {
        ManualClock time = new ManualClock();
        StandardRelayPolicy p = base().limit(RateLimit.builder("client-messages")
                .key(LimitKeys.clientAddress()).counting(Counted.MESSAGES)
                .rates(Rate.parseList("2/1h")).clock(time).build()).build();
        RelayRequest mail = mail(STRANGER, "<x@elsewhere.test>").build();
        assertThat(p).allows(mail).decidedBy("no-recipient-yet");
        for (int i = 0; i < 5; i++) {
            assertThat(p).allows(rcpt(STRANGER, "<x@elsewhere.test>", "<bob@example.com>").build());
        }
        assertThat(p).denies(mail(STRANGER, "<bad sender@elsewhere.test>").build()).decidedBy("sender-syntax");
        assertThat(p).allows(mail);
        assertThat(p).defers(mail).withReply(451, "4.7.1").decidedBy("client-messages")
                .withReasonContaining("next in");
        time.advance(java.time.Duration.ofMinutes(30));
        assertThat(p).allows(mail);
    }

    @Test
    void step5WhenRecipientIsLocalOrRelayDomainThenAllowedForAnyone() {
        StandardRelayPolicy p = policy();
        assertThat(p).allows(rcpt(STRANGER, "<x@elsewhere.test>", "<bob@example.com>").build())
                .decidedBy("local-domains");
        assertThat(p).allows(rcpt(STRANGER, "<x@elsewhere.test>", "<bob@Mail.EXAMPLE.com.>").build())
                .decidedBy("local-domains");
        assertThat(p).allows(rcpt(STRANGER, "<x@elsewhere.test>", "<bob@backup.example.net>").build())
                .decidedBy("relay-domains");
        assertThat(p).denies(rcpt(STRANGER, "<x@elsewhere.test>", "<bob@notexample.com>").build())
                .decidedBy("default");
        assertThat(p).denies(rcpt(STRANGER, "<x@elsewhere.test>", "<bob@example.com.evil.test>").build())
                .decidedBy("default");
        assertThat(p).denies(rcpt(STRANGER, "<x@elsewhere.test>", "<bob@[192.0.2.1]>").build());
    }

    @Test
    void step6WhenClientIsTrustedThenRelayAllowed() {
        assertThat(policy()).allows(relay(TRUSTED).build()).decidedBy("trusted-networks");
        assertThat(policy()).allows(relay("2001:db8:1::5").build()).decidedBy("trusted-networks");
        assertThat(policy()).allows(relay("::ffff:192.0.2.10").build()).decidedBy("trusted-networks");
    }

    @Test
    void step6WhenASingleIpv6HostIsTrustedThenOnlyThatHostRelays() {
        StandardRelayPolicy p = base().trustedNetworks(NetworkSet.of("127.0.0.1", "::1", "2001:db8::25/128")).build();
        assertThat(p).allows(relay("::1").build()).decidedBy("trusted-networks");
        assertThat(p).allows(relay("2001:db8::25").build()).decidedBy("trusted-networks");
        assertThat(p).denies(rcpt("2001:db8::7", "<x@elsewhere.test>", "<friend@elsewhere.test>").build())
                .decidedBy("default");
        assertThat(p).denies(rcpt("e000::1", "<x@elsewhere.test>", "<friend@elsewhere.test>").build())
                .decidedBy("default");
    }

    @Test
    void step7WhenAuthenticatedOverTlsThenRelayAllowedAndWithoutTlsRefused() {
        assertThat(policy()).allows(relay(STRANGER).authenticated("alice").tls(true).build())
                .decidedBy("authenticated-relay");
        assertThat(policy()).denies(relay(STRANGER).authenticated("alice").build()).withReply(554, "5.7.1");
        assertThat(base().requireTlsForAuth(false).build()).allows(relay(STRANGER).authenticated("alice").build());
    }

    @Test
    void step8WhenNothingAllowsThenRelayAccessDenied() {
        assertThat(policy()).denies(rcpt(STRANGER, "<x@elsewhere.test>", "<friend@elsewhere.test>").build())
                .withReply(554, "5.7.1").decidedBy("default")
                .explainContains("NO_OPINION by trusted-networks");
        assertThat(StandardRelayPolicy.builder().build()).denies(relay(STRANGER).build()).decidedBy("default");
        // a stranger using a local sender is refused earlier, by the sender check (step 3)
        assertThat(policy()).denies(relay(STRANGER).build()).withReply(553, "5.7.1").decidedBy("sender-login");
    }

    @Test
    void stagesWithoutRecipientWhenNothingRefusesThenAllowed() {
        assertThat(policy()).allows(connect(STRANGER).build()).decidedBy("no-recipient-yet");
        assertThat(policy()).allows(mail(STRANGER, "<x@elsewhere.test>").build()).decidedBy("no-recipient-yet");
        assertThat(policy()).allows(mail(STRANGER, "<>").build());
    }

    @Test
    void describeWhenBuiltThenListsRulesInOrderWithListSizes() {
        String d = policy().describe();
        assertThat(d).contains("local domains: 2 entries", "trusted networks: 2 entries", "TLS required");
        assertThat(d.indexOf("blocked-networks")).isLessThan(d.indexOf("recipient-syntax"));
        assertThat(d.indexOf("recipient-syntax")).isLessThan(d.indexOf("sender-login"));
        assertThat(d.indexOf("sender-login")).isLessThan(d.indexOf("local-domains:"));
        assertThat(d.indexOf("local-domains:")).isLessThan(d.indexOf("trusted-networks:"));
        assertThat(d).contains("otherwise DENY [554 5.7.1 Relay access denied]");
    }
}
