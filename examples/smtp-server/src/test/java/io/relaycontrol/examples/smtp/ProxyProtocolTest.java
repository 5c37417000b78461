package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.core.config.StandardRelayPolicy;
import io.relaycontrol.core.net.NetworkSet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PROXY protocol over the wire with raw sockets: 127.0.0.2 is the trusted proxy, 127.0.0.3 a stranger.
 * Behind the proxy, 192.0.2.66 is a blocked network and 198.51.100.7 a trusted one (it may relay).
 */
class ProxyProtocolTest {

    @TempDir
    static Path certs;
    static TestCerts.Pair pair;

    @TempDir
    Path tmp;

    private RelaySmtpServer server;
    private Recorder recorder;

    @BeforeAll
    static void generate() {
        pair = TestCerts.generate(certs, "proxy", "EC", null, 30);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private InetSocketAddress start(boolean withProxyKey) {
        StandardRelayPolicy policy = StandardRelayPolicy.fromProperties(Map.of(
                "relay.local-domains", "example.com",
                "relay.blocked-networks", "192.0.2.66/32",
                "relay.trusted-networks", "198.51.100.7/32"), tmp);
        recorder = new Recorder(policy);
        RelaySmtpServer.Builder b = RelaySmtpServer.builder(recorder).listen(new InetSocketAddress("127.0.0.1", 0))
                .listenTls(new InetSocketAddress("127.0.0.1", 0)).tls(pair.certificate(), pair.key())
                .tlsReloadInterval(Duration.ZERO).hostName("mx.test").proxyHeaderTimeoutMillis(300);
        if (withProxyKey) {
            b.proxyProtocol(NetworkSet.of("127.0.0.2/32"));
        }
        server = b.build();
        server.start();
        return server.localAddress();
    }

    private static byte[] v1(String line) {
        return (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A v2 PROXY header (command 1 = PROXY, 0 = LOCAL) for TCP over IPv4 or IPv6. */
    static byte[] v2(int command, String source, String destination, int sourcePort, int destPort) throws IOException {
        byte[] src = InetAddress.getByName(source).getAddress();
        byte[] dst = InetAddress.getByName(destination).getAddress();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(ProxyPreamble.V2_SIGNATURE);
        b.write(0x20 | command);
        b.write(src.length == 4 ? 0x11 : 0x21);
        int len = src.length * 2 + 4;
        b.write(len >> 8);
        b.write(len & 0xff);
        b.write(src);
        b.write(dst);
        b.write(sourcePort >> 8);
        b.write(sourcePort & 0xff);
        b.write(destPort >> 8);
        b.write(destPort & 0xff);
        return b.toByteArray();
    }

    private boolean sawClient(String address) {
        return recorder.requests().stream().map(RelayRequest::clientAddress).map(InetAddress::getHostAddress)
                .anyMatch(address::equals);
    }

    @Test
    void proxyV1WhenFromTrustedPeerThenTheCarriedAddressDecidesBlockedAndAllowed() throws Exception {
        InetSocketAddress addr = start(true);
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            c.write(v1("PROXY TCP4 192.0.2.66 127.0.0.1 40000 25"));
            assertThat(c.reply()).startsWith("554 5.7.1");
        }
        assertThat(recorder.last(Stage.CONNECT).clientAddress().getHostAddress()).isEqualTo("192.0.2.66");
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            c.write(v1("PROXY TCP4 198.51.100.7 127.0.0.1 40000 25"));
            assertThat(c.reply()).startsWith("220 mx.test");
            c.send("EHLO client.example");
            c.send("MAIL FROM:<someone@elsewhere.example>");
            assertThat(c.send("RCPT TO:<friend@faraway.example>")).isEqualTo("250 Ok");
        }
        assertThat(recorder.last(Stage.RCPT).clientAddress().getHostAddress()).isEqualTo("198.51.100.7");
    }

    @Test
    void proxyV2WhenFromTrustedPeerThenTheCarriedAddressDecidesOverIpv4AndIpv6() throws Exception {
        InetSocketAddress addr = start(true);
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            c.write(v2(1, "192.0.2.66", "127.0.0.1", 40000, 25));
            assertThat(c.reply()).startsWith("554 5.7.1");
        }
        assertThat(recorder.last(Stage.CONNECT).clientAddress().getHostAddress()).isEqualTo("192.0.2.66");
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            c.write(v2(1, "2001:db8::7", "2001:db8::1", 40000, 25));
            assertThat(c.reply()).startsWith("220 mx.test");
        }
        assertThat(recorder.last(Stage.CONNECT).clientAddress().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:7");
    }

    @Test
    void proxyV2LocalWhenFromTrustedPeerThenThePeersOwnAddressIsKept() throws Exception {
        InetSocketAddress addr = start(true);
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            c.write(v2(0, "192.0.2.66", "127.0.0.1", 40000, 25));
            assertThat(c.reply()).startsWith("220 mx.test");
        }
        assertThat(recorder.last(Stage.CONNECT).clientAddress().getHostAddress()).isEqualTo("127.0.0.2");
    }

    @Test
    void proxyWhenFromUntrustedPeerThenRefusedAndNeverBelieved() throws Exception {
        InetSocketAddress addr = start(true);
        try (RawClient c = new RawClient(addr, "127.0.0.3")) {
            c.write(v1("PROXY TCP4 198.51.100.7 127.0.0.1 40000 25"));
            String all = c.reply() + "\n" + c.reply();
            assertThat(all).contains("554 5.7.0 PROXY header not accepted from this address");
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawClient c = new RawClient(addr, "127.0.0.3")) {
            c.write(v2(1, "198.51.100.7", "127.0.0.1", 40000, 25));
            assertThat(c.closedByServerAfterAnyBytes()).isTrue();
        }
        assertThat(sawClient("198.51.100.7")).isFalse();
    }

    @Test
    void proxyWhenTheKeyIsNotSetThenNoHeaderIsAcceptedFromAnyone() throws Exception {
        InetSocketAddress addr = start(false);
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            c.write(v1("PROXY TCP4 198.51.100.7 127.0.0.1 40000 25"));
            String all = c.reply() + "\n" + c.reply();
            assertThat(all).contains("554 5.7.0 PROXY header not accepted from this address");
        }
        assertThat(sawClient("198.51.100.7")).isFalse();
    }

    @Test
    void trustedPeerWhenItSendsNoHeaderThenRefusedNotGuessed() throws Exception {
        InetSocketAddress addr = start(true);
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            assertThat(c.send("EHLO client.example"))
                    .isEqualTo("421 4.7.0 connections from a trusted proxy must begin with a PROXY header, closing connection");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(recorder.requests()).isEmpty();
    }

    @Test
    void proxyHeaderWhenTruncatedThenDisconnected() throws Exception {
        InetSocketAddress addr = start(true);
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress("127.0.0.2", 0));
            s.connect(addr);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("PROXY TCP4 198.51.100.7".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(TestCerts.reply(s.getInputStream())).startsWith("421 4.7.0 PROXY v1 header ends before CRLF");
        }
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            byte[] v2 = v2(1, "198.51.100.7", "127.0.0.1", 40000, 25);
            c.write(java.util.Arrays.copyOf(v2, 20));
            // the rest never comes: the header timeout (300 ms here) ends the wait, no thread hangs
            assertThat(c.reply()).isEqualTo("421 4.7.0 PROXY header not received in time, closing connection");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(sawClient("198.51.100.7")).isFalse();
    }

    @Test
    void proxyHeaderWhenOversizedOrMalformedThenDisconnected() throws Exception {
        InetSocketAddress addr = start(true);
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            c.write(("PROXY TCP4 " + "1".repeat(300)).getBytes(StandardCharsets.US_ASCII));
            assertThat(c.reply()).isEqualTo("421 4.7.0 PROXY v1 header longer than 107 bytes, closing connection");
            assertThat(c.closedByServerAfterAnyBytes()).isTrue();
        }
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            c.write(v1("PROXY TCP4 999.0.2.66 127.0.0.1 40000 25"));
            assertThat(c.reply()).startsWith("421 4.7.0 malformed PROXY header");
        }
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            byte[] bad = v2(1, "198.51.100.7", "127.0.0.1", 40000, 25);
            bad[3] = 0x0B; // damaged signature
            c.write(bad);
            assertThat(c.reply()).startsWith("421 4.7.0 bad PROXY v2 signature");
        }
        assertThat(recorder.requests()).isEmpty();
    }

    @Test
    void proxyWhenBeforeImplicitTlsThenTheHandshakeFollowsAndTheCarriedAddressDecides() throws Exception {
        start(true);
        InetSocketAddress tls = server.tlsLocalAddress().orElseThrow();
        try (Socket plain = new Socket()) {
            plain.bind(new InetSocketAddress("127.0.0.2", 0));
            plain.connect(tls);
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write(v1("PROXY TCP4 198.51.100.7 127.0.0.1 40000 465"));
            SSLSocket s = TestCerts.handshake(plain, tls);
            InputStream in = s.getInputStream();
            assertThat(TestCerts.reply(in)).startsWith("220 mx.test");
        }
        RelayRequest connect = recorder.last(Stage.CONNECT);
        assertThat(connect.clientAddress().getHostAddress()).isEqualTo("198.51.100.7");
        assertThat(connect.isTls()).isTrue();
    }
}
