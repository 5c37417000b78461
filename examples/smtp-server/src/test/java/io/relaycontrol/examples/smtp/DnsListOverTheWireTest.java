package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.relaycontrol.core.config.ReloadingRelayPolicy;
import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The example SMTP server with {@code relay.dnsbl} pointing at a real DNS server: Debian's {@code dnsmasq},
 * started here on a free loopback UDP port, serves the zone {@code bl.test} with a listed client (127.0.0.2,
 * with a TXT reason), an unlisted one (127.0.0.4: NXDOMAIN), one that gets the Spamhaus error code
 * 127.255.255.254 (127.0.0.5), and forwards {@code silent.test} to a UDP port that never answers. Skipped with a
 * message when dnsmasq is not installed; mandatory when {@code CI=true} ({@code .ci/run} installs dnsmasq-base).
 */
class DnsListOverTheWireTest {

    private static Process dnsmasq;
    private static int dnsPort;
    private static DatagramSocket silent;
    private static Path dnsDir;

    @TempDir
    Path tmp;

    private ReloadingRelayPolicy policy;
    private RelaySmtpServer server;

    @BeforeAll
    static void startDnsmasq() throws Exception {
        File binary = findDnsmasq();
        if (binary == null) {
            String msg = "dnsmasq is not installed (Debian package dnsmasq-base): DNS list test skipped";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(msg + " -- but CI=true, where dnsmasq must be installed");
            }
            Assumptions.abort(msg);
        }
        silent = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        dnsDir = Files.createTempDirectory("dnsmasq");
        IOException last = null;
        for (int attempt = 0; attempt < 5 && dnsmasq == null; attempt++) {
            int port = freeUdpPort();
            Process p = new ProcessBuilder(binary.getPath(), "--no-daemon", "--conf-file=/dev/null",
                    "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                    "--pid-file=" + dnsDir.resolve("dnsmasq.pid"), "--local-ttl=300", "--log-queries",
                    "--log-facility=-",
                    "--local=/bl.test/",
                    "--address=/2.0.0.127.bl.test/127.0.0.2",
                    "--txt-record=2.0.0.127.bl.test,Listed in bl.test for testing",
                    "--address=/5.0.0.127.bl.test/127.255.255.254",
                    "--server=/silent.test/127.0.0.1#" + silent.getLocalPort())
                    .redirectErrorStream(true)
                    .redirectOutput(dnsDir.resolve("dnsmasq.log").toFile())
                    .start();
            if (answers(port)) {
                dnsmasq = p;
                dnsPort = port;
            } else {
                p.destroy();
                last = new IOException("dnsmasq did not answer on port " + port + ": "
                        + Files.readString(dnsDir.resolve("dnsmasq.log")));
            }
        }
        if (dnsmasq == null) {
            throw last;
        }
    }

    @AfterAll
    static void stopDnsmasq() throws Exception {
        if (dnsmasq != null) {
            dnsmasq.destroy();
            dnsmasq.waitFor();
        }
        if (silent != null) {
            silent.close();
        }
    }

    private static File findDnsmasq() {
        for (String dir : List.of("/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin")) {
            File f = new File(dir, "dnsmasq");
            if (f.canExecute()) {
                return f;
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                File f = new File(dir, "dnsmasq");
                if (f.canExecute()) {
                    return f;
                }
            }
        }
        return null;
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            return s.getLocalPort();
        }
    }

    /** Asks dnsmasq for the listed name until it answers; each try waits at most 200 ms for the reply. */
    private static boolean answers(int port) throws Exception {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        r.setTimeout(Duration.ofMillis(200));
        Message q = Message.newQuery(Record.newRecord(Name.fromString("2.0.0.127.bl.test."), Type.A, DClass.IN));
        for (int i = 0; i < 50; i++) {
            try {
                if (r.send(q).getRcode() == Rcode.NOERROR) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet: the 200 ms timeout was the wait
            }
        }
        return false;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (policy != null) {
            policy.close();
        }
    }

    private InetSocketAddress start(String... relayLines) throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "server.listen = 127.0.0.1:0",
                "server.hostname = mx.test",
                "relay.local-domains = example.com",
                "relay.trusted-networks = 127.0.0.1/32",
                "relay.auth.require-tls = false"));
        lines.addAll(List.of(relayLines));
        Path file = tmp.resolve("relay.properties");
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        ServerConfig config = ServerConfig.load(file);
        policy = ReloadingRelayPolicy.watch(file, "relay.");
        server = config.serverBuilder(policy).build();
        server.start();
        return server.localAddress();
    }

    private String[] dnsbl(String lists) {
        return new String[] {"relay.dnsbl = " + lists, "relay.dns.servers = 127.0.0.1:" + dnsPort,
                "relay.dns.timeout = 1s",
                "relay.dns.lookup-urls = bl.test=https://bl.test/lookup?ip={key}"};
    }

    @Test
    void rcptWhenClientListedThenRefusedWithZoneTxtAndUrlEvenForALocalDomain() throws Exception {
        InetSocketAddress addr = start(dnsbl("bl.test=127.0.0.[2..11]"));
        try (MailClient c = MailClient.connect(addr, "127.0.0.2", null, null)) {
            assertThat(c.command("MAIL FROM:<someone@elsewhere.example>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<bob@example.com>")).isEqualTo("554 5.7.1 Service unavailable; client host"
                    + " [127.0.0.2] blocked using bl.test; Listed in bl.test for testing;"
                    + " see https://bl.test/lookup?ip=127.0.0.2");
        }
    }

    @Test
    void rcptWhenClientNotListedThenLocalDomainAccepted() throws Exception {
        InetSocketAddress addr = start(dnsbl("bl.test=127.0.0.[2..11]"));
        try (MailClient c = MailClient.connect(addr, "127.0.0.4", null, null)) {
            assertThat(c.command("MAIL FROM:<someone@elsewhere.example>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<bob@example.com>")).isEqualTo("250 Ok");
        }
    }

    @Test
    void rcptWhenListAnswersAnErrorCodeThenNotRefused() throws Exception {
        InetSocketAddress addr = start(dnsbl("bl.test"));
        try (MailClient c = MailClient.connect(addr, "127.0.0.5", null, null)) {
            assertThat(c.command("MAIL FROM:<someone@elsewhere.example>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<bob@example.com>")).isEqualTo("250 Ok");
        }
    }

    @Test
    void rcptWhenOneListNeverAnswersThenTheListedClientIsStillRefusedInTime() throws Exception {
        InetSocketAddress addr = start(dnsbl("silent.test, bl.test=127.0.0.[2..11]"));
        try (MailClient c = MailClient.connect(addr, "127.0.0.2", null, null)) {
            assertThat(c.command("MAIL FROM:<someone@elsewhere.example>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<bob@example.com>")).startsWith("554 5.7.1 Service unavailable; client host"
                    + " [127.0.0.2] blocked using bl.test");
        }
    }

    @Test
    void rcptWhenTheOnlyServerIsSilentThenDeferredOrPassedAsConfigured() throws Exception {
        String silentServer = "relay.dns.servers = 127.0.0.1:" + silent.getLocalPort();
        InetSocketAddress addr = start("relay.dnsbl = bl.test", silentServer, "relay.dns.timeout = 300ms",
                "relay.dns.fail = defer");
        try (MailClient c = MailClient.connect(addr, "127.0.0.2", null, null)) {
            assertThat(c.command("MAIL FROM:<someone@elsewhere.example>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<bob@example.com>")).isEqualTo("451 4.7.1 Service temporarily unavailable:"
                    + " DNS block lists did not answer, try again later");
        }
        stop();
        server = null;
        policy = null;
        addr = start("relay.dnsbl = bl.test", silentServer, "relay.dns.timeout = 300ms");
        try (MailClient c = MailClient.connect(addr, "127.0.0.2", null, null)) {
            assertThat(c.command("MAIL FROM:<someone@elsewhere.example>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<bob@example.com>")).isEqualTo("250 Ok");
        }
    }

    @Test
    void rcptWhenTheFirstServerIsSilentThenTheSecondAnswersWithinTheTimeout() throws Exception {
        InetSocketAddress addr = start("relay.dnsbl = bl.test=127.0.0.[2..11]",
                "relay.dns.servers = 127.0.0.1:" + silent.getLocalPort() + ", 127.0.0.1:" + dnsPort,
                "relay.dns.timeout = 2s");
        try (MailClient c = MailClient.connect(addr, "127.0.0.2", null, null)) {
            assertThat(c.command("MAIL FROM:<someone@elsewhere.example>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<bob@example.com>")).startsWith("554 5.7.1 Service unavailable; client host"
                    + " [127.0.0.2] blocked using bl.test");
        }
    }

    @Test
    void rcptWhenTrustedClientThenNeverLookedUpAndRelayAllowed() throws Exception {
        InetSocketAddress addr = start(dnsbl("bl.test"));
        try (MailClient c = MailClient.connect(addr, "127.0.0.1", null, null)) {
            assertThat(c.command("MAIL FROM:<app@example.com>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<someone@faraway.example>")).isEqualTo("250 Ok");
        }
        assertThat(Files.readString(dnsDir.resolve("dnsmasq.log"))).doesNotContain("1.0.0.127.bl.test");
    }
}
