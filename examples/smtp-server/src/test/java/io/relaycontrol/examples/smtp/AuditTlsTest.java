package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.config.StandardRelayPolicy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code audit} command over STARTTLS against the example server, with and without AUTH. */
class AuditTlsTest {

    @TempDir
    static Path certs;
    static TestCerts.Pair pair;

    @BeforeAll
    static void generate() {
        pair = TestCerts.generate(certs, "audit", "EC", null, 30);
    }

    private static RelaySmtpServer tlsServer() {
        StandardRelayPolicy policy = StandardRelayPolicy.builder().localDomains(DomainSet.of("example.com")).build();
        RelaySmtpServer s = RelaySmtpServer.builder(policy).listen(new InetSocketAddress("127.0.0.1", 0))
                .hostName("mx.example.com").tls(pair.certificate(), pair.key()).user("alice", "secret").build();
        s.start();
        return s;
    }

    @Test
    void auditWhenStartTlsAndAuthThenTheAuthenticatedUserMayRelayOverTls() {
        try (RelaySmtpServer s = tlsServer()) {
            AuditCommandTest.Run r = AuditCommandTest.audit("--server", AuditCommandTest.hostPort(s),
                    "--local-domain", "example.com", "--tls-trust-any", "--auth", "alice:secret",
                    "--auth-from", "alice@example.com");

            assertThat(r.status()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("verdict: not an open relay")
                    .contains("this client 127.0.0.1 with TLS: ")
                    .contains("authenticated alice with TLS: ")
                    .doesNotContain("[relay-plain] authenticated alice with TLS");
        }
    }

    @Test
    void auditWhenCertificateIsNotTrustedThenExitTwo() {
        try (RelaySmtpServer s = tlsServer()) {
            AuditCommandTest.Run r = AuditCommandTest.audit("--server", AuditCommandTest.hostPort(s),
                    "--local-domain", "example.com", "--tls");

            assertThat(r.status()).as(r.out() + r.err()).isEqualTo(2);
            assertThat(r.err()).contains("session set-up with 127.0.0.1:").contains("failed");
            assertThat(r.out()).isEmpty();
        }
    }
}
