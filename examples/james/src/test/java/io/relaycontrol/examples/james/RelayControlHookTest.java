package io.relaycontrol.examples.james;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** relaycontrol's hooks inside James's embedded SMTP server, driven over loopback by real clients. */
class RelayControlHookTest {

    private EmbeddedJames james;
    private Policies.Recorder recorder;

    @AfterEach
    void stop() {
        if (james != null) {
            james.close();
        }
    }

    private InetSocketAddress start(RelayDecider decider) throws Exception {
        recorder = new Policies.Recorder(decider);
        james = new EmbeddedJames(new RelayControlHook(recorder), Map.of("alice@example.com", "secret"), "127.0.0.1");
        return james.address();
    }

    @Test
    void rcptWhenStrangerRelaysThen554WithEnhancedStatusAndLocalRecipientAccepted() throws Exception {
        InetSocketAddress addr = start(Policies.standard());
        try (JavaMailClient c = JavaMailClient.connect(addr, "127.0.0.2", null, null)) {
            assertThat(c.command("MAIL FROM:<someone@elsewhere.example>")).startsWith("250");
            assertThat(c.command("RCPT TO:<victim@faraway.example>")).isEqualTo("554 5.7.1 Relay access denied");
            assertThat(c.command("RCPT TO:<bob@example.com>")).startsWith("250 2.1.5");
        }
    }

    @Test
    void rcptWhenTrustedClientThenRelayAllowedWhileStrangerIsRefused() throws Exception {
        InetSocketAddress addr = start(Policies.standard());
        try (JavaMailClient trusted = JavaMailClient.connect(addr, "127.0.0.1", null, null);
                JavaMailClient stranger = JavaMailClient.connect(addr, "127.0.0.2", null, null)) {
            trusted.command("MAIL FROM:<app@internal.example>");
            stranger.command("MAIL FROM:<app@internal.example>");
            assertThat(trusted.command("RCPT TO:<x@faraway.example>")).startsWith("250 2.1.5");
            assertThat(stranger.command("RCPT TO:<x@faraway.example>")).isEqualTo("554 5.7.1 Relay access denied");
        }
    }

    @Test
    void rcptWhenAuthenticatedThroughDemoAuthHookThenRelayAllowed() throws Exception {
        InetSocketAddress addr = start(Policies.standard());
        try (JavaMailClient c = JavaMailClient.connect(addr, "127.0.0.2", "alice@example.com", "secret")) {
            assertThat(c.command("MAIL FROM:<alice@example.com>")).startsWith("250");
            assertThat(c.command("RCPT TO:<friend@faraway.example>")).startsWith("250 2.1.5");
        }
        RelayRequest rcpt = recorder.last(Stage.RCPT);
        assertThat(rcpt.authenticatedIdentity()).contains("alice@example.com");
        assertThat(rcpt.helo()).contains("client.example");
        assertThat(rcpt.isTls()).isFalse();
    }

    @Test
    void authWhenWrongPasswordThen535AndRelayStillRefused() throws Exception {
        InetSocketAddress addr = start(Policies.standard());
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            assertThat(c.reply()).startsWith("220");
            assertThat(c.send("EHLO client.example")).contains("AUTH LOGIN PLAIN");
            // AUTH PLAIN \0alice@example.com\0wrong
            assertThat(c.send("AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdyb25n")).startsWith("535");
            assertThat(c.send("MAIL FROM:<alice@example.com>")).startsWith("250");
            assertThat(c.send("RCPT TO:<friend@faraway.example>")).isEqualTo("554 5.7.1 Relay access denied");
        }
        assertThat(recorder.last(Stage.RCPT).authenticatedIdentity()).isEmpty();
    }

    @Test
    void mailWhenAuthenticatedUserUsesForeignSenderThen553() throws Exception {
        InetSocketAddress addr = start(Policies.standard());
        try (JavaMailClient c = JavaMailClient.connect(addr, "127.0.0.2", "alice@example.com", "secret")) {
            assertThat(c.command("MAIL FROM:<ceo@bank.example>"))
                    .isEqualTo("553 5.7.1 Sender address rejected: not owned by user");
        }
    }

    @Test
    void connectWhenBlockedThenFirstCommandGetsTheRefusalAndIsDisconnected() throws Exception {
        InetSocketAddress addr = start(Policies.standard());
        try (RawClient c = new RawClient(addr, "127.0.0.3")) {
            assertThat(c.reply()).startsWith("220");
            assertThat(c.send("EHLO spammer.example")).isEqualTo("554 5.7.1 Access denied: client is blocked");
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawClient c = new RawClient(addr, "127.0.0.3")) {
            c.reply();
            c.send("HELO spammer.example");
        }
        assertThat(recorder.last(Stage.CONNECT).clientAddress().getHostAddress()).isEqualTo("127.0.0.3");
    }

    @Test
    void rcptWhenDeferredThenDenySoftWith451() throws Exception {
        InetSocketAddress addr = start(Policies.standard());
        try (JavaMailClient c = JavaMailClient.connect(addr, "127.0.0.5", null, null)) {
            c.command("MAIL FROM:<a@elsewhere.example>");
            assertThat(c.command("RCPT TO:<a@example.com>")).startsWith("250");
            assertThat(c.command("RCPT TO:<b@example.com>")).startsWith("250");
            assertThat(c.command("RCPT TO:<c@example.com>")).isEqualTo("451 4.7.1 Rate limit exceeded, please try again later");
        }
        assertThat(recorder.last(Stage.RCPT).recipientCount()).isEqualTo(2);
    }

    @Test
    void rcptWhenNoOpinionThenNeverAcceptedButDeferred() throws Exception {
        InetSocketAddress addr = start(r -> Decision.noOpinion("undecided", "test"));
        try (JavaMailClient c = JavaMailClient.connect(addr, "127.0.0.2", null, null)) {
            assertThat(c.command("MAIL FROM:<a@elsewhere.example>")).startsWith("250");
            assertThat(c.command("RCPT TO:<bob@example.com>"))
                    .isEqualTo("451 4.3.0 Relay policy gave no decision, please try again later");
        }
    }

    @Test
    void rcptWhenDeciderThrowsThenTemporaryFailure() throws Exception {
        InetSocketAddress addr = start(r -> {
            if (r.stage() == Stage.RCPT) {
                throw new IllegalStateException("backend down");
            }
            return Decision.allow("ok", "test");
        });
        try (JavaMailClient c = JavaMailClient.connect(addr, "127.0.0.2", null, null)) {
            c.command("MAIL FROM:<a@elsewhere.example>");
            assertThat(c.command("RCPT TO:<bob@example.com>"))
                    .isEqualTo("451 4.3.0 Temporary local problem, please try again later");
        }
    }

    @Test
    void requestCarriesNullSenderAndDeclaredSize() throws Exception {
        InetSocketAddress addr = start(Policies.standard());
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            c.reply();
            c.send("EHLO client.example");
            assertThat(c.send("MAIL FROM:<> SIZE=4321")).startsWith("250");
            assertThat(c.send("RCPT TO:<postmaster@example.com>")).startsWith("250");
        }
        RelayRequest mail = recorder.last(Stage.MAIL);
        assertThat(mail.sender().orElseThrow().isNullPath()).isTrue();
        assertThat(mail.declaredSize()).hasValue(4321);
    }

    @Test
    void rcptWhenRoutedFormsThenJamesRefusesSourceRoutesItselfAndPolicySeesTheRest() throws Exception {
        InetSocketAddress addr = start(Policies.standard());
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            c.reply();
            c.send("EHLO client.example");
            c.send("MAIL FROM:<a@elsewhere.example>");
            // James's MailAddress parser refuses source routes before any hook runs
            assertThat(c.send("RCPT TO:<@example.com:victim@faraway.example>"))
                    .isEqualTo("553 5.1.3 Syntax error in recipient address");
            assertThat(c.send("RCPT TO:<victim%faraway.example@example.com>")).isEqualTo("554 5.7.1 Relay access denied");
            assertThat(c.send("RCPT TO:<faraway.example!victim@example.com>")).isEqualTo("554 5.7.1 Relay access denied");
            // the relay hook runs before James's PostmasterAbuseRcptHook, which would accept any postmaster@
            assertThat(c.send("RCPT TO:<postmaster@faraway.example>")).isEqualTo("554 5.7.1 Relay access denied");
        }
        assertThat(recorder.requests.stream().filter(r -> r.stage() == Stage.RCPT)
                .map(r -> r.recipient().orElseThrow().raw()))
                .containsExactly("victim%faraway.example@example.com", "faraway.example!victim@example.com",
                        "postmaster@faraway.example");
    }

    @Test
    void constructorRejectsNullAndAuthHookRejectsEmptyUsers() {
        assertThatThrownBy(() -> new RelayControlHook(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new DemoAuthHook(Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DemoAuthHook(Map.of(" ", "x"))).hasMessageContaining("blank");
    }
}
