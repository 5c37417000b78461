package io.relaycontrol.examples.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.LimitKeys;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.limit.RateLimit;
import io.relaycontrol.examples.policy.PolicyActions.AllowAction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The policy protocol over a real socket: every attribute, persistence, concurrency, the no-reply rule on every
 * malformed form, the idle timeout, Exim's half-close, and the mapping of each verdict to its action. Reads block
 * with a deadline ({@link PolicyClient#READ_TIMEOUT_MS}); nothing sleeps.
 */
class PolicyServerProtocolTest {

    /** Decides by the recipient's local part: deny, defer, none (no opinion), boom (throws), null; else allow. */
    private static final SmtpReply DENY_REPLY = SmtpReply.of(554, "5.7.1", "Relay access denied");
    private static final SmtpReply DEFER_REPLY = SmtpReply.of(451, "4.7.1", "Rate limit exceeded, retry in 42 s");

    private final List<RelayRequest> asked = new CopyOnWriteArrayList<>();
    private final RelayDecider scripted = r -> {
        asked.add(r);
        String local = r.recipient().map(a -> a.toString()).orElse("");
        if (local.startsWith("<deny")) {
            return Decision.deny("test", "scripted", DENY_REPLY);
        } else if (local.startsWith("<defer")) {
            return Decision.defer("test", "scripted", DEFER_REPLY);
        } else if (local.startsWith("<none")) {
            return Decision.noOpinion("test", "scripted");
        } else if (local.startsWith("<boom")) {
            throw new IllegalStateException("scripted failure");
        } else if (local.startsWith("<null")) {
            return null;
        }
        return Decision.allow("test", "scripted");
    };
    private final List<PolicyServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(PolicyServer::close);
    }

    private PolicyServer start(Consumer<PolicyServer.Builder> options) {
        PolicyServer.Builder b = PolicyServer.builder(scripted);
        options.accept(b);
        PolicyServer s = b.build();
        servers.add(s);
        return s.start();
    }

    private PolicyServer start() {
        return start(b -> { });
    }

    static Map<String, String> rcpt(String client, String recipient) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("request", "smtpd_access_policy");
        m.put("protocol_state", "RCPT");
        m.put("protocol_name", "ESMTP");
        m.put("client_address", client);
        m.put("helo_name", "client.example");
        m.put("sender", "someone@elsewhere.example");
        m.put("recipient", recipient);
        return m;
    }

    /** Every attribute Postfix 3.12 sends, with values, as Postfix writes them (ccert_* as xtext). */
    static Map<String, String> everyAttribute() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("request", "smtpd_access_policy");
        m.put("protocol_state", "END-OF-MESSAGE");
        m.put("protocol_name", "ESMTP");
        m.put("helo_name", "laptop.example");
        m.put("queue_id", "8045F2AB23");
        m.put("sender", "alice@example.com");
        m.put("recipient", "bob@faraway.example");
        m.put("recipient_count", "1");
        m.put("client_address", "2001:db8::25");
        m.put("client_name", "laptop.example");
        m.put("reverse_client_name", "laptop.example");
        m.put("instance", "123.456.7");
        m.put("sasl_method", "PLAIN");
        m.put("sasl_username", "alice");
        m.put("sasl_sender", "");
        m.put("size", "12345");
        m.put("ccert_subject", "Wietse+20Venema+2B+C3+A9");
        m.put("ccert_issuer", "Example+20CA");
        m.put("ccert_fingerprint", "C2:9D:F4:87:71:73:73:D9:18:E7:C2:F3:C1:DA:6E:04");
        m.put("encryption_protocol", "TLSv1.3");
        m.put("encryption_cipher", "TLS_AES_256_GCM_SHA384");
        m.put("encryption_keysize", "256");
        m.put("etrn_domain", "");
        m.put("stress", "");
        m.put("ccert_pubkey_fingerprint", "68:B3:29:DA:98:93:E3:40:99:C7:D8:AD:5C:B9:C9:40");
        m.put("client_port", "1234");
        m.put("policy_context", "submission");
        m.put("server_address", "10.3.2.1");
        m.put("server_port", "54321");
        m.put("compatibility_level", "3.6");
        m.put("mail_version", "3.12.0");
        m.put("tls_sni", "mail.example.com");
        return m;
    }

    @Test
    void decideWhenEveryPostfix312AttributeIsSentThenEachIsMappedAndAllowIsDunno() throws IOException {
        assertThat(everyAttribute().keySet()).containsExactlyElementsOf(PolicyRequest.KNOWN_ATTRIBUTES);
        PolicyServer server = start();
        try (PolicyClient c = new PolicyClient(server.localAddress())) {
            assertThat(c.ask(everyAttribute())).isEqualTo("DUNNO");
        }
        assertThat(asked).singleElement().satisfies(r -> {
            assertThat(r.stage()).isEqualTo(Stage.DATA);
            assertThat(r.clientAddress()).isEqualTo(InetAddress.getByName("2001:db8::25"));
            assertThat(r.clientHostName()).contains("laptop.example");
            assertThat(r.helo()).contains("laptop.example");
            assertThat(r.authenticatedIdentity()).contains("alice");
            assertThat(r.isTls()).isTrue();
            assertThat(r.sender().map(Object::toString)).contains("<alice@example.com>");
            assertThat(r.recipient().map(Object::toString)).contains("<bob@faraway.example>");
            assertThat(r.recipientCount()).isEqualTo(1);
            assertThat(r.declaredSize()).hasValue(12345);
        });
    }

    @Test
    void decideWhenUnknownAttributesEmptyValuesAndRepeatedNamesThenIgnoredUnknownAndLastWins() throws IOException {
        PolicyServer server = start();
        String raw = "request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=192.0.2.1\n"
                + "x_future_attribute=whatever\nhelo_name=\nsasl_username=\nencryption_protocol=\n"
                + "sender=first@example.org\nsender=second@example.org\nrecipient=deny@x.example\n"
                + "recipient=bob@example.com\n\n";
        try (PolicyClient c = new PolicyClient(server.localAddress())) {
            c.send(raw);
            assertThat(c.readReply()).isEqualTo("DUNNO");
        }
        assertThat(asked).singleElement().satisfies(r -> {
            assertThat(r.helo()).isEmpty();
            assertThat(r.isAuthenticated()).isFalse();
            assertThat(r.isTls()).isFalse();
            assertThat(r.sender().map(Object::toString)).contains("<second@example.org>");
            assertThat(r.recipient().map(Object::toString)).contains("<bob@example.com>");
        });
    }

    @Test
    void decideWhenVerdictsThenActionsAreExactlyTheReplies() throws IOException {
        PolicyServer server = start();
        try (PolicyClient c = new PolicyClient(server.localAddress())) {
            assertThat(c.ask(rcpt("192.0.2.1", "bob@example.com"))).isEqualTo("DUNNO");
            assertThat(c.ask(rcpt("192.0.2.1", "deny@faraway.example"))).isEqualTo("554 5.7.1 Relay access denied");
            assertThat(c.ask(rcpt("192.0.2.1", "defer@example.com")))
                    .isEqualTo("451 4.7.1 Rate limit exceeded, retry in 42 s");
            assertThat(c.ask(rcpt("192.0.2.1", "none@example.com"))).isEqualTo("DUNNO");
            assertThat(c.ask(rcpt("192.0.2.1", "boom@example.com")))
                    .isEqualTo("451 4.3.0 Temporary local problem, please try again later");
            assertThat(c.ask(rcpt("192.0.2.1", "null@example.com")))
                    .isEqualTo("451 4.3.0 Temporary local problem, please try again later");
            // the connection survived all of it
            assertThat(c.ask(rcpt("192.0.2.1", "bob@example.com"))).isEqualTo("DUNNO");
        }
    }

    @Test
    void decideWhenAllowActionIsOkThenAllowIsOkAndNoOpinionStaysDunno() throws IOException {
        PolicyServer server = start(b -> b.allowAction(AllowAction.OK));
        try (PolicyClient c = new PolicyClient(server.localAddress())) {
            assertThat(c.ask(rcpt("192.0.2.1", "bob@example.com"))).isEqualTo("OK");
            assertThat(c.ask(rcpt("192.0.2.1", "none@example.com"))).isEqualTo("DUNNO");
            assertThat(c.ask(rcpt("192.0.2.1", "deny@example.com"))).isEqualTo("554 5.7.1 Relay access denied");
        }
    }

    /** One message's policy requests as Postfix sends them with every restriction list asking: MAIL, RCPT, DATA, END-OF-MESSAGE. */
    static List<Map<String, String>> transaction(String client, long declared, long received) {
        List<Map<String, String>> requests = new ArrayList<>();
        for (String state : List.of("MAIL", "RCPT", "DATA", "END-OF-MESSAGE")) {
            Map<String, String> m = rcpt(client, "bob@example.com");
            m.put("protocol_state", state);
            if (state.equals("MAIL")) {
                m.put("recipient", "");
            }
            m.put("recipient_count", state.equals("MAIL") || state.equals("RCPT") ? "0" : "1");
            m.put("size", String.valueOf(state.equals("END-OF-MESSAGE") ? received : declared));
            requests.add(m);
        }
        return requests;
    }

    @Test
    void decideWhenEndOfMessageSizeExceedsAByteLimitThenDeferredAndTheDataStateIsNotCharged() throws IOException {
        RateLimit limit = RateLimit.builder("client-message-bytes").key(LimitKeys.clientAddress())
                .counting(Counted.MESSAGE_BYTES).rate(Rate.of(10_000, Duration.ofHours(1)))
                .clock(new io.relaycontrol.testkit.ManualClock()).build(); // no refill while the test runs
        PolicyServer server = PolicyServer.builder(limit).build().start();
        servers.add(server);
        try (PolicyClient c = new PolicyClient(server.localAddress())) {
            // declares 9,000 bytes at MAIL, RCPT and DATA (not charged), sends 6,000: 4,000 left
            for (Map<String, String> r : transaction("198.51.100.7", 9_000, 6_000)) {
                assertThat(c.ask(r)).as(r.get("protocol_state")).isEqualTo("DUNNO");
            }
            // declares 100 (a lie), sends 6,000: the real size is over what is left
            List<Map<String, String>> second = transaction("198.51.100.7", 100, 6_000);
            for (Map<String, String> r : second.subList(0, 3)) {
                assertThat(c.ask(r)).as(r.get("protocol_state")).isEqualTo("DUNNO");
            }
            assertThat(c.ask(second.get(3))).startsWith("451 4.7.1 ");
            // the DATA state is never charged, however large the declared size
            Map<String, String> data = second.get(2);
            data.put("size", "1000000");
            assertThat(c.ask(data)).isEqualTo("DUNNO");
            // 4,000 were left and nothing since was charged: exactly 4,000 still fits
            Map<String, String> fits = second.get(3);
            fits.put("size", "4000");
            assertThat(c.ask(fits)).isEqualTo("DUNNO");
            fits.put("size", "1");
            assertThat(c.ask(fits)).startsWith("451 4.7.1 ");
            // another client has its own budget
            assertThat(c.ask(transaction("198.51.100.8", 0, 6_000).get(3))).isEqualTo("DUNNO");
        }
    }

    @Test
    void decideWhenVrfyOrEtrnThenDunnoWithoutAskingTheDecider() throws IOException {
        PolicyServer server = start();
        try (PolicyClient c = new PolicyClient(server.localAddress())) {
            for (String state : List.of("VRFY", "ETRN", "SOME-FUTURE-STATE")) {
                Map<String, String> m = rcpt("192.0.2.1", "deny@example.com");
                m.put("protocol_state", state);
                assertThat(c.ask(m)).isEqualTo("DUNNO");
            }
        }
        assertThat(asked).isEmpty();
    }

    @Test
    void decideWhenThousandRequestsOnOneConnectionThenEachAnsweredInOrder() throws IOException {
        PolicyServer server = start();
        try (PolicyClient c = new PolicyClient(server.localAddress())) {
            for (int i = 0; i < 1000; i++) {
                String recipient = (i % 3 == 0 ? "deny" : i % 3 == 1 ? "defer" : "bob") + i + "@example.com";
                String expected = i % 3 == 0 ? DENY_REPLY.toString() : i % 3 == 1 ? DEFER_REPLY.toString() : "DUNNO";
                assertThat(c.ask(rcpt("192.0.2." + (i % 250 + 1), recipient))).as("request %d", i).isEqualTo(expected);
            }
        }
        assertThat(asked).hasSize(1000);
        assertThat(server.requestsAnswered()).isEqualTo(1000);
    }

    @Test
    void decideWhenRequestsArePipelinedThenRepliesComeInOrder() throws IOException {
        PolicyServer server = start();
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            all.append(PolicyClient.request(rcpt("192.0.2.1", (i % 2 == 0 ? "deny" : "bob") + i + "@example.com")));
        }
        try (PolicyClient c = new PolicyClient(server.localAddress())) {
            c.send(all.toString());
            for (int i = 0; i < 50; i++) {
                assertThat(c.readReply()).isEqualTo(i % 2 == 0 ? DENY_REPLY.toString() : "DUNNO");
            }
        }
    }

    /**
     * Several Postfix smtpd processes at once, each with its own persistent connection, each interleaving the
     * requests of several message deliveries (instances): every reply belongs to its own request.
     */
    @Test
    void decideWhenManyConnectionsInterleaveInstancesThenEveryReplyBelongsToItsRequest() throws Exception {
        PolicyServer server = start(b -> b.maxConnections(16));
        int connections = 12;
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < connections; t++) {
                int conn = t;
                results.add(pool.submit(() -> {
                    int ok = 0;
                    try (PolicyClient c = new PolicyClient(server.localAddress())) {
                        for (int i = 0; i < 200; i++) {
                            Map<String, String> m = rcpt("198.51.100." + (conn + 1),
                                    ((i + conn) % 2 == 0 ? "deny" : "bob") + "-" + conn + "-" + i + "@example.com");
                            m.put("instance", conn + "." + (i % 3)); // three deliveries interleaved
                            String expected = (i + conn) % 2 == 0 ? DENY_REPLY.toString() : "DUNNO";
                            assertThat(c.ask(m)).isEqualTo(expected);
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            for (Future<Integer> f : results) {
                assertThat(f.get(120, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(asked).hasSize(connections * 200);
        assertThat(asked).allSatisfy(r -> {
            String to = r.recipient().orElseThrow().toString();
            String conn = to.split("-")[1];
            assertThat(r.clientAddress().getHostAddress()).isEqualTo("198.51.100." + (Integer.parseInt(conn) + 1));
        });
    }

    @Test
    void decideWhenMoreConnectionsThanTheBoundThenTheExtraOneIsClosedAtOnce() throws IOException {
        PolicyServer server = start(b -> b.maxConnections(1));
        try (PolicyClient first = new PolicyClient(server.localAddress())) {
            assertThat(first.ask(rcpt("192.0.2.1", "bob@example.com"))).isEqualTo("DUNNO");
            try (PolicyClient second = new PolicyClient(server.localAddress())) {
                assertThat(second.readToEnd()).isEmpty();
            }
            assertThat(first.ask(rcpt("192.0.2.1", "bob@example.com"))).isEqualTo("DUNNO");
        }
        assertThat(server.refusedConnections()).isEqualTo(1);
    }

    /** Each malformed form: no reply at all, the connection closed, and an earlier request keeps its answer. */
    @Test
    void decideWhenRequestIsMalformedThenNoReplyAndTheConnectionIsClosed() throws IOException {
        String good = PolicyClient.request(rcpt("192.0.2.1", "bob@example.com"));
        String prefix = "request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=192.0.2.1\n";
        Map<String, byte[]> malformed = new LinkedHashMap<>();
        malformed.put("a line without '='", (prefix + "recipient bob@example.com\n\n").getBytes(StandardCharsets.UTF_8));
        malformed.put("an empty name", (prefix + "=bob@example.com\n\n").getBytes(StandardCharsets.UTF_8));
        malformed.put("a NUL byte", (prefix + "recipient=bob\0@example.com\n\n").getBytes(StandardCharsets.UTF_8));
        malformed.put("an over-long value",
                (prefix + "recipient=" + "a".repeat(300) + "@example.com\n\n").getBytes(StandardCharsets.UTF_8));
        StringBuilder noEnd = new StringBuilder(prefix);
        while (noEnd.length() < 2000) {
            noEnd.append("x_filler=").append("f".repeat(100)).append('\n');
        }
        malformed.put("no empty line within the size bound", noEnd.toString().getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream latin1 = new ByteArrayOutputStream();
        latin1.writeBytes((prefix + "helo_name=caf").getBytes(StandardCharsets.US_ASCII));
        latin1.write(0xe9);
        latin1.writeBytes("\nrecipient=bob@example.com\n\n".getBytes(StandardCharsets.US_ASCII));
        malformed.put("bytes that are not UTF-8", latin1.toByteArray());
        malformed.put("no request attribute",
                "protocol_state=RCPT\nclient_address=192.0.2.1\nrecipient=bob@example.com\n\n".getBytes(StandardCharsets.UTF_8));
        malformed.put("another request type", ("request=junk\nprotocol_state=RCPT\nclient_address=192.0.2.1\n"
                + "recipient=bob@example.com\n\n").getBytes(StandardCharsets.UTF_8));
        malformed.put("an empty request", "\n".getBytes(StandardCharsets.UTF_8));
        malformed.put("no protocol_state",
                "request=smtpd_access_policy\nclient_address=192.0.2.1\n\n".getBytes(StandardCharsets.UTF_8));
        malformed.put("no client_address",
                "request=smtpd_access_policy\nprotocol_state=CONNECT\n\n".getBytes(StandardCharsets.UTF_8));
        malformed.put("a host name as client_address", "request=smtpd_access_policy\nprotocol_state=CONNECT\n"
                .concat("client_address=mail.example.com\n\n").getBytes(StandardCharsets.UTF_8));
        malformed.put("a RCPT without recipient", (prefix + "\n").getBytes(StandardCharsets.UTF_8));
        malformed.put("a non-numeric size", (prefix + "recipient=bob@example.com\nsize=12k\n\n")
                .getBytes(StandardCharsets.UTF_8));
        malformed.put("bad xtext", (prefix + "recipient=bob@example.com\nccert_subject=Wietse+2\n\n")
                .getBytes(StandardCharsets.UTF_8));
        malformed.put("end of stream inside a request", (prefix + "recipient=bob@example.com\n")
                .getBytes(StandardCharsets.UTF_8));

        PolicyServer server = start(b -> b.maxLineLength(256).maxRequestSize(1024));
        int n = 0;
        for (Map.Entry<String, byte[]> e : malformed.entrySet()) {
            try (PolicyClient c = new PolicyClient(server.localAddress())) {
                c.send(good);
                assertThat(c.readReply()).as(e.getKey()).isEqualTo("DUNNO");
                c.send(e.getValue());
                if (e.getKey().startsWith("end of stream")) {
                    c.shutdownOutput();
                }
                assertThat(c.readToEnd()).as("reply to %s", e.getKey()).isEmpty();
            }
            n++;
            assertThat(server.malformedRequests()).as(e.getKey()).isEqualTo(n);
        }
        assertThat(server.requestsAnswered()).isEqualTo(malformed.size());
    }

    @Test
    void decideWhenLinesEndWithCrLfThenTheRequestIsRead() throws IOException {
        PolicyServer server = start();
        try (PolicyClient c = new PolicyClient(server.localAddress())) {
            c.send("request=smtpd_access_policy\r\nprotocol_state=RCPT\r\nclient_address=192.0.2.1\r\n"
                    + "sender=a@example.org\r\nrecipient=deny@example.com\r\n\r\n");
            assertThat(c.readReply()).isEqualTo(DENY_REPLY.toString());
        }
        assertThat(asked).singleElement().satisfies(r ->
                assertThat(r.recipient().map(Object::toString)).contains("<deny@example.com>"));
    }

    @Test
    void decideWhenConnectionIsIdleThenServerClosesItAfterTheTimeout() throws IOException {
        PolicyServer server = start(b -> b.idleTimeout(Duration.ofMillis(300)));
        try (PolicyClient c = new PolicyClient(server.localAddress())) {
            assertThat(c.ask(rcpt("192.0.2.1", "bob@example.com"))).isEqualTo("DUNNO");
            // blocks until the server closes (the client's own read deadline is 20 s)
            assertThat(c.readToEnd()).isEmpty();
        }
        assertThat(server.malformedRequests()).isZero();
    }

    @Test
    void decideWhenRequestStopsHalfwayThenServerClosesWithoutReplyAfterTheTimeout() throws IOException {
        PolicyServer server = start(b -> b.idleTimeout(Duration.ofMillis(300)));
        try (PolicyClient c = new PolicyClient(server.localAddress())) {
            c.send("request=smtpd_access_policy\nprotocol_state=RCPT\n");
            assertThat(c.readToEnd()).isEmpty();
        }
        assertThat(server.malformedRequests()).isEqualTo(1);
    }

    /**
     * The deadline is read from the injected clock: each request must be complete within the idle timeout of the
     * previous reply, so a request that trickles in byte by byte cannot hold a connection for ever.
     */
    @Test
    void decideWhenRequestTricklesPastTheIdleTimeoutOnTheClockThenClosedWithoutReply() throws IOException {
        io.relaycontrol.testkit.ManualClock clock = new io.relaycontrol.testkit.ManualClock();
        PolicyServer server = start(b -> b.idleTimeout(Duration.ofSeconds(300)).clock(clock));
        try (PolicyClient c = new PolicyClient(server.localAddress())) {
            assertThat(c.ask(rcpt("192.0.2.1", "bob@example.com"))).isEqualTo("DUNNO");
            clock.advance(Duration.ofSeconds(200)); // within the timeout of the last reply
            assertThat(c.ask(rcpt("192.0.2.1", "deny@example.com"))).isEqualTo(DENY_REPLY.toString());
            c.send("request=smtpd_access_policy\nprotocol_state=RCPT\n");
            clock.advance(Duration.ofSeconds(301));
            c.send("client_address=192.0.2.1\nrecipient=bob@example.com\n\n");
            assertThat(c.readToEnd()).isEmpty();
        }
        // whether the server had read the first half before the clock passed the deadline (then it counts a
        // malformed request) or not (then it closes an idle connection) is a race; either way there is no reply
        assertThat(server.requestsAnswered()).isEqualTo(2);
    }

    /** The watchdog also keeps a monotonic bound: a clock stepped back cannot keep an idle connection open. */
    @Test
    void decideWhenClockStepsBackThenTheIdleConnectionIsStillClosedAfterTheTimeout() throws IOException {
        io.relaycontrol.testkit.ManualClock clock = new io.relaycontrol.testkit.ManualClock();
        PolicyServer server = start(b -> b.idleTimeout(Duration.ofMillis(300)).clock(clock));
        try (PolicyClient c = new PolicyClient(server.localAddress())) {
            assertThat(c.ask(rcpt("192.0.2.1", "bob@example.com"))).isEqualTo("DUNNO");
            clock.stepBack(Duration.ofDays(1));
            assertThat(c.readToEnd()).isEmpty();
        }
        assertThat(server.malformedRequests()).isZero();
    }

    @Test
    void decideWhenConnectionIsIdleLessThanTheTimeoutThenItStaysOpen() throws IOException {
        PolicyServer server = start(b -> b.idleTimeout(Duration.ofSeconds(60)));
        try (PolicyClient c = new PolicyClient(server.localAddress())) {
            for (int i = 0; i < 3; i++) {
                assertThat(c.ask(rcpt("192.0.2.1", "bob@example.com"))).isEqualTo("DUNNO");
            }
        }
        assertThat(server.openConnections()).isLessThanOrEqualTo(1);
    }

    /** Exim's ${readsocket}: one request, then shutdown(SHUT_WR); it reads the reply until the server closes. */
    @Test
    void decideWhenClientHalfClosesAfterOneRequestThenItGetsItsReplyThenTheClose() throws IOException {
        PolicyServer server = start();
        try (PolicyClient c = new PolicyClient(server.localAddress())) {
            c.send(PolicyClient.request(rcpt("192.0.2.1", "deny@faraway.example")));
            c.shutdownOutput();
            assertThat(c.readToEnd()).isEqualTo("action=554 5.7.1 Relay access denied\n\n");
        }
        assertThat(server.malformedRequests()).isZero();
    }

    @Test
    void decideWhenListeningOnIpv6LoopbackThenServed() throws IOException {
        PolicyServer server = start(b -> b.listen(new InetSocketAddress("::1", 0)));
        assertThat(PolicyServer.format(server.localAddress())).startsWith("[0:0:0:0:0:0:0:1]:");
        try (PolicyClient c = new PolicyClient(server.localAddress())) {
            assertThat(c.ask(rcpt("2001:db8::7", "deny@faraway.example"))).isEqualTo(DENY_REPLY.toString());
        }
    }

    @Test
    void closeWhenConnectionsAreOpenThenTheyAreClosedAndTheServerStopsAccepting() throws IOException {
        PolicyServer server = start();
        InetSocketAddress address = server.localAddress();
        try (PolicyClient c = new PolicyClient(address)) {
            assertThat(c.ask(rcpt("192.0.2.1", "bob@example.com"))).isEqualTo("DUNNO");
            server.close();
            assertThat(c.readToEnd()).isEmpty();
        }
        assertThatThrownBy(() -> new PolicyClient(address).close()).isInstanceOf(IOException.class);
        server.close(); // idempotent
    }

    @Test
    void builderWhenBoundsAreInvalidThenItSaysWhich() {
        assertThatThrownBy(() -> PolicyServer.builder(scripted).maxConnections(0))
                .hasMessageContaining("max connections must be 1..10000, was 0");
        assertThatThrownBy(() -> PolicyServer.builder(scripted).idleTimeout(Duration.ZERO))
                .hasMessageContaining("idle timeout must be positive");
        assertThatThrownBy(() -> PolicyServer.builder(scripted).maxLineLength(10))
                .hasMessageContaining("max line length must be 64..1048576 bytes, was 10");
        assertThatThrownBy(() -> PolicyServer.builder(scripted).maxLineLength(4096).maxRequestSize(1024).build())
                .hasMessageContaining("max line length 4096 exceeds max request size 1024");
    }
}
