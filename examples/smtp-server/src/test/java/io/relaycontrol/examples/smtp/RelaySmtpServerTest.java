package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's translation of SMTP sessions into relay requests and of decisions into replies, over the wire
 * with a real client library (Angus Mail) and raw sockets, on loopback, with small deciders built with the
 * policy engine. The standard policy's scenarios (trusted networks, local domains, sender logins, blocked
 * clients, rate limits, IPv6) are in {@link StandardPolicyOverTheWireTest}.
 */
class RelaySmtpServerTest {

    @TempDir
    Path tmp;

    private RelaySmtpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private InetSocketAddress start(RelayDecider decider) {
        return start(decider, "127.0.0.1");
    }

    private InetSocketAddress start(RelayDecider decider, String host) {
        server = RelaySmtpServer.builder(decider).listen(new InetSocketAddress(host, 0)).hostName("mx.test")
                .user("alice", "secret").spool(tmp.resolve("spool")).build();
        server.start();
        return server.localAddress();
    }

    @Test
    void authWhenWrongPasswordThenRefusedAndRelayStillDenied() throws Exception {
        Recorder rec = new Recorder(TestPolicies.localOnly("example.com"));
        InetSocketAddress addr = start(rec);
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            assertThat(c.reply()).startsWith("220 mx.test ESMTP");
            assertThat(c.send("EHLO client.example")).contains("AUTH PLAIN LOGIN");
            // AUTH PLAIN \0alice\0wrong
            assertThat(c.send("AUTH PLAIN AGFsaWNlAHdyb25n")).startsWith("535");
            assertThat(c.send("MAIL FROM:<alice@example.com>")).isEqualTo("250 Ok");
            assertThat(c.send("RCPT TO:<friend@faraway.example>")).isEqualTo("554 5.7.1 Relay access denied");
            assertThat(c.send("RCPT TO:<bob@example.com>")).isEqualTo("250 Ok");
        }
        assertThat(rec.last(Stage.RCPT).authenticatedIdentity()).isEmpty();
    }

    @Test
    void requestCarriesSessionFactsAtEachStage() throws Exception {
        Recorder rec = new Recorder(TestPolicies.allowAll());
        InetSocketAddress addr = start(rec);
        try (MailClient c = MailClient.connect(addr, "127.0.0.2", "alice", "secret")) {
            assertThat(c.command("MAIL FROM:<> SIZE=1234")).isEqualTo("250 Ok");
            c.command("RCPT TO:<one@example.com>");
            c.command("RCPT TO:<two@example.com>");
        }
        RelayRequest connect = rec.at(Stage.CONNECT).get(0);
        assertThat(connect.clientAddress().getHostAddress()).isEqualTo("127.0.0.2");
        assertThat(connect.helo()).isEmpty();
        assertThat(connect.authenticatedIdentity()).isEmpty();
        RelayRequest mail = rec.last(Stage.MAIL);
        assertThat(mail.helo()).contains("client.example");
        assertThat(mail.authenticatedIdentity()).contains("alice");
        assertThat(mail.isTls()).isFalse();
        assertThat(mail.sender().orElseThrow().isNullPath()).isTrue();
        assertThat(mail.declaredSize()).hasValue(1234);
        List<RelayRequest> rcpts = rec.at(Stage.RCPT);
        assertThat(rcpts).hasSize(2);
        assertThat(rcpts.get(0).recipient().orElseThrow().canonical()).isEqualTo("one@example.com");
        assertThat(rcpts.get(0).recipientCount()).isZero();
        assertThat(rcpts.get(1).recipientCount()).isEqualTo(1);
        assertThat(rcpts.get(1).clientAddress().getHostAddress()).isEqualTo("127.0.0.2");
    }

    @Test
    void authenticatedIdentityIsAbsentBeforeAuthAndPresentAfter() throws Exception {
        Recorder rec = new Recorder(TestPolicies.allowAll());
        InetSocketAddress addr = start(rec);
        try (RawClient c = new RawClient(addr, null)) {
            c.reply();
            c.send("EHLO before.example");
            c.send("MAIL FROM:<a@example.com>");
            c.send("RCPT TO:<b@example.com>");
            assertThat(c.send("RSET")).startsWith("250");
            // AUTH PLAIN \0alice\0secret
            assertThat(c.send("AUTH PLAIN AGFsaWNlAHNlY3JldA==")).startsWith("235");
            c.send("MAIL FROM:<a@example.com>");
            c.send("RCPT TO:<b@example.com>");
        }
        List<RelayRequest> rcpts = rec.at(Stage.RCPT);
        assertThat(rcpts.get(0).authenticatedIdentity()).isEmpty();
        assertThat(rcpts.get(1).authenticatedIdentity()).contains("alice");
    }

    @Test
    void rawAddressFormsReachThePolicyUnchanged() throws Exception {
        Recorder rec = new Recorder(TestPolicies.localOnly("example.com"));
        InetSocketAddress addr = start(rec);
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            c.reply();
            c.send("EHLO client.example");
            assertThat(c.send("MAIL FROM:<@hop.example:someone@elsewhere.example>")).isEqualTo("250 Ok");
            assertThat(c.send("RCPT TO:<@example.com,@relay.example:victim@faraway.example>"))
                    .isEqualTo("554 5.7.1 Relay access denied");
            assertThat(c.send("RCPT TO:<victim%faraway.example@example.com>"))
                    .isEqualTo("554 5.7.1 Relay access denied");
            assertThat(c.send("RCPT TO:<faraway.example!victim@example.com>"))
                    .isEqualTo("554 5.7.1 Relay access denied");
            assertThat(c.send("RCPT TO:<\"john doe\"@example.com>")).isEqualTo("250 Ok");
            assertThat(c.send("RCPT TO:<Bob@EXAMPLE.COM.>")).isEqualTo("250 Ok");
        }
        assertThat(rec.last(Stage.MAIL).sender().orElseThrow().raw()).isEqualTo("@hop.example:someone@elsewhere.example");
        assertThat(rec.at(Stage.RCPT).stream().map(r -> r.recipient().orElseThrow().raw()))
                .containsExactly("@example.com,@relay.example:victim@faraway.example",
                        "victim%faraway.example@example.com", "faraway.example!victim@example.com",
                        "\"john doe\"@example.com", "Bob@EXAMPLE.COM.");
    }

    @Test
    void rcptWhenDeciderThrowsThenTemporaryFailure() throws Exception {
        RelayDecider broken = r -> {
            if (r.stage() == Stage.RCPT) {
                throw new IllegalStateException("backend down");
            }
            return Decision.allow("ok", "not RCPT");
        };
        InetSocketAddress addr = start(broken);
        try (MailClient c = MailClient.connect(addr, "127.0.0.2", null, null)) {
            c.command("MAIL FROM:<a@example.com>");
            assertThat(c.command("RCPT TO:<b@example.com>"))
                    .isEqualTo("451 4.3.0 Temporary local problem, please try again later");
        }
    }

    @Test
    void rcptWhenDeciderHasNoOpinionThenTemporaryFailureNotAccept() throws Exception {
        InetSocketAddress addr = start(r -> Decision.noOpinion("undecided", "test"));
        try (MailClient c = MailClient.connect(addr, "127.0.0.2", null, null)) {
            assertThat(c.command("MAIL FROM:<a@example.com>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<b@example.com>"))
                    .isEqualTo("451 4.3.0 Relay policy gave no decision, please try again later");
        }
    }

    @Test
    void bdatWhenChunkingIsNotOfferedThenRefusedAndTheChunkIsNeverReadAsCommands() throws Exception {
        InetSocketAddress addr = start(TestPolicies.localOnly("example.com"));
        String msg = "RSET\r\nMAIL FROM:<smuggled@elsewhere.example>\r\n";
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            c.reply();
            assertThat(c.send("EHLO client.example")).doesNotContain("CHUNKING");
            c.send("MAIL FROM:<a@elsewhere.example>");
            assertThat(c.send("RCPT TO:<bob@example.com>")).isEqualTo("250 Ok");
            c.write(("BDAT " + msg.length() + " LAST\r\n" + msg).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(c.reply()).isEqualTo("554 5.5.1 BDAT is not offered here (no CHUNKING), closing connection");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(tmp.resolve("spool")).isEmptyDirectory();
    }

    @Test
    void printableEscapesControlAndNonAsciiCharactersForLogs() {
        assertThat(DecisionLog.printable("plain <a@b>")).isEqualTo("plain <a@b>");
        assertThat(DecisionLog.printable("a\rb\u0000c\u001bd\u00e9")).isEqualTo("a\\u000db\\u0000c\\u001bd\\u00e9");
        assertThat(DecisionLog.printable("two\nlines")).isEqualTo("two\nlines");
    }

    @Test
    void startWhenAlreadyStartedThenIllegalState() {
        start(TestPolicies.allowAll());
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void builderRejectsBadValuesNamingThem() {
        RelaySmtpServer.Builder b = RelaySmtpServer.builder(TestPolicies.allowAll());
        assertThatThrownBy(() -> b.hostName("bad host")).hasMessageContaining("bad host");
        assertThatThrownBy(() -> b.user("alice", "")).hasMessageContaining("alice");
        assertThatThrownBy(() -> b.maxMessageSize(0)).hasMessageContaining("0");
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("listen");
        assertThatThrownBy(() -> RelaySmtpServer.builder(null)).isInstanceOf(NullPointerException.class);
    }
}
