package io.relaycontrol.core.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.address.EnvelopeAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DomainSetTest {

    private final DomainSet set = DomainSet.of("example.com", ".example.net", "[192.0.2.1]", "[IPv6:2001:db8::1]");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "example.com, true",
        "a.example.com, false",          // exact entry does not cover subdomains
        "example.net, false",            // subdomain entry does not cover the domain itself
        "a.example.net, true",
        "a.b.c.example.net, true",
        "notexample.com, false",         // look-alike: not a label boundary
        "notexample.net, false",
        "xexample.net, false",
        "example.com.evil.test, false",  // suffix confusion: the entry is a prefix, not a suffix
        "a.example.net.evil.test, false",
        "example.co, false",
        "com, false",
        "net, false",
        "example.net.example.org, false",
        "EXAMPLE.COM, true",             // non-canonical queries are canonicalised first
        "example.com., true",
        "A.Example.Net., true",
        "[192.0.2.1], true",
        "[192.0.2.2], false",
        "[IPv6:2001:db8::1], true",
        "[ipv6:2001:DB8:0::1], true",
        "[IPv6:::ffff:192.0.2.1], true", // IPv4-mapped IPv6 literal is the IPv4 literal
        "192.0.2.1, false",              // a bare IP is not a domain and never matches the literal entry
        "a..example.net, false",         // malformed queries match nothing
        "-a.example.net, false",
        ".example.net, false",
    })
    void containsWhenQueriedThenMatchesLabelByLabel(String domain, boolean expected) {
        assertThat(set.contains(domain)).isEqualTo(expected);
        assertThat(set.match(domain).isPresent()).isEqualTo(expected);
    }

    @Test
    void containsWhenEmptyOrInvalidThenFalse() {
        assertThat(DomainSet.empty().contains("example.com")).isFalse();
        assertThat(DomainSet.empty().size()).isZero();
        assertThat(set.contains("")).isFalse();
        assertThat(set.contains("exa mple.com")).isFalse();
        assertThatThrownBy(() -> set.contains(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void containsWhenSetEmptyThenNothingMatchesAndNullStillThrows() {
        DomainSet empty = DomainSet.of();
        for (String q : List.of("example.com", "EXAMPLE.com.", "[192.0.2.1]", "xn--mnchen-3ya.de", "münchen.de",
                "a..b", "x", ".")) {
            assertThat(empty.contains(q)).as(q).isFalse();
            assertThat(empty.match(q)).as(q).isEmpty();
        }
        assertThatThrownBy(() -> empty.contains(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> empty.match(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> DomainSet.empty().contains(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void ofWhenEntriesNotCanonicalThenCanonicalised() {
        DomainSet s = DomainSet.of("Example.COM.", ".BÜCHER.example", "[IPv6:2001:DB8:0:0:0:0:0:1]",
                "[IPv6:::FFFF:10.0.0.1]", "example.com");
        assertThat(s.entries()).containsExactly("example.com", ".xn--bcher-kva.example", "[IPv6:2001:db8::1]",
                "[10.0.0.1]");
        assertThat(s.size()).isEqualTo(4);
        assertThat(s.contains("mail.xn--bcher-kva.example")).isTrue();
        assertThat(s.contains("mail.bücher.example")).isTrue();
        assertThat(s.contains(EnvelopeAddress.parse("<u@Mail.Bücher.Example.>").domain())).isTrue();
        assertThat(s.contains("[10.0.0.1]")).isTrue();
    }

    @Test
    void ofWhenWildcardThenErrorSaysUseLeadingDot() {
        assertThatThrownBy(() -> DomainSet.of("*.example.com"))
                .isInstanceOf(DomainListException.class)
                .hasMessageContaining("wildcard '*.example.com' is not supported: write '.example.com'");
        assertThatThrownBy(() -> DomainSet.of("ex*ample.com")).hasMessageContaining("wildcards are not supported");
    }

    @Test
    void ofWhenBadEntriesThenEachRefusedWithReason() {
        assertThatThrownBy(() -> DomainSet.of("192.0.2.1")).hasMessageContaining("address literal such as [192.0.2.1]");
        assertThatThrownBy(() -> DomainSet.of(".[192.0.2.1]")).hasMessageContaining("address literal has no subdomains");
        assertThatThrownBy(() -> DomainSet.of("user@example.com")).hasMessageContaining("a domain, not an address");
        assertThatThrownBy(() -> DomainSet.of("")).hasMessageContaining("empty entry");
        assertThatThrownBy(() -> DomainSet.of(".")).hasMessageContaining("'.' followed by a domain");
        assertThatThrownBy(() -> DomainSet.of("..example.com")).hasMessageContaining("'.' followed by a domain");
        assertThatThrownBy(() -> DomainSet.of("example..com")).hasMessageContaining("empty label");
        assertThatThrownBy(() -> DomainSet.of("xn--a.example")).hasMessageContaining("not a valid A-label");
        assertThatThrownBy(() -> DomainSet.of("[192.0.2.01]")).hasMessageContaining("no leading zeros");
        assertThatThrownBy(() -> DomainSet.of("good.example", "bad_.example", "*.x.example"))
                .isInstanceOfSatisfying(DomainListException.class, e -> {
                    assertThat(e.errors()).hasSize(2);
                    assertThat(e.first().entry()).isEqualTo("bad_.example");
                    assertThat(e.errors().get(1).reason()).contains("write '.x.example'");
                });
    }

    @Test
    void matchWhenSeveralEntriesMatchThenMostSpecificWithOrigin() {
        DomainSet s = DomainSet.builder().name("local")
                .add(".example.com", "local.txt", 3)
                .add(".mail.example.com", "local.txt", 4)
                .add("a.mail.example.com")
                .build();
        assertThat(s.match("b.mail.example.com")).get().satisfies(m -> {
            assertThat(m.entry()).isEqualTo(".mail.example.com");
            assertThat(m.kind()).isEqualTo(DomainMatch.Kind.SUBDOMAIN);
            assertThat(m.origin()).isEqualTo("local.txt:4");
            assertThat(m.toString()).isEqualTo("b.mail.example.com matched '.mail.example.com' (local.txt:4)");
        });
        assertThat(s.match("A.MAIL.example.com")).get().satisfies(m -> {
            assertThat(m.domain()).isEqualTo("a.mail.example.com");
            assertThat(m.entry()).isEqualTo("a.mail.example.com");
            assertThat(m.kind()).isEqualTo(DomainMatch.Kind.EXACT);
            assertThat(m.origin()).isEqualTo("code");
        });
        assertThat(s.match("x.example.com")).get().extracting(DomainMatch::line).isEqualTo(3);
        assertThat(s.match("example.com")).isEmpty();
        assertThat(s.describe()).isEqualTo("local (3 entries)");
        assertThat(s.withName("mine").describe()).isEqualTo("mine (3 entries)");
    }

    @Test
    void publicSuffixEntriesWhenListedThenFlagged() {
        DomainSet s = DomainSet.of("com", ".com", "co.uk", ".co.uk", "example.co.uk", ".example.com", "github.io",
                "[192.0.2.1]", "xn--p1ai");
        assertThat(s.publicSuffixEntries()).containsExactly("com", ".com", "co.uk", ".co.uk", "github.io",
                "xn--p1ai");
        assertThat(DomainSet.of("example.com", ".example.com").publicSuffixEntries()).isEmpty();
    }

    @Test
    void entriesWhenBuiltThenUnmodifiableAndBuilderReusable() {
        DomainSet.Builder b = DomainSet.builder().add("a.example");
        DomainSet first = b.build();
        b.add("b.example");
        assertThat(first.entries()).containsExactly("a.example");
        assertThat(b.build().entries()).containsExactly("a.example", "b.example");
        assertThatThrownBy(() -> first.entries().add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> DomainSet.builder().addAll(List.of("ok.example", "*.bad")))
                .isInstanceOf(DomainListException.class).hasMessageContaining("'*.bad'");
    }

    @Test
    void containsWhenMillionEntriesThenStillExact() {
        DomainSet.Builder b = DomainSet.builder();
        for (int i = 0; i < 200_000; i++) {
            b.add((i % 2 == 0 ? "." : "") + "d" + i + ".example");
        }
        DomainSet big = b.build();
        assertThat(big.size()).isEqualTo(200_000);
        assertThat(big.contains("x.d0.example")).isTrue();
        assertThat(big.contains("d0.example")).isFalse();
        assertThat(big.contains("d1.example")).isTrue();
        assertThat(big.contains("x.d1.example")).isFalse();
        assertThat(big.contains("d199999.example")).isTrue();
        assertThat(big.contains("d200000.example")).isFalse();
        assertThat(big.contains("d19999.example.evil")).isFalse();
    }
}
