package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Stage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile input over raw sockets: the server answers or hangs up, never crashes, and keeps serving. */
class HostileClientTest {

    @TempDir
    Path tmp;

    private RelaySmtpServer server;
    private Recorder recorder;
    private InetSocketAddress addr;

    @BeforeEach
    void start() {
        recorder = new Recorder(TestPolicies.localOnly("example.com"));
        server = RelaySmtpServer.builder(recorder).listen(new InetSocketAddress("127.0.0.1", 0)).hostName("mx.test")
                .spool(tmp.resolve("spool")).maxMessageSize(4096).build();
        server.start();
        addr = server.localAddress();
    }

    @AfterEach
    void stop() throws Exception {
        // after every hostile test, a well-behaved client is still served
        try (RawClient c = new RawClient(addr, null)) {
            assertThat(c.reply()).startsWith("220 ");
            assertThat(c.send("HELO ok.example")).startsWith("250");
            assertThat(c.send("MAIL FROM:<a@elsewhere.example>")).isEqualTo("250 Ok");
            assertThat(c.send("RCPT TO:<b@example.com>")).isEqualTo("250 Ok");
            assertThat(c.send("QUIT")).startsWith("221");
        }
        server.close();
    }

    private RawClient greeted() throws Exception {
        RawClient c = new RawClient(addr, null);
        assertThat(c.reply()).startsWith("220 ");
        return c;
    }

    @Test
    void malformedCommandsGetSyntaxErrors() throws Exception {
        try (RawClient c = greeted()) {
            assertThat(c.send("HELLO")).startsWith("500");
            assertThat(c.send("")).startsWith("500");
            assertThat(c.send("RCPT TO:<b@example.com>")).startsWith("503");
            assertThat(c.send("MAIL")).startsWith("501");
            assertThat(c.send("MAIL TO:<x@example.com>")).startsWith("501");
            assertThat(c.send("MAIL FROM:<a@elsewhere.example>")).isEqualTo("250 Ok");
            assertThat(c.send("MAIL FROM:<a@elsewhere.example>")).startsWith("503");
            assertThat(c.send("RCPT <b@example.com>")).startsWith("501");
            assertThat(c.send("DATA")).startsWith("503");
        }
    }

    @Test
    void controlCharactersInAddressesAreRefusedBeforeThePolicy() throws Exception {
        try (RawClient c = greeted()) {
            assertThat(c.send("MAIL FROM:<a\u0001b@elsewhere.example>"))
                    .isEqualTo("501 5.1.3 Bad address syntax: control character 0x01 in the address");
            assertThat(c.send("MAIL FROM:<a@elsewhere.example>")).isEqualTo("250 Ok");
            assertThat(c.send("RCPT TO:<b\u0000@example.com>"))
                    .isEqualTo("501 5.1.3 Bad address syntax: control character 0x00 in the address");
            assertThat(c.send("RCPT TO:<b\u001b[31m@example.com>"))
                    .isEqualTo("501 5.1.3 Bad address syntax: control character 0x1b in the address");
            assertThat(c.send("RCPT TO:<b\u007f@example.com>"))
                    .isEqualTo("501 5.1.3 Bad address syntax: control character 0x7f in the address");
        }
        assertThat(recorder.at(Stage.RCPT)).isEmpty();
    }

    @Test
    void oversizedAddressIsRefusedAndOversizedLineEndsTheSession() throws Exception {
        try (RawClient c = greeted()) {
            c.send("MAIL FROM:<a@elsewhere.example>");
            assertThat(c.send("RCPT TO:<" + "x".repeat(300) + "@example.com>"))
                    .isEqualTo("501 5.1.3 Bad address syntax: address longer than 254 octets (312)");
            assertThat(c.send("RCPT TO:<" + "x".repeat(5000) + "@example.com>")).startsWith("501");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void bareLineFeedAndInvalidUtf8EndTheSession() throws Exception {
        try (RawClient c = greeted()) {
            c.write("HELO x\nMAIL FROM:<a@b>\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(c.reply()).startsWith("501");
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawClient c = greeted()) {
            c.write(new byte[] {'H', 'E', 'L', 'O', ' ', (byte) 0xff, (byte) 0xfe, '\r', '\n'});
            assertThat(c.reply()).startsWith("501");
        }
    }

    @Test
    void abruptDisconnectsAtEveryStageLeaveTheServerServing() throws Exception {
        try (RawClient c = new RawClient(addr, null)) {
            c.abort();
        }
        try (RawClient c = greeted()) {
            c.write("EHLO half".getBytes(StandardCharsets.US_ASCII));
            c.abort();
        }
        try (RawClient c = greeted()) {
            c.send("HELO x.example");
            c.send("MAIL FROM:<a@elsewhere.example>");
            c.send("RCPT TO:<b@example.com>");
            assertThat(c.send("DATA")).startsWith("354");
            c.write("Subject: cut\r\n\r\nhalf a mess".getBytes(StandardCharsets.US_ASCII));
            c.abort();
        }
    }

    @Test
    void oversizedMessageIsRefusedWith552AndNotSpooled() throws Exception {
        try (RawClient c = greeted()) {
            c.send("HELO x.example");
            c.send("MAIL FROM:<a@elsewhere.example>");
            c.send("RCPT TO:<b@example.com>");
            assertThat(c.send("DATA")).startsWith("354");
            String body = ("0123456789".repeat(9) + "\r\n").repeat(100);
            c.write(("Subject: big\r\n\r\n" + body + ".\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(c.reply()).isEqualTo("552 5.3.4 Message size exceeds fixed limit");
        }
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(tmp.resolve("spool"))) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void declaredSizeOverTheLimitIsRefusedBeforeRcpt() throws Exception {
        try (RawClient c = greeted()) {
            assertThat(c.send("EHLO x.example")).contains("SIZE 4096");
            assertThat(c.send("MAIL FROM:<a@elsewhere.example> SIZE=999999")).startsWith("552");
        }
    }
}
