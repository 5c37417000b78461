package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.core.config.ReloadingRelayPolicy;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's embedding example, compiled and run, so that it cannot rot. */
class ReadmeSnippetTest {

    @TempDir
    Path dir;

    @Test
    void readmeEmbeddingExampleServesMail() throws Exception {
        Files.writeString(dir.resolve("relay.properties"),
                "relay.local-domains = example.com\nrelay.trusted-networks = 192.0.2.0/24\n");
        Path relayProperties = dir.resolve("relay.properties");
        int port = 0; // README: 2525
        // --- README snippet begins ---
        try (ReloadingRelayPolicy policy = ReloadingRelayPolicy.watch(relayProperties, "relay.");
                RelaySmtpServer server = RelaySmtpServer.builder(policy)
                        .listen(new InetSocketAddress("127.0.0.1", port))
                        .hostName("mx.example.com")
                        .user("alice", "secret")
                        .spool(dir.resolve("spool"))
                        .build()) {
            server.start();
            System.out.println("listening on " + RelaySmtpServer.format(server.localAddress()));
            // --- README snippet ends ---
            try (MailClient c = MailClient.connect(server.localAddress(), null, null, null)) {
                assertThat(c.command("MAIL FROM:<a@elsewhere.example>")).isEqualTo("250 Ok");
                assertThat(c.command("RCPT TO:<bob@example.com>")).isEqualTo("250 Ok");
                assertThat(c.command("RCPT TO:<x@faraway.example>")).isEqualTo("554 5.7.1 Relay access denied");
            }
        }
    }
}
