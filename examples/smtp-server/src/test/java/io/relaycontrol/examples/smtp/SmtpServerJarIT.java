package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the shaded jar as a process ({@code java -jar relaycontrol-smtp-server.jar --config FILE}) with a
 * temporary copy of the bundled demo configuration on a free port, talks SMTP to it, and stops it with
 * SIGTERM. Runs in {@code mvn verify} (failsafe), after {@code package} built the jar.
 */
class SmtpServerJarIT {

    @TempDir
    Path tmp;

    @Test
    void jarWhenStartedWithDemoConfigThenServesStartTlsAndImplicitTlsAcceptsLocalRefusesRelayAndStopsOnSigterm() throws Exception {
        Path jar = Path.of(System.getProperty("relaycontrol.smtp.jar", "target/relaycontrol-smtp-server.jar"));
        Path demo = Path.of(System.getProperty("relaycontrol.smtp.demo", "demo"));
        assertThat(jar).exists();
        try (Stream<Path> files = Files.list(demo)) {
            for (Path f : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
                Files.copy(f, tmp.resolve(f.getFileName()));
            }
        }
        Path config = tmp.resolve("relay-demo.properties");
        String text = Files.readString(config, StandardCharsets.UTF_8)
                .replace("server.listen = 127.0.0.1:2525", "server.listen = 127.0.0.1:0")
                .replace("server.listen-tls = 127.0.0.1:2465", "server.listen-tls = 127.0.0.1:0")
                .replace("server.metrics.listen = 127.0.0.1:9125", "server.metrics.listen = 127.0.0.1:0");
        assertThat(text).contains("server.listen = 127.0.0.1:0").contains("server.listen-tls = 127.0.0.1:0")
                .contains("server.metrics.listen = 127.0.0.1:0").contains("relay.auth.require-tls = true")
                .contains("server.tls.demo-self-signed = true");
        Files.writeString(config, text, StandardCharsets.UTF_8);

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-jar", jar.toString(), "--config", config.toString())
                .redirectError(tmp.resolve("stderr.log").toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = CompletableFuture.supplyAsync(() -> readLine(out)).get(60, TimeUnit.SECONDS);
            assertThat(first).as("first stdout line; stderr: %s", stderr()).startsWith("listening on 127.0.0.1:");
            InetSocketAddress addr = ServerConfig.parseListen(first.substring("listening on ".length()));
            assertThat(addr.getPort()).isPositive();
            String second = readLine(out);
            assertThat(second).startsWith("listening with implicit TLS on 127.0.0.1:");
            InetSocketAddress tls = ServerConfig.parseListen(second.substring("listening with implicit TLS on ".length()));
            assertThat(readLine(out)).startsWith("metrics on http://127.0.0.1:").endsWith("/metrics");
            // the demo certificate was written at first start, marked as a demo
            assertThat(TlsFiles.readCertificates(tmp.resolve("tls/demo-cert.pem")).get(0).getSubjectX500Principal()
                    .getName()).contains("DEMO certificate");

            // authenticated relay with the demo account: over STARTTLS and over the implicit-TLS port
            try (MailClient c = MailClient.connectTls(addr, "alice", "secret", MailClient.Tls.STARTTLS)) {
                c.send("alice@example.com", "friend@faraway.example", "over starttls", "hello");
            }
            try (MailClient c = MailClient.connectTls(tls, "alice", "secret", MailClient.Tls.IMPLICIT)) {
                c.send("alice@example.com", "friend@faraway.example", "over implicit tls", "hello");
            }
            // and AUTH is refused in plaintext
            try (RawClient c = new RawClient(addr, null)) {
                c.reply();
                assertThat(c.send("EHLO client.example")).contains("STARTTLS").doesNotContain("AUTH");
                assertThat(c.send("AUTH PLAIN AGFsaWNlAHNlY3JldA==")).isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
            }

            try (MailClient c = MailClient.connect(addr, null, null, null)) {
                assertThat(c.command("MAIL FROM:<someone@elsewhere.example>")).startsWith("250");
                assertThat(c.command("RCPT TO:<bob@example.com>")).isEqualTo("250 Ok");
                assertThat(c.command("RCPT TO:<victim@faraway.example>")).startsWith("554 5.7.1 ");
                assertThat(c.command("DATA")).startsWith("354");
                assertThat(c.command("Subject: hi\r\n\r\nhello\r\n.")).startsWith("250 2.0.0 Ok: queued as ");
            }
            try (Stream<Path> s = Files.list(tmp.resolve("spool"))) {
                List<Path> eml = s.filter(f -> f.toString().endsWith(".eml")).collect(Collectors.toList());
                assertThat(eml).hasSize(3);
                assertThat(eml.stream().map(SmtpServerJarIT::read).collect(Collectors.joining()))
                        .contains("X-Envelope-To: <bob@example.com>").contains("X-Envelope-To: <friend@faraway.example>");
            }

            // SIGTERM, like Process.destroy(), but without closing our end of stdout so that the last line can be read
            assertThat(p.toHandle().destroy()).isTrue();
            List<String> rest = CompletableFuture.supplyAsync(() -> {
                List<String> lines = new ArrayList<>();
                for (String l; (l = readLine(out)) != null; ) {
                    lines.add(l);
                }
                return lines;
            }).get(60, TimeUnit.SECONDS);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(rest).containsExactly("stopped");
            assertThat(p.exitValue()).isEqualTo(143);
            String log = stderr();
            assertThat(log).contains("RCPT client=127.0.0.1").contains("to=<victim@faraway.example>")
                    .contains("DENY [554 5.7.1").contains("stopping");
        } finally {
            p.destroyForcibly();
        }
    }

    private String stderr() {
        try {
            return Files.readString(tmp.resolve("stderr.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String readLine(BufferedReader r) {
        try {
            return r.readLine();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
