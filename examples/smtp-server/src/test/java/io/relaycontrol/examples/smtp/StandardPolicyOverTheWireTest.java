package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.core.config.ReloadingRelayPolicy;
import io.relaycontrol.core.config.StandardRelayPolicy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server with relaycontrol's standard policy read from a properties file with the {@code relay.*} keys
 * ({@link ReloadingRelayPolicy#watch(Path, String)}, as {@code --config} does), over the wire with a real
 * client. Loopback addresses stand for networks: 127.0.0.1 is trusted, 127.0.0.3 is blocked, 127.0.0.2 and
 * 127.0.0.4 are strangers.
 */
class StandardPolicyOverTheWireTest {

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

    private InetSocketAddress start(String host, String... extraLines) throws IOException {
        Files.writeString(tmp.resolve("blocked.txt"), "; DROP-format list\n127.0.0.3/32 ; SBL000001\n");
        Files.writeString(tmp.resolve("sender-logins.txt"), "alice: alice@example.com, @alice.example.com\n");
        StringBuilder props = new StringBuilder()
                .append("server.listen = ").append(host.contains(":") ? "[" + host + "]" : host).append(":0\n")
                .append("server.hostname = mx.test\n")
                .append("server.users = alice:secret\n")
                .append("server.spool = spool\n")
                .append("relay.local-domains = example.com\n")
                .append("relay.relay-domains = .backup.example.net\n")
                .append("relay.trusted-networks = 127.0.0.1/32\n")
                .append("relay.blocked-networks = file:blocked.txt\n")
                .append("relay.sender-logins = sender-logins.txt\n")
                // this example server offers no STARTTLS
                .append("relay.auth.require-tls = false\n");
        for (String l : extraLines) {
            props.append(l).append('\n');
        }
        Path file = tmp.resolve("relay.properties");
        Files.writeString(file, props, StandardCharsets.UTF_8);
        ServerConfig config = ServerConfig.load(file);
        policy = ReloadingRelayPolicy.watch(file, "relay.");
        server = config.serverBuilder(policy).build();
        server.start();
        return server.localAddress();
    }

    private List<Path> spooled() throws IOException {
        try (Stream<Path> s = Files.list(tmp.resolve("spool"))) {
            return s.filter(p -> p.toString().endsWith(".eml")).collect(Collectors.toList());
        }
    }

    @Test
    void rcptWhenLocalDomainThenAcceptedFromAnyoneAndSpooled() throws Exception {
        InetSocketAddress addr = start("127.0.0.1");
        try (MailClient c = MailClient.connect(addr, "127.0.0.2", null, null)) {
            c.send("stranger@elsewhere.example", "bob@example.com", "hello", "Hello Bob");
            assertThat(c.lastResponse()).startsWith("250 2.0.0 Ok: queued as ");
        }
        assertThat(spooled()).hasSize(1);
    }

    @Test
    void rcptWhenStrangerRelaysThen554RelayAccessDenied() throws Exception {
        InetSocketAddress addr = start("127.0.0.1");
        try (MailClient c = MailClient.connect(addr, "127.0.0.2", null, null)) {
            assertThat(c.command("MAIL FROM:<someone@elsewhere.example>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<victim@faraway.example>")).isEqualTo("554 5.7.1 Relay access denied");
            assertThat(c.command("RCPT TO:<mx2@host.backup.example.net>")).isEqualTo("250 Ok");
        }
    }

    @Test
    void rcptWhenTrustedNetworkThenRelayAllowedWhileStrangerOnSameServerIsRefused() throws Exception {
        InetSocketAddress addr = start("127.0.0.1");
        try (MailClient trusted = MailClient.connect(addr, "127.0.0.1", null, null);
                MailClient stranger = MailClient.connect(addr, "127.0.0.2", null, null)) {
            assertThat(trusted.command("MAIL FROM:<app@example.com>")).isEqualTo("250 Ok");
            assertThat(stranger.command("MAIL FROM:<app@elsewhere.example>")).isEqualTo("250 Ok");
            assertThat(trusted.command("RCPT TO:<someone@faraway.example>")).isEqualTo("250 Ok");
            assertThat(stranger.command("RCPT TO:<someone@faraway.example>")).isEqualTo("554 5.7.1 Relay access denied");
        }
    }

    @Test
    void rcptWhenAuthenticatedThenRelayAllowed() throws Exception {
        InetSocketAddress addr = start("127.0.0.1");
        for (String mechanism : List.of("PLAIN", "LOGIN")) {
            try (MailClient c = MailClient.connect(addr, "127.0.0.2", "alice", "secret", mechanism)) {
                c.send("alice@example.com", "friend@faraway.example", "relayed", "via " + mechanism);
                assertThat(c.lastResponse()).startsWith("250 2.0.0 Ok: queued as ");
            }
        }
        assertThat(spooled()).hasSize(2);
    }

    @Test
    void mailWhenSenderNotOwnedByLoginThen553() throws Exception {
        InetSocketAddress addr = start("127.0.0.1");
        try (MailClient c = MailClient.connect(addr, "127.0.0.2", "alice", "secret")) {
            assertThat(c.command("MAIL FROM:<mallory@example.com>")).startsWith("553 5.7.1 ");
            assertThat(c.command("MAIL FROM:<anything@alice.example.com>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<friend@faraway.example>")).isEqualTo("250 Ok");
        }
    }

    @Test
    void connectWhenClientInBlockedNetworksThen554BannerAndClose() throws Exception {
        InetSocketAddress addr = start("127.0.0.1");
        try (RawClient c = new RawClient(addr, "127.0.0.3")) {
            assertThat(c.reply()).isEqualTo(StandardRelayPolicy.BLOCKED_REPLY.toString());
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            assertThat(c.reply()).isEqualTo("220 mx.test ESMTP relaycontrol example");
        }
    }

    @Test
    void rcptWhenClientRecipientLimitExceededThen451AndOtherClientsUnaffected() throws Exception {
        InetSocketAddress addr = start("127.0.0.1", "relay.limit.client.recipients = 2/1h");
        try (MailClient c = MailClient.connect(addr, "127.0.0.2", null, null)) {
            c.command("MAIL FROM:<someone@elsewhere.example>");
            assertThat(c.command("RCPT TO:<a@example.com>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<b@example.com>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<c@example.com>")).startsWith("451 4.7.1 ");
        }
        try (MailClient c = MailClient.connect(addr, "127.0.0.4", null, null)) {
            c.command("MAIL FROM:<someone@elsewhere.example>");
            assertThat(c.command("RCPT TO:<a@example.com>")).isEqualTo("250 Ok");
        }
    }

    @Test
    void ipv6LoopbackWhenAvailableThenLocalAcceptedAndRelayRefused() throws Exception {
        Assumptions.assumeTrue(Ipv6.loopbackAvailable(), "no IPv6 loopback on this machine");
        InetSocketAddress addr = start("::1");
        assertThat(RelaySmtpServer.format(addr)).startsWith("[0:0:0:0:0:0:0:1]:");
        try (MailClient c = MailClient.connect(addr, null, null, null)) {
            assertThat(c.command("MAIL FROM:<a@elsewhere.example>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<bob@example.com>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<x@faraway.example>")).isEqualTo("554 5.7.1 Relay access denied");
        }
    }

    @Test
    void rcptWhenRoutedRecipientFromStrangerThenRefusedByThePolicy() throws Exception {
        InetSocketAddress addr = start("127.0.0.1");
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            c.reply();
            c.send("EHLO client.example");
            assertThat(c.send("MAIL FROM:<a@elsewhere.example>")).isEqualTo("250 Ok");
            for (String rcpt : List.of("<@example.com:victim@faraway.example>", "<victim%faraway.example@example.com>",
                    "<faraway.example!victim@example.com>")) {
                assertThat(c.send("RCPT TO:" + rcpt)).as(rcpt).startsWith("5");
            }
        }
    }
}
