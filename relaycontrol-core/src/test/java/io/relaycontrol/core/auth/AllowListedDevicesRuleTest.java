package io.relaycontrol.core.auth;

import static io.relaycontrol.core.auth.Requests.OFFICE;
import static io.relaycontrol.core.auth.Requests.OUTSIDE;
import static io.relaycontrol.core.auth.Requests.PRINTERS;
import static io.relaycontrol.core.auth.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.net.NetworkSet;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Rule;
import java.util.List;
import org.junit.jupiter.api.Test;

class AllowListedDevicesRuleTest extends AuthRuleContract {

    static final Condition PRINTER_NET = TestNetworks.clientIn("client in printer network", "10.9.0.0/24");
    static final Condition APP_NET = TestNetworks.clientIn("client in app servers", "192.168.1.0/24");
    static final String TO = "<customer@elsewhere.example>";

    private final AllowListedDevicesRule rule = AllowListedDevicesRule.builder()
            .device("printer", PRINTER_NET, "scan@example.com", "printer@example.com")
            .device("crm", APP_NET, "noreply@example.com")
            .build();

    @Override
    Rule rule() {
        return rule;
    }

    @Override
    protected List<RelayRequest> requests() {
        return List.of(rcpt(PRINTERS, "<scan@example.com>", TO).build(), rcpt(OUTSIDE, "<scan@example.com>", TO).build(),
                rcpt(PRINTERS, "<boss@example.com>", TO).build(), rcpt(PRINTERS, "<>", TO).build(),
                rcpt(PRINTERS, "<scan@example.com>", TO).authenticated("alice").build(), Requests.connect(PRINTERS));
    }

    @Test
    void decideWhenListedSenderFromItsNetworkThenAllowNamingDevice() {
        Decision d = rule.decide(rcpt(PRINTERS, "<scan@example.com>", TO).build());
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.rule()).isEqualTo("allow-listed-devices");
        assertThat(d.reason()).isEqualTo("allow-listed device 'printer': listed sender from client in printer network");
        assertThat(rule.decide(rcpt(PRINTERS, "<printer@EXAMPLE.com>", TO).build()).verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(rule.decide(rcpt(OFFICE, "<noreply@example.com>", TO).build()).reason()).contains("'crm'");
    }

    @Test
    void decideWhenListedSenderFromElsewhereThenNoOpinion() {
        Decision d = rule.decide(rcpt(OUTSIDE, "<scan@example.com>", TO).build());
        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.reason()).isEqualTo(
                "sender is listed for allow-listed devices, but the client is not in their networks");
        assertThat(rule.decide(rcpt(OFFICE, "<scan@example.com>", TO).build()).verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenUnlistedSenderFromDeviceNetworkThenNoOpinionByDefault() {
        Decision d = rule.decide(rcpt(PRINTERS, "<boss@example.com>", TO).build());
        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.reason()).isEqualTo("sender is not listed for any allow-listed device");
        assertThat(rule.decide(rcpt(PRINTERS, "<Scan@example.com>", TO).build()).verdict())
                .as("local parts are case-preserving").isEqualTo(Verdict.NO_OPINION);
        assertThat(rule.decide(rcpt(PRINTERS, "<scan%evil@example.com>", TO).build()).verdict())
                .isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenRefusingUnlistedSendersThenDeny553FromDeviceNetworksOnly() {
        AllowListedDevicesRule strict = AllowListedDevicesRule.builder().device("printer", PRINTER_NET, "scan@example.com")
                .refuseUnlistedSenders(true).build();
        Decision d = strict.decide(rcpt(PRINTERS, "<boss@example.com>", TO).build());
        assertThat(d.verdict()).isEqualTo(Verdict.DENY);
        assertThat(d.reply()).contains(AllowListedDevicesRule.SENDER_NOT_ALLOWED);
        assertThat(d.reply().orElseThrow().toString())
                .isEqualTo("553 5.7.1 Sender address not allowed for unauthenticated devices");
        assertThat(d.reason()).isEqualTo("client 10.9.0.5 is in the networks of allow-listed device 'printer' but"
                + " sender <boss@example.com> is not allowed there");
        assertThat(strict.decide(rcpt(PRINTERS, "<>", TO).build()).verdict()).isEqualTo(Verdict.DENY);
        assertThat(strict.decide(rcpt(OUTSIDE, "<boss@example.com>", TO).build()).verdict())
                .isEqualTo(Verdict.NO_OPINION);
        assertThat(strict.decide(rcpt(PRINTERS, "<scan@example.com>", TO).build()).verdict()).isEqualTo(Verdict.ALLOW);
    }

    @Test
    void decideWhenNullSenderNotListedThenNoPrivilege() {
        Decision d = rule.decide(rcpt(PRINTERS, "<>", TO).build());
        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.reason()).isEqualTo("sender is not listed for any allow-listed device");
    }

    @Test
    void decideWhenNullSenderListedExplicitlyThenAllowedFromNetworkOnly() {
        AllowListedDevicesRule withBounces = AllowListedDevicesRule.builder()
                .device("mailer", APP_NET, "<>", "app@example.com").build();
        assertThat(withBounces.decide(rcpt(OFFICE, "<>", TO).build()).verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(withBounces.decide(rcpt(OUTSIDE, "<>", TO).build()).verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(withBounces.sendersOf("mailer")).containsExactlyInAnyOrder("<>", "app@example.com");
    }

    @Test
    void decideWhenAuthenticatedOrSenderUnknownThenNoOpinion() {
        assertThat(rule.decide(rcpt(PRINTERS, "<scan@example.com>", TO).authenticated("alice").build()).reason())
                .isEqualTo("client is authenticated; this rule is for devices without AUTH");
        assertThat(rule.decide(Requests.connect(PRINTERS)).reason()).isEqualTo("sender not yet known");
    }

    @Test
    void decideWhenClientConditionThrowsThenTemporaryFailure() {
        AllowListedDevicesRule broken = AllowListedDevicesRule.builder().device("x", Condition.of("broken", r -> {
            throw new IllegalStateException("boom");
        }), "scan@example.com").build();
        Decision d = broken.decide(rcpt(PRINTERS, "<scan@example.com>", TO).build());
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.reply().orElseThrow().code()).isEqualTo(451);
    }

    @Test
    void builderWhenBadDevicesThenFailsAtOnceNamingThem() {
        assertThatThrownBy(() -> AllowListedDevicesRule.builder().build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> AllowListedDevicesRule.builder().device("p", PRINTER_NET))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'p' needs at least one sender");
        assertThatThrownBy(() -> AllowListedDevicesRule.builder().device("p", PRINTER_NET, "a@example.com")
                .device("p", APP_NET, "b@example.com")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already");
        assertThatThrownBy(() -> AllowListedDevicesRule.builder().device("p", PRINTER_NET, "a%b@example.com"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("routed");
        assertThatThrownBy(() -> AllowListedDevicesRule.builder().device("p", PRINTER_NET, "nonsense"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'nonsense' is not an address");
        assertThatThrownBy(() -> AllowListedDevicesRule.builder().device("p", PRINTER_NET, ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty sender");
        assertThatThrownBy(() -> rule.clientsOf("nope")).isInstanceOf(IllegalArgumentException.class);
        assertThat(rule.deviceNames()).containsExactly("printer", "crm");
        assertThat(rule.describe()).contains("printer").contains("client in app servers");
    }

    @Test
    void decideWhenDeviceAddedWithNetworkSetThenAllowedFromThoseNetworksOnly() {
        AllowListedDevicesRule withSet = AllowListedDevicesRule.builder()
                .device("scanner", NetworkSet.of("10.9.0.0/24", "2001:db8:9::/48"), "scan@example.com").build();
        assertThat(withSet.decide(rcpt(PRINTERS, "<scan@example.com>", TO).build()).verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(withSet.decide(rcpt("2001:db8:9::5", "<scan@example.com>", TO).build()).verdict())
                .isEqualTo(Verdict.ALLOW);
        assertThat(withSet.decide(rcpt(OUTSIDE, "<scan@example.com>", TO).build()).verdict())
                .isEqualTo(Verdict.NO_OPINION);
        assertThat(withSet.networksOf("scanner")).isPresent();
        assertThat(rule.networksOf("printer")).isEmpty();
    }
}
