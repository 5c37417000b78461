package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.config.StandardRelayPolicy;
import io.relaycontrol.core.net.NetworkSet;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar's {@code audit} subcommand ({@code java -jar relaycontrol-smtp-server.jar audit ...}) as a
 * process: its exit status is 0 for a closed server, 1 for an open relay, 2 for an unreachable one. Runs in
 * {@code mvn verify} (failsafe), after {@code package} built the jar.
 */
class AuditJarIT {

    /** What the process printed and returned. */
    record Result(int status, String out) {
    }

    private static Result runJar(String... args) throws Exception {
        Path jar = Path.of(System.getProperty("relaycontrol.smtp.jar", "target/relaycontrol-smtp-server.jar"));
        assertThat(jar).exists();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String[] command = new String[args.length + 4];
        command[0] = java.toString();
        command[1] = "-jar";
        command[2] = jar.toString();
        command[3] = "audit";
        System.arraycopy(args, 0, command, 4, args.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    @Test
    void jarAuditWhenServerIsClosedOpenOrUnreachableThenExitZeroOneTwo() throws Exception {
        StandardRelayPolicy closed = StandardRelayPolicy.builder().localDomains(DomainSet.of("example.com")).build();
        StandardRelayPolicy open = StandardRelayPolicy.builder().localDomains(DomainSet.of("example.com"))
                .trustedNetworks(NetworkSet.of("127.0.0.0/8")).build();
        try (RelaySmtpServer a = AuditCommandTest.server(closed, false);
                RelaySmtpServer b = AuditCommandTest.server(open, false)) {
            Result ok = runJar("--server", AuditCommandTest.hostPort(a), "--local-domain", "example.com");
            assertThat(ok.status()).as(ok.out()).isZero();
            assertThat(ok.out()).contains("verdict: not an open relay");

            Result bad = runJar("--server", AuditCommandTest.hostPort(b), "--local-domain", "example.com");
            assertThat(bad.status()).as(bad.out()).isEqualTo(1);
            assertThat(bad.out()).contains("verdict: OPEN RELAY").contains("[relay-plain]");
        }
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = free.getLocalPort();
        }
        Result gone = runJar("--server", "127.0.0.1:" + port, "--local-domain", "example.com", "--timeout", "2");
        assertThat(gone.status()).as(gone.out()).isEqualTo(2);
        assertThat(gone.out()).contains("cannot reach 127.0.0.1:" + port);
        Result usage = runJar("--local-domain", "example.com");
        assertThat(usage.status()).isEqualTo(2);
        assertThat(usage.out()).contains("--server HOST:PORT is required").contains("usage: ");
    }
}
