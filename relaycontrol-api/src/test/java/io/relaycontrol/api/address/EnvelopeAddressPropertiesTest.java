package io.relaycontrol.api.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Laws of parsing: never throws, canonicalisation is idempotent, routed and invalid are exclusive. */
class EnvelopeAddressPropertiesTest {

    private static final List<String> FRAGMENTS = List.of("a", "B", "z9", ".", "..", "@", "@", "@", "\"", "\\",
            "%", "!", "[", "]", "IPv6:", "ipv6:", "::", ":", "1", "255", "0", "192.0.2.1", "ffff", "ü", "用", "-",
            "<", ">", ",", " ", "xn--", "xn--bcher-kva", "ß", "\u202e", "\u0000", "\r\n", "example", "com", "\u00a0",
            "\ud83d\ude00", "\ud800", "+tag", "'", "/", "|", "＠");

    /** Address-like strings: random sequences of the fragments that matter to the grammar. */
    static Gen<String> addressLike() {
        return lists().of(arbitrary().pick(FRAGMENTS)).ofSizeBetween(0, 14).map(l -> String.join("", l));
    }

    /** Strings that are mostly well-formed mailboxes, so that idempotence is checked on many valid ones. */
    static Gen<String> mailboxLike() {
        Gen<String> local = lists().of(arbitrary().pick(List.of("a", "B", "x.y", "%", "!", "+t", "ü", "\"q r\"",
                "\"a@b\"", "\"\\\\\"", "\"a\\\"b\""))).ofSizeBetween(1, 3).map(l -> String.join("", l));
        Gen<String> domain = arbitrary().pick(List.of("example.com", "EXAMPLE.COM.", "bücher.example",
                "xn--bcher-kva.example", "[192.0.2.1]", "[IPv6:::FFFF:192.0.2.1]", "[ipv6:2001:DB8:0:0:0:0:0:1]",
                "a-b.c", "例子.测试", "[IPv6:1:0:0:1:0:0:0:1]"));
        Gen<String> route = arbitrary().pick(List.of("", "", "@a,@B.example:", "@x:"));
        return route.zip(local, domain, (r, l, d) -> (r.isEmpty() ? "" : "<") + r + l + "@" + d
                + (r.isEmpty() ? "" : ">"));
    }

    @Test
    void parseWhenArbitraryUnicodeThenNeverThrows() {
        qt().withExamples(Examples.of(3000)).forAll(strings().allPossible().ofLengthBetween(0, 300))
                .check(s -> wellFormedResult(EnvelopeAddress.parse(s)));
    }

    @Test
    void parseWhenAddressLikeFragmentsThenNeverThrows() {
        qt().withExamples(Examples.of(5000)).forAll(addressLike())
                .check(s -> wellFormedResult(EnvelopeAddress.parse(s)));
        qt().withExamples(Examples.of(1000)).forAll(addressLike())
                .check(s -> wellFormedResult(EnvelopeAddress.parse("<" + s + ">")));
    }

    @Test
    void parseWhenCanonicalReparsedThenSameCanonical() {
        qt().withExamples(Examples.of(3000)).forAll(mailboxLike().mix(addressLike(), 30)).checkAssert(s -> {
            EnvelopeAddress a = EnvelopeAddress.parse(s);
            if (!a.isInvalid()) {
                EnvelopeAddress again = EnvelopeAddress.parse(a.canonical());
                assertThat(again.isInvalid()).as("%s -> %s: %s", s, a.canonical(), again.error()).isFalse();
                assertThat(again.canonical()).isEqualTo(a.canonical());
                assertThat(again.domain()).isEqualTo(a.domain());
                assertThat(again.localPart()).isEqualTo(a.localPart());
                assertThat(again.routing()).isEqualTo(a.routing());
                assertThat(again).isEqualTo(a);
            }
        });
    }

    @Test
    void parseWhenLocalPartHasRoutingCharacterThenRoutedElseNot() {
        qt().withExamples(Examples.of(2000)).forAll(mailboxLike()).checkAssert(s -> {
            EnvelopeAddress a = EnvelopeAddress.parse(s);
            if (a.isMailbox()) {
                boolean expected = !a.sourceRoute().isEmpty() || a.localPart().matches(".*[@%!＠].*");
                assertThat(a.isRouted()).as(s).isEqualTo(expected);
                assertThat(a.routingReason().isPresent()).isEqualTo(expected);
            }
        });
    }

    @Test
    void parseWhenLongInputThenRefusedBeforeScanning() {
        qt().forAll(integers().between(257, 100_000)).checkAssert(n -> {
            EnvelopeAddress a = EnvelopeAddress.parse("x".repeat(n));
            assertThat(a.parseError()).contains(ParseError.PATH_TOO_LONG);
        });
    }

    private static boolean wellFormedResult(EnvelopeAddress a) {
        if (a.isInvalid()) {
            return a.error().isPresent() && a.parseError().isPresent() && !a.isRouted()
                    && a.domain().isEmpty() && a.canonical().equals(a.raw());
        }
        if (a.isNullPath()) {
            return a.canonical().equals("<>");
        }
        String d = a.domain();
        boolean domainOk = d.startsWith("[") || d.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                || c == '-' || c == '.');
        return domainOk && !a.localPart().isEmpty() && a.error().isEmpty() && a.routing() != null
                && EnvelopeAddress.utf8Length(a.localPart(), 0, a.localPart().length()) <= 64 * 2;
    }
}
