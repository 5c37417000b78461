package io.relaycontrol.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.audit.AuditReport;
import io.relaycontrol.core.audit.AuditResult;
import io.relaycontrol.core.audit.RelayAudit;
import io.relaycontrol.core.auth.SenderLoginMap;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.LimitKeys;
import io.relaycontrol.core.limit.RateLimit;
import io.relaycontrol.core.net.NetworkSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The open-relay self-audit run on the standard policy in several configurations: none of them relays a single
 * probe, and none refuses legitimate mail. A standard policy configured to trust everyone fails the audit.
 */
class StandardRelayPolicyAuditTest {

    static Stream<Arguments> configurations() {
        return Stream.of(
                Arguments.of("readme", StandardRelayPolicy.builder()
                        .localDomains(DomainSet.of("example.com", ".example.com"))
                        .relayDomains(DomainSet.of("backup.example.net"))
                        .trustedNetworks(NetworkSet.of("192.0.2.0/24", "2001:db8:1::/48"))
                        .blockedNetworks(NetworkSet.of("203.0.113.0/24"))
                        .senderLogins(SenderLoginMap.parse(
                                List.of("alice: alice@example.com, @alice.example.org"), "inline"))
                        .build()),
                Arguments.of("one local domain, nothing else",
                        StandardRelayPolicy.builder().localDomains(DomainSet.of("example.com")).build()),
                Arguments.of("IDN local domain, subdomain relay domain, AUTH without TLS allowed",
                        StandardRelayPolicy.builder()
                                .localDomains(DomainSet.of("b\u00fccher.example", "example.org"))
                                .relayDomains(DomainSet.of(".relay.example.net"))
                                .requireTlsForAuth(false)
                                .build()),
                Arguments.of("trusted networks with an exception, IPv6 only blocked list",
                        StandardRelayPolicy.builder()
                                .localDomains(DomainSet.of("example.com"))
                                .trustedNetworks(NetworkSet.builder().add("10.0.0.0/8").except("10.0.0.0/16")
                                        .add("::ffff:172.16.0.0/108").build())
                                .blockedNetworks(NetworkSet.of("2001:db8:bad::/48"))
                                .protectLocalSenders(false)
                                .build()),
                Arguments.of("with a per-client recipient limit", StandardRelayPolicy.builder()
                        .localDomains(DomainSet.of("example.com"))
                        .limit(RateLimit.builder("client-recipients").key(LimitKeys.clientAddress())
                                .counting(Counted.RECIPIENTS).rates(Rate.parseList("10000/1h")).build())
                        .build()),
                Arguments.of("from properties", StandardRelayPolicy.fromProperties(Map.of(
                        "relay.local-domains", "example.com, .example.com",
                        "relay.relay-domains", "backup.example.net",
                        "relay.trusted-networks", "192.0.2.0/24",
                        "relay.blocked-networks", "203.0.113.0/24"), Path.of("."))));
    }

    private static String ids(List<AuditResult> results) {
        return results.stream().map(r -> r.probe().id() + " in " + r.context().name())
                .collect(Collectors.joining(", "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configurations")
    void auditWhenStandardPolicyIsConfiguredThenNotAnOpenRelay(String name, StandardRelayPolicy policy) {
        AuditReport report = RelayAudit.of(policy).run();

        assertThat(report.wronglyAllowed()).as(report.describe()).isEmpty();
        assertThat(report.describe()).contains("verdict: not an open relay");
        assertThat(report.tried()).isGreaterThan(100);
    }

    /**
     * Depends on {@code <Postmaster>} without a domain being parsed and accepted by the standard policy (issue 11,
     * h-address): RFC 5321 section 4.5.1 requires it, so the audit expects it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("configurations")
    void auditWhenStandardPolicyIsConfiguredThenNoLegitimateMailIsRefused(String name, StandardRelayPolicy policy) {
        AuditReport report = RelayAudit.of(policy).run();

        assertThat(report.wronglyRefused()).as(report.describe()).isEmpty();
        assertThat(report.passed()).isTrue();
        assertThat(report.verdict()).isEqualTo("not an open relay; no legitimate mail refused");
    }

    @Test
    void auditWhenStandardPolicyTrustsEveryoneThenOpenRelayNamingTheProbes() {
        StandardRelayPolicy open = StandardRelayPolicy.builder()
                .localDomains(DomainSet.of("example.com"))
                .trustedNetworks(NetworkSet.of("0.0.0.0/0", "::/0"))
                .build();
        AuditReport report = RelayAudit.of(open).run();

        assertThat(report.isOpenRelay()).isTrue();
        assertThat(ids(report.wronglyAllowed())).contains("relay-plain in stranger 198.51.100.77",
                "nmap-1 in stranger 198.51.100.77", "nmap-16 in stranger 2001:db8:ffff:0:0:0:0:77");
        assertThat(report.describe()).contains("verdict: OPEN RELAY")
                .contains("ALLOW by trusted-networks");
    }

    @Test
    void auditWhenPolicyIsReloadingThenItsCurrentStandardPolicyIsAudited(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("relay.properties");
        java.nio.file.Files.writeString(file, "relay.local-domains = example.com\nrelay.trusted-networks = 0.0.0.0/0\n"
                + "relay.check = warn\n");
        try (ReloadingRelayPolicy policy = ReloadingRelayPolicy.watch(file, "relay.")) {
            AuditReport report = RelayAudit.derivedFor(policy).run();
            assertThat(report.isOpenRelay()).isTrue();
        }
    }
}
