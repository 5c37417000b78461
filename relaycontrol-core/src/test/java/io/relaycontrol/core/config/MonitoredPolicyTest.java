package io.relaycontrol.core.config;

import io.relaycontrol.testkit.LogCapture;
import static io.relaycontrol.testkit.PolicyAssertions.assertThat;
import static io.relaycontrol.testkit.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.rules.Conditions;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rules;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MonitoredPolicyTest {

    static final RelayRequest STRANGER =
            rcpt("198.51.100.7", "<spam@example.org>", "<victim@elsewhere.test>").build();
    static final RelayRequest ALICE = STRANGER.toBuilder().authenticated("alice").build();

    static Policy strict() {
        return Policy.builder("relay").rule(Rules.when(Conditions.authenticated()).allow("authenticated"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build();
    }

    @Test
    void decideWhenRefusedThenAuditedOnceWithStructuredKeyValues() {
        MonitoredPolicy p = MonitoredPolicy.builder(strict()).build();
        String log;
        try (LogCapture capture = new LogCapture()) {
            assertThat(p).denies(STRANGER).withReply(554, "5.7.1");
            assertThat(p).allows(ALICE);
            log = capture.text();
        }
        assertThat(log.lines().filter(l -> l.contains(MonitoredPolicy.AUDIT_LOGGER))).hasSize(1);
        assertThat(log).contains("relay refused", "verdict=DENY", "reply=554 5.7.1 Relay access denied",
                "rule=default", "stage=RCPT", "client=198.51.100.7", "identity=-",
                "sender=<spam@example.org>", "recipient=<victim@elsewhere.test>");
    }

    @Test
    void decideWhenAuditAllThenAllowsAreLoggedToo() {
        MonitoredPolicy p = MonitoredPolicy.builder(strict()).auditAllDecisions(true).build();
        try (LogCapture capture = new LogCapture()) {
            p.decide(ALICE);
            assertThat(capture.text()).contains("relay decision", "verdict=ALLOW", "identity=alice");
        }
    }

    @Test
    void decideWhenAddressHasControlCharactersThenTheLogLineStaysOneLine() {
        RelayRequest hostile = rcpt("198.51.100.7", "<a@example.org>", "<x\r\nFAKE LOG LINE@elsewhere.test>").build();
        try (LogCapture capture = new LogCapture()) {
            MonitoredPolicy.builder(strict()).build().decide(hostile);
            String log = capture.text();
            assertThat(log.lines().filter(l -> l.contains("FAKE LOG LINE"))).hasSize(1);
            assertThat(log).contains("\\x0d\\x0a");
        }
    }

    @Test
    void metricsWhenDecidingThenCountedPerDecidingRuleAndVerdict() {
        MonitoredPolicy p = MonitoredPolicy.builder(strict()).build();
        try (LogCapture ignored = new LogCapture()) {
            p.decide(STRANGER);
            p.decide(STRANGER);
            p.decide(ALICE);
        }
        assertThat(p.metrics().count("default", Verdict.DENY)).isEqualTo(2);
        assertThat(p.metrics().count("authenticated", Verdict.ALLOW)).isEqualTo(1);
        assertThat(p.metrics().count("authenticated", Verdict.DENY)).isZero();
        assertThat(p.metrics().snapshot()).containsEntry("default/DENY", 2L).containsEntry("authenticated/ALLOW", 1L);
    }

    @Test
    void dryRunWhenRefusedThenLoggedCountedButAllowed() {
        MonitoredPolicy p = MonitoredPolicy.builder(strict()).dryRun(true).build();
        try (LogCapture capture = new LogCapture()) {
            Decision d = p.decide(STRANGER);
            assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
            assertThat(d.reason()).contains("dry run", "554 5.7.1");
            assertThat(d.children()).singleElement().extracting(Decision::verdict).isEqualTo(Verdict.DENY);
            assertThat(capture.text()).contains("verdict=DENY", "dryRun=true");
        }
        assertThat(p.metrics().dryRunOverrides()).isEqualTo(1);
        assertThat(p.metrics().count("default", Verdict.DENY)).isEqualTo(1);
        assertThat(p.describe()).startsWith("DRY RUN");
    }

    @Test
    void shadowWhenCandidateDiffersThenReportedButNeverEnforced() {
        Policy lenient = Policy.builder("candidate").rule(Rules.allow("everyone", "too lenient"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build();
        MonitoredPolicy p = MonitoredPolicy.builder(strict()).shadow(lenient).build();
        try (LogCapture capture = new LogCapture()) {
            assertThat(p).denies(STRANGER);
            assertThat(p).allows(ALICE);
            String log = capture.text();
            assertThat(log).contains(MonitoredPolicy.SHADOW_LOGGER, "shadow policy differs", "active=DENY default",
                    "shadow=ALLOW everyone");
        }
        assertThat(p.metrics().shadowDifferences()).isEqualTo(1);
        assertThat(p.describe()).contains("shadow candidate:", "everyone");
    }

    @Test
    void shadowWhenCandidateThrowsThenActiveAnswerUnaffected() {
        MonitoredPolicy p = MonitoredPolicy.builder(strict()).shadow(r -> {
            throw new IllegalStateException("candidate bug");
        }).build();
        try (LogCapture ignored = new LogCapture()) {
            assertThat(p).allows(ALICE);
        }
        assertThat(p.metrics().shadowDifferences()).isEqualTo(1);
    }

    @Test
    void listenersWhenMicrometerRegisteredThenCountersTaggedByRuleAndVerdict() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<Decision> seen = new ArrayList<>();
        MonitoredPolicy p = MonitoredPolicy.builder(strict()).listener(new MicrometerMetrics(registry))
                .listener(seen::add).listener(d -> {
                    throw new IllegalStateException("listener bug");
                }).build();
        try (LogCapture ignored = new LogCapture()) {
            p.decide(STRANGER);
            p.decide(ALICE);
            p.decide(ALICE);
        }
        assertThat(registry.get(MicrometerMetrics.METER).tags("rule", "authenticated", "verdict", "ALLOW").counter()
                .count()).isEqualTo(2.0);
        assertThat(registry.get(MicrometerMetrics.METER).tags("rule", "default", "verdict", "DENY").counter()
                .count()).isEqualTo(1.0);
        assertThat(seen).hasSize(3);
    }
}
