package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code audit} command against a real Postfix (Debian's package), run privately by {@link PostfixServer}:
 * configured as Debian suggests it says "not an open relay"; with {@code mynetworks} including loopback (the
 * classic mistake, the audit connecting from 127.0.0.1) it says "OPEN RELAY" and names the probes.
 *
 * <p>Postfix's {@code relay_domains} also covers subdomains ({@code parent_domain_matches_subdomains}), so the
 * audit is told {@code backup.example.net,.backup.example.net}.
 */
class AuditPostfixTest {

    private static final String[] DOMAINS = {"--local-domain", "example.com",
        "--relay-domain", "backup.example.net,.backup.example.net"};

    private static String[] args(PostfixServer postfix) {
        String[] a = new String[DOMAINS.length + 2];
        a[0] = "--server";
        a[1] = "127.0.0.1:" + postfix.port();
        System.arraycopy(DOMAINS, 0, a, 2, DOMAINS.length);
        return a;
    }

    @Test
    void auditWhenPostfixIsConfiguredCorrectlyThenNotAnOpenRelay() throws Exception {
        try (PostfixServer postfix = PostfixServer.start(List.of("mynetworks = 192.0.2.0/24"))) {
            AuditCommandTest.Run r = AuditCommandTest.audit(args(postfix));

            assertThat(r.status()).as(r.out() + r.err() + postfix.log()).isZero();
            assertThat(r.out()).contains("verdict: not an open relay; no legitimate mail refused")
                    .doesNotContain("wrongly allowed");
            // Postfix's own refusal text reaches the report
            assertThat(r.out()).startsWith("relay audit of smtp 127.0.0.1:" + postfix.port() + ": ");
            assertThat(postfix.log()).contains("Relay access denied").doesNotContain("status=sent");
        }
    }

    @Test
    void auditWhenPostfixTrustsLoopbackThenOpenRelayNamingTheProbes() throws Exception {
        try (PostfixServer postfix = PostfixServer.start(List.of("mynetworks = 127.0.0.0/8"))) {
            AuditCommandTest.Run r = AuditCommandTest.audit(args(postfix));

            assertThat(r.status()).as(r.out() + r.err() + postfix.log()).isEqualTo(1);
            assertThat(r.out()).contains("verdict: OPEN RELAY: ")
                    .contains("[relay-plain] this client 127.0.0.1: MAIL FROM:<audit@relay-audit.example> "
                            + "RCPT TO:<relaytest@relay-audit.example> -> accepted at RCPT (250 2.1.5 Ok)")
                    .contains("[nmap-1] ").contains("[nmap-2] ").contains("[maps-quote] ")
                    .contains("[percent@example.com] ");
            assertThat(postfix.log()).doesNotContain("status=sent");
        }
    }
}
