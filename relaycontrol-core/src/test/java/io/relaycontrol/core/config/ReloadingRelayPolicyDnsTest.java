package io.relaycontrol.core.config;

import io.relaycontrol.testkit.LogCapture;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.dns.DnsListCache;
import io.relaycontrol.core.dns.DnsListRule;
import io.relaycontrol.core.dns.ScriptedResolver;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.testkit.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17: a reload keeps the DNS lists' cached answers, so clients are not made to wait again. */
class ReloadingRelayPolicyDnsTest {

    private static final String LISTED = "203.0.113.7";
    private static final String UNLISTED = "203.0.113.8";

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final ScriptedResolver dns = new ScriptedResolver()
            .listed("7.113.0.203.bl.test", 300, "127.0.0.3")
            .nxdomain("8.113.0.203.bl.test", 600, 600);
    private final DnsListCache cache = dns.cache(clock);

    private Path write(String content) throws IOException {
        Path f = dir.resolve("relay.properties");
        Files.writeString(f, content);
        return f;
    }

    private static String config(String dnsKeys) {
        return "relay.local-domains = example.com\nrelay.dns.servers = 127.0.0.1\n" + dnsKeys + "\n";
    }

    private ReloadingRelayPolicy watch(Path f) {
        return ReloadingRelayPolicy.watch(f, "relay.", StandardRelayPolicy.loader(new PolicyMetrics(),
                RelayMetricsSink.NONE, LimitStore.local(clock), cache), Duration.ZERO);
    }

    private static Verdict decide(ReloadingRelayPolicy p, String client) {
        return p.decide(RelayRequest.builder(Stage.RCPT).client(client).sender("<someone@elsewhere.test>")
                .recipient("<bob@example.com>").build()).verdict();
    }

    private int asked(String client, String zone) {
        String[] o = client.split("\\.");
        return dns.count(o[3] + "." + o[2] + "." + o[1] + "." + o[0] + "." + zone, "A");
    }

    @Test
    void reloadWhenCommentOnlyEditThenCachedAnswersKeptAndTheirTtlStillHonoured() throws IOException {
        Path f = write(config("relay.dnsbl = bl.test"));
        try (LogCapture ignored = new LogCapture(); ReloadingRelayPolicy p = watch(f)) {
            assertThat(decide(p, LISTED)).isEqualTo(Verdict.DENY);
            assertThat(decide(p, UNLISTED)).isEqualTo(Verdict.ALLOW);

            Files.writeString(f, "# an operator's comment\n" + config("relay.dnsbl = bl.test"));
            assertThat(p.checkForChanges().reloaded()).isTrue();

            assertThat(decide(p, LISTED)).isEqualTo(Verdict.DENY);
            assertThat(decide(p, UNLISTED)).isEqualTo(Verdict.ALLOW);
            assertThat(asked(LISTED, "bl.test")).isEqualTo(1);
            assertThat(asked(UNLISTED, "bl.test")).isEqualTo(1);

            clock.advance(Duration.ofSeconds(299)); // the listing's TTL is 300 s, the negative answer's 600 s
            decide(p, LISTED);
            assertThat(asked(LISTED, "bl.test")).isEqualTo(1);
            clock.advance(Duration.ofSeconds(2));
            assertThat(decide(p, LISTED)).isEqualTo(Verdict.DENY);
            decide(p, UNLISTED);
            assertThat(asked(LISTED, "bl.test")).isEqualTo(2);
            assertThat(asked(UNLISTED, "bl.test")).isEqualTo(1);
            clock.advance(Duration.ofSeconds(300));
            decide(p, UNLISTED);
            assertThat(asked(UNLISTED, "bl.test")).isEqualTo(2);
        }
    }

    @Test
    void reloadWhenAListIsAddedThenTheKeptListIsNotAskedAgainAndOnlyTheNewOneIs() throws IOException {
        Path f = write(config("relay.dnsbl = bl.test"));
        try (LogCapture ignored = new LogCapture(); ReloadingRelayPolicy p = watch(f)) {
            assertThat(decide(p, LISTED)).isEqualTo(Verdict.DENY);

            Files.writeString(f, config("relay.dnsbl = bl.test, bl2.test"));
            assertThat(p.checkForChanges().reloaded()).isTrue();

            assertThat(decide(p, LISTED)).isEqualTo(Verdict.DENY);
            assertThat(asked(LISTED, "bl.test")).isEqualTo(1);
            assertThat(asked(LISTED, "bl2.test")).isEqualTo(1);
            decide(p, LISTED);
            assertThat(asked(LISTED, "bl2.test")).isEqualTo(1);
        }
    }

    @Test
    void reloadWhenAFilterChangesThenTheCachedAnswerIsReadThroughTheNewFilter() throws IOException {
        Path f = write(config("relay.dnsbl = bl.test=127.0.0.2"));
        try (LogCapture ignored = new LogCapture(); ReloadingRelayPolicy p = watch(f)) {
            assertThat(decide(p, LISTED)).isEqualTo(Verdict.ALLOW); // 127.0.0.3 is outside the filter

            Files.writeString(f, config("relay.dnsbl = bl.test=127.0.0.[2..3]"));
            assertThat(p.checkForChanges().reloaded()).isTrue();

            assertThat(decide(p, LISTED)).isEqualTo(Verdict.DENY);
            assertThat(asked(LISTED, "bl.test")).isEqualTo(1);
        }
    }

    @Test
    void reloadWhenAListIsRemovedThenItsAnswersGoAndComingBackAsksAgain() throws IOException {
        Path f = write(config("relay.dnsbl = bl.test, bl2.test"));
        try (LogCapture ignored = new LogCapture(); ReloadingRelayPolicy p = watch(f)) {
            decide(p, LISTED);
            assertThat(cache.estimatedSize("bl.test")).isEqualTo(1);

            Files.writeString(f, config("relay.dnsbl = bl2.test"));
            assertThat(p.checkForChanges().reloaded()).isTrue();
            assertThat(cache.zones()).containsExactly("bl2.test");
            assertThat(cache.estimatedSize("bl.test")).isZero();
            assertThat(decide(p, LISTED)).isEqualTo(Verdict.ALLOW);

            Files.writeString(f, config("relay.dnsbl = bl.test, bl2.test"));
            assertThat(p.checkForChanges().reloaded()).isTrue();
            assertThat(decide(p, LISTED)).isEqualTo(Verdict.DENY);
            assertThat(asked(LISTED, "bl.test")).isEqualTo(2);
            assertThat(asked(LISTED, "bl2.test")).isEqualTo(1);
        }
    }

    @Test
    void reloadWhenEveryListIsRemovedThenEveryAnswerGoes() throws IOException {
        Path f = write(config("relay.dnsbl = bl.test"));
        try (LogCapture ignored = new LogCapture(); ReloadingRelayPolicy p = watch(f)) {
            decide(p, LISTED);

            Files.writeString(f, config(""));
            assertThat(p.checkForChanges().reloaded()).isTrue();

            assertThat(cache.zones()).isEmpty();
            assertThat(decide(p, LISTED)).isEqualTo(Verdict.ALLOW);
        }
    }

    @Test
    void reloadWhenCacheSizeChangesThenTheNewBoundApplies() throws IOException {
        Path f = write(config("relay.dnsbl = bl.test\nrelay.dns.cache-size = 100"));
        try (LogCapture ignored = new LogCapture(); ReloadingRelayPolicy p = watch(f)) {
            for (int i = 1; i <= 50; i++) {
                decide(p, "192.0.2." + i);
            }
            assertThat(cache.maximumSize()).isEqualTo(100);
            assertThat(cache.estimatedSize("bl.test")).isEqualTo(50);

            Files.writeString(f, config("relay.dnsbl = bl.test\nrelay.dns.cache-size = 10"));
            assertThat(p.checkForChanges().reloaded()).isTrue();

            assertThat(cache.maximumSize()).isEqualTo(10);
            assertThat(cache.estimatedSize("bl.test")).isLessThanOrEqualTo(10);
        }
    }

    @Test
    void reloadWhenServersChangeThenAnswersOfTheOldResolverAreDropped() throws IOException {
        Path f = write(config("relay.dnsbl = bl.test"));
        try (LogCapture ignored = new LogCapture(); ReloadingRelayPolicy p = watch(f)) {
            decide(p, LISTED);

            Files.writeString(f, config("relay.dnsbl = bl.test").replace("127.0.0.1", "127.0.0.53"));
            assertThat(p.checkForChanges().reloaded()).isTrue();

            decide(p, LISTED);
            assertThat(asked(LISTED, "bl.test")).isEqualTo(2);
        }
    }

    @Test
    void reloadWhenItFailsThenTheCachedAnswersStayAndTheBoundIsUnchanged() throws IOException {
        Path f = write(config("relay.dnsbl = bl.test\nrelay.dns.cache-size = 100"));
        try (LogCapture ignored = new LogCapture(); ReloadingRelayPolicy p = watch(f)) {
            decide(p, LISTED);

            Files.writeString(f, config("relay.dnsbl = other.test\nrelay.dns.cache-size = 10\nrelay.dns.fail = maybe"));
            assertThat(p.checkForChanges().failed()).isTrue();

            assertThat(cache.maximumSize()).isEqualTo(100);
            assertThat(cache.zones()).contains("bl.test");
            assertThat(decide(p, LISTED)).isEqualTo(Verdict.DENY);
            assertThat(asked(LISTED, "bl.test")).isEqualTo(1);
        }
    }

    @Test
    void watchWhenDefaultLoaderThenEveryReloadedRuleUsesTheSameCache() throws IOException {
        Path f = write(config("relay.dnsbl = bl.test"));
        try (LogCapture ignored = new LogCapture(); ReloadingRelayPolicy p = ReloadingRelayPolicy.watch(f, "relay.")) {
            DnsListCache before = rule(p).cache();

            Files.writeString(f, "# comment\n" + config("relay.dnsbl = bl.test"));
            assertThat(p.reload().reloaded()).isTrue();

            assertThat(rule(p).cache()).isSameAs(before);
        }
    }

    private static DnsListRule rule(ReloadingRelayPolicy p) {
        MonitoredPolicy m = (MonitoredPolicy) p.current();
        return ((StandardRelayPolicy) m.active()).dnsLists().orElseThrow();
    }
}
