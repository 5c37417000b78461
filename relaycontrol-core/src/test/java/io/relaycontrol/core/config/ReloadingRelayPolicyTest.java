package io.relaycontrol.core.config;

import io.relaycontrol.testkit.LogCapture;
import static io.relaycontrol.testkit.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading with a small test loader: {@code test.allow = a, b} lists recipient domains to allow. */
class ReloadingRelayPolicyTest {

    @TempDir
    Path dir;

    static RelayRequest to(String domain) {
        return rcpt("198.51.100.7", "<a@example.org>", "<b@" + domain + ">").build();
    }

    /** Allows the listed domains; a domain list file can be included with {@code test.file}. */
    static ReloadingRelayPolicy.Loaded load(Map<String, String> keys, Path baseDir) {
        List<Path> sources = new ArrayList<>();
        List<String> allowed = new ArrayList<>();
        for (Map.Entry<String, String> e : keys.entrySet()) {
            switch (e.getKey()) {
                case "test.allow":
                    for (String s : e.getValue().split(",")) {
                        if (!s.isBlank()) {
                            allowed.add(s.trim());
                        }
                    }
                    break;
                case "test.file":
                    Path f = baseDir.resolve(e.getValue());
                    sources.add(f);
                    try {
                        allowed.addAll(Files.readAllLines(f));
                    } catch (java.io.IOException ex) {
                        throw new ConfigException("test.file", f, 0, "unreadable: " + ex, ex);
                    }
                    break;
                default:
                    throw new ConfigException(e.getKey(), "unknown key");
            }
        }
        Set<String> set = Set.copyOf(allowed);
        return new ReloadingRelayPolicy.Loaded(Policy.builder("test-" + set.size())
                .rule(Rules.when(Condition.of("recipient domain allowed",
                        r -> set.contains(r.recipientOrNull().domain()))).allow("allowed"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build(), sources);
    }

    ReloadingRelayPolicy open(String content) throws Exception {
        Path f = dir.resolve("relay.properties");
        Files.writeString(f, content);
        return ReloadingRelayPolicy.watch(f, "test.", ReloadingRelayPolicyTest::load, Duration.ZERO);
    }

    @Test
    void watchWhenFileIsGoodThenDecidesWithIt() throws Exception {
        try (ReloadingRelayPolicy p = open("test.allow = a.example\nserver.port = 25\n")) {
            assertThat(p.decide(to("a.example")).verdict()).isEqualTo(Verdict.ALLOW);
            assertThat(p.decide(to("b.example")).verdict()).isEqualTo(Verdict.DENY);
            assertThat(p.checkForChanges().reloaded()).isFalse();
            assertThat(p.describe()).contains("loaded from", "relay.properties");
        }
    }

    @Test
    void watchWhenFirstLoadFailsThenConfigExceptionNamingTheKey() throws Exception {
        Path f = dir.resolve("relay.properties");
        Files.writeString(f, "test.bogus = 1\n");
        assertThatThrownBy(() -> ReloadingRelayPolicy.watch(f, "test.", ReloadingRelayPolicyTest::load,
                Duration.ZERO)).isInstanceOf(ConfigException.class).hasMessageContaining("test.bogus");
        assertThatThrownBy(() -> ReloadingRelayPolicy.watch(dir.resolve("missing.properties"), "test.",
                ReloadingRelayPolicyTest::load, Duration.ZERO)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing.properties");
    }

    @Test
    void checkForChangesWhenConfigChangedThenSwapsAtomically() throws Exception {
        try (ReloadingRelayPolicy p = open("test.allow = a.example\n")) {
            Files.writeString(p.file(), "test.allow = a.example, b.example\n");
            ReloadingRelayPolicy.ReloadResult r = p.checkForChanges();
            assertThat(r.reloaded()).isTrue();
            assertThat(r.failed()).isFalse();
            assertThat(p.decide(to("b.example")).verdict()).isEqualTo(Verdict.ALLOW);
            assertThat(p.current().name()).isEqualTo("test-2");
        }
    }

    @Test
    void checkForChangesWhenAnIncludedFileChangedThenReloads() throws Exception {
        Files.writeString(dir.resolve("domains.txt"), "a.example\n");
        try (ReloadingRelayPolicy p = open("test.file = domains.txt\n")) {
            assertThat(p.decide(to("c.example")).verdict()).isEqualTo(Verdict.DENY);
            Files.writeString(dir.resolve("domains.txt"), "a.example\nc.example\n");
            assertThat(p.checkForChanges().reloaded()).isTrue();
            assertThat(p.decide(to("c.example")).verdict()).isEqualTo(Verdict.ALLOW);
        }
    }

    @Test
    void reloadWhenNewConfigIsBadThenKeepsTheRunningPolicyAndSaysWhy() throws Exception {
        try (ReloadingRelayPolicy p = open("test.allow = a.example\n")) {
            Files.writeString(p.file(), "test.allow = a.example\ntest.typo = 1\n");
            ReloadingRelayPolicy.ReloadResult r;
            try (LogCapture capture = new LogCapture()) {
                r = p.checkForChanges();
                assertThat(capture.text()).contains("reload failed, keeping the running policy", "test.typo");
            }
            assertThat(r.failed()).isTrue();
            assertThat(r.error().key()).contains("test.typo");
            assertThat(p.decide(to("a.example")).verdict()).isEqualTo(Verdict.ALLOW);
            assertThat(p.current().name()).isEqualTo("test-1");
        }
    }

    @Test
    void reloadWhenIncludedFileVanishesThenKeepsTheRunningPolicy() throws Exception {
        Files.writeString(dir.resolve("domains.txt"), "a.example\n");
        try (ReloadingRelayPolicy p = open("test.file = domains.txt\n")) {
            Files.delete(dir.resolve("domains.txt"));
            ReloadingRelayPolicy.ReloadResult r;
            try (LogCapture ignored = new LogCapture()) {
                r = p.checkForChanges();
            }
            assertThat(r.failed()).isTrue();
            assertThat(r.message()).contains("domains.txt");
            assertThat(p.decide(to("a.example")).verdict()).isEqualTo(Verdict.ALLOW);
        }
    }

    @Test
    void decideWhenReloadingConcurrentlyThenEveryDecisionComesFromOneWholePolicy() throws Exception {
        try (ReloadingRelayPolicy p = open("test.allow = a.example\n")) {
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch started = new CountDownLatch(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Integer>> deciders = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    deciders.add(pool.submit(() -> {
                        started.countDown();
                        int n = 0;
                        while (!stop.get() || n < 1000) {
                            Decision d = p.decide(to("a.example"));
                            if (d.verdict() != Verdict.ALLOW) {
                                throw new AssertionError("a.example is allowed by every version: " + d.explain());
                            }
                            n++;
                        }
                        return n;
                    }));
                }
                started.await();
                try (LogCapture ignored = new LogCapture()) {
                    for (int i = 0; i < 50; i++) {
                        Files.writeString(p.file(), "test.allow = a.example" + ", x.example".repeat(i % 5) + "\n"
                                + (i % 7 == 3 ? "test.typo = 1\n" : ""));
                        p.checkForChanges();
                    }
                }
                stop.set(true);
                for (Future<Integer> f : deciders) {
                    assertThat(f.get(60, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(1000);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void watchWhenStandardPolicyThenMetricsSurviveReloads() throws Exception {
        Path f = dir.resolve("relay.properties");
        Files.writeString(f, "relay.local-domains = example.com\nserver.hostname = mx.example.com\n");
        try (LogCapture ignored = new LogCapture(); ReloadingRelayPolicy p = ReloadingRelayPolicy.watch(f, "relay.")) {
            assertThat(p.decide(to("example.com")).verdict()).isEqualTo(Verdict.ALLOW);
            assertThat(p.decide(to("example.net")).verdict()).isEqualTo(Verdict.DENY);
            Files.writeString(f, "relay.local-domains = example.com, example.net\n");
            assertThat(p.checkForChanges().reloaded()).isTrue();
            assertThat(p.decide(to("example.net")).verdict()).isEqualTo(Verdict.ALLOW);
            PolicyMetrics m = p.metrics().orElseThrow();
            assertThat(m.count("local-domains", Verdict.ALLOW)).isEqualTo(2);
            assertThat(m.count("default", Verdict.DENY)).isEqualTo(1);
            assertThat(p.describe()).contains("local domains: 2 entries");
        }
    }
}
