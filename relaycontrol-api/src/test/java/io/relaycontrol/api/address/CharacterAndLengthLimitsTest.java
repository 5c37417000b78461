package io.relaycontrol.api.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 12, mutation survivors: the control-character checks after non-ASCII, supplementary and private-use
 * characters and at DEL itself, and the octet length limits of paths (RFC 5321 4.5.3.1), each at the limit and one
 * past it, with characters of one to four UTF-8 octets.
 */
class CharacterAndLengthLimitsTest {

    static Stream<Arguments> controls() {
        return Stream.of(
                // after a non-ASCII character the scan goes on
                Arguments.of("<üser\r@example.com>", "U+000D (CR) at index 5"),
                Arguments.of("<用\n@example.com>", "U+000A (LF) at index 2"),
                Arguments.of("<bob@bücher\u0000.example>", "U+0000 (NUL) at index 11"),
                // after a supplementary character (a surrogate pair) the next char is checked, not skipped
                Arguments.of("<\uD83D\uDE00\r@example.com>", "U+000D (CR) at index 3"),
                Arguments.of("<a\uD83D\uDE00\t@example.com>", "U+0009 (TAB) at index 4"),
                Arguments.of("<\"\uD83D\uDE00\u007f\"@example.com>", "U+007F (DEL) at index 4"),
                // DEL itself, and the ends of the C1 block
                Arguments.of("<user\u007f@example.com>", "U+007F (DEL) at index 5"),
                Arguments.of("<\"us\u007fer\"@example.com>", "U+007F (DEL) at index 4"),
                Arguments.of("<user@exa\u007fmple.com>", "U+007F (DEL) at index 9"),
                Arguments.of("\u007f", "U+007F (DEL) at index 0"),
                Arguments.of("<user\u0080@example.com>", "U+0080 (C1 control)"),
                Arguments.of("<user\u009f@example.com>", "U+009F (C1 control)"),
                Arguments.of("<user\u001f@example.com>", "U+001F at index 5"),
                Arguments.of("<ü\u0085@example.com>", "U+0085 (C1 control) at index 2"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("controls")
    void parseWhenControlCharacterAfterAnythingThenRefusedNamingIt(String input, String expected) {
        EnvelopeAddress a = EnvelopeAddress.parse(input);
        assertThat(a.parseError()).contains(ParseError.CONTROL_CHARACTER);
        assertThat(a.error().orElseThrow()).contains("control character " + expected);
        assertThat(a.toString()).doesNotContain("\r", "\n", "\u0000", "\u007f", "\t");
    }

    @Test
    void parseWhenPrivateUseOrUnassignedThenRefusedAndFollowingCharactersDoNotMatter() {
        assertThat(EnvelopeAddress.parse("<\uE000@example.com>").parseError()).contains(ParseError.MALFORMED_UNICODE);
        assertThat(EnvelopeAddress.parse("<a@exa\uF8FFmple.com>").error().orElseThrow())
                .contains("private-use or unassigned code point U+F8FF at index 6");
        // supplementary private use (plane 15): read as one code point
        assertThat(EnvelopeAddress.parse("<a\uDB80\uDC00@example.com>").error().orElseThrow())
                .contains("U+F0000 at index 2");
        // unassigned (in the JDK's Unicode version)
        assertThat(EnvelopeAddress.parse("<a\u0378@example.com>").parseError()).contains(ParseError.MALFORMED_UNICODE);
        // lone surrogates, high and low, at the end too
        assertThat(EnvelopeAddress.parse("<a\uD800@example.com>").error().orElseThrow())
                .contains("unpaired surrogate U+D800 at index 2");
        assertThat(EnvelopeAddress.parse("<a\uDC00@example.com>").error().orElseThrow())
                .contains("unpaired surrogate U+DC00 at index 2");
        assertThat(EnvelopeAddress.parse("a@example.com\uD800").parseError()).contains(ParseError.MALFORMED_UNICODE);
    }

    @Test
    void parseWhenPrintableAsciiAndVisibleUnicodeThenAccepted() {
        // the characters just inside each boundary
        assertThat(EnvelopeAddress.parse("<~!#$%&'*+/=?^_`{|}@example.com>").isMailbox()).isTrue();
        assertThat(EnvelopeAddress.parse("<\" ~\"@example.com>").isMailbox()).isTrue();
        assertThat(EnvelopeAddress.parse("<\u00a1@example.com>").isMailbox()).isTrue(); // first after NBSP
        assertThat(EnvelopeAddress.parse("<\u00a0@example.com>").parseError()).contains(ParseError.WHITESPACE);
        assertThat(EnvelopeAddress.parse("<\uD83D\uDE00@example.com>").isMailbox()).isTrue();
    }

    @Test
    void canonicalizeWhenControlCharacterThenMessageEscapesIt() {
        assertThatThrownBy(() -> DomainNames.canonicalize("exa\u007fmple.com"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exa\\u007Fmple.com")
                .hasMessageContaining("U+007F (DEL)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u007f"));
        assertThatThrownBy(() -> DomainNames.canonicalize("exa\u0085mple.com"))
                .hasMessageContaining("exa\\u0085mple.com");
        assertThatThrownBy(() -> DomainNames.canonicalize("exa\rmple.com"))
                .hasMessageContaining("exa\\u000Dmple.com");
        assertThatThrownBy(() -> DomainNames.canonicalize("x".repeat(100) + "\r"))
                .hasMessageContaining("...");
    }

    // octet length limits

    @Test
    void parseWhenLocalPartAtLimitInOctetsThenAcceptedOnePastThenRefused() {
        assertLocalPart("a".repeat(64), true);
        assertLocalPart("a".repeat(65), false);
        assertLocalPart("ü".repeat(32), true); // 2 octets each
        assertLocalPart("ü".repeat(32) + "a", false);
        assertLocalPart("用".repeat(21) + "a", true); // 3 octets each: 63 + 1
        assertLocalPart("用".repeat(21) + "aa", false);
        assertLocalPart("\uD83D\uDE00".repeat(16), true); // 4 octets each
        assertLocalPart("\uD83D\uDE00".repeat(16) + "a", false);
        assertLocalPart("\"" + "a".repeat(62) + "\"", true); // quotes count
        assertLocalPart("\"" + "a".repeat(63) + "\"", false);
        assertLocalPart("\"" + "ü".repeat(31) + "\"", true);
        assertLocalPart("\"" + "ü".repeat(31) + "a\"", false);
        // the ends of the two- and three-octet ranges: U+07FA is 2 octets, U+0800 is 3
        assertLocalPart("\u07FA".repeat(32), true);
        assertLocalPart("\u07FA".repeat(32) + "a", false);
        assertLocalPart("\u0800".repeat(21) + "a", true);
        assertLocalPart("\u0800".repeat(21) + "aa", false);
    }

    @Test
    void parseWhenQuotedPairEscapesPrintableAsciiEndsThenAccepted() {
        // a quoted pair may escape any printable ASCII character, space and '~' included
        EnvelopeAddress space = EnvelopeAddress.parse("<\"a\\ b\"@example.com>");
        assertThat(space.localPart()).isEqualTo("a b");
        EnvelopeAddress tilde = EnvelopeAddress.parse("<\"a\\~b\"@example.com>");
        assertThat(tilde.localPart()).isEqualTo("a~b");
        assertThat(EnvelopeAddress.parse("<\"a\\\u00e9b\"@example.com>").parseError())
                .contains(ParseError.BAD_QUOTED_PAIR);
    }

    private static void assertLocalPart(String local, boolean accepted) {
        EnvelopeAddress a = EnvelopeAddress.parse("<" + local + "@example.com>");
        if (accepted) {
            assertThat(a.isMailbox()).as("%s: %s", local, a.error()).isTrue();
        } else {
            assertThat(a.parseError()).as(local).contains(ParseError.LOCAL_PART_TOO_LONG);
            assertThat(a.error().orElseThrow()).contains("at most 64");
        }
    }

    /** A valid domain of exactly {@code n} ASCII octets. */
    static String domainOf(int n) {
        StringBuilder sb = new StringBuilder();
        while (n - sb.length() > 64) {
            sb.append("d".repeat(Math.min(62, n - sb.length() - 6))).append('.');
        }
        sb.append("e".repeat(n - sb.length() - 4)).append(".com");
        String s = sb.toString();
        assertThat(s).hasSize(n);
        assertThat(DomainNames.isValid(s)).as(s).isTrue();
        return s;
    }

    @Test
    void parseWhenPathAtLimitInOctetsThenAcceptedOnePastThenRefused() {
        String local = "l".repeat(64);
        // 256 = '<' + 64 + '@' + 189 + '>'
        EnvelopeAddress atLimit = EnvelopeAddress.parse("<" + local + "@" + domainOf(189) + ">");
        assertThat(atLimit.isMailbox()).as("%s", atLimit.error()).isTrue();
        EnvelopeAddress over = EnvelopeAddress.parse("<" + local + "@" + domainOf(190) + ">");
        assertThat(over.parseError()).contains(ParseError.PATH_TOO_LONG);
        assertThat(over.error().orElseThrow()).contains("257 characters");
        // without brackets the brackets are counted all the same
        assertThat(EnvelopeAddress.parse(local + "@" + domainOf(189)).isMailbox()).isTrue();
        assertThat(EnvelopeAddress.parse(local + "@" + domainOf(190)).parseError()).contains(ParseError.PATH_TOO_LONG);
        // multi-octet characters: 254 chars but 256+ octets
        String wide = "ü".repeat(32) + "@" + domainOf(189);
        assertThat(EnvelopeAddress.parse("<" + wide + ">").isMailbox()).isTrue();
        String wider = "ü".repeat(32) + "@" + domainOf(188) + "ü";
        assertThat(EnvelopeAddress.parse("<" + wider + ">").parseError()).contains(ParseError.PATH_TOO_LONG);
        // more than 256 characters is refused before any scan
        assertThat(EnvelopeAddress.parse("<" + "a".repeat(255) + ">").error().orElseThrow())
                .contains("257 characters");
    }

    @Test
    void canonicalizeWhenDomainOrLabelAtLimitThenAcceptedOnePastThenRefused() {
        assertThat(DomainNames.canonicalize(domainOf(255))).hasSize(255);
        assertThatThrownBy(() -> DomainNames.canonicalize(domainOf(255) + "x"))
                .hasMessageContaining("256 octets");
        assertThat(DomainNames.canonicalize("a".repeat(63) + ".com")).startsWith("aaa");
        assertThatThrownBy(() -> DomainNames.canonicalize("a".repeat(64) + ".com"))
                .hasMessageContaining("64 octets");
        assertThat(EnvelopeAddress.parse("<u@" + "a".repeat(64) + ".com>").parseError())
                .contains(ParseError.LABEL_TOO_LONG);
        // in UTF-8 octets: 127 two-octet characters are 254 octets, 128 are 256
        String twoOctets = "ü".repeat(20) + ".";
        assertThat(DomainNames.problem(twoOctets.repeat(6) + "ü".repeat(7) + ".de")).isNotNull();
        // a U-label of 63 octets whose A-label is longer than 63
        String wide = "一龥乙鼠人龜日齒月黑火鳥水魚木馬金門土長風";
        assertThat(EnvelopeAddress.utf8Length(wide, 0, wide.length())).isEqualTo(63);
        assertThat(DomainNames.isValid(wide.substring(1) + ".de")).isTrue();
        assertThatThrownBy(() -> DomainNames.canonicalize(wide + ".de")).hasMessageContaining("too long");
    }
}
