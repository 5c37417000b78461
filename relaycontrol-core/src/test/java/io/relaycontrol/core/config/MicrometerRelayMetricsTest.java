package io.relaycontrol.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.LimitKeys;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.limit.RateLimit;
import io.relaycontrol.testkit.ManualClock;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MicrometerRelayMetricsTest {

    @TempDir
    Path tmp;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerRelayMetrics sink = new MicrometerRelayMetrics(registry);

    private double count(String name, String... tags) {
        Counter c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    private static RelayRequest request(Stage stage) {
        RelayRequest.Builder b = RelayRequest.builder(stage).client("192.0.2.1");
        if (stage == Stage.MAIL || stage == Stage.RCPT) {
            b.sender("a@example.org");
        }
        if (stage == Stage.RCPT) {
            b.recipient("b@example.net");
        }
        return b.build();
    }

    @Test
    void decisionWhenRecordedThenCountedByVerdictDecidingRuleAndStage() {
        Decision leaf = Decision.deny("relay-domains", "not ours", SmtpReply.RELAY_ACCESS_DENIED);
        sink.decision(request(Stage.RCPT), Decision.composite("policy", leaf, List.of(leaf)));
        sink.decision(request(Stage.RCPT), leaf);
        sink.decision(request(Stage.MAIL), Decision.allow("mail-ok", "fine"));
        assertThat(count(MicrometerRelayMetrics.DECISIONS, "verdict", "DENY", "rule", "relay-domains", "stage", "RCPT"))
                .isEqualTo(2.0);
        assertThat(count(MicrometerRelayMetrics.DECISIONS, "verdict", "ALLOW", "rule", "mail-ok", "stage", "MAIL"))
                .isEqualTo(1.0);
        assertThat(count(MicrometerRelayMetrics.RATE_LIMIT_DEFERRALS)).isZero();
        assertThat(count(MicrometerRelayMetrics.STORE_FAILURES)).isZero();
    }

    @Test
    void deferralWhenByARateLimitThenCountedAndAStoreFailureSeparately() {
        Decision over = Decision.builder(Verdict.DEFER, "client-recipients", "over the limit")
                .reply(SmtpReply.of(451, "4.7.1", "slow down")).detail("tokensLeft", 0).build();
        sink.decision(request(Stage.RCPT), Decision.composite("policy", over, List.of(over)));
        Decision storeDown = Decision.builder(Verdict.NO_OPINION, "user-messages", "store unavailable")
                .detail("store", "failed").error(new IllegalStateException("redis down")).build();
        Decision allowed = Decision.allow("local-domains", "ours");
        sink.decision(request(Stage.RCPT), Decision.composite("policy", allowed, List.of(allowed, storeDown)));
        Decision otherDefer = Decision.defer("dns", "timeout", SmtpReply.TEMPORARY_FAILURE);
        sink.decision(request(Stage.RCPT), otherDefer);
        assertThat(count(MicrometerRelayMetrics.RATE_LIMIT_DEFERRALS, "rule", "client-recipients")).isEqualTo(1.0);
        assertThat(registry.find(MicrometerRelayMetrics.RATE_LIMIT_DEFERRALS).counters()).hasSize(1);
        assertThat(count(MicrometerRelayMetrics.STORE_FAILURES, "rule", "user-messages")).isEqualTo(1.0);
    }

    @Test
    void watchWhenGivenASinkThenFirstLoadReloadsAndDecisionsAreReported() throws Exception {
        Path f = tmp.resolve("relay.properties");
        Files.writeString(f, "relay.local-domains = example.net\n", StandardCharsets.UTF_8);
        try (ReloadingRelayPolicy p = ReloadingRelayPolicy.watch(f, "relay.", sink)) {
            assertThat(count(MicrometerRelayMetrics.RELOADS, "outcome", "success")).isEqualTo(1.0);
            assertThat(p.decide(request(Stage.RCPT)).verdict()).isEqualTo(Verdict.ALLOW);
            assertThat(count(MicrometerRelayMetrics.DECISIONS, "verdict", "ALLOW", "stage", "RCPT")).isEqualTo(1.0);
            Files.writeString(f, "relay.local-domains = example.net\nrelay.nonsense = 1\n", StandardCharsets.UTF_8);
            assertThat(p.checkForChanges().failed()).isTrue();
            assertThat(count(MicrometerRelayMetrics.RELOADS, "outcome", "failure")).isEqualTo(1.0);
            Files.writeString(f, "relay.local-domains = example.net, example.org\n", StandardCharsets.UTF_8);
            assertThat(p.checkForChanges().reloaded()).isTrue();
            assertThat(count(MicrometerRelayMetrics.RELOADS, "outcome", "success")).isEqualTo(2.0);
        }
    }

    @Test
    void sinkWhenItThrowsThenDecisionsAndReloadsAreUnchanged() throws Exception {
        List<String> seen = new ArrayList<>();
        RelayMetricsSink broken = new RelayMetricsSink() {
            @Override
            public void decision(RelayRequest request, Decision decision) {
                seen.add("decision");
                throw new IllegalStateException("sink down");
            }

            @Override
            public void reload(ReloadingRelayPolicy.ReloadResult result) {
                seen.add("reload");
                throw new IllegalStateException("sink down");
            }
        };
        Path f = tmp.resolve("relay.properties");
        Files.writeString(f, "relay.local-domains = example.net\n", StandardCharsets.UTF_8);
        try (ReloadingRelayPolicy p = ReloadingRelayPolicy.watch(f, "relay.", broken)) {
            assertThat(p.decide(request(Stage.RCPT)).verdict()).isEqualTo(Verdict.ALLOW);
            assertThat(p.reload().reloaded()).isTrue();
        }
        assertThat(seen).containsExactly("reload", "decision", "reload");
    }

    @Test
    void relayPropertiesWhenMonitoredWithASinkThenItSeesTheDecisionBeforeDryRunReplacesIt() {
        RelayProperties props = RelayProperties.parse(java.util.Map.of("relay.mode", "dry-run"), tmp);
        MonitoredPolicy m = props.monitored(new PolicyMetrics(), sink);
        assertThat(m.decide(request(Stage.RCPT)).verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(count(MicrometerRelayMetrics.DECISIONS, "verdict", "DENY", "stage", "RCPT")).isEqualTo(1.0);
    }

    private double fullGauge(String limit) {
        Gauge g = registry.find(MicrometerRelayMetrics.STORE_FULL).tags("rule", limit).gauge();
        return g == null ? -1 : g.value();
    }

    /** Floods {@code limit} with {@code n} new client addresses from {@code first} on; returns the deferred count. */
    private static int flood(RateLimit limit, int first, int n) {
        int full = 0;
        for (int i = first; i < first + n; i++) {
            Decision d = limit.decide(RelayRequest.builder(Stage.CONNECT)
                    .client("10." + ((i >>> 16) & 0xff) + "." + ((i >>> 8) & 0xff) + "." + (i & 0xff)).build());
            if ("full".equals(d.details().get("store"))) {
                full++;
            }
        }
        return full;
    }

    @Test
    void limitStoreFullWhenFloodPastTheCapThenEachChangeToFullAndBackCountedOnce() {
        ManualClock clock = new ManualClock();
        LimitStore store = LimitStore.local(clock, sink::limitStoreFull);
        RateLimit limit = RateLimit.builder("conn").key(LimitKeys.clientAddress()).counting(Counted.CONNECTIONS)
                .rates(Rate.parseList("3/1h")).maxKeys(100).store(store).build();
        assertThat(flood(limit, 0, 100)).isZero();
        assertThat(count(MicrometerRelayMetrics.STORE_CAPACITY)).isZero();
        assertThat(fullGauge("conn")).isEqualTo(-1.0); // nothing registered before the first change

        // a flood of 1,000 new keys past the cap: one change to full, however many keys are refused
        assertThat(flood(limit, 100, 1_000)).isEqualTo(1_000);
        assertThat(count(MicrometerRelayMetrics.STORE_CAPACITY, "rule", "conn", "state", "FULL")).isEqualTo(1.0);
        assertThat(count(MicrometerRelayMetrics.STORE_CAPACITY, "rule", "conn", "state", "ROOM")).isZero();
        assertThat(fullGauge("conn")).isEqualTo(1.0);
        clock.advance(Duration.ofMinutes(10)); // no bucket is full again yet: still full, nothing new counted
        assertThat(flood(limit, 1_100, 500)).isEqualTo(500);
        assertThat(count(MicrometerRelayMetrics.STORE_CAPACITY, "rule", "conn", "state", "FULL")).isEqualTo(1.0);

        // one token of 3/1h is back after 20 minutes: the first 100 buckets are full again and expire
        clock.advance(Duration.ofMinutes(10).plusSeconds(2)); // plus the timer wheel's resolution
        assertThat(flood(limit, 2_000, 100)).isZero();
        assertThat(count(MicrometerRelayMetrics.STORE_CAPACITY, "rule", "conn", "state", "ROOM")).isEqualTo(1.0);
        assertThat(count(MicrometerRelayMetrics.STORE_CAPACITY, "rule", "conn", "state", "FULL")).isEqualTo(1.0);
        assertThat(fullGauge("conn")).isEqualTo(0.0);

        // and full again: the second change to full
        assertThat(flood(limit, 3_000, 300)).isEqualTo(300);
        assertThat(count(MicrometerRelayMetrics.STORE_CAPACITY, "rule", "conn", "state", "FULL")).isEqualTo(2.0);
        assertThat(count(MicrometerRelayMetrics.STORE_CAPACITY, "rule", "conn", "state", "ROOM")).isEqualTo(1.0);
        assertThat(fullGauge("conn")).isEqualTo(1.0);
        assertThat(registry.find(MicrometerRelayMetrics.STORE_CAPACITY).counters()).hasSize(2);
    }

    @Test
    void watchWhenTheLocalStoreOfALimitFillsThenTheSinkCountsTheChangeOnce() throws Exception {
        Path f = tmp.resolve("relay.properties");
        Files.writeString(f, "relay.local-domains = example.net\nrelay.limit.client.recipients = 3/1h\n"
                + "relay.limit.max-keys = 2\n", StandardCharsets.UTF_8);
        try (ReloadingRelayPolicy p = ReloadingRelayPolicy.watch(f, "relay.", sink)) {
            List<Verdict> verdicts = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                verdicts.add(p.decide(RelayRequest.builder(Stage.RCPT).client("192.0.2." + i).sender("a@example.org")
                        .recipient("b@example.net").build()).verdict());
            }
            assertThat(verdicts).containsExactly(Verdict.ALLOW, Verdict.ALLOW, Verdict.DEFER, Verdict.DEFER,
                    Verdict.DEFER, Verdict.DEFER);
            assertThat(count(MicrometerRelayMetrics.STORE_CAPACITY, "rule", "client-recipients", "state", "FULL"))
                    .isEqualTo(1.0);
            assertThat(fullGauge("client-recipients")).isEqualTo(1.0);
        }
    }
}
