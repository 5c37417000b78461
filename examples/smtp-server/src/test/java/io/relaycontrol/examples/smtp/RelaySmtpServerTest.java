package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.core.rules.Policy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server over the wire, with a real client library (Angus Mail) and raw sockets, on loopback. */
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

    private List<Path> spooled() throws IOException {
        try (Stream<Path> s = Files.list(tmp.resolve("spool"))) {
            return s.filter(p -> p.toString().endsWith(".eml")).collect(Collectors.toList());
        }
    }

    private static Policy standard() {
        return TestPolicies.relay(Set.of("example.com"), Set.of("127.0.0.1"), Set.of("127.0.0.3"),
                Map.of("alice", Set.of("alice@example.com", "@alice.example.com")), Integer.MAX_VALUE);
    }

    @Test
    void localDeliveryFromAnyoneIsAcceptedAndSpooled() throws Exception {
        InetSocketAddress addr = start(standard());
        try (MailClient c = MailClient.connect(addr, "127.0.0.2", null, null)) {
            c.send("stranger@elsewhere.example", "bob@example.com", "hello", "Hello Bob");
            assertThat(c.lastResponse()).startsWith("250 2.0.0 Ok: queued as ");
        }
        List<Path> files = spooled();
        assertThat(files).hasSize(1);
        String eml = Files.readString(files.get(0), StandardCharsets.UTF_8);
        assertThat(eml).startsWith("Return-Path: <stranger@elsewhere.example>\r\nX-Envelope-To: <bob@example.com>\r\n")
                .contains("Subject: hello").contains("Hello Bob");
    }

    @Test
    void relayWhenStrangerThenExactDecisionReply() throws Exception {
        InetSocketAddress addr = start(standard());
        try (MailClient c = MailClient.connect(addr, "127.0.0.2", null, null)) {
            assertThat(c.command("MAIL FROM:<someone@elsewhere.example>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<victim@faraway.example>")).isEqualTo("554 5.7.1 Relay access denied");
            assertThat(c.command("RCPT TO:<bob@example.com>")).isEqualTo("250 Ok");
        }
        assertThat(spooled()).isEmpty();
    }

    @Test
    void relayWhenTrustedNetworkThenAllowedWhileStrangerOnSameServerIsRefused() throws Exception {
        InetSocketAddress addr = start(standard());
        try (MailClient trusted = MailClient.connect(addr, "127.0.0.1", null, null);
                MailClient stranger = MailClient.connect(addr, "127.0.0.2", null, null)) {
            trusted.command("MAIL FROM:<app@internal.example>");
            stranger.command("MAIL FROM:<app@internal.example>");
            assertThat(trusted.command("RCPT TO:<someone@faraway.example>")).isEqualTo("250 Ok");
            assertThat(stranger.command("RCPT TO:<someone@faraway.example>")).isEqualTo("554 5.7.1 Relay access denied");
        }
    }

    @Test
    void relayWhenAuthenticatedWithPlainOrLoginThenAllowed() throws Exception {
        InetSocketAddress addr = start(standard());
        for (String mechanism : List.of("PLAIN", "LOGIN")) {
            try (MailClient c = MailClient.connect(addr, "127.0.0.2", "alice", "secret", mechanism)) {
                c.send("alice@example.com", "friend@faraway.example", "relayed", "via " + mechanism);
                assertThat(c.lastResponse()).startsWith("250 2.0.0 Ok: queued as ");
            }
        }
        assertThat(spooled()).hasSize(2);
    }

    @Test
    void authWhenWrongPasswordThenRefusedAndRelayStillDenied() throws Exception {
        Recorder rec = new Recorder(standard());
        InetSocketAddress addr = start(rec);
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            assertThat(c.reply()).startsWith("220 mx.test ESMTP");
            assertThat(c.send("EHLO client.example")).contains("AUTH PLAIN LOGIN");
            // AUTH PLAIN \0alice\0wrong
            assertThat(c.send("AUTH PLAIN AGFsaWNlAHdyb25n")).startsWith("535");
            assertThat(c.send("MAIL FROM:<alice@example.com>")).isEqualTo("250 Ok");
            assertThat(c.send("RCPT TO:<friend@faraway.example>")).isEqualTo("554 5.7.1 Relay access denied");
        }
        assertThat(rec.last(Stage.RCPT).authenticatedIdentity()).isEmpty();
    }

    @Test
    void mailWhenAuthenticatedUserUsesForeignSenderThenSenderLoginRefusal() throws Exception {
        InetSocketAddress addr = start(standard());
        try (MailClient c = MailClient.connect(addr, "127.0.0.2", "alice", "secret")) {
            assertThat(c.command("MAIL FROM:<mallory@example.com>"))
                    .isEqualTo("553 5.7.1 Sender address rejected: not owned by user");
            assertThat(c.command("MAIL FROM:<anything@alice.example.com>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<friend@faraway.example>")).isEqualTo("250 Ok");
        }
    }

    @Test
    void connectWhenClientBlockedThen554BannerAndClose() throws Exception {
        InetSocketAddress addr = start(standard());
        try (RawClient c = new RawClient(addr, "127.0.0.3")) {
            assertThat(c.reply()).isEqualTo("554 5.7.1 Access denied: client is blocked");
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            assertThat(c.reply()).isEqualTo("220 mx.test ESMTP relaycontrol example");
        }
    }

    @Test
    void rcptWhenClientRecipientLimitReachedThen451() throws Exception {
        InetSocketAddress addr = start(TestPolicies.relay(Set.of("example.com"), Set.of(), Set.of(), Map.of(), 2));
        try (MailClient c = MailClient.connect(addr, "127.0.0.2", null, null)) {
            c.command("MAIL FROM:<someone@elsewhere.example>");
            assertThat(c.command("RCPT TO:<a@example.com>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<b@example.com>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<c@example.com>")).isEqualTo("451 4.7.1 Rate limit exceeded, please try again later");
        }
        // another client has its own budget
        try (MailClient c = MailClient.connect(addr, "127.0.0.4", null, null)) {
            c.command("MAIL FROM:<someone@elsewhere.example>");
            assertThat(c.command("RCPT TO:<a@example.com>")).isEqualTo("250 Ok");
        }
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
    void ipv6LoopbackWhenAvailableThenServesAndSeesV6Client() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Ipv6.loopbackAvailable(), "no IPv6 loopback on this machine");
        Recorder rec = new Recorder(TestPolicies.localOnly("example.com"));
        InetSocketAddress addr = start(rec, "::1");
        assertThat(RelaySmtpServer.format(addr)).startsWith("[0:0:0:0:0:0:0:1]:");
        try (MailClient c = MailClient.connect(addr, null, null, null)) {
            c.command("MAIL FROM:<a@elsewhere.example>");
            assertThat(c.command("RCPT TO:<bob@example.com>")).isEqualTo("250 Ok");
            assertThat(c.command("RCPT TO:<x@faraway.example>")).isEqualTo("554 5.7.1 Relay access denied");
        }
        assertThat(rec.last(Stage.RCPT).clientAddress()).isInstanceOf(java.net.Inet6Address.class);
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
