package io.relaycontrol.core.audit;

import static io.relaycontrol.testkit.PolicyAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.config.StandardRelayPolicy;
import io.relaycontrol.core.net.NetworkSet;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rules;
import io.relaycontrol.testkit.RelayAuditAssert;
import org.junit.jupiter.api.Test;

/** The test kit's {@code passesRelayAudit()}: it passes a correct policy and rejects broken ones with the report. */
class PassesRelayAuditTest {

    /** Depends on {@code <Postmaster>} being accepted by the standard policy (h-address, issue 11). */
    @Test
    void passesRelayAuditWhenStandardPolicyThenPasses() {
        assertThat(StandardRelayPolicy.builder().localDomains(DomainSet.of("example.com")).build())
                .passesRelayAudit();
    }

    @Test
    void passesRelayAuditWhenStandardPolicyTrustsEveryoneThenFailsWithTheReport() {
        StandardRelayPolicy open = StandardRelayPolicy.builder().localDomains(DomainSet.of("example.com"))
                .trustedNetworks(NetworkSet.of("0.0.0.0/0", "::/0")).build();
        assertThatThrownBy(() -> assertThat(open).passesRelayAudit())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected the relay audit to pass, but: OPEN RELAY")
                .hasMessageContaining("relay audit of standard-relay: ")
                .hasMessageContaining("wrongly allowed (")
                .hasMessageContaining("[nmap-1] stranger 198.51.100.77: MAIL FROM:<> RCPT TO:<relaytest@relay-audit.example>")
                .hasMessageContaining("ALLOW by trusted-networks");
    }

    @Test
    void passesRelayAuditWhenPlanIsGivenThenAnyDeciderIsAudited() {
        assertThatThrownBy(() -> assertThat(Rules.allow("open", "accepts everything"))
                .passesRelayAudit(AuditPlan.builder().localDomains(DomainSet.of("example.com")).build()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("ALLOW by open: accepts everything");
        Policy closed = Policy.builder("closed").rule(Rules.deny("no", "refuses all", SmtpReply.RELAY_ACCESS_DENIED))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build();
        assertThatThrownBy(() -> assertThat(closed)
                .passesRelayAudit(AuditPlan.builder().localDomains(DomainSet.of("example.com")).build()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("not an open relay; ")
                .hasMessageContaining("wrongly refused (");
        RelayAuditAssert.assertThat(RelayAudit.of(closed,
                AuditPlan.builder().localDomains(DomainSet.of("example.com")).build())).isNotAnOpenRelay();
    }

    @Test
    void passesRelayAuditWhenNoPlanCanBeDerivedThenItSaysHowToGiveOne() {
        assertThatThrownBy(() -> assertThat(Rules.allow("open", "x")).passesRelayAudit())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot derive the local domains and networks of open");
    }
}
