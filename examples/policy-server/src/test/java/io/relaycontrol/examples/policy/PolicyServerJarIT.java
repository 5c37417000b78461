package io.relaycontrol.examples.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the shaded jar as a process ({@code java -jar relaycontrol-policy-server.jar --config FILE}) with a copy of
 * the bundled demo configuration on a free port, asks it policy questions, changes the file and sees the new
 * policy answer, and stops it with SIGTERM. Runs in {@code mvn verify} (failsafe), after {@code package}.
 */
class PolicyServerJarIT {

    @TempDir
    Path tmp;

    @Test
    void jarWhenStartedWithDemoConfigThenAnswersReloadsOnChangeAndStopsOnSigterm() throws Exception {
        Path jar = Path.of(System.getProperty("relaycontrol.policy.jar", "target/relaycontrol-policy-server.jar"));
        Path demo = Path.of(System.getProperty("relaycontrol.policy.demo", "demo"));
        assertThat(jar).exists();
        Path config = tmp.resolve("policy-demo.properties");
        String text = Files.readString(demo.resolve("policy-demo.properties"), StandardCharsets.UTF_8)
                .replace("policy.listen = 127.0.0.1:10040", "policy.listen = 127.0.0.1:0");
        assertThat(text).contains("policy.listen = 127.0.0.1:0");
        Files.writeString(config, text, StandardCharsets.UTF_8);

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-jar", jar.toString(), "--config", config.toString()).start();
        BlockingQueue<String> stderr = new LinkedBlockingQueue<>();
        Thread errReader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    stderr.add(l);
                }
            } catch (IOException e) {
                // process ended
            }
        });
        errReader.setDaemon(true);
        errReader.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = CompletableFuture.supplyAsync(() -> readLine(out)).get(60, TimeUnit.SECONDS);
            assertThat(first).as("first stdout line; stderr: %s", stderr).startsWith("listening on 127.0.0.1:");
            InetSocketAddress addr = PolicyServerConfig.parseListen(first.substring("listening on ".length()));
            assertThat(addr.getPort()).isPositive();

            try (PolicyClient c = new PolicyClient(addr)) {
                assertThat(c.ask(PolicyServerProtocolTest.rcpt("198.51.100.7", "bob@example.com"))).isEqualTo("DUNNO");
                assertThat(c.ask(PolicyServerProtocolTest.rcpt("198.51.100.7", "friend@partner.example")))
                        .isEqualTo("554 5.7.1 Relay access denied");
                assertThat(c.ask(PolicyServerProtocolTest.rcpt("203.0.113.9", "bob@example.com")))
                        .isEqualTo("554 5.7.1 Access denied: your network is blocked");
            }

            // the relay.* keys are reloaded on change: partner.example becomes a relay domain
            Files.writeString(config, text.replace("relay.relay-domains = backup.example.net",
                    "relay.relay-domains = backup.example.net, partner.example"), StandardCharsets.UTF_8);
            String reloaded = null;
            for (String l; reloaded == null && (l = stderr.poll(60, TimeUnit.SECONDS)) != null; ) {
                if (l.contains("reloaded relay policy from")) {
                    reloaded = l;
                }
            }
            assertThat(reloaded).as("a reload within 60 s").isNotNull();
            try (PolicyClient c = new PolicyClient(addr)) {
                assertThat(c.ask(PolicyServerProtocolTest.rcpt("198.51.100.7", "friend@partner.example")))
                        .isEqualTo("DUNNO");
            }

            assertThat(p.toHandle().destroy()).isTrue(); // SIGTERM
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
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void jarWhenConfigurationIsBadThenExitsWith2NamingTheKey() throws Exception {
        Path config = tmp.resolve("bad.properties");
        Files.writeString(config, "policy.listen = 127.0.0.1:0\npolicy.idle-timeout = forever\n"
                + "relay.local-domains = example.com\n", StandardCharsets.UTF_8);
        Path jar = Path.of(System.getProperty("relaycontrol.policy.jar", "target/relaycontrol-policy-server.jar"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-jar", jar.toString(), "--config", config.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(output).contains("policy.idle-timeout: expected a duration such as 300s, 5m or 500ms, was 'forever'");
    }

    private static String readLine(BufferedReader r) {
        try {
            return r.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
