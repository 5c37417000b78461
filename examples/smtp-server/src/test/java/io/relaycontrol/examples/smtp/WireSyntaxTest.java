package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.Stage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Strict MAIL FROM / RCPT TO syntax, SMTPUTF8, what is spooled, and bare line endings in DATA, over the wire
 * with raw sockets (exact bytes).
 */
class WireSyntaxTest {

    @TempDir
    Path tmp;

    private RelaySmtpServer server;
    private Recorder recorder;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private RawClient client(RelayDecider decider) throws IOException {
        recorder = new Recorder(decider);
        server = RelaySmtpServer.builder(recorder).listen(new InetSocketAddress("127.0.0.1", 0)).hostName("mx.test")
                .spool(tmp.resolve("spool")).build();
        server.start();
        RawClient c = new RawClient(server.localAddress(), null);
        c.reply();
        c.send("EHLO client.example");
        return c;
    }

    private RawClient client() throws IOException {
        return client(TestPolicies.localOnly("example.com"));
    }

    private List<String> spooled() throws IOException {
        try (Stream<Path> s = Files.list(tmp.resolve("spool"))) {
            return s.filter(p -> p.toString().endsWith(".eml")).sorted().map(p -> {
                try {
                    return Files.readString(p, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).collect(Collectors.toList());
        }
    }

    @Test
    void rcptWhenTextFollowsThePathThenRefusedWithTheReasonAndNeverAskedAbout() throws Exception {
        try (RawClient c = client()) {
            assertThat(c.send("MAIL FROM:<a@elsewhere.example>")).isEqualTo("250 Ok");
            assertThat(c.send("RCPT TO:<user@example.com> <user@evil.test>"))
                    .isEqualTo("501 5.5.4 Syntax: RCPT TO:<address>: malformed parameter '<user@evil.test>'");
            assertThat(c.send("RCPT TO:<user@example.com")).isEqualTo("501 5.5.4 Syntax: RCPT TO:<address>: missing '>' after the address");
            assertThat(c.send("RCPT TO:<user@example.com>junk"))
                    .isEqualTo("501 5.5.4 Syntax: RCPT TO:<address>: unexpected text after '>': 'junk'");
            assertThat(c.send("RCPT TO:user@example.com"))
                    .isEqualTo("501 5.5.4 Syntax: RCPT TO:<address>: the address must be in angle brackets");
            assertThat(c.send("RCPT TO:<us<er@example.com>")).isEqualTo("501 5.5.4 Syntax: RCPT TO:<address>: '<' inside the address");
            assertThat(c.send("RCPT TO:<user@example.com> FOO=bar")).isEqualTo("555 5.5.4 Unsupported option: FOO");
            assertThat(c.send("RCPT TO:<user@example.com> NOTIFY=NEVER")).isEqualTo("555 5.5.4 Unsupported option: NOTIFY");
            assertThat(c.send("RCPT <user@example.com>")).isEqualTo("501 5.5.4 Syntax: RCPT TO:<address> [parameters]");
        }
        assertThat(recorder.at(Stage.RCPT)).isEmpty();
    }

    @Test
    void mailWhenParametersAreMalformedUnknownOrRepeatedThenRefusedWithTheReason() throws Exception {
        try (RawClient c = client()) {
            assertThat(c.send("MAIL FROM:<a@elsewhere.example> SIZE=abc")).isEqualTo("501 5.5.4 Syntax: SIZE=<number of bytes>");
            assertThat(c.send("MAIL FROM:<a@elsewhere.example> SIZE=1 SIZE=1"))
                    .isEqualTo("501 5.5.4 Syntax: MAIL FROM:<address>: parameter SIZE given twice");
            assertThat(c.send("MAIL FROM:<a@elsewhere.example> BODY=BINARYMIME")).isEqualTo("501 5.5.4 Syntax: BODY=7BIT or BODY=8BITMIME");
            assertThat(c.send("MAIL FROM:<a@elsewhere.example> SMTPUTF8=yes")).isEqualTo("501 5.5.4 Syntax: SMTPUTF8 takes no value");
            assertThat(c.send("MAIL FROM:<a@elsewhere.example> XFOO")).isEqualTo("555 5.5.4 Unsupported option: XFOO");
            assertThat(c.send("MAIL FROM:<a@elsewhere.example> AUTH=<>")).isEqualTo("555 5.5.4 Unsupported option: AUTH");
            assertThat(c.send("MAIL FROM:<a@elsewhere.example> <b@evil.test>")).startsWith("501 5.5.4 ");
            assertThat(c.send("MAIL FROM:<a@elsewhere.example> SIZE=20000000")).isEqualTo("552 5.3.4 Message size exceeds fixed limit");
            assertThat(recorder.at(Stage.MAIL)).isEmpty();
            assertThat(c.send("MAIL FROM: <a@elsewhere.example> SIZE=100 BODY=8bitmime SMTPUTF8")).isEqualTo("250 Ok");
            assertThat(recorder.last(Stage.MAIL).declaredSize()).hasValue(100);
            assertThat(c.send("RCPT TO:<\"odd> local\"@example.com>")).isEqualTo("250 Ok");
        }
    }

    @Test
    void nonAsciiPathWhenWithoutSmtpUtf8ThenRefused553AndWithItTheCanonicalFormIsSpooled() throws Exception {
        try (RawClient c = client()) {
            assertThat(c.send("MAIL FROM:<j\u00f6rg@elsewhere.example>"))
                    .isEqualTo("553 5.6.7 Non-ASCII address needs SMTPUTF8 on MAIL FROM (RFC 6531)");
            assertThat(c.send("MAIL FROM:<someone@elsewhere.example>")).isEqualTo("250 Ok");
            assertThat(c.send("RCPT TO:<user@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.\uff43\uff4f\uff4d>"))
                    .isEqualTo("553 5.6.7 Non-ASCII address needs SMTPUTF8 on MAIL FROM (RFC 6531)");
            assertThat(recorder.at(Stage.RCPT)).isEmpty();
            c.send("RSET");
            assertThat(c.send("MAIL FROM:<Someone@ELSEWHERE.example> SMTPUTF8")).isEqualTo("250 Ok");
            assertThat(c.send("RCPT TO:<user@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.\uff43\uff4f\uff4d>")).isEqualTo("250 Ok");
            assertThat(c.send("DATA")).startsWith("354");
            assertThat(c.send("Subject: t\r\n\r\nhi\r\n.")).startsWith("250 2.0.0 Ok: queued as ");
        }
        String eml = spooled().get(0);
        assertThat(recorder.last(Stage.RCPT).recipientOrNull().canonical()).isEqualTo("user@example.com");
        assertThat(eml).contains("X-Envelope-To: <user@example.com>\r\n").contains("Return-Path: <Someone@elsewhere.example>")
                .doesNotContain("\uff45");
    }

    @Test
    void rcptWhenPostmasterWithoutDomainThenTheServerPassesItToThePolicy() throws Exception {
        try (RawClient c = client(TestPolicies.allowAll())) {
            c.send("MAIL FROM:<a@elsewhere.example>");
            assertThat(c.send("RCPT TO:<Postmaster>")).isEqualTo("250 Ok");
            assertThat(c.send("RCPT TO:<postMASTER>")).isEqualTo("250 Ok");
        }
        assertThat(recorder.at(Stage.RCPT)).hasSize(2);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\\n.\\n", "\\r\\n.\\n", "\\n.\\r\\n", "\\r.\\r", "\\n", "\\r"})
    void dataWhenItHoldsABareLineEndingThenRefused554AndNothingSpooledAndTheSessionGoesOn(String escaped)
            throws Exception {
        String sequence = escaped.replace("\\r", "\r").replace("\\n", "\n");
        try (RawClient c = client()) {
            c.send("MAIL FROM:<a@elsewhere.example>");
            assertThat(c.send("RCPT TO:<bob@example.com>")).isEqualTo("250 Ok");
            assertThat(c.send("DATA")).startsWith("354");
            c.write(("Subject: smuggle\r\n\r\nline one" + sequence + "MAIL FROM:<evil@evil.test>\r\n.\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(c.reply()).isEqualTo("554 5.5.0 Message refused: bare <LF> or bare <CR> in the message; "
                    + "lines must end with <CR><LF> (RFC 5321 2.3.8)");
            // the transaction is over, the session is not: a clean message goes through
            assertThat(c.send("RCPT TO:<bob@example.com>")).isEqualTo("503 5.5.1 Error: need MAIL command");
            c.send("MAIL FROM:<a@elsewhere.example>");
            c.send("RCPT TO:<bob@example.com>");
            c.send("DATA");
            assertThat(c.send("Subject: clean\r\n\r\nline one\r\n.")).startsWith("250 2.0.0 Ok: queued as ");
        }
        assertThat(spooled()).hasSize(1).allSatisfy(m -> assertThat(m).contains("Subject: clean").doesNotContain("smuggle"));
        assertThat(recorder.at(Stage.MAIL)).extracting(r -> r.senderOrNull().canonical())
                .containsOnly("a@elsewhere.example");
    }

    @Test
    void bareLineEndingsScannerWhenCleanThenPassesBytesThroughUnchanged() throws Exception {
        byte[] clean = "a\r\nb\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (RelayMessageHandler.BareLineEndings s =
                new RelayMessageHandler.BareLineEndings(new java.io.ByteArrayInputStream(clean))) {
            assertThat(s.readAllBytes()).isEqualTo(clean);
        }
        for (String bad : new String[] {"a\nb", "a\rb", "a\r", "\n"}) {
            try (RelayMessageHandler.BareLineEndings s = new RelayMessageHandler.BareLineEndings(
                    new java.io.ByteArrayInputStream(bad.getBytes(StandardCharsets.US_ASCII)))) {
                org.assertj.core.api.Assertions.assertThatThrownBy(s::readAllBytes)
                        .isInstanceOf(RelayMessageHandler.BareLineEndings.Found.class);
            }
        }
    }
}
