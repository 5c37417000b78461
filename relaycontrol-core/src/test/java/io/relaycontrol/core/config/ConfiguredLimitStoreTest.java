package io.relaycontrol.core.config;

import io.relaycontrol.testkit.LogCapture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.limit.GuardedLimitStore;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.core.limit.redis.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14: the store from {@code relay.limit.store}, created once, kept across reloads, closed with the policy. */
class ConfiguredLimitStoreTest {

    @TempDir
    Path dir;

    private static final RelayRequest RCPT = RelayRequest.builder(Stage.RCPT).client("198.51.100.7")
            .helo("client.example").sender("<someone@elsewhere.example>").recipient("<bob@example.com>").build();

    private Path write(String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        return f;
    }

    private static List<Verdict> decide(ReloadingRelayPolicy p, int times) {
        List<Verdict> out = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            out.add(p.decide(RCPT).verdict());
        }
        return out;
    }

    private static boolean storeFailed(Decision d) {
        return "failed".equals(d.details().get("store"))
                || d.children().stream().anyMatch(ConfiguredLimitStoreTest::storeFailed);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void watchWhenRedisStoreConfiguredThenTwoServersShareOneBudgetAcrossReloads() throws IOException {
        try (RedisServer redis = RedisServer.start(); LogCapture ignored = new LogCapture()) {
            String props = "relay.local-domains = example.com\nrelay.limit.client.recipients = 3/1h\n"
                    + "relay.limit.store = " + redis.uri() + "\n";
            // generous time budgets: this test is about sharing and reloads, not timeouts, and a loaded CI machine
            // can take longer than the default 50 ms for the first command on a new connection
            String budget = "relay.limit.store.timeout = 5s\n";
            Path a = write("a.properties", props + budget);
            Path b = write("b.properties", props + budget);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (ReloadingRelayPolicy one = ReloadingRelayPolicy.watch(a, "relay.", new MicrometerRelayMetrics(registry));
                    ReloadingRelayPolicy two = ReloadingRelayPolicy.watch(b, "relay.")) {
                LimitStore store = one.ownedLimitStore().orElseThrow();
                assertThat(store).isInstanceOf(GuardedLimitStore.class);
                assertThat(store.description()).contains("redis 127.0.0.1:" + redis.port());
                assertThat(decide(one, 2)).containsExactly(Verdict.ALLOW, Verdict.ALLOW);
                assertThat(decide(two, 2)).containsExactly(Verdict.ALLOW, Verdict.DEFER);

                Files.writeString(a, "# comment\n" + props + budget);
                assertThat(one.reload().reloaded()).isTrue();
                assertThat(one.ownedLimitStore().orElseThrow()).isSameAs(store);
                assertThat(decide(one, 1)).containsExactly(Verdict.DEFER);

                // a changed store key: a new store, the old one closed once the new policy is active
                Files.writeString(a, props + "relay.limit.store.timeout = 4s\n");
                assertThat(one.reload().reloaded()).isTrue();
                LimitStore renewed = one.ownedLimitStore().orElseThrow();
                assertThat(renewed).isNotSameAs(store);
                assertThat(renewed.description()).contains("timeout 4000 ms");
                assertThat(decide(one, 1)).containsExactly(Verdict.DEFER); // same Redis, same bucket
                GuardedLimitStore old = (GuardedLimitStore) store;
                assertThatThrownBy(() -> old.guarded().tryConsume("x", "y",
                        io.relaycontrol.core.limit.Rate.parseList("1/1h"), 1)).isInstanceOf(RuntimeException.class);

                // a failed reload keeps the running store
                Files.writeString(a, props + "relay.limit.store.timeout = 4s\nrelay.limit.store.failure = maybe\n");
                ReloadingRelayPolicy.ReloadResult r = one.reload();
                assertThat(r.failed()).isTrue();
                assertThat(r.error().getMessage()).contains("relay.limit.store.failure").contains("maybe");
                assertThat(one.ownedLimitStore().orElseThrow()).isSameAs(renewed);

                // no-opinion from the keys: a dead Redis no longer limits this server
                Files.writeString(a, props + "relay.limit.store.timeout = 4s\nrelay.limit.store.failure = no-opinion\n"
                        + "relay.limit.store.breaker.failures = 2\n");
                assertThat(one.reload().reloaded()).isTrue();
                redis.kill();
                Decision d = one.decide(RCPT);
                assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
                assertThat(storeFailed(d)).as("a limit in the tree says store=failed").isTrue();
                assertThat(decide(two, 1)).containsExactly(Verdict.DEFER); // default defer: fail closed
                one.decide(RCPT);
                GuardedLimitStore current = (GuardedLimitStore) one.ownedLimitStore().orElseThrow();
                assertThat(current.state()).isEqualTo(GuardedLimitStore.State.OPEN);
                assertThat(registry.counter(MicrometerRelayMetrics.STORE_BREAKER, "state", "OPEN").count())
                        .isEqualTo(1.0);
                one.close();
                assertThatThrownBy(() -> current.guarded().tryConsume("x", "y",
                        io.relaycontrol.core.limit.Rate.parseList("1/1h"), 1)).isInstanceOf(RuntimeException.class);
            }
        }
    }

    @Test
    void parseWhenStoreKeysBadThenConfigExceptionNamesKeyAndValue() {
        Path base = dir;
        Map<String, String> ftp = Map.of("relay.limit.store", "ftp://x");
        assertThatThrownBy(() -> ConfiguredLimitStore.spec(ftp)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("relay.limit.store").hasMessageContaining("ftp://x");
        assertThatThrownBy(() -> ConfiguredLimitStore.spec(Map.of("relay.limit.store.timeout", "0ms")))
                .hasMessageContaining("relay.limit.store.timeout").hasMessageContaining("0ms");
        assertThatThrownBy(() -> ConfiguredLimitStore.spec(Map.of("relay.limit.store.timeout", "fast")))
                .hasMessageContaining("fast");
        assertThatThrownBy(() -> ConfiguredLimitStore.spec(Map.of("relay.limit.store.breaker.failures", "0")))
                .hasMessageContaining("relay.limit.store.breaker.failures");
        assertThat(ConfiguredLimitStore.spec(Map.of()).local()).isTrue();
        assertThat(ConfiguredLimitStore.spec(Map.of("relay.limit.store.timeout", "2s")).timeout())
                .isEqualTo(java.time.Duration.ofSeconds(2));
        // without an owner of the store, a shared store from the keys is refused, the password hidden
        assertThatThrownBy(() -> RelayProperties.parse(Map.of("relay.local-domains", "example.com",
                "relay.limit.store", "redis://u:secret@127.0.0.1:1"), base))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ReloadingRelayPolicy.watch")
                .hasMessageNotContaining("secret");
        assertThat(RelayProperties.parse(Map.of("relay.local-domains", "example.com", "relay.limit.store", "local"),
                base).policy()).isNotNull();
    }

    @Test
    void watchWhenRedisUnreachableAtFirstLoadThenConfigExceptionNamesTheStore() throws IOException {
        Path f = write("c.properties", "relay.local-domains = example.com\nrelay.limit.client.recipients = 3/1h\n"
                + "relay.limit.store = redis://127.0.0.1:1\n");
        try (LogCapture ignored = new LogCapture()) {
            assertThatThrownBy(() -> ReloadingRelayPolicy.watch(f, "relay.")).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("relay.limit.store").hasMessageContaining("127.0.0.1");
        }
    }
}
