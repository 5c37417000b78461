package io.relaycontrol.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Stage;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.auth.SenderLoginMap;
import io.relaycontrol.core.config.StandardRelayPolicy;
import io.relaycontrol.core.net.NetworkSet;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AuditPlanTest {

    private static Map<String, AuditProbe> byId(AuditPlan plan) {
        return plan.probes().stream().collect(Collectors.toMap(AuditProbe::id, Function.identity()));
    }

    @Test
    void planWhenBuiltThenItHoldsNmapsSixteenFormsVerbatim() throws Exception {
        AuditPlan plan = AuditPlan.builder().localDomains(DomainSet.of("example.com"))
                .serverName("mx.example.com").serverAddresses(List.of(InetAddress.getByName("192.0.2.25")))
                .foreignDomain("nmap.scanme.org").build();
        Map<String, AuditProbe> p = byId(plan);
        // nmap's tests table: from, to with domain=nmap.scanme.org, srvname=mx.example.com, ip=192.0.2.25
        String[][] expected = {
            {"", "relaytest@nmap.scanme.org"},
            {"antispam@nmap.scanme.org", "relaytest@nmap.scanme.org"},
            {"antispam@mx.example.com", "relaytest@nmap.scanme.org"},
            {"antispam@[192.0.2.25]", "relaytest@nmap.scanme.org"},
            {"antispam@[192.0.2.25]", "relaytest%nmap.scanme.org@[192.0.2.25]"},
            {"antispam@[192.0.2.25]", "relaytest%nmap.scanme.org@mx.example.com"},
            {"antispam@[192.0.2.25]", "\"relaytest@nmap.scanme.org\""},
            {"antispam@[192.0.2.25]", "\"relaytest%nmap.scanme.org\""},
            {"antispam@[192.0.2.25]", "relaytest@nmap.scanme.org@[192.0.2.25]"},
            {"antispam@[192.0.2.25]", "\"relaytest@nmap.scanme.org\"@[192.0.2.25]"},
            {"antispam@[192.0.2.25]", "relaytest@nmap.scanme.org@mx.example.com"},
            {"antispam@[192.0.2.25]", "@[192.0.2.25]:relaytest@nmap.scanme.org"},
            {"antispam@[192.0.2.25]", "@mx.example.com:relaytest@nmap.scanme.org"},
            {"antispam@[192.0.2.25]", "nmap.scanme.org!relaytest"},
            {"antispam@[192.0.2.25]", "nmap.scanme.org!relaytest@[192.0.2.25]"},
            {"antispam@[192.0.2.25]", "nmap.scanme.org!relaytest@mx.example.com"},
        };
        for (int i = 0; i < 16; i++) {
            AuditProbe probe = p.get("nmap-" + (i + 1));
            assertThat(probe).as("nmap-" + (i + 1)).isNotNull();
            assertThat(probe.sender()).contains(expected[i][0]);
            assertThat(probe.recipient()).isEqualTo(expected[i][1]);
            assertThat(probe.destination()).isEqualTo(Destination.FOREIGN);
            assertThat(probe.origin()).isEqualTo(Origin.NMAP);
        }
        assertThat(p.get("msf-4").recipient()).isEqualTo("relaytest@[192.0.2.25]");
        assertThat(p.get("maps-quote").recipient()).isEqualTo("\"relaytest@nmap.scanme.org\"");
        assertThat(p.get("maps-quote").sender()).contains("antispam@mx.example.com");
    }

    @Test
    void planWhenDerivedFromStandardPolicyThenContextsComeFromItsNetworksAndLogins() {
        StandardRelayPolicy policy = StandardRelayPolicy.builder()
                .localDomains(DomainSet.of("example.com", ".example.com"))
                .trustedNetworks(NetworkSet.builder().add("10.0.0.0/8").except("10.0.0.0/16").add("2001:db8:1::/48")
                        .build())
                .blockedNetworks(NetworkSet.of("198.51.100.0/24"))
                .senderLogins(SenderLoginMap.parse(List.of("carol: @carol.example.org"), "inline"))
                .build();
        AuditPlan plan = AuditPlan.from(policy);

        assertThat(plan.contexts()).extracting(AuditContext::name).containsExactly(
                "stranger 203.0.113.77", "stranger 2001:db8:ffff:0:0:0:0:77",
                "trusted 10.128.0.1 (in 10.0.0.0/8)", "trusted 2001:db8:1:0:0:0:0:1 (in 2001:db8:1::/48)",
                "authenticated carol with TLS", "authenticated carol without TLS",
                "blocked 198.51.100.1 (in 198.51.100.0/24)");
        AuditContext auth = plan.contexts().get(4);
        assertThat(auth.sender()).isEqualTo("audit@carol.example.org");
        assertThat(auth.mayRelay()).isTrue();
        assertThat(plan.contexts().get(5).mayRelay()).isFalse();
        Map<String, AuditProbe> p = byId(plan);
        assertThat(p.keySet()).contains("postmaster@example.com", "postmaster@mail.example.com",
                "not-prefix@example.com", "homograph@example.com").doesNotContain("parent@example.com");
        // .example.com lists every subdomain, so evil.example.com is local there and not a probe of its own
        assertThat(p.get("homograph@example.com").recipient()).isEqualTo("relaytest@\u0435xample.com");
    }

    @Test
    void planWhenOnlyTheExactRelayDomainIsListedThenAnUnlistedSubdomainIsForeign() {
        AuditPlan plan = AuditPlan.builder().localDomains(DomainSet.of("example.com", ".example.org"))
                .relayDomains(DomainSet.of("backup.example.net")).build();
        assertThat(byId(plan).get("parent@example.org").destination()).isEqualTo(Destination.HARMLESS);
        AuditProbe sub = byId(plan).get("subdomain@backup.example.net");
        assertThat(sub.recipient()).isEqualTo("relaytest@evil.backup.example.net");
        assertThat(sub.destination()).isEqualTo(Destination.FOREIGN);
        assertThat(byId(plan).get("postmaster@backup.example.net").destination()).isEqualTo(Destination.LOCAL);
    }

    @Test
    void planWhenLocalDomainIsIdnThenItsULabelFormIsProbed() {
        AuditPlan plan = AuditPlan.builder().localDomains(DomainSet.of("b\u00fccher.example")).build();
        assertThat(byId(plan).get("u-label@xn--bcher-kva.example").recipient())
                .isEqualTo("postmaster@b\u00fccher.example");
    }

    @Test
    void planWhenEveryStrangerAddressIsTrustedThenTheStrangerIsStillAsked() {
        AuditPlan plan = AuditPlan.builder().localDomains(DomainSet.of("example.com"))
                .trustedNetworks(NetworkSet.of("0.0.0.0/1", "128.0.0.0/1")).build();
        assertThat(plan.contexts().get(0).kind()).isEqualTo(AuditContext.Kind.STRANGER);
        assertThat(plan.contexts().get(0).client().getHostAddress()).isEqualTo("198.51.100.77");
    }

    @Test
    void planWhenForeignDomainIsLocalThenBuildFailsNamingIt() {
        assertThatThrownBy(() -> AuditPlan.builder().localDomains(DomainSet.of(".example")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("relay-audit.example");
        assertThatThrownBy(() -> AuditPlan.builder().foreignDomain("Not A Domain"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'Not A Domain'");
        assertThatThrownBy(() -> AuditPlan.builder().authenticatedUser("alice", "alice"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'alice'");
    }

    @Test
    void expectationWhenContextsDifferThenForeignIsRefusedOnlyForClientsThatMayNotRelay() {
        AuditPlan plan = RelayAuditTest.PLAN;
        AuditProbe plain = byId(plan).get("relay-plain");
        AuditProbe trick = byId(plan).get("nmap-5");
        AuditProbe local = byId(plan).get("postmaster");
        for (AuditContext c : plan.contexts()) {
            Expectation e = AuditPlan.expectation(plain, c);
            assertThat(e).as(c.name()).isEqualTo(c.mayRelay() ? Expectation.ACCEPT : Expectation.REFUSE);
            assertThat(AuditPlan.expectation(trick, c)).as(c.name())
                    .isEqualTo(c.mayRelay() ? Expectation.EITHER : Expectation.REFUSE);
            assertThat(AuditPlan.expectation(local, c)).as(c.name()).isEqualTo(Expectation.ACCEPT);
        }
    }

    @Test
    void probeWhenStageAndRecipientDisagreeThenConstructionFails() {
        assertThatThrownBy(() -> new AuditProbe("x", Origin.RELAYCONTROL, "d", Stage.RCPT, Optional.empty(), "",
                Destination.FOREIGN, false)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x");
        assertThatThrownBy(() -> new AuditProbe("y", Origin.RELAYCONTROL, "d", Stage.MAIL, Optional.empty(), "",
                Destination.LOCAL, false)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("y");
    }
}
