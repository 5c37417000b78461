package io.relaycontrol.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import java.net.IDN;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The property the whole library exists for: the standard policy never lets a client that is neither trusted nor
 * authenticated relay. For random untrusted clients and recipients built from routing tricks, look-alike and
 * suffix-confused domains, literals, case and trailing dots, an ALLOW at RCPT implies that a naive reading of the
 * raw recipient, independent of the parser, finds an unrouted local part and a local or relay domain.
 */
class NoOpenRelayPropertyTest {

    static final StandardRelayPolicy POLICY = StandardRelayPolicyTest.base().build();

    /** What the policy's lists accept: local {@code example.com} and {@code .example.com}, relay backup.example.net. */
    static boolean naiveLocalOrRelayDomain(String domain) {
        return domain.equals("example.com") || domain.endsWith(".example.com") || domain.equals("backup.example.net");
    }

    static final List<String> LOCAL_PARTS = List.of("bob", "Bob.Smith", "bob%evil.test", "evil.test!bob", "bob@evil.test",
            "\"bob@evil.test\"", "\"bob%evil.test\"", "\"bob\"", "\"b\\\"ob\"", "bob+tag", "b\u00fcb", "bob\u0000",
            "bob evil", "@evil.test:bob", "@a.test,@b.test:bob", "bob\uff05evil.test", "bob\uff20evil.test", "",
            "\"\"", "bob.", ".bob", "x".repeat(65), "bob\r\nRCPT TO:<v@evil.test>");

    static final List<String> DOMAINS = List.of("example.com", "EXAMPLE.COM", "example.com.", "mail.example.com",
            "notexample.com", "example.com.evil.test", "evil.test", "example.co", "examp1e.com", "xn--exmple-cua.com",
            "ex\u00e4mple.com", "\uff45xample.com", "[192.0.2.1]", "[IPv6:2001:db8::1]", "1.2.3.4", "backup.example.net",
            "x.backup.example.net", "example.com..", ".example.com", "example.com:25", "example.com>", "evil.test.",
            "sub.example.com.evil.test", "example\u3002com", "b\u00fccher.example.com", "x".repeat(64) + ".example.com");

    static Gen<String> recipients() {
        return Generate.pick(LOCAL_PARTS).zip(Generate.pick(DOMAINS), Generate.pick(List.of("<%s@%s>", "%s@%s",
                "<%s@%s", "<%s@%s>>", "<<%s@%s>>")), (l, d, f) -> String.format(f, l, d));
    }

    static Gen<String> untrustedClients() {
        return integers().all().zip(integers().between(0, 3), (bits, kind) -> {
            switch (kind) {
                case 0:
                    return "2001:db8:9:" + Integer.toHexString(bits & 0xffff) + "::" + Integer.toHexString(bits >>> 16);
                case 1:
                    return "::ffff:198.51." + ((bits >>> 8) & 255) + "." + (bits & 255);
                default:
                    int a = 1 + ((bits >>> 24) & 0x7f);
                    if (a == 192 || a == 127) {
                        a = 10;
                    }
                    return a + "." + ((bits >>> 16) & 255) + "." + ((bits >>> 8) & 255) + "." + (bits & 255);
            }
        });
    }

    /** A reading of the raw recipient that shares no code with the parser. */
    static boolean naiveAllows(String raw) {
        String s = raw.startsWith("<") ? raw.substring(1) : raw;
        s = s.endsWith(">") ? s.substring(0, s.length() - 1) : s;
        if (s.startsWith("@") || s.isEmpty()) {
            return false;
        }
        int at = s.lastIndexOf('@');
        if (at <= 0) {
            return false;
        }
        String local = s.substring(0, at);
        if (local.length() >= 2 && local.startsWith("\"") && local.endsWith("\"")) {
            local = local.substring(1, local.length() - 1).replace("\\", "");
        }
        for (char c : local.toCharArray()) {
            if (c == '%' || c == '!' || c == '@' || c == ':' || c == '\uff05' || c == '\uff20' || c == '\uff01'
                    || c < 0x20) {
                return false;
            }
        }
        String domain = s.substring(at + 1);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        try {
            domain = IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return naiveLocalOrRelayDomain(domain);
    }

    @Test
    void decideWhenClientIsNeitherTrustedNorAuthenticatedThenOnlyLocalOrRelayRecipientsAreAllowed() {
        Set<String> seenAllowed = new java.util.HashSet<>();
        qt().withExamples(20_000).forAll(untrustedClients(), recipients(), Generate.pick(List.of("<>",
                "<someone@elsewhere.test>", "<x@example.org>"))).checkAssert((client, rcpt, sender) -> {
                    RelayRequest r = RelayRequest.builder(Stage.RCPT).client(client).sender(sender).recipient(rcpt)
                            .build();
                    Decision d = POLICY.decide(r);
                    if (d.verdict() == Verdict.ALLOW) {
                        seenAllowed.add(rcpt);
                        assertThat(naiveAllows(rcpt)).as("allowed %s from %s:%n%s", rcpt, client, d.explain())
                                .isTrue();
                        assertThat(d.decisive().rule()).isIn("local-domains", "relay-domains");
                    }
                });
        // the property is not vacuous: plain local recipients were generated and allowed
        assertThat(seenAllowed).contains("<bob@example.com>");
    }
}
