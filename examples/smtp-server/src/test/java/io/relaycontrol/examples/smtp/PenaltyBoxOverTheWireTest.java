package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.core.config.ReloadingRelayPolicy;
import io.relaycontrol.core.penalty.PenaltyBox;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The penalty box over the wire, configured only by {@code relay.penalty.*} keys: a stranger (127.0.0.2) that keeps
 * trying to relay is refused with {@code 554 5.7.1} in its session once boxed, and with {@code 421 4.7.0} instead of
 * the banner when it comes back; another client (127.0.0.4) is unaffected.
 */
class PenaltyBoxOverTheWireTest {

    @TempDir
    Path tmp;

    private ReloadingRelayPolicy policy;
    private RelaySmtpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (policy != null) {
            policy.close();
        }
    }

    @Test
    void connectWhenAStrangerKeptTryingToRelayThen421BannerAndOthersUnaffected() throws Exception {
        Path file = tmp.resolve("relay.properties");
        Files.writeString(file, "server.listen = 127.0.0.1:0\nserver.hostname = mx.test\nserver.spool = spool\n"
                + "relay.local-domains = example.com\nrelay.trusted-networks = 127.0.0.1/32\n"
                + "relay.penalty.after = 5/10m\nrelay.penalty.ban = 10m\n", StandardCharsets.UTF_8);
        ServerConfig config = ServerConfig.load(file);
        policy = ReloadingRelayPolicy.watch(file, "relay.");
        server = config.serverBuilder(policy).build();
        server.start();
        InetSocketAddress addr = server.localAddress();
        try (MailClient c = MailClient.connect(addr, "127.0.0.2", null, null)) {
            assertThat(c.command("MAIL FROM:<someone@elsewhere.example>")).isEqualTo("250 Ok");
            for (int i = 0; i < 6; i++) {
                assertThat(c.command("RCPT TO:<victim" + i + "@faraway.example>"))
                        .isEqualTo("554 5.7.1 Relay access denied");
            }
            assertThat(c.command("RCPT TO:<bob@example.com>")).as("boxed: even local mail is refused now")
                    .isEqualTo(PenaltyBox.REFUSED_REPLY.toString());
        }
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            assertThat(c.reply()).isEqualTo(PenaltyBox.CONNECT_REPLY.toString());
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawClient c = new RawClient(addr, "127.0.0.4")) {
            assertThat(c.reply()).isEqualTo("220 mx.test ESMTP relaycontrol example");
        }
    }
}
