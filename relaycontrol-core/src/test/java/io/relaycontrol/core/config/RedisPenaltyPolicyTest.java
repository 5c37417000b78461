package io.relaycontrol.core.config;

import static io.relaycontrol.testkit.Requests.connect;
import static io.relaycontrol.testkit.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.limit.redis.RedisServer;
import io.relaycontrol.core.penalty.PenaltyBox;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers, each a {@link ReloadingRelayPolicy} from its own properties file naming one real redis-server as
 * {@code relay.limit.store}: violations on either count together, a client boxed by one is boxed by both, and the
 * box survives a reload that keeps the store; with Redis gone the box has no opinion and the policy still refuses.
 */
class RedisPenaltyPolicyTest {

    static RelayRequest relay(String client) {
        return rcpt(client, "<x@elsewhere.test>", "<friend@elsewhere.test>").build();
    }

    @Test
    void decideWhenTwoServersShareARedisStoreThenOneBoxForBoth(@TempDir Path dir) throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            String keys = "relay.local-domains = example.com\nrelay.limit.store = " + redis.uri()
                    + "\nrelay.limit.store.timeout = 200ms\nrelay.penalty.after = 5/10m\n";
            Path a = Files.writeString(dir.resolve("a.properties"), keys);
            Path b = Files.writeString(dir.resolve("b.properties"), keys);
            try (ReloadingRelayPolicy one = ReloadingRelayPolicy.watch(a, "relay.");
                    ReloadingRelayPolicy two = ReloadingRelayPolicy.watch(b, "relay.")) {
                for (int i = 0; i < 3; i++) {
                    assertThat(one.decide(relay("198.51.100.7")).verdict()).isEqualTo(Verdict.DENY);
                    assertThat(two.decide(relay("198.51.100.7")).verdict()).isEqualTo(Verdict.DENY);
                }
                Decision onOne = one.decide(connect("198.51.100.7").build());
                assertThat(onOne.verdict()).as("boxed by the sixth, on the other server").isEqualTo(Verdict.DEFER);
                assertThat(onOne.reply()).contains(PenaltyBox.CONNECT_REPLY);
                assertThat(two.decide(connect("198.51.100.7").build()).verdict()).isEqualTo(Verdict.DEFER);
                assertThat(two.decide(connect("198.51.100.8").build()).verdict()).isEqualTo(Verdict.ALLOW);

                Files.writeString(a, keys + "relay.relay-domains = backup.example.net\n");
                assertThat(one.checkForChanges().reloaded()).isTrue();
                assertThat(one.decide(connect("198.51.100.7").build()).verdict()).as("boxed after the reload")
                        .isEqualTo(Verdict.DEFER);

                redis.kill();
                for (int i = 0; i < 8; i++) {
                    Decision d = two.decide(connect("198.51.100.7").build());
                    assertThat(d.verdict()).as("store gone: no opinion from the box").isEqualTo(Verdict.ALLOW);
                    assertThat(two.decide(relay("198.51.100.7")).decisive().rule())
                            .as("the policy still refuses the relay attempt").isEqualTo("default");
                }
            }
        }
    }
}
