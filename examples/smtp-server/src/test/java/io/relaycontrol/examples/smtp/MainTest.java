package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.core.config.ConfigException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    @TempDir
    Path tmp;

    @Test
    void parseArgsWhenConfigGivenThenPath() throws Exception {
        Path f = Files.writeString(tmp.resolve("c.properties"), "server.listen = 127.0.0.1:0\n");
        assertThat(Main.parseArgs(new String[] {"--config", f.toString()})).isEqualTo(f);
        assertThat(Main.parseArgs(new String[] {"--config=" + f})).isEqualTo(f);
    }

    @Test
    void parseArgsWhenMissingOrWrongThenErrorNamingWhatWasGiven() {
        assertThatThrownBy(() -> Main.parseArgs(new String[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--config FILE");
        assertThatThrownBy(() -> Main.parseArgs(new String[] {"--conf", "x"})).hasMessageContaining("--conf x");
        assertThatThrownBy(() -> Main.parseArgs(new String[] {"--config", tmp.resolve("none").toString()}))
                .hasMessageContaining("not found").hasMessageContaining("none");
    }

    @Test
    void startWhenRelayKeyInvalidThenConfigExceptionNamingKey() throws Exception {
        Path f = Files.writeString(tmp.resolve("c.properties"),
                "server.listen = 127.0.0.1:0\nrelay.trusted-networks = 192.0.2.0/33\n");
        assertThatThrownBy(() -> Main.start(f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("relay.trusted-networks");
    }

    @Test
    void startWhenServerKeyUnknownThenIllegalArgumentNamingKey() throws Exception {
        Path f = Files.writeString(tmp.resolve("c.properties"), "server.listen = 127.0.0.1:0\nserver.port = 25\n");
        assertThatThrownBy(() -> Main.start(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("server.port");
    }

    @Test
    void startWhenPolicyFileChangesThenReloadedPolicyDecidesWithoutRestart() throws Exception {
        Path f = tmp.resolve("c.properties");
        Files.writeString(f, "server.listen = 127.0.0.1:0\nrelay.local-domains = example.com\n");
        try (Main.Running running = Main.start(f)) {
            InetSocketAddress addr = running.server().localAddress();
            try (MailClient c = MailClient.connect(addr, null, null, null)) {
                c.command("MAIL FROM:<a@elsewhere.example>");
                assertThat(c.command("RCPT TO:<x@faraway.example>")).isEqualTo("554 5.7.1 Relay access denied");
            }
            Files.writeString(f, "server.listen = 127.0.0.1:0\nrelay.local-domains = example.com\n"
                    + "relay.trusted-networks = 127.0.0.1/32\n");
            assertThat(running.policy().checkForChanges().reloaded()).isTrue();
            try (MailClient c = MailClient.connect(addr, null, null, null)) {
                c.command("MAIL FROM:<a@elsewhere.example>");
                assertThat(c.command("RCPT TO:<x@faraway.example>")).isEqualTo("250 Ok");
            }
        }
    }
}
