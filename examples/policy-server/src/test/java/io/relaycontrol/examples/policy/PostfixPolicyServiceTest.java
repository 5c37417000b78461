package io.relaycontrol.examples.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.core.config.StandardRelayPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The policy server behind a real Postfix {@code smtpd} (Debian's package; a private instance on a loopback port,
 * see {@link PostfixInstance}), driven by a real SMTP client:
 * {@code smtpd_relay_restrictions = check_policy_service inet:127.0.0.1:PORT, permit_mynetworks,
 * permit_sasl_authenticated, reject_unauth_destination}, as the README recommends. Skipped with a message without
 * Postfix (or without root); mandatory when {@code CI=true}.
 */
class PostfixPolicyServiceTest {

    private static final AtomicReference<RelayDecider> POLICY = new AtomicReference<>();
    private static final List<RelayRequest> ASKED = new CopyOnWriteArrayList<>();
    private static PolicyServer server;
    private static PostfixInstance postfix;

    @BeforeAll
    static void startPostfixAndPolicyServer() {
        RelayDecider recording = r -> {
            ASKED.add(r);
            return POLICY.get().decide(r);
        };
        server = PolicyServer.builder(recording).build().start();
        try {
            Map<String, String> mainCf = new LinkedHashMap<>();
            mainCf.put("smtpd_relay_restrictions", "check_policy_service inet:"
                    + PolicyServer.format(server.localAddress()) + ", permit_mynetworks, permit_sasl_authenticated,"
                    + " reject_unauth_destination");
            mainCf.put("smtpd_end_of_data_restrictions", "check_policy_service inet:"
                    + PolicyServer.format(server.localAddress()));
            postfix = PostfixInstance.start(mainCf);
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    @AfterAll
    static void stopBoth() {
        try {
            if (postfix != null) {
                postfix.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    /** A fresh standard policy per test, so that no test spends another's rate-limit budget. */
    @BeforeEach
    void freshPolicy() {
        POLICY.set(StandardRelayPolicy.fromProperties(Map.of(
                "relay.local-domains", "example.com",
                "relay.trusted-networks", "192.0.2.0/24",
                "relay.blocked-networks", "203.0.113.0/24",
                "relay.limit.client.recipients", "3/1h"), Path.of(".")));
        ASKED.clear();
    }

    @Test
    void decideWhenStrangerRelaysThroughPostfixThenRefusedWithRelaycontrolsReply() throws IOException {
        try (SmtpClient smtp = new SmtpClient(postfix.smtpPort())) {
            assertThat(smtp.greeting()).startsWith("220 mx.example.com");
            assertThat(smtp.command("EHLO client.example")).startsWith("250");
            assertThat(smtp.command("MAIL FROM:<someone@elsewhere.example>")).startsWith("250");
            String reply = smtp.command("RCPT TO:<victim@faraway.example>");
            assertThat(reply).as(postfix.log())
                    .isEqualTo("554 5.7.1 <victim@faraway.example>: Recipient address rejected: Relay access denied");
        }
        assertThat(ASKED).singleElement().satisfies(r -> {
            assertThat(r.stage()).isEqualTo(Stage.RCPT);
            assertThat(r.clientAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(r.helo()).contains("client.example");
            assertThat(r.sender().map(Object::toString)).contains("<someone@elsewhere.example>");
            assertThat(r.recipient().map(Object::toString)).contains("<victim@faraway.example>");
            assertThat(r.isAuthenticated()).isFalse();
            assertThat(r.isTls()).isFalse();
        });
    }

    @Test
    void decideWhenLocalRecipientThroughPostfixThenAcceptedAndQueued() throws IOException {
        try (SmtpClient smtp = new SmtpClient(postfix.smtpPort())) {
            smtp.command("EHLO client.example");
            assertThat(smtp.command("MAIL FROM:<someone@elsewhere.example>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<bob@example.com>")).as(postfix.log()).startsWith("250");
            assertThat(smtp.command("DATA")).startsWith("354");
            assertThat(smtp.command("Subject: hello\r\n\r\nhello bob\r\n.")).as(postfix.log())
                    .startsWith("250 2.0.0 Ok: queued as");
        }
        assertThat(ASKED).extracting(RelayRequest::stage).containsExactly(Stage.RCPT, Stage.DATA);
        // END-OF-MESSAGE carries the size received: the content as the client sent it, without the dot line
        assertThat(ASKED.get(1).declaredSize()).hasValue("Subject: hello\r\n\r\nhello bob\r\n".length());
        assertThat(server.requestsAnswered()).isPositive();
    }

    @Test
    void decideWhenClientExceedsRecipientLimitThroughPostfixThenDeferredAfterN() throws IOException {
        try (SmtpClient smtp = new SmtpClient(postfix.smtpPort())) {
            smtp.command("EHLO client.example");
            assertThat(smtp.command("MAIL FROM:<someone@elsewhere.example>")).startsWith("250");
            for (int i = 1; i <= 3; i++) {
                assertThat(smtp.command("RCPT TO:<user" + i + "@example.com>")).as(postfix.log()).startsWith("250");
            }
            String fourth = smtp.command("RCPT TO:<user4@example.com>");
            assertThat(fourth).as(postfix.log()).startsWith("451 4.7.1 <user4@example.com>: Recipient address rejected: ")
                    .contains("Rate limit exceeded");
        }
        assertThat(ASKED).hasSize(4);
    }

    /** A message of about {@code bytes} bytes: 70-character lines. */
    private static String message(int bytes) {
        StringBuilder m = new StringBuilder("Subject: a large message\r\n\r\n");
        while (m.length() < bytes) {
            m.append("x".repeat(68)).append("\r\n");
        }
        return m.append('.').toString();
    }

    @Test
    void decideWhenMessagesExceedAByteLimitAtEndOfDataThroughPostfixThenTheRealSizeIsChargedAndDeferred()
            throws IOException {
        // 10,000 bytes per client and hour, counted from the size Postfix received (END-OF-MESSAGE)
        POLICY.set(io.relaycontrol.core.limit.RateLimit.builder("client-message-bytes")
                .key(io.relaycontrol.core.limit.LimitKeys.clientAddress())
                .counting(io.relaycontrol.core.limit.Counted.MESSAGE_BYTES)
                .rate(io.relaycontrol.core.limit.Rate.of(10_000, java.time.Duration.ofHours(1)))
                .clock(new io.relaycontrol.testkit.ManualClock()).build()); // no refill while the test runs
        try (SmtpClient smtp = new SmtpClient(postfix.smtpPort())) {
            smtp.command("EHLO client.example");
            // SIZE=100 is a lie: the 6,000 bytes received are what is charged
            assertThat(smtp.command("MAIL FROM:<someone@elsewhere.example> SIZE=100")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<bob@example.com>")).startsWith("250");
            assertThat(smtp.command("DATA")).startsWith("354");
            assertThat(smtp.command(message(6_000))).as(postfix.log()).startsWith("250 2.0.0 Ok: queued as");
            assertThat(smtp.command("MAIL FROM:<someone@elsewhere.example> SIZE=100")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<bob@example.com>")).startsWith("250");
            assertThat(smtp.command("DATA")).startsWith("354");
            assertThat(smtp.command(message(6_000))).as(postfix.log()).startsWith("451 4.7.1 ")
                    .contains("Rate limit exceeded");
        }
        assertThat(ASKED).extracting(RelayRequest::stage)
                .containsExactly(Stage.RCPT, Stage.DATA, Stage.RCPT, Stage.DATA);
        assertThat(ASKED.get(0).declaredSize()).hasValue(100);
        assertThat(ASKED.get(1).declaredSize().orElseThrow()).isGreaterThanOrEqualTo(6_000);
        assertThat(ASKED.get(3).declaredSize().orElseThrow()).isGreaterThanOrEqualTo(6_000);
    }

    /**
     * Postfix's SASL needs Cyrus or Dovecot behind it, so the authenticated session is driven directly: the policy
     * requests Postfix 3.7 sends for a client that authenticated with AUTH PLAIN, with and without TLS, over the
     * same policy service Postfix uses.
     */
    @Test
    void decideWhenAuthenticatedSessionThenRelayAllowedOnlyOverTls() throws IOException {
        Map<String, String> rcpt = new LinkedHashMap<>();
        rcpt.put("request", "smtpd_access_policy");
        rcpt.put("protocol_state", "RCPT");
        rcpt.put("protocol_name", "ESMTP");
        rcpt.put("client_address", "198.51.100.20");
        rcpt.put("client_name", "unknown");
        rcpt.put("client_port", "50122");
        rcpt.put("reverse_client_name", "unknown");
        rcpt.put("server_address", "127.0.0.1");
        rcpt.put("server_port", String.valueOf(postfix.smtpPort()));
        rcpt.put("helo_name", "laptop.example");
        rcpt.put("sender", "alice@example.com");
        rcpt.put("recipient", "friend@faraway.example");
        rcpt.put("recipient_count", "0");
        rcpt.put("queue_id", "");
        rcpt.put("instance", "3a4f.6592b1c4.1a2b3.0");
        rcpt.put("size", "0");
        rcpt.put("etrn_domain", "");
        rcpt.put("stress", "");
        rcpt.put("sasl_method", "PLAIN");
        rcpt.put("sasl_username", "alice");
        rcpt.put("sasl_sender", "");
        rcpt.put("ccert_subject", "");
        rcpt.put("ccert_issuer", "");
        rcpt.put("ccert_fingerprint", "");
        rcpt.put("ccert_pubkey_fingerprint", "");
        rcpt.put("encryption_protocol", "TLSv1.3");
        rcpt.put("encryption_cipher", "TLS_AES_256_GCM_SHA384");
        rcpt.put("encryption_keysize", "256");
        rcpt.put("policy_context", "");
        rcpt.put("compatibility_level", "3.6");
        rcpt.put("mail_version", "3.7.11");
        try (PolicyClient client = new PolicyClient(server.localAddress())) {
            assertThat(client.ask(rcpt)).isEqualTo("DUNNO");
            Map<String, String> plaintext = new LinkedHashMap<>(rcpt);
            plaintext.put("encryption_protocol", "");
            plaintext.put("encryption_cipher", "");
            plaintext.put("encryption_keysize", "0");
            assertThat(client.ask(plaintext)).isEqualTo("554 5.7.1 Relay access denied");
            Map<String, String> stranger = new LinkedHashMap<>(rcpt);
            stranger.put("sasl_method", "");
            stranger.put("sasl_username", "");
            // without AUTH, a local sender from an untrusted client is refused before relaying is even asked
            assertThat(client.ask(stranger))
                    .isEqualTo("553 5.7.1 Sender address rejected: authentication required to use this sender");
        }
        assertThat(ASKED).hasSize(3);
        assertThat(ASKED.get(0).authenticatedIdentity()).contains("alice");
        assertThat(ASKED.get(0).isTls()).isTrue();
        assertThat(ASKED.get(1).isTls()).isFalse();
        assertThat(ASKED.get(2).isAuthenticated()).isFalse();
    }

    @Test
    void decideWhenDeciderIsAnyRelayDeciderThenPostfixUsesItsReply() throws IOException {
        POLICY.set(r -> Decision.defer("maintenance", "closed for maintenance",
                io.relaycontrol.api.SmtpReply.of(421, "4.3.2", "Closed for maintenance")));
        try (SmtpClient smtp = new SmtpClient(postfix.smtpPort())) {
            smtp.command("EHLO client.example");
            smtp.command("MAIL FROM:<someone@elsewhere.example>");
            assertThat(smtp.command("RCPT TO:<bob@example.com>")).as(postfix.log())
                    .startsWith("421 4.3.2 <bob@example.com>: Recipient address rejected: Closed for maintenance");
        }
    }
}
