package io.relaycontrol.examples.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end, from the configuration file to the policy protocol: the server as {@link Main} starts it, with a byte
 * limit from {@code relay.limit.client.bytes}; a client over its limit is deferred at END-OF-MESSAGE (the size
 * received), and neither the size it declared at MAIL nor the DATA state is charged. Nothing sleeps; the limit
 * (10k a day) refills about one byte in 8 s, which no assertion here depends on.
 */
class PolicyServerByteLimitTest {

    @TempDir
    Path tmp;

    @Test
    void decideWhenClientIsOverItsConfiguredByteLimitThenDeferredAtEndOfMessage() throws IOException {
        Path config = tmp.resolve("policy.properties");
        Files.writeString(config, String.join("\n",
                "policy.listen = 127.0.0.1:0",
                "relay.local-domains = example.com",
                "relay.limit.client.bytes = 10k/1d",
                "relay.limit.override.client-bytes = 198.51.100.25=1m/1d",
                ""), StandardCharsets.UTF_8);
        try (Main.Running running = Main.start(config);
                PolicyClient c = new PolicyClient(running.server().localAddress())) {
            // declares 9,000 bytes at MAIL, RCPT and DATA (none charged), sends 6,000: 10,240 - 6,000 left
            for (Map<String, String> r : PolicyServerProtocolTest.transaction("198.51.100.7", 9_000, 6_000)) {
                assertThat(c.ask(r)).as(r.get("protocol_state")).isEqualTo("DUNNO");
            }
            // declares SIZE=100 (a lie) and sends 6,000: deferred at the end of the data, for the whole message
            List<Map<String, String>> second = PolicyServerProtocolTest.transaction("198.51.100.7", 100, 6_000);
            for (Map<String, String> r : second.subList(0, 3)) {
                assertThat(c.ask(r)).as(r.get("protocol_state")).isEqualTo("DUNNO");
            }
            assertThat(c.ask(second.get(3))).isEqualTo("451 4.7.1 Rate limit exceeded, please try again later");
            // a size Postfix did not send (an empty message) is not charged and not refused
            Map<String, String> unknown = second.get(3);
            unknown.put("size", "");
            assertThat(c.ask(unknown)).isEqualTo("DUNNO");
            unknown.put("size", "3000");
            assertThat(c.ask(unknown)).isEqualTo("DUNNO");
            unknown.put("size", "2000");
            assertThat(c.ask(unknown)).startsWith("451 4.7.1 ");
            // the override: this client may send a megabyte a day
            assertThat(c.ask(PolicyServerProtocolTest.transaction("198.51.100.25", 0, 1_000_000).get(3)))
                    .isEqualTo("DUNNO");
            assertThat(c.ask(PolicyServerProtocolTest.transaction("198.51.100.26", 0, 1_000_000).get(3)))
                    .startsWith("451 4.7.1 ");
        }
    }
}
