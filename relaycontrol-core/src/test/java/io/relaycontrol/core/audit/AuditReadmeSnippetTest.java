package io.relaycontrol.core.audit;

import static io.relaycontrol.testkit.PolicyAssertions.assertThat;

import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.config.StandardRelayPolicy;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Conditions;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rules;
import org.junit.jupiter.api.Test;

/** The README's audit code, as written there, and its claims about the quick start's composed policy. */
class AuditReadmeSnippetTest {

    /** Depends on {@code <Postmaster>} being accepted by the standard policy (h-address, issue 11). */
    @Test
    void readmeWhenQuickStartAuditsTheStandardPolicyThenItPasses() {
        assertThat(StandardRelayPolicy.builder().localDomains(DomainSet.of("example.com")).build()).passesRelayAudit();
    }

    @Test
    void readmeWhenTheComposedQuickStartPolicyIsAuditedThenPostmasterIsWronglyRefusedButNotMailFrom() {
        Condition localRecipient = Condition.of("recipient domain is example.com",
                r -> r.recipient().map(a -> a.domain().equals("example.com") && !a.isRouted()).orElse(false));
        Policy policy = Policy.builder("relay")
                .rule(Rules.when(localRecipient).allow("local-domains"))
                .rule(Rules.when(Conditions.authenticated().and(Conditions.tls())).allow("authenticated"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .build();
        AuditReport report = RelayAudit.of(policy,
                AuditPlan.builder().localDomains(DomainSet.of("example.com")).build()).run();

        org.assertj.core.api.Assertions.assertThat(report.isOpenRelay()).isFalse();
        org.assertj.core.api.Assertions.assertThat(report.wronglyRefused())
                .extracting(r -> r.probe().id()).contains("postmaster")
                .doesNotContain("stage-mail"); // the stage-aware default accepts MAIL FROM before a recipient
    }

    /** Depends on {@code <Postmaster>} being accepted by the standard policy (h-address, issue 11). */
    @Test
    void readmeWhenAuditSectionCodeRunsThenBothAssertionsPass() {
        // README, "The open-relay self-audit", as written there
        StandardRelayPolicy standardPolicy = StandardRelayPolicy.builder()
                .localDomains(DomainSet.of("example.com")).build();
        assertThat(standardPolicy).passesRelayAudit();     // fails the test with the whole report

        RelayDecider anyDecider = standardPolicy.policy(); // any other decider: say what it serves
        assertThat(anyDecider).passesRelayAudit(AuditPlan.builder()
                .localDomains(DomainSet.of("example.com"))
                .build());

        AuditReport report = RelayAudit.of(standardPolicy).run();
        if (!report.passed()) {
            System.err.println(report.describe());         // or report.toJson()
        }
        org.assertj.core.api.Assertions.assertThat(report.passed()).isTrue();
    }
}
