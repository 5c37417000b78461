package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.config.StandardRelayPolicy;
import io.relaycontrol.core.net.NetworkSet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The {@code audit} subcommand against the example server in several configurations, and its edge cases. */
class AuditCommandTest {

    /** What one run printed and returned. */
    record Run(int status, String out, String err) {
    }

    static Run audit(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = AuditCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static RelaySmtpServer server(RelayDecider policy, boolean withUser) {
        RelaySmtpServer.Builder b = RelaySmtpServer.builder(policy)
                .listen(new InetSocketAddress("127.0.0.1", 0)).hostName("mx.example.com");
        if (withUser) {
            b.user("alice", "secret");
        }
        RelaySmtpServer s = b.build();
        s.start();
        return s;
    }

    static String hostPort(RelaySmtpServer s) {
        return RelaySmtpServer.format(s.localAddress());
    }

    @Test
    void auditWhenServerRunsTheStandardPolicyThenNotAnOpenRelayAndExitZero() {
        StandardRelayPolicy policy = StandardRelayPolicy.builder()
                .localDomains(DomainSet.of("example.com", ".example.com"))
                .relayDomains(DomainSet.of("backup.example.net"))
                .trustedNetworks(NetworkSet.of("192.0.2.0/24"))
                .build();
        try (RelaySmtpServer s = server(policy, false)) {
            Run r = audit("--server", hostPort(s), "--local-domain", "example.com,.example.com",
                    "--relay-domain", "backup.example.net");

            assertThat(r.status()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).startsWith("relay audit of smtp " + hostPort(s) + ": ")
                    .contains("verdict: not an open relay")
                    .contains("this client 127.0.0.1: ");
            assertThat(r.out()).doesNotContain("wrongly allowed");
        }
    }

    @Test
    void auditWhenServerTrustsLoopbackThenOpenRelayNamingProbesAndExitOne() {
        StandardRelayPolicy open = StandardRelayPolicy.builder()
                .localDomains(DomainSet.of("example.com"))
                .trustedNetworks(NetworkSet.of("127.0.0.0/8"))
                .build();
        try (RelaySmtpServer s = server(open, false)) {
            Run r = audit("--server", hostPort(s), "--local-domain", "example.com");

            assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
            assertThat(r.out()).contains("verdict: OPEN RELAY")
                    .contains("[relay-plain] this client 127.0.0.1: MAIL FROM:<audit@relay-audit.example> "
                            + "RCPT TO:<relaytest@relay-audit.example> -> accepted at RCPT")
                    .contains("[nmap-1] ")
                    .contains("[nmap-4] this client 127.0.0.1: MAIL FROM:<antispam@[127.0.0.1]>")
                    .contains("ALLOW [250 2.0.0 Ok] by smtp-server: replied to RCPT TO:<relaytest@relay-audit.example>");
        }
    }

    @Test
    void auditWhenServerAcceptsRoutedRecipientsThenTheRoutingProbesAreNamed() {
        // a server whose policy reads only the domain after the last '@' (no routing check)
        RelayDecider naive = request -> request.recipient()
                .map(a -> a.domain().equals("example.com")
                        ? io.relaycontrol.api.Decision.allow("naive", "local domain")
                        : io.relaycontrol.api.Decision.deny("naive", "not local",
                                io.relaycontrol.api.SmtpReply.RELAY_ACCESS_DENIED))
                .orElse(io.relaycontrol.api.Decision.allow("naive", "no recipient yet"));
        try (RelaySmtpServer s = server(naive, false)) {
            Run r = audit("--server", hostPort(s), "--local-domain", "example.com", "--json");

            assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
            assertThat(r.out()).startsWith("{\"target\":\"smtp " + hostPort(s) + "\"")
                    .contains("\"openRelay\":true")
                    .contains("\"probe\":\"percent@example.com\"")
                    .doesNotContain("\"probe\":\"relay-plain\",\"origin\":\"RELAYCONTROL\",\"description\":"
                            + "\"plain relay with the client's own sender\",\"context\":\"this client 127.0.0.1\","
                            + "\"sender\":\"audit@relay-audit.example\",\"recipient\":\"relaytest@relay-audit.example\","
                            + "\"expected\":\"REFUSE\",\"accepted\":true");
        }
    }

    @Test
    void auditWhenAuthenticatedThenTheUserMayRelayAndTheStrangerMayNot() {
        StandardRelayPolicy policy = StandardRelayPolicy.builder()
                .localDomains(DomainSet.of("example.com"))
                .requireTlsForAuth(false)
                .build();
        try (RelaySmtpServer s = server(policy, true)) {
            Run r = audit("--server", hostPort(s), "--local-domain", "example.com", "--auth", "alice:secret");

            assertThat(r.status()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("verdict: not an open relay")
                    .contains("authenticated alice without TLS: ")
                    .doesNotContain("[relay-plain] authenticated alice");
            Run wrong = audit("--server", hostPort(s), "--local-domain", "example.com", "--auth", "alice:wrong");
            assertThat(wrong.status()).isEqualTo(2);
            assertThat(wrong.err()).contains("AUTH PLAIN as alice failed: 535");
        }
    }

    @Test
    void auditWhenTlsIsAskedButNotOfferedThenExitTwoSayingSo() {
        StandardRelayPolicy policy = StandardRelayPolicy.builder().localDomains(DomainSet.of("example.com")).build();
        try (RelaySmtpServer s = server(policy, false)) {
            Run r = audit("--server", hostPort(s), "--local-domain", "example.com", "--tls");
            assertThat(r.status()).isEqualTo(2);
            assertThat(r.err()).contains("does not offer STARTTLS");
        }
    }

    @Test
    void auditWhenServerIsUnreachableThenExitTwo() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = free.getLocalPort();
        }
        Run r = audit("--server", "127.0.0.1:" + port, "--local-domain", "example.com", "--timeout", "2");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("relay audit: cannot reach 127.0.0.1:" + port + ": ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void auditWhenServerDropsTheConnectionAfterEveryRecipientThenItReconnectsAndFinishes() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        List<String> commands = java.util.Collections.synchronizedList(new ArrayList<>());
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Thread t = new Thread(() -> dropAfterRcpt(listener, connections, commands), "dropping-server");
            t.setDaemon(true);
            t.start();
            Run r = audit("--server", "127.0.0.1:" + listener.getLocalPort(), "--local-domain", "example.com");

            assertThat(r.status()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("verdict: not an open relay");
            assertThat(connections.get()).isGreaterThan(20);
            assertThat(commands).noneMatch(c -> c.startsWith("DATA"));
            assertThat(commands).anyMatch(c -> c.equals("RSET"));
        }
    }

    /** Banner, EHLO, MAIL and RSET succeed; every RCPT gets 421 and the connection is closed. */
    private static void dropAfterRcpt(ServerSocket listener, AtomicInteger connections, List<String> commands) {
        while (!listener.isClosed()) {
            try (Socket s = listener.accept()) {
                connections.incrementAndGet();
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                out.write("220 drop.example.com ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                while (true) {
                    String line = readLine(in);
                    if (line == null) {
                        break;
                    }
                    commands.add(line);
                    if (line.startsWith("RCPT")) {
                        out.write("421 4.3.2 closing\r\n".getBytes(StandardCharsets.US_ASCII));
                        break;
                    }
                    if (line.startsWith("QUIT")) {
                        out.write("221 bye\r\n".getBytes(StandardCharsets.US_ASCII));
                        break;
                    }
                    out.write((line.startsWith("EHLO") ? "250-drop.example.com\r\n250 8BITMIME\r\n" : "250 Ok\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                }
            } catch (IOException e) {
                // listener closed or client gone: next connection
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return c < 0 && b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void parseWhenArgumentsAreBadThenErrorNamesThem() {
        assertThatThrownBy(() -> AuditCommand.parse(new String[] {"--local-domain", "example.com"}))
                .hasMessageContaining("--server HOST:PORT is required");
        assertThatThrownBy(() -> AuditCommand.parse(new String[] {"--server", "127.0.0.1:25"}))
                .hasMessageContaining("--local-domain is required");
        assertThatThrownBy(() -> AuditCommand.parse(new String[] {"--server", "127.0.0.1", "--local-domain", "a.b"}))
                .hasMessageContaining("'127.0.0.1'");
        assertThatThrownBy(() -> AuditCommand.parse(new String[] {"--server", "h:99999", "--local-domain", "a.b"}))
                .hasMessageContaining("1..65535");
        assertThatThrownBy(() -> AuditCommand.parse(new String[] {"--server", "h:25", "--local-domain", "a.b",
            "--auth", "nopassword"})).hasMessageContaining("USER:PASS");
        assertThatThrownBy(() -> AuditCommand.parse(new String[] {"--server", "h:25", "--local-domain", "a.b",
            "--from", "nobody"})).hasMessageContaining("'nobody'");
        assertThatThrownBy(() -> AuditCommand.parse(new String[] {"--server", "h:25", "--bogus", "x"}))
                .hasMessageContaining("unknown option '--bogus'");
        assertThatThrownBy(() -> AuditCommand.parse(new String[] {"--server", "h:25", "--local-domain", "bad..x"}))
                .hasMessageContaining("'bad..x'");
        Run usage = audit("--server");
        assertThat(usage.status()).isEqualTo(2);
        assertThat(usage.err()).contains("--server needs a value").contains(AuditCommand.USAGE);
    }

    @Test
    void parseWhenIpv6AndEqualsFormsThenRead() {
        AuditCommand.Options o = AuditCommand.parse(new String[] {"--server=[::1]:2525", "--local-domain=example.com",
            "--relay-domain", "a.example.net,b.example.net", "--auth", "bob@example.com:pw:with:colons"});
        assertThat(o.host()).isEqualTo("::1");
        assertThat(o.port()).isEqualTo(2525);
        assertThat(o.relayDomains()).containsExactly("a.example.net", "b.example.net");
        assertThat(o.user()).contains("bob@example.com");
        assertThat(o.password()).contains("pw:with:colons");
        assertThat(o.authFrom()).contains("bob@example.com");
    }

    @Test
    void decisionWhenRepliesVaryThenVerdictAndStatusFollowTheCode() {
        assertThat(AuditCommand.decision(new SmtpProbeClient.Reply(250, "2.1.5 Ok"), "RCPT TO:<a@b>").reply())
                .hasValueSatisfying(x -> assertThat(x.toString()).isEqualTo("250 2.1.5 Ok"));
        assertThat(AuditCommand.decision(new SmtpProbeClient.Reply(554, "Relay denied"), "RCPT").reply())
                .hasValueSatisfying(x -> assertThat(x.toString()).isEqualTo("554 5.0.0 Relay denied"));
        assertThat(AuditCommand.decision(new SmtpProbeClient.Reply(450, "4.7.1 later"), "RCPT").verdict())
                .isEqualTo(io.relaycontrol.api.Verdict.DEFER);
        assertThat(AuditCommand.decision(new SmtpProbeClient.Reply(354, "go on"), "RCPT").verdict())
                .isEqualTo(io.relaycontrol.api.Verdict.DEFER);
        assertThat(AuditCommand.decision(new SmtpProbeClient.Reply(550, "5.1.1"), "RCPT").reply())
                .hasValueSatisfying(x -> assertThat(x.toString()).isEqualTo("550 5.1.1 (no text)"));
    }
}
