package io.relaycontrol.examples.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.core.config.ReloadingRelayPolicy;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's embedding example for the policy server, compiled and run, so that it cannot rot. */
class ReadmeSnippetTest {

    @TempDir
    Path dir;

    @Test
    void readmeEmbeddingExampleAnswersPolicyRequests() throws Exception {
        Files.writeString(dir.resolve("relay.properties"), "relay.local-domains = example.com\n");
        Path relayProperties = dir.resolve("relay.properties");
        int port = 0; // README: 10040
        // --- README snippet begins ---
        try (ReloadingRelayPolicy policy = ReloadingRelayPolicy.watch(relayProperties, "relay.");
                PolicyServer server = PolicyServer.builder(policy)      // any RelayDecider will do
                        .listen(new InetSocketAddress("127.0.0.1", port))
                        .allowAction(PolicyActions.AllowAction.DUNNO)
                        .idleTimeout(Duration.ofSeconds(300))
                        .build()
                        .start()) {
            System.out.println("listening on " + PolicyServer.format(server.localAddress()));
            // --- README snippet ends ---
            try (PolicyClient c = new PolicyClient(server.localAddress())) {
                assertThat(c.ask(PolicyServerProtocolTest.rcpt("198.51.100.7", "bob@example.com"))).isEqualTo("DUNNO");
                assertThat(c.ask(PolicyServerProtocolTest.rcpt("198.51.100.7", "x@faraway.example")))
                        .isEqualTo("554 5.7.1 Relay access denied");
            }
        }
    }
}
