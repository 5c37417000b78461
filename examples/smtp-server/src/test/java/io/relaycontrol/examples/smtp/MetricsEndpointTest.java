package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server.metrics.listen}: after real SMTP traffic (plain and STARTTLS, a refusal, a rate-limit deferral,
 * a failed handshake, a failed and a good policy reload), {@code /metrics} is scraped over HTTP and the counters
 * have moved.
 */
class MetricsEndpointTest {

    @TempDir
    Path tmp;

    private static String scrape(InetSocketAddress metrics, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + RelaySmtpServer.format(metrics) + path)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + "\n" + r.headers().firstValue("Content-Type").orElse("") + "\n" + r.body();
    }

    @Test
    void metricsWhenScrapedAfterSmtpTrafficThenCountersMoved() throws Exception {
        TestCerts.Pair pair = TestCerts.generate(tmp, "metrics", "EC", null, 30);
        Path f = tmp.resolve("c.properties");
        String config = String.join("\n", "server.listen = 127.0.0.1:0", "server.metrics.listen = 127.0.0.1:0",
                "server.users = alice:secret", "server.tls.certificate = " + pair.certificate(),
                "server.tls.private-key = " + pair.key(), "relay.local-domains = example.com",
                "relay.limit.client.recipients = 2/1h", "");
        Files.writeString(f, config, StandardCharsets.UTF_8);
        try (Main.Running running = Main.start(f, Duration.ZERO)) { // no background check races the reloads below
            InetSocketAddress smtp = running.server().localAddress();
            InetSocketAddress metrics = running.metrics().address();
            String before = scrape(metrics, "/metrics");
            assertThat(before).startsWith("200\ntext/plain; version=0.0.4");
            assertThat(before).contains("relaycontrol_policy_reloads_total{outcome=\"success\"} 1.0");

            try (MailClient c = MailClient.connect(smtp, null, null, null)) {
                c.command("MAIL FROM:<someone@elsewhere.example>");
                assertThat(c.command("RCPT TO:<bob@example.com>")).isEqualTo("250 Ok");
                assertThat(c.command("RCPT TO:<victim@faraway.example>")).startsWith("554 5.7.1");
                assertThat(c.command("RCPT TO:<carol@example.com>")).isEqualTo("250 Ok");
                assertThat(c.command("RCPT TO:<dave@example.com>")).startsWith("451 4.7.1");
            }
            try (MailClient c = MailClient.connectTls(smtp, "alice", "secret", MailClient.Tls.STARTTLS)) {
                assertThat(c.command("NOOP")).startsWith("250");
            }
            try (RawClient c = new RawClient(smtp, null)) {
                c.reply();
                c.send("EHLO x");
                c.send("STARTTLS");
                c.write("not a client hello\r\n".getBytes(StandardCharsets.US_ASCII));
                c.closedByServerAfterAnyBytes();
            }
            Files.writeString(f, config + "relay.trusted-networks = 10.0.0.0/33\n", StandardCharsets.UTF_8);
            assertThat(running.policy().checkForChanges().failed()).isTrue();
            Files.writeString(f, config, StandardCharsets.UTF_8);
            Files.writeString(f, config + "relay.name = renamed\n", StandardCharsets.UTF_8);
            assertThat(running.policy().checkForChanges().reloaded()).isTrue();

            String after = scrape(metrics, "/metrics");
            assertThat(after)
                    .contains("relaycontrol_policy_decisions_total{rule=\"local-domains\",stage=\"RCPT\",verdict=\"ALLOW\"} 2.0")
                    .containsPattern("relaycontrol_policy_decisions_total\\{rule=\"[^\"]+\",stage=\"RCPT\",verdict=\"DENY\"} 1.0")
                    .containsPattern("relaycontrol_ratelimit_deferrals_total\\{rule=\"[^\"]+\"} 1.0")
                    .contains("relaycontrol_policy_reloads_total{outcome=\"success\"} 2.0")
                    .contains("relaycontrol_policy_reloads_total{outcome=\"failure\"} 1.0")
                    .contains("relaycontrol_smtp_tls_handshakes_total{listener=\"smtp\",outcome=\"success\"} 1.0")
                    .contains("relaycontrol_smtp_tls_handshakes_total{listener=\"smtp\",outcome=\"failure\"} 1.0")
                    .contains("relaycontrol_smtp_connections_total{listener=\"smtp\"} 3.0");
            assertThat(scrape(metrics, "/other")).startsWith("404");
        }
    }
}
