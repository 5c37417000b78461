package io.relaycontrol.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.core.check.PolicyFinding;
import io.relaycontrol.core.check.PolicyFinding.Severity;
import io.relaycontrol.core.net.NetworkSet;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Conditions;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rule;
import io.relaycontrol.core.rules.Rules;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuthChecksTest {

    private static final Condition OFFICE = TestNetworks.clientIn("client in office networks",
            "192.168.0.0/16", "10.0.0.0/8", "127.0.0.0/8", "::1/128", "fd00::/8");
    private static final SenderLoginMap MAP = SenderLoginMap.parse(List.of("alice: alice@example.com"), "m");
    private static final SenderLoginRule SENDER_LOGIN = SenderLoginRule.builder(MAP)
            .protectLocalSenders(Set.of("example.com")::contains, "the local domains", OFFICE).build();
    private static final AuthenticatedRelayRule AUTH = AuthenticatedRelayRule.builder().build();

    private static List<String> codes(List<PolicyFinding> findings) {
        return findings.stream().map(PolicyFinding::code).collect(Collectors.toList());
    }

    private static PolicyFinding only(List<PolicyFinding> findings, String code) {
        List<PolicyFinding> matching = findings.stream().filter(f -> f.code().equals(code)).collect(Collectors.toList());
        assertThat(matching).as("findings %s", findings).hasSize(1);
        return matching.get(0);
    }

    @Test
    void checkWhenRecommendedRulesInRecommendedOrderThenNoFindings() {
        List<Rule> rules = List.of(
                NullSenderRules.multiRecipientBounce(),
                SENDER_LOGIN,
                AllowListedDevicesRule.builder()
                        .device("printer", TestNetworks.clientIn("printers", "10.9.0.0/24"), "scan@example.com").build(),
                TrustedNetworksRule.of(OFFICE),
                AUTH);
        assertThat(AuthChecks.check(rules)).isEmpty();
        Policy.Builder policy = Policy.builder("relay");
        rules.forEach(policy::rule);
        assertThat(policy.otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build().rules()).hasSize(5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0/0", "0.0.0.0/1,128.0.0.0/1", "::/0", "0.0.0.0/0,::/0"})
    void checkWhenTrustedNetworkCoversEverythingThenOpenRelayError(String cidrs) {
        Condition all = TestNetworks.clientIn("client in " + cidrs, cidrs.split(","));
        List<PolicyFinding> findings = AuthChecks.check(TrustedNetworksRule.of("mynetworks", all));
        assertThat(findings).isNotEmpty().allSatisfy(f -> {
            assertThat(f.code()).isEqualTo(AuthChecks.OPEN_RELAY_NETWORK);
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.message()).contains("trusted-networks rule 'mynetworks'").contains("client in " + cidrs)
                    .contains("lets unauthenticated clients from anywhere relay");
        });
        assertThat(findings.get(0).message()).containsAnyOf("0.0.0.0/0", "::/0");
    }

    @Test
    void checkWhenTrustedNetworkCoversHalfOfIpv4ThenBroadWarning() {
        PolicyFinding f = only(AuthChecks.check(TrustedNetworksRule.of(
                TestNetworks.clientIn("client in 0.0.0.0/1", "0.0.0.0/1"))), AuthChecks.BROAD_TRUSTED_NETWORK);
        assertThat(f.severity()).isEqualTo(Severity.WARNING);
        assertThat(f.message()).contains("4 of 8 public IPv4 probe addresses");
    }

    @Test
    void checkWhenTrustedNetworksArePrivateOrSmallThenNoFinding() {
        assertThat(AuthChecks.check(TrustedNetworksRule.of(OFFICE))).isEmpty();
        assertThat(AuthChecks.check(TrustedNetworksRule.of(
                TestNetworks.clientIn("our public block", "198.51.100.0/24", "2001:db8:1::/48")))).isEmpty();
    }

    @Test
    void checkWhenDeviceNetworkIsOpenOrListsNullSenderThenFindings() {
        AllowListedDevicesRule devices = AllowListedDevicesRule.builder()
                .device("anywhere", Condition.of("any client", r -> true), "app@example.com")
                .device("bouncer", OFFICE, "<>").build();
        List<PolicyFinding> findings = AuthChecks.check(devices);
        assertThat(codes(findings)).containsExactly(AuthChecks.OPEN_RELAY_NETWORK, AuthChecks.OPEN_RELAY_NETWORK,
                AuthChecks.DEVICE_NULL_SENDER);
        assertThat(findings.get(0).message()).startsWith("allow-listed device 'anywhere' of rule 'allow-listed-devices'");
        assertThat(findings.get(2).message()).contains("'bouncer'").contains("<>");
        assertThat(findings.get(2).severity()).isEqualTo(Severity.WARNING);
    }

    @Test
    void checkWhenAuthWithoutTlsThenWarning() {
        PolicyFinding f = only(AuthChecks.check(SENDER_LOGIN, AuthenticatedRelayRule.builder().requireTls(false).build()),
                AuthChecks.AUTH_WITHOUT_TLS);
        assertThat(f.severity()).isEqualTo(Severity.WARNING);
        assertThat(f.message()).contains("'authenticated-relay'").contains("requireTls(false)");
    }

    @Test
    void checkWhenIdentityListEmptyThenWarning() {
        PolicyFinding f = only(AuthChecks.check(SENDER_LOGIN,
                AuthenticatedRelayRule.builder().name("apps").onlyIdentities(Set.of()).build()),
                AuthChecks.EMPTY_IDENTITY_LIST);
        assertThat(f.severity()).isEqualTo(Severity.WARNING);
        assertThat(f.message()).contains("'apps'").contains("never allows");
    }

    @Test
    void checkWhenSenderLoginMapEmptyThenError() {
        SenderLoginRule empty = SenderLoginRule.builder(SenderLoginMap.parse(List.of("# none"), "m")).build();
        PolicyFinding f = only(AuthChecks.check(empty), AuthChecks.SENDER_LOGIN_MAP_EMPTY);
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.message()).contains("'sender-login'").contains("every authenticated sender would be refused");
    }

    @Test
    void checkWhenAuthenticatedRelayWithoutSenderLoginThenWarnings() {
        List<PolicyFinding> findings = AuthChecks.check(AUTH);
        assertThat(codes(findings)).containsExactly(AuthChecks.SENDER_NOT_BOUND_TO_LOGIN,
                AuthChecks.LOCAL_SENDERS_UNPROTECTED);
        assertThat(findings.get(0).message()).contains("any login may send as anyone");
    }

    @Test
    void checkWhenSenderLoginWithoutProtectionThenLocalSendersUnprotected() {
        SenderLoginRule plain = SenderLoginRule.builder(MAP).build();
        assertThat(codes(AuthChecks.check(plain, AUTH))).containsExactly(AuthChecks.LOCAL_SENDERS_UNPROTECTED);
    }

    @Test
    void checkWhenSenderLoginAfterAuthenticatedRelayThenUnreachableError() {
        PolicyFinding f = only(AuthChecks.check(List.of(AUTH, SENDER_LOGIN)), AuthChecks.SENDER_CHECK_UNREACHABLE);
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.message()).contains("'sender-login' is placed after authenticated-relay rule 'authenticated-relay'");
    }

    @Test
    void checkWhenSenderLoginAfterTrustedNetworksThenBypassedWarning() {
        PolicyFinding f = only(AuthChecks.check(TrustedNetworksRule.of(OFFICE), SENDER_LOGIN, AUTH),
                AuthChecks.SENDER_CHECK_BYPASSED);
        assertThat(f.severity()).isEqualTo(Severity.WARNING);
        assertThat(f.message()).contains("'trusted-networks'");
    }

    @Test
    void checkWhenBounceRuleAfterAllowingRuleThenWarning() {
        PolicyFinding f = only(AuthChecks.check(SENDER_LOGIN, AUTH, NullSenderRules.multiRecipientBounce()),
                AuthChecks.BOUNCE_CHECK_UNREACHABLE);
        assertThat(f.message()).contains("'multi-recipient-bounce'").contains("'authenticated-relay'");
    }

    @Test
    void checkWhenEveryClientExemptFromLocalSenderProtectionThenIdentityOptionalError() {
        SenderLoginRule everyoneExempt = SenderLoginRule.builder(MAP)
                .protectLocalSenders(Set.of("example.com")::contains, "the local domains",
                        Conditions.not(Conditions.authenticated()))
                .build();
        List<PolicyFinding> findings = AuthChecks.check(everyoneExempt, AUTH);
        assertThat(codes(findings)).containsExactly(AuthChecks.IDENTITY_OPTIONAL_NETWORK,
                AuthChecks.IDENTITY_OPTIONAL_NETWORK);
        assertThat(findings.get(0).severity()).isEqualTo(Severity.ERROR);
        assertThat(findings.get(0).message()).contains("not client is authenticated").contains("IPv4");
    }

    @Test
    void checkWhenOtherPackagesRulesThenSkipped() {
        assertThat(AuthChecks.check(Rules.allow("x", "always"), Rules.when(Conditions.tls()).allow("tls"))).isEmpty();
        assertThat(AuthChecks.check(List.of())).isEmpty();
    }

    @Test
    void checkTrustedClientsWhenConditionThrowsThenCountsAsNotHolding() {
        assertThat(AuthChecks.checkTrustedClients("x", Condition.of("broken", r -> {
            throw new IllegalStateException("boom");
        }))).isEmpty();
    }

    @Test
    void checkWhenNullArgumentsThenNullPointerException() {
        assertThatThrownBy(() -> AuthChecks.check((List<? extends io.relaycontrol.api.RelayDecider>) null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AuthChecks.checkTrustedClients("x", null)).isInstanceOf(NullPointerException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0/1,128.0.0.0/1", "10.0.0.0/8,0.0.0.0/1,128.0.0.0/1"})
    void checkWhenTrustedNetworkSetHoldsAllOfIpv4ThenOpenRelayErrorNamingIt(String cidrs) {
        List<PolicyFinding> findings = AuthChecks.check(TrustedNetworksRule.of("mynetworks",
                NetworkSet.of(cidrs.split(","))));
        PolicyFinding f = only(findings, AuthChecks.OPEN_RELAY_NETWORK);
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.message()).startsWith("trusted-networks rule 'mynetworks' contains all of IPv4 (0.0.0.0/0)");
    }

    @Test
    void checkTrustedNetworksWhenIpv6AllThenErrorAndWhenPrivateThenNothing() {
        List<PolicyFinding> findings = AuthChecks.checkTrustedNetworks("trusted networks",
                NetworkSet.of("::/1", "8000::/1"));
        assertThat(codes(findings)).containsExactly(AuthChecks.OPEN_RELAY_NETWORK);
        assertThat(findings.get(0).message()).contains("all of IPv6 (::/0)");
        assertThat(AuthChecks.checkTrustedNetworks("trusted networks",
                NetworkSet.of("127.0.0.0/8", "10.0.0.0/8", "192.168.0.0/16", "fd00::/8", "fe80::/10"))).isEmpty();
        assertThat(codes(AuthChecks.checkTrustedNetworks("trusted networks", NetworkSet.of("0.0.0.0/1"))))
                .containsExactly(AuthChecks.BROAD_TRUSTED_NETWORK);
    }

    @Test
    void checkWhenDeviceNetworkSetIsOpenThenOpenRelayError() {
        AllowListedDevicesRule devices = AllowListedDevicesRule.builder()
                .device("printer", NetworkSet.of("0.0.0.0/1", "128.0.0.0/1"), "scan@example.com").build();
        PolicyFinding f = only(AuthChecks.check(devices), AuthChecks.OPEN_RELAY_NETWORK);
        assertThat(f.message()).startsWith("allow-listed device 'printer' of rule 'allow-listed-devices' contains all"
                + " of IPv4");
    }

    @Test
    void checkWhenNetworkSetBuiltWithPrefixZeroThenOpenRelayError() throws Exception {
        NetworkSet all = NetworkSet.builder().add(java.net.InetAddress.getByName("0.0.0.0"), 0).build();
        PolicyFinding f = only(AuthChecks.check(TrustedNetworksRule.of(all)), AuthChecks.OPEN_RELAY_NETWORK);
        assertThat(f.message()).contains("contains all of IPv4 (0.0.0.0/0)");
    }

    @Test
    void checkWhenAuthenticatedSendersUncheckedThenNotBoundWarningButNoFalseAlarms() {
        SenderLoginRule noMap = SenderLoginRule.builder(SenderLoginMap.parse(List.of(), "none"))
                .checkAuthenticatedSenders(false)
                .protectLocalSenders(Set.of("example.com")::contains, "the local domains", OFFICE).build();
        assertThat(codes(AuthChecks.check(AUTH, noMap))).containsExactly(AuthChecks.SENDER_NOT_BOUND_TO_LOGIN);
        assertThat(codes(AuthChecks.check(noMap, AUTH))).containsExactly(AuthChecks.SENDER_NOT_BOUND_TO_LOGIN);
    }
}
