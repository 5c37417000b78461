package io.relaycontrol.core.auth;

import static io.relaycontrol.core.auth.Requests.OFFICE;
import static io.relaycontrol.core.auth.Requests.OUTSIDE;
import static io.relaycontrol.core.auth.Requests.PRINTERS;
import static io.relaycontrol.core.auth.Requests.authMail;
import static io.relaycontrol.core.auth.Requests.authRcpt;
import static io.relaycontrol.core.auth.Requests.mail;
import static io.relaycontrol.core.auth.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.address.AddressConditions;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.check.PolicyFinding;
import io.relaycontrol.core.net.NetworkRules;
import io.relaycontrol.core.net.NetworkSet;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rule;
import io.relaycontrol.core.rules.Rules;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The ways mail servers get client identity wrong, as regression tests against small end-to-end policies built
 * from the auth rules, ending in {@code otherwiseDeny(RELAY_ACCESS_DENIED)}.
 */
class KnownFailureStoriesTest {

    static final DomainSet LOCAL_DOMAINS = DomainSet.of("example.com");
    static final NetworkSet OFFICE_NETWORKS = NetworkSet.of("192.168.0.0/16");
    static final Condition OFFICE_NET = NetworkRules.clientIn("client in office networks", OFFICE_NETWORKS);
    static final NetworkSet PRINTER_NET = NetworkSet.of("10.9.0.0/24");
    static final Condition LOCAL_RECIPIENT = AddressConditions.recipientDomainIn(LOCAL_DOMAINS);
    static final SenderLoginMap LOGINS = SenderLoginMap.parse(List.of(
            "alice: alice@example.com",
            "bob: bob@example.com, sales@example.com"), "logins.map");

    static final String EXTERNAL = "<friend@elsewhere.example>";

    /** The recommended order: refusals first, then permissions, then inbound delivery, then the default. */
    static List<Rule> recommendedRules() {
        AllowListedDevicesRule devices = AllowListedDevicesRule.builder()
                .device("printer", PRINTER_NET, "scan@example.com").build();
        return List.of(
                NullSenderRules.multiRecipientBounce(),
                SenderLoginRule.builder(LOGINS).protectLocalSenders(LOCAL_DOMAINS, OFFICE_NET)
                        .exemptAllowListedDevices(devices).build(),
                devices,
                TrustedNetworksRule.of("trusted-networks", OFFICE_NETWORKS),
                AuthenticatedRelayRule.builder().build(),
                Rules.when(LOCAL_RECIPIENT).allow("local-recipient"));
    }

    static Policy policy(List<Rule> rules) {
        Policy.Builder b = Policy.builder("relay");
        rules.forEach(b::rule);
        return b.otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build();
    }

    private final Policy policy = policy(recommendedRules());

    private static void assertRefused(Decision d, SmtpReply reply, String decidingRule) {
        assertThat(d.verdict()).as(d.explain()).isEqualTo(Verdict.DENY);
        assertThat(d.reply()).contains(reply);
        assertThat(d.decisive().rule()).as(d.explain()).isEqualTo(decidingRule);
    }

    @Test
    void recommendedRulesWhenCheckedThenNoFindings() {
        assertThat(AuthChecks.check(recommendedRules())).isEmpty();
    }

    @Nested
    class AuthAdvertisedButNotUsed {

        @Test
        void decideWhenOutsideClientSkipsAuthAndRelaysThenRelayAccessDenied() {
            Decision d = policy.decide(rcpt(OUTSIDE, "<spammer@elsewhere.example>", EXTERNAL).tls(true).build());
            assertRefused(d, SmtpReply.RELAY_ACCESS_DENIED, "default");
            assertThat(d.explain()).contains("NO_OPINION by authenticated-relay: client is not authenticated");
        }

        @Test
        void decideWhenOutsideClientSkipsAuthButUsesLocalSenderThenRefusedAtMailFrom() {
            Decision d = policy.decide(mail(OUTSIDE, "<alice@example.com>").build());
            assertRefused(d, SenderLoginRule.AUTHENTICATION_REQUIRED, "sender-login");
        }

        @Test
        void decideWhenAuthenticatedWithoutTlsThenNoRelayPermission() {
            Decision d = policy.decide(authRcpt("alice", "<alice@example.com>", EXTERNAL).tls(false).build());
            assertRefused(d, SmtpReply.RELAY_ACCESS_DENIED, "default");
            assertThat(d.explain()).contains("authenticated without TLS; this rule requires TLS");
        }

        @Test
        void checkWhenOnlyAuthenticatedRelayConfiguredThenLocalSendersUnprotectedReported() {
            List<PolicyFinding> findings = AuthChecks.check(AuthenticatedRelayRule.builder().build());
            assertThat(findings).extracting(PolicyFinding::code).contains(AuthChecks.LOCAL_SENDERS_UNPROTECTED);
        }
    }

    @Nested
    class LoginASendingAsB {

        @Test
        void decideWhenAliceUsesBobsAddressThenRefused553AtMailFrom() {
            Decision d = policy.decide(authMail("alice", "<bob@example.com>").build());
            assertRefused(d, SenderLoginRule.NOT_OWNED, "sender-login");
            assertThat(d.decisive().reason()).isEqualTo("login 'alice' does not own sender <bob@example.com>");
        }

        @Test
        void decideWhenAliceUsesBobsAddressFromTheOfficeThenStillRefused() {
            Decision d = policy.decide(mail(OFFICE, "<bob@example.com>").authenticated("alice").tls(true).build());
            assertRefused(d, SenderLoginRule.NOT_OWNED, "sender-login");
        }

        @Test
        void decideWhenAliceUsesHerOwnAddressThenRelayAllowed() {
            Decision d = policy.decide(authRcpt("alice", "<alice@example.com>", EXTERNAL).build());
            assertThat(d.verdict()).as(d.explain()).isEqualTo(Verdict.ALLOW);
            assertThat(d.decisive().rule()).isEqualTo("authenticated-relay");
        }

        @Test
        void decideWhenLoginOnlyResemblesOwnerThenRefused() {
            assertRefused(policy.decide(authMail("alice2", "<alice@example.com>").build()), SenderLoginRule.NOT_OWNED,
                    "sender-login");
            assertRefused(policy.decide(authMail("Alice", "<alice@example.com>").build()), SenderLoginRule.NOT_OWNED,
                    "sender-login");
            assertRefused(policy.decide(authMail("alice", "<bob%alice@example.com>").build()),
                    SenderLoginRule.NOT_OWNED, "sender-login");
        }

        @Test
        void decideWhenSenderCheckMisorderedThenTrapIsOpenAndTheCheckReportsIt() {
            List<Rule> misordered = List.of(AuthenticatedRelayRule.builder().build(),
                    SenderLoginRule.builder(LOGINS).build());
            Decision d = policy(misordered).decide(authMail("alice", "<bob@example.com>").build());
            assertThat(d.verdict()).as("the trap this check exists for").isEqualTo(Verdict.ALLOW);
            assertThat(AuthChecks.check(misordered)).extracting(PolicyFinding::code)
                    .contains(AuthChecks.SENDER_CHECK_UNREACHABLE);
        }
    }

    @Nested
    class NullSenderFromUntrustedClient {

        @Test
        void decideWhenBounceToExternalRecipientFromOutsideThenRelayAccessDenied() {
            Decision d = policy.decide(rcpt(OUTSIDE, "<>", EXTERNAL).build());
            assertRefused(d, SmtpReply.RELAY_ACCESS_DENIED, "default");
        }

        @Test
        void decideWhenBounceFromDeviceNetworkNotListingNullSenderThenRelayAccessDenied() {
            Decision d = policy.decide(rcpt(PRINTERS, "<>", EXTERNAL).build());
            assertRefused(d, SmtpReply.RELAY_ACCESS_DENIED, "default");
            assertThat(d.explain()).contains("NO_OPINION by allow-listed-devices");
        }

        @Test
        void decideWhenBounceToLocalRecipientFromOutsideThenAcceptedAsInboundMail() {
            Decision d = policy.decide(rcpt(OUTSIDE, "<>", "<alice@example.com>").build());
            assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
            assertThat(d.decisive().rule()).isEqualTo("local-recipient");
        }

        @Test
        void decideWhenBounceToSecondRecipientThenMultiRecipientBounceRefused() {
            RelayRequest second = rcpt(OUTSIDE, "<>", "<bob@example.com>").recipientCount(1).build();
            assertRefused(policy.decide(second), NullSenderRules.MULTI_RECIPIENT_BOUNCE_REPLY, "multi-recipient-bounce");
            RelayRequest fromOffice = rcpt(OFFICE, "<>", EXTERNAL).recipientCount(1).build();
            assertRefused(policy.decide(fromOffice), NullSenderRules.MULTI_RECIPIENT_BOUNCE_REPLY,
                    "multi-recipient-bounce");
        }
    }

    @Nested
    class SpoofedLocalSenderFromOutside {

        @Test
        void decideWhenOutsideClientClaimsLocalSenderToLocalRecipientThenRefusedBeforeInboundDelivery() {
            Decision d = policy.decide(rcpt(OUTSIDE, "<ceo@example.com>", "<accounts@example.com>").build());
            assertRefused(d, SenderLoginRule.AUTHENTICATION_REQUIRED, "sender-login");
            assertThat(d.decisive().reason()).contains("unauthenticated client 203.0.113.7 used sender <ceo@example.com>");
        }

        @Test
        void decideWhenSpoofUsesOtherCaseOrTrailingDotThenStillRefused() {
            for (String s : List.of("<ceo@EXAMPLE.COM>", "<ceo@example.com.>")) {
                assertRefused(policy.decide(mail(OUTSIDE, s).build()), SenderLoginRule.AUTHENTICATION_REQUIRED,
                        "sender-login");
            }
        }

        @Test
        void decideWhenOfficeApplicationSendsAsLocalUserWithoutAuthThenAllowed() {
            Decision d = policy.decide(rcpt(OFFICE, "<ceo@example.com>", EXTERNAL).build());
            assertThat(d.verdict()).as(d.explain()).isEqualTo(Verdict.ALLOW);
            assertThat(d.decisive().rule()).isEqualTo("trusted-networks");
            assertThat(d.decisive().reason()).startsWith("client 192.168.1.20 is in 192.168.0.0/16");
        }

        @Test
        void decideWhenPrinterSendsAsItsLocalAddressFromItsNetworkThenAllowed() {
            Decision d = policy.decide(rcpt(PRINTERS, "<scan@example.com>", EXTERNAL).build());
            assertThat(d.verdict()).as(d.explain()).isEqualTo(Verdict.ALLOW);
            assertThat(d.decisive().rule()).isEqualTo("allow-listed-devices");
        }

        @Test
        void decideWhenPrinterSendsAsAnotherLocalUserThenRefused() {
            Decision d = policy.decide(rcpt(PRINTERS, "<ceo@example.com>", EXTERNAL).build());
            assertRefused(d, SenderLoginRule.AUTHENTICATION_REQUIRED, "sender-login");
        }

        @Test
        void checkWhenDevicesNotExemptedThenTheirLocalSenderIsReportedAsRefused() {
            AllowListedDevicesRule devices = AllowListedDevicesRule.builder()
                    .device("printer", PRINTER_NET, "scan@example.com").build();
            List<Rule> forgotten = List.of(
                    SenderLoginRule.builder(LOGINS).protectLocalSenders(LOCAL_DOMAINS, OFFICE_NET).build(),
                    devices, AuthenticatedRelayRule.builder().build());
            assertThat(AuthChecks.check(forgotten)).extracting(PolicyFinding::code)
                    .containsExactly(AuthChecks.DEVICE_SENDER_REFUSED);
            Decision d = policy(forgotten).decide(rcpt(PRINTERS, "<scan@example.com>", EXTERNAL).build());
            assertThat(d.verdict()).as("what the warning is about").isEqualTo(Verdict.DENY);
        }

        @Test
        void decideWhenOutsideClientUsesPrinterAddressThenNoDevicePrivilege() {
            Decision d = policy.decide(rcpt(OUTSIDE, "<scan@example.com>", EXTERNAL).build());
            assertRefused(d, SenderLoginRule.AUTHENTICATION_REQUIRED, "sender-login");
        }
    }

    @Nested
    class TrustedLoadBalancerOrOpenNetwork {

        @Test
        void checkWhenTrustedNetworkCoversEveryClientThenOpenRelayError() {
            Condition everyone = TestNetworks.clientIn("client in 0.0.0.0/0", "0.0.0.0/0");
            List<PolicyFinding> findings = AuthChecks.check(TrustedNetworksRule.of(everyone),
                    AuthenticatedRelayRule.builder().build());
            List<String> errors = findings.stream().filter(f -> f.severity() == PolicyFinding.Severity.ERROR)
                    .map(PolicyFinding::code).collect(Collectors.toList());
            assertThat(errors).containsExactly(AuthChecks.OPEN_RELAY_NETWORK);
            Decision d = policy(List.of(TrustedNetworksRule.of(everyone)))
                    .decide(rcpt(OUTSIDE, "<spam@elsewhere.example>", EXTERNAL).build());
            assertThat(d.verdict()).as("what the error prevents").isEqualTo(Verdict.ALLOW);
        }
    }
}
