package io.relaycontrol.core.config;

import io.relaycontrol.testkit.LogCapture;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.testkit.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12: a reload never hands a client a fresh budget. */
class ReloadingRelayPolicyLimitTest {

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();

    private static final RelayRequest RCPT = RelayRequest.builder(Stage.RCPT).client("198.51.100.7")
            .helo("client.example").sender("<someone@elsewhere.example>").recipient("<bob@example.com>").build();

    private Path write(String content) throws IOException {
        Path f = dir.resolve("relay.properties");
        Files.writeString(f, content);
        return f;
    }

    private ReloadingRelayPolicy watch(Path f) {
        return ReloadingRelayPolicy.watch(f, "relay.",
                StandardRelayPolicy.loader(new PolicyMetrics(), LimitStore.local(clock)), Duration.ZERO);
    }

    private static List<Verdict> decide(ReloadingRelayPolicy p, int times) {
        List<Verdict> out = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            out.add(p.decide(RCPT).verdict());
        }
        return out;
    }

    @Test
    void reloadWhenCommentOnlyEditThenBudgetContinues() throws IOException {
        Path f = write("relay.local-domains = example.com\nrelay.limit.client.recipients = 3/1h\n");
        try (LogCapture ignored = new LogCapture(); ReloadingRelayPolicy p = watch(f)) {
            assertThat(decide(p, 4)).containsExactly(Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW, Verdict.DEFER);
            Files.writeString(f, "# an operator's comment\nrelay.local-domains = example.com\n"
                    + "relay.limit.client.recipients = 3/1h\n");
            assertThat(p.checkForChanges().reloaded()).isTrue();
            assertThat(decide(p, 2)).containsExactly(Verdict.DEFER, Verdict.DEFER);
        }
    }

    @Test
    void reloadWhenAnIncludedListChangesThenBudgetContinues() throws IOException {
        Files.writeString(dir.resolve("blocked.txt"), "203.0.113.0/24\n");
        Path f = write("relay.local-domains = example.com\nrelay.blocked-networks = file:blocked.txt\n"
                + "relay.limit.client.recipients = 3/1h\n");
        try (LogCapture ignored = new LogCapture(); ReloadingRelayPolicy p = watch(f)) {
            assertThat(decide(p, 4)).containsExactly(Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW, Verdict.DEFER);
            Files.writeString(dir.resolve("blocked.txt"), "203.0.113.0/24\n192.0.2.128/25\n");
            assertThat(p.checkForChanges().reloaded()).isTrue();
            assertThat(decide(p, 1)).containsExactly(Verdict.DEFER);
        }
    }

    @Test
    void reloadWhenRateRaisedThenTokensAlreadySpentStillCount() throws IOException {
        Path f = write("relay.local-domains = example.com\nrelay.limit.client.recipients = 3/1h\n");
        try (LogCapture ignored = new LogCapture(); ReloadingRelayPolicy p = watch(f)) {
            assertThat(decide(p, 4)).containsExactly(Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW, Verdict.DEFER);
            Files.writeString(f, "relay.local-domains = example.com\nrelay.limit.client.recipients = 5/1h\n");
            assertThat(p.checkForChanges().reloaded()).isTrue();
            assertThat(decide(p, 3)).containsExactly(Verdict.ALLOW, Verdict.ALLOW, Verdict.DEFER);
            clock.advance(Duration.ofMinutes(12)); // 5/1h: one token every 12 minutes
            assertThat(decide(p, 2)).containsExactly(Verdict.ALLOW, Verdict.DEFER);
        }
    }

    @Test
    void reloadWhenLimitRemovedThenItsBucketsAreDropped() throws IOException {
        Path f = write("relay.local-domains = example.com\nrelay.limit.client.recipients = 3/1h\n");
        try (LogCapture ignored = new LogCapture(); ReloadingRelayPolicy p = watch(f)) {
            decide(p, 3);
            Files.writeString(f, "relay.local-domains = example.com\n");
            assertThat(p.checkForChanges().reloaded()).isTrue();
            assertThat(decide(p, 5)).containsOnly(Verdict.ALLOW);
            Files.writeString(f, "relay.local-domains = example.com\nrelay.limit.client.recipients = 3/1h\n");
            assertThat(p.checkForChanges().reloaded()).isTrue();
            assertThat(decide(p, 4)).containsExactly(Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW, Verdict.DEFER);
        }
    }

    @Test
    void reloadWhenFailedThenBudgetUntouched() throws IOException {
        Path f = write("relay.local-domains = example.com\nrelay.limit.client.recipients = 3/1h\n");
        try (LogCapture ignored = new LogCapture(); ReloadingRelayPolicy p = watch(f)) {
            decide(p, 3);
            Files.writeString(f, "relay.local-domains = example.com\nrelay.limit.client.recipients = 3/1x\n");
            assertThat(p.checkForChanges().failed()).isTrue();
            assertThat(decide(p, 1)).containsExactly(Verdict.DEFER);
        }
    }

    @Test
    void watchWhenDefaultStoreThenBudgetSurvivesReloadToo() throws IOException {
        Path f = write("relay.local-domains = example.com\nrelay.limit.client.recipients = 3/1h\n");
        try (LogCapture ignored = new LogCapture(); ReloadingRelayPolicy p = ReloadingRelayPolicy.watch(f, "relay.")) {
            assertThat(decide(p, 4)).containsExactly(Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW, Verdict.DEFER);
            Files.writeString(f, "# comment\nrelay.local-domains = example.com\nrelay.limit.client.recipients = 3/1h\n");
            assertThat(p.reload().reloaded()).isTrue();
            assertThat(decide(p, 1)).containsExactly(Verdict.DEFER);
        }
    }
}
