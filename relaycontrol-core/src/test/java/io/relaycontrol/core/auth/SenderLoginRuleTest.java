package io.relaycontrol.core.auth;

import static io.relaycontrol.core.auth.Requests.OFFICE;
import static io.relaycontrol.core.auth.Requests.OUTSIDE;
import static io.relaycontrol.core.auth.Requests.authMail;
import static io.relaycontrol.core.auth.Requests.authRcpt;
import static io.relaycontrol.core.auth.Requests.mail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Rule;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SenderLoginRuleTest extends AuthRuleContract {

    static final SenderLoginMap MAP = SenderLoginMap.parse(List.of(
            "alice: alice@example.com, @alice.example",
            "bob: bob@example.com"), "test.map");
    static final Condition OFFICE_NET = TestNetworks.clientIn("client in office networks", "192.168.0.0/16");
    static final Set<String> LOCAL = Set.of("example.com", "alice.example");

    private final SenderLoginRule rule = SenderLoginRule.builder(MAP)
            .protectLocalSenders(LOCAL::contains, "the local domains", OFFICE_NET).build();

    @Override
    Rule rule() {
        return rule;
    }

    @Override
    protected List<RelayRequest> requests() {
        return List.of(authMail("alice", "<alice@example.com>").build(), authMail("alice", "<bob@example.com>").build(),
                authMail("alice", "<>").build(), authMail("alice", "<a%b@alice.example>").build(),
                authMail("alice", "<garbage>").build(), mail(OUTSIDE, "<bob@example.com>").build(),
                mail(OFFICE, "<bob@example.com>").build(), mail(OUTSIDE, "<x@elsewhere.example>").build(),
                mail(OUTSIDE, "<>").build(), Requests.connect(OUTSIDE));
    }

    private static void assertDenied(Decision d, SmtpReply reply, String reason) {
        assertThat(d.verdict()).isEqualTo(Verdict.DENY);
        assertThat(d.reply()).contains(reply);
        assertThat(d.reason()).isEqualTo(reason);
        assertThat(d.rule()).isEqualTo("sender-login");
    }

    @Test
    void decideWhenAuthenticatedAndSenderOwnedThenNoOpinionNeverAllow() {
        for (String s : List.of("<alice@example.com>", "<anyone@alice.example>", "<alice@EXAMPLE.COM>")) {
            Decision d = rule.decide(authMail("alice", s).build());
            assertThat(d.verdict()).as(s).isEqualTo(Verdict.NO_OPINION);
            assertThat(d.reason()).isEqualTo("sender is owned by the authenticated login");
        }
    }

    @Test
    void decideWhenAuthenticatedAndSenderNotOwnedThenDeny553() {
        assertDenied(rule.decide(authMail("alice", "<bob@example.com>").build()), SenderLoginRule.NOT_OWNED,
                "login 'alice' does not own sender <bob@example.com>");
        assertDenied(rule.decide(authMail("mallory", "<mallory@example.com>").build()), SenderLoginRule.NOT_OWNED,
                "login 'mallory' does not own sender <mallory@example.com>");
        assertThat(SenderLoginRule.NOT_OWNED.toString())
                .isEqualTo("553 5.7.1 Sender address rejected: not owned by the authenticated user");
    }

    @Test
    void decideWhenAuthenticatedAtRcptOrDataThenSameAnswerAsAtMail() {
        assertThat(rule.decide(authRcpt("alice", "<bob@example.com>", "<x@elsewhere.example>").build()).verdict())
                .isEqualTo(Verdict.DENY);
        RelayRequest data = RelayRequest.builder(Stage.DATA).client(OUTSIDE).authenticated("alice").tls(true)
                .sender("<bob@example.com>").recipientCount(1).build();
        assertThat(rule.decide(data).verdict()).isEqualTo(Verdict.DENY);
    }

    @Test
    void decideWhenAuthenticatedWithRoutedOrInvalidSenderThenDeny() {
        assertDenied(rule.decide(authMail("alice", "<evil%victim.example@alice.example>").build()),
                SenderLoginRule.NOT_OWNED,
                "login 'alice' used a routed sender, owned by nobody: <evil%victim.example@alice.example>");
        Decision invalid = rule.decide(authMail("alice", "<garbage>").build());
        assertThat(invalid.verdict()).isEqualTo(Verdict.DENY);
        assertThat(invalid.reply()).contains(SenderLoginRule.NOT_OWNED);
        assertThat(invalid.reason()).startsWith("login 'alice' used an unreadable address (")
                .endsWith("), owned by nobody").doesNotContain("garbage");
    }

    @Test
    void decideWhenAuthenticatedNullSenderThenAllowedByDefaultRefusedWhenConfigured() {
        Decision d = rule.decide(authMail("alice", "<>").build());
        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.reason()).startsWith("null sender <> from an authenticated client");
        SenderLoginRule strict = SenderLoginRule.builder(MAP).allowNullSenderWhenAuthenticated(false).build();
        assertDenied(strict.decide(authMail("alice", "<>").build()), SenderLoginRule.NOT_OWNED,
                "login 'alice' used the null sender <>, which this rule refuses for authenticated clients");
        assertThat(strict.allowsNullSenderWhenAuthenticated()).isFalse();
    }

    @Test
    void decideWhenUnauthenticatedLocalSenderFromOutsideThenDeny553AuthenticationRequired() {
        assertDenied(rule.decide(mail(OUTSIDE, "<bob@example.com>").build()), SenderLoginRule.AUTHENTICATION_REQUIRED,
                "unauthenticated client 203.0.113.7 used sender <bob@example.com> of the local domains and is not"
                        + " exempt (client in office networks); local senders must authenticate");
        assertThat(rule.decide(mail(OUTSIDE, "<Bob@Alice.Example>").build()).verdict()).isEqualTo(Verdict.DENY);
        assertThat(rule.decide(mail(OUTSIDE, "<x%y@example.com>").build()).verdict()).isEqualTo(Verdict.DENY);
    }

    @Test
    void decideWhenUnauthenticatedFromTrustedNetworkThenExempt() {
        Decision d = rule.decide(mail(OFFICE, "<bob@example.com>").build());
        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.reason()).isEqualTo("unauthenticated client is exempt: client in office networks");
    }

    @Test
    void decideWhenUnauthenticatedNonLocalOrNullOrInvalidSenderThenNoOpinion() {
        Decision other = rule.decide(mail(OUTSIDE, "<x@elsewhere.example>").build());
        assertThat(other.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(other.reason()).isEqualTo("sender domain is not one of the local domains");
        assertThat(rule.decide(mail(OUTSIDE, "<x@sub.example.com>").build()).verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(rule.decide(mail(OUTSIDE, "<>").build()).verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(rule.decide(mail(OUTSIDE, "<garbage>").build()).verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenProtectionOffThenUnauthenticatedSendersUnchecked() {
        SenderLoginRule plain = SenderLoginRule.builder(MAP).build();
        Decision d = plain.decide(mail(OUTSIDE, "<bob@example.com>").build());
        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.reason()).startsWith("client is not authenticated; senders of unauthenticated clients");
        assertThat(plain.protectsLocalSenders()).isFalse();
        assertThat(plain.trustedClients()).isEmpty();
    }

    @Test
    void decideWhenSenderNotYetKnownThenNoOpinion() {
        assertThat(rule.decide(Requests.connect(OUTSIDE)).reason()).isEqualTo("sender not yet known");
    }

    @Test
    void decideWhenDomainPredicateThrowsThenTemporaryFailure() {
        SenderLoginRule broken = SenderLoginRule.builder(MAP).protectLocalSenders(d -> {
            throw new IllegalStateException("domain store down");
        }, "the local domains", OFFICE_NET).build();
        Decision d = broken.decide(mail(OUTSIDE, "<bob@example.com>").build());
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.reply()).contains(SmtpReply.TEMPORARY_FAILURE);
        assertThat(d.error()).get().hasFieldOrPropertyWithValue("message", "domain store down");
    }

    @Test
    void builderWhenOptionRepeatedOrBadThenFailsAtOnce() {
        assertThatThrownBy(() -> SenderLoginRule.builder(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> SenderLoginRule.builder(MAP).protectLocalSenders(LOCAL::contains, " ", OFFICE_NET))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SenderLoginRule.builder(MAP).protectLocalSenders(LOCAL::contains, "d", OFFICE_NET)
                .protectLocalSenders(LOCAL::contains, "d", OFFICE_NET)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SenderLoginRule.builder(MAP).allowNullSenderWhenAuthenticated(true)
                .allowNullSenderWhenAuthenticated(true)).isInstanceOf(IllegalStateException.class);
        assertThat(rule.describe()).contains("2 logins").contains("the local domains");
    }

    @Test
    void decideWhenProtectedByDomainSetThenSubdomainEntriesAndIdnCount() {
        SenderLoginRule withSet = SenderLoginRule.builder(MAP)
                .protectLocalSenders(DomainSet.of("example.com", ".corp.example", "bücher.example"), OFFICE_NET)
                .build();
        assertThat(withSet.decide(mail(OUTSIDE, "<bob@example.com>").build()).verdict()).isEqualTo(Verdict.DENY);
        assertThat(withSet.decide(mail(OUTSIDE, "<x@eu.corp.example>").build()).verdict()).isEqualTo(Verdict.DENY);
        assertThat(withSet.decide(mail(OUTSIDE, "<x@xn--bcher-kva.example>").build()).verdict())
                .isEqualTo(Verdict.DENY);
        assertThat(withSet.decide(mail(OUTSIDE, "<x@BÜCHER.example>").build()).verdict()).isEqualTo(Verdict.DENY);
        Decision other = withSet.decide(mail(OUTSIDE, "<x@notexample.com>").build());
        assertThat(other.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(other.reason()).startsWith("sender domain is not one of local domains ");
        assertThat(withSet.decide(mail(OFFICE, "<bob@example.com>").build()).verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenDevicesExemptedThenOnlyTheirOwnSenderFromTheirNetworkPasses() {
        AllowListedDevicesRule devices = AllowListedDevicesRule.builder()
                .device("printer", TestNetworks.clientIn("printer network", "10.9.0.0/24"), "scan@example.com").build();
        SenderLoginRule exempting = SenderLoginRule.builder(MAP)
                .protectLocalSenders(LOCAL::contains, "the local domains", OFFICE_NET)
                .exemptAllowListedDevices(devices).build();
        Decision d = exempting.decide(mail(Requests.PRINTERS, "<scan@example.com>").build());
        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.reason()).isEqualTo("unauthenticated client is exempt: an allow-listed device of"
                + " allow-listed-devices using its own sender from its networks");
        assertThat(exempting.decide(mail(Requests.PRINTERS, "<bob@example.com>").build()).verdict())
                .isEqualTo(Verdict.DENY);
        assertThat(exempting.decide(mail(OUTSIDE, "<scan@example.com>").build()).verdict()).isEqualTo(Verdict.DENY);
        assertThat(exempting.exemptDevices()).contains(devices);
        assertThat(rule.decide(mail(Requests.PRINTERS, "<scan@example.com>").build()).verdict())
                .as("without the exemption").isEqualTo(Verdict.DENY);
    }

    @Test
    void decideWhenExemptDevicesFailThenTemporaryFailureNotPermanentRefusal() {
        AllowListedDevicesRule broken = AllowListedDevicesRule.builder().device("printer", Condition.of("broken", r -> {
            throw new IllegalStateException("network list unavailable");
        }), "scan@example.com").build();
        SenderLoginRule exempting = SenderLoginRule.builder(MAP)
                .protectLocalSenders(LOCAL::contains, "the local domains", OFFICE_NET)
                .exemptAllowListedDevices(broken).build();
        Decision d = exempting.decide(mail(Requests.PRINTERS, "<scan@example.com>").build());
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.reply()).contains(SmtpReply.TEMPORARY_FAILURE);
        assertThat(d.rule()).isEqualTo("sender-login");
    }

    @Test
    void builderWhenDevicesExemptedWithoutProtectionThenFailsAtBuild() {
        AllowListedDevicesRule devices = AllowListedDevicesRule.builder()
                .device("printer", OFFICE_NET, "scan@example.com").build();
        assertThatThrownBy(() -> SenderLoginRule.builder(MAP).exemptAllowListedDevices(devices).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("protectLocalSenders");
        assertThatThrownBy(() -> SenderLoginRule.builder(MAP).exemptAllowListedDevices(devices)
                .exemptAllowListedDevices(devices)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void decideWhenAuthenticatedSendersUncheckedThenOnlyLocalSenderProtectionApplies() {
        SenderLoginRule noMap = SenderLoginRule.builder(SenderLoginMap.parse(List.of(), "none"))
                .checkAuthenticatedSenders(false)
                .protectLocalSenders(LOCAL::contains, "the local domains", OFFICE_NET).build();
        Decision d = noMap.decide(authMail("alice", "<bob@example.com>").build());
        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.reason()).startsWith("senders of authenticated clients are not checked");
        assertThat(noMap.decide(mail(OUTSIDE, "<bob@example.com>").build()).verdict()).isEqualTo(Verdict.DENY);
        assertThat(noMap.checksAuthenticatedSenders()).isFalse();
        assertThat(noMap.describe()).contains("authenticated senders not checked");
        assertThatThrownBy(() -> SenderLoginRule.builder(MAP).checkAuthenticatedSenders(true)
                .checkAuthenticatedSenders(false)).isInstanceOf(IllegalStateException.class);
    }
}
