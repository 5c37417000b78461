package io.relaycontrol.examples.james;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.core.config.StandardRelayPolicy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.commons.configuration2.BaseConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * relaycontrol's hooks inside James's embedded SMTP server, driven over loopback by real clients. The relay
 * policy is the standard one, read from {@code relay.*} properties: example.com is local, 127.0.0.1 is a
 * trusted network, 127.0.0.3 a blocked one, and login alice owns {@code alice@example.com}.
 */
class RelayControlHookTest {

    @TempDir
    Path tmp;

    private EmbeddedJames james;
    private Policies.Recorder recorder;
    private ConfiguredRelayControlHook configured;

    @AfterEach
    void stop() {
        if (james != null) {
            james.close();
        }
        if (configured != null) {
            configured.destroy();
        }
    }

    private Path relayProperties(String... extraLines) throws IOException {
        Files.writeString(tmp.resolve("sender-logins.txt"), "alice: alice@example.com, @alice.example.com\n");
        StringBuilder sb = new StringBuilder()
                .append("relay.local-domains = example.com\n")
                .append("relay.trusted-networks = 127.0.0.1/32\n")
                .append("relay.blocked-networks = 127.0.0.3/32\n")
                .append("relay.sender-logins = sender-logins.txt\n")
                .append("relay.auth.require-tls = false\n");
        for (String l : extraLines) {
            sb.append(l).append('\n');
        }
        Path file = tmp.resolve("relay.properties");
        Files.writeString(file, sb);
        return file;
    }

    private StandardRelayPolicy standard(String... extraLines) throws IOException {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(relayProperties(extraLines))) {
            p.load(r);
        }
        Map<String, String> keys = new HashMap<>();
        p.stringPropertyNames().forEach(k -> keys.put(k, p.getProperty(k)));
        return StandardRelayPolicy.fromProperties(keys, tmp);
    }

    private InetSocketAddress start(RelayDecider decider) throws Exception {
        recorder = new Policies.Recorder(decider);
        james = new EmbeddedJames(new RelayControlHook(recorder), Map.of("alice", "secret"), "127.0.0.1");
        return james.address();
    }

    @Test
    void configuredHookWhenInitWithRelayConfigThenStandardPolicyGuardsJames() throws Exception {
        configured = new ConfiguredRelayControlHook();
        BaseConfiguration conf = new BaseConfiguration();
        conf.addProperty(ConfiguredRelayControlHook.RELAY_CONFIG, relayProperties().toString());
        configured.init(conf);
        james = new EmbeddedJames(configured, Map.of("alice", "secret"), "127.0.0.1");
        try (JavaMailClient c = JavaMailClient.connect(james.address(), "127.0.0.2", null, null)) {
            assertThat(c.command("MAIL FROM:<someone@elsewhere.example>")).startsWith("250");
            assertThat(c.command("RCPT TO:<victim@faraway.example>")).isEqualTo("554 5.7.1 Relay access denied");
            assertThat(c.command("RCPT TO:<bob@example.com>")).startsWith("250 2.1.5");
        }
    }

    @Test
    void configuredHookWhenRelayConfigMissingOrInvalidThenConfigurationException() throws Exception {
        ConfiguredRelayControlHook hook = new ConfiguredRelayControlHook();
        assertThatThrownBy(() -> hook.init(new BaseConfiguration())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("relayConfig");
        Path bad = tmp.resolve("bad.properties");
        Files.writeString(bad, "relay.trusted-networks = 10.0.0.0/33\n");
        BaseConfiguration conf = new BaseConfiguration();
        conf.addProperty(ConfiguredRelayControlHook.RELAY_CONFIG, bad.toString());
        assertThatThrownBy(() -> hook.init(conf)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("relay.trusted-networks");
    }

    @Test
    void rcptWhenStrangerRelaysThen554WithEnhancedStatusAndLocalRecipientAccepted() throws Exception {
        InetSocketAddress addr = start(standard());
        try (JavaMailClient c = JavaMailClient.connect(addr, "127.0.0.2", null, null)) {
            assertThat(c.command("MAIL FROM:<someone@elsewhere.example>")).startsWith("250");
            assertThat(c.command("RCPT TO:<victim@faraway.example>")).isEqualTo("554 5.7.1 Relay access denied");
            assertThat(c.command("RCPT TO:<bob@example.com>")).startsWith("250 2.1.5");
        }
    }

    @Test
    void rcptWhenTrustedClientThenRelayAllowedWhileStrangerIsRefused() throws Exception {
        InetSocketAddress addr = start(standard());
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
        InetSocketAddress addr = start(standard());
        try (JavaMailClient c = JavaMailClient.connect(addr, "127.0.0.2", "alice", "secret")) {
            assertThat(c.command("MAIL FROM:<alice@example.com>")).startsWith("250");
            assertThat(c.command("RCPT TO:<friend@faraway.example>")).startsWith("250 2.1.5");
        }
        RelayRequest rcpt = recorder.last(Stage.RCPT);
        assertThat(rcpt.authenticatedIdentity()).contains("alice");
        assertThat(rcpt.helo()).contains("client.example");
        assertThat(rcpt.isTls()).isFalse();
    }

    @Test
    void authWhenWrongPasswordThen535AndRelayStillRefused() throws Exception {
        InetSocketAddress addr = start(standard());
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            assertThat(c.reply()).startsWith("220");
            assertThat(c.send("EHLO client.example")).contains("AUTH LOGIN PLAIN");
            // AUTH PLAIN \0alice\0wrong
            assertThat(c.send("AUTH PLAIN AGFsaWNlAHdyb25n")).startsWith("535");
            assertThat(c.send("MAIL FROM:<someone@elsewhere.example>")).startsWith("250");
            assertThat(c.send("RCPT TO:<friend@faraway.example>")).isEqualTo("554 5.7.1 Relay access denied");
        }
        assertThat(recorder.last(Stage.RCPT).authenticatedIdentity()).isEmpty();
    }

    @Test
    void mailWhenAuthenticatedUserUsesForeignSenderThen553() throws Exception {
        InetSocketAddress addr = start(standard());
        try (JavaMailClient c = JavaMailClient.connect(addr, "127.0.0.2", "alice", "secret")) {
            assertThat(c.command("MAIL FROM:<ceo@bank.example>")).startsWith("553 5.7.1 ");
        }
    }

    @Test
    void connectWhenBlockedThenFirstCommandGetsTheRefusalAndIsDisconnected() throws Exception {
        InetSocketAddress addr = start(standard());
        try (RawClient c = new RawClient(addr, "127.0.0.3")) {
            assertThat(c.reply()).startsWith("220");
            assertThat(c.send("EHLO spammer.example")).isEqualTo(StandardRelayPolicy.BLOCKED_REPLY.toString());
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
        InetSocketAddress addr = start(standard("relay.limit.client.recipients = 2/1h"));
        try (JavaMailClient c = JavaMailClient.connect(addr, "127.0.0.5", null, null)) {
            c.command("MAIL FROM:<a@elsewhere.example>");
            assertThat(c.command("RCPT TO:<a@example.com>")).startsWith("250");
            assertThat(c.command("RCPT TO:<b@example.com>")).startsWith("250");
            assertThat(c.command("RCPT TO:<c@example.com>")).startsWith("451 4.7.1 ");
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
        InetSocketAddress addr = start(standard());
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
        InetSocketAddress addr = start(standard());
        try (RawClient c = new RawClient(addr, "127.0.0.2")) {
            c.reply();
            c.send("EHLO client.example");
            c.send("MAIL FROM:<a@elsewhere.example>");
            // James's MailAddress parser refuses source routes before any hook runs
            assertThat(c.send("RCPT TO:<@example.com:victim@faraway.example>"))
                    .isEqualTo("553 5.1.3 Syntax error in recipient address");
            // the standard policy refuses routed recipients from untrusted clients (recipient-syntax)
            assertThat(c.send("RCPT TO:<victim%faraway.example@example.com>")).startsWith("5");
            assertThat(c.send("RCPT TO:<faraway.example!victim@example.com>")).startsWith("5");
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
