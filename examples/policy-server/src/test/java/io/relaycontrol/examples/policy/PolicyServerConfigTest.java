package io.relaycontrol.examples.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.examples.policy.PolicyActions.AllowAction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy.* keys: defaults, every value form, and errors naming file and key. */
class PolicyServerConfigTest {

    private static final Path FILE = Path.of("/etc/relaycontrol/policy.properties");

    private static PolicyServerConfig config(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("policy.listen", "127.0.0.1:10040");
        m.put("relay.local-domains", "example.com");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return PolicyServerConfig.from(m, FILE);
    }

    @Test
    void fromWhenOnlyListenThenTheDefaults() {
        PolicyServerConfig c = config();
        assertThat(PolicyServer.format(c.listen())).isEqualTo("127.0.0.1:10040");
        assertThat(c.allowAction()).isEqualTo(AllowAction.DUNNO);
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.maxConnections()).isEqualTo(256);
        assertThat(c.maxLineLength()).isEqualTo(8192);
        assertThat(c.maxRequestSize()).isEqualTo(65536);
    }

    @Test
    void fromWhenEveryKeyIsSetThenEachIsRead() {
        PolicyServerConfig c = config("policy.listen", "[::1]:0", "policy.allow-action", "ok",
                "policy.idle-timeout", "500ms", "policy.max-connections", "12", "policy.max-line-length", "1024",
                "policy.max-request-size", "4096");
        assertThat(PolicyServer.format(c.listen())).isEqualTo("[0:0:0:0:0:0:0:1]:0");
        assertThat(c.allowAction()).isEqualTo(AllowAction.OK);
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.maxConnections()).isEqualTo(12);
        assertThat(c.maxLineLength()).isEqualTo(1024);
        assertThat(c.maxRequestSize()).isEqualTo(4096);
        assertThat(config("policy.idle-timeout", "5m").idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config("policy.idle-timeout", "1h").idleTimeout()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void fromWhenValuesAreBadThenTheErrorNamesFileKeyAndValue() {
        assertThatThrownBy(() -> PolicyServerConfig.from(Map.of(), FILE))
                .hasMessage(FILE + ": policy.listen: is required (HOST:PORT or [IPv6]:PORT)");
        assertThatThrownBy(() -> config("policy.listen", "::1:25")).hasMessageContaining("policy.listen")
                .hasMessageContaining("an IPv6 address needs brackets");
        assertThatThrownBy(() -> config("policy.listen", "127.0.0.1:70000")).hasMessageContaining("port must be 0..65535");
        assertThatThrownBy(() -> config("policy.allow-action", "PERMIT"))
                .hasMessageContaining("policy.allow-action: allow action must be DUNNO or OK, was 'PERMIT'");
        assertThatThrownBy(() -> config("policy.idle-timeout", "300"))
                .hasMessageContaining("policy.idle-timeout: expected a duration such as 300s");
        assertThatThrownBy(() -> config("policy.idle-timeout", "0s"))
                .hasMessageContaining("policy.idle-timeout: idle timeout must be positive");
        assertThatThrownBy(() -> config("policy.max-connections", "lots"))
                .hasMessageContaining("policy.max-connections: expected a number, was 'lots'");
        assertThatThrownBy(() -> config("policy.max-connections", "0"))
                .hasMessageContaining("policy.max-connections: max connections must be 1..10000");
        assertThatThrownBy(() -> config("policy.max-line-length", "9000", "policy.max-request-size", "4096"))
                .hasMessageContaining("max line length 9000 exceeds max request size 4096");
        assertThatThrownBy(() -> config("policy.listn", "x")).hasMessageContaining("policy.listn: unknown policy key");
        assertThatThrownBy(() -> config("server.listen", "x"))
                .hasMessageContaining("server.listen: unknown key; keys start with policy. or relay.");
    }
}
