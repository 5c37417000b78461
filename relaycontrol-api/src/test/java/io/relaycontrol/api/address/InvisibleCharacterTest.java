package io.relaycontrol.api.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 12, "one canonical form": invisible characters (format characters and every other
 * Default_Ignorable_Code_Point) are refused anywhere in a path instead of being mapped away, and the checks on a
 * domain run again on the labels IDNA mapping produced. ICU4J (test scope) is the reference for the Unicode
 * property the JDK does not expose.
 */
class InvisibleCharacterTest {

    /** Each invisible character case, by name. */
    static Stream<Arguments> invisibles() {
        return Stream.of(
                invisible(0x00AD, "SOFT HYPHEN"),
                invisible(0x034F, "COMBINING GRAPHEME JOINER"),
                invisible(0x061C, "ARABIC LETTER MARK"),
                invisible(0x115F, "HANGUL CHOSEONG FILLER"),
                invisible(0x1160, "HANGUL JUNGSEONG FILLER"),
                invisible(0x17B4, "KHMER VOWEL INHERENT AQ"),
                invisible(0x17B5, "KHMER VOWEL INHERENT AA"),
                invisible(0x1806, "MONGOLIAN TODO SOFT HYPHEN (IDNA2003 maps it to nothing)"),
                invisible(0x180B, "MONGOLIAN FREE VARIATION SELECTOR ONE"),
                invisible(0x180C, "MONGOLIAN FREE VARIATION SELECTOR TWO"),
                invisible(0x180D, "MONGOLIAN FREE VARIATION SELECTOR THREE"),
                invisible(0x180E, "MONGOLIAN VOWEL SEPARATOR"),
                invisible(0x180F, "MONGOLIAN FREE VARIATION SELECTOR FOUR"),
                invisible(0x200B, "ZERO WIDTH SPACE"),
                invisible(0x200C, "ZERO WIDTH NON-JOINER"),
                invisible(0x200D, "ZERO WIDTH JOINER"),
                invisible(0x200E, "LEFT-TO-RIGHT MARK"),
                invisible(0x200F, "RIGHT-TO-LEFT MARK"),
                invisible(0x202A, "LEFT-TO-RIGHT EMBEDDING"),
                invisible(0x202E, "RIGHT-TO-LEFT OVERRIDE"),
                invisible(0x2060, "WORD JOINER"),
                invisible(0x2061, "FUNCTION APPLICATION"),
                invisible(0x2064, "INVISIBLE PLUS"),
                invisible(0x2065, "reserved default-ignorable"),
                invisible(0x2066, "LEFT-TO-RIGHT ISOLATE"),
                invisible(0x2069, "POP DIRECTIONAL ISOLATE"),
                invisible(0x206F, "NOMINAL DIGIT SHAPES"),
                invisible(0x3164, "HANGUL FILLER"),
                invisible(0xFE00, "VARIATION SELECTOR-1"),
                invisible(0xFE0E, "VARIATION SELECTOR-15 (text style)"),
                invisible(0xFE0F, "VARIATION SELECTOR-16 (emoji style)"),
                invisible(0xFEFF, "ZERO WIDTH NO-BREAK SPACE (BOM)"),
                invisible(0xFFA0, "HALFWIDTH HANGUL FILLER"),
                invisible(0xFFF0, "reserved default-ignorable"),
                invisible(0xFFF8, "reserved default-ignorable"),
                invisible(0x1BCA0, "SHORTHAND FORMAT LETTER OVERLAP"),
                invisible(0x1BCA3, "SHORTHAND FORMAT UP STEP"),
                invisible(0x1D173, "MUSICAL SYMBOL BEGIN BEAM"),
                invisible(0x1D17A, "MUSICAL SYMBOL END PHRASE"),
                invisible(0xE0001, "LANGUAGE TAG"),
                invisible(0xE0020, "TAG SPACE"),
                invisible(0xE007F, "CANCEL TAG"),
                invisible(0xE0100, "VARIATION SELECTOR-17"),
                invisible(0xE01EF, "VARIATION SELECTOR-256"),
                invisible(0xE0FFF, "reserved default-ignorable, last"),
                // format characters that are not default-ignorable are refused as well
                invisible(0x0600, "ARABIC NUMBER SIGN (Cf)"),
                invisible(0x06DD, "ARABIC END OF AYAH (Cf)"),
                invisible(0x070F, "SYRIAC ABBREVIATION MARK (Cf)"),
                invisible(0xFFF9, "INTERLINEAR ANNOTATION ANCHOR (Cf)"),
                invisible(0x110BD, "KAITHI NUMBER SIGN (Cf)"));
    }

    private static Arguments invisible(int cp, String name) {
        return Arguments.of(String.format("U+%04X", cp), name, cp);
    }

    /** Where an invisible character can hide in a path: {@code %s} is replaced by the character. */
    static final List<String> PLACES = List.of(
            "<bob@exa%smple.com>",
            "<bob@example.com%s>",
            "<bob@%sexample.com>",
            "<bob@1.2.3.4%s>",
            "<bob@bücher%s.example>",
            "<bo%sb@example.com>",
            "<\"bo%sb\"@example.com>",
            "<@re%slay.example:bob@example.com>",
            "bob@exa%smple.com",
            "<bob@[192.0.2.1%s]>");

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("invisibles")
    void parseWhenInvisibleCharacterAnywhereThenInvalidNamingIt(String hex, String name, int cp) {
        String c = new String(Character.toChars(cp));
        ParseError expected = Character.getType(cp) == Character.UNASSIGNED
                ? ParseError.MALFORMED_UNICODE // not yet assigned in the JDK's Unicode version: refused as unassigned
                : ParseError.FORMAT_CHARACTER;
        for (String place : PLACES) {
            String input = String.format(place, c);
            EnvelopeAddress a = EnvelopeAddress.parse(input);
            assertThat(a.kind()).as("%s in %s", hex, place).isEqualTo(EnvelopeAddress.Kind.INVALID);
            assertThat(a.parseError()).as("%s in %s", hex, place).contains(expected);
            assertThat(a.error().orElseThrow()).as("%s in %s", hex, place).contains(hex);
            assertThat(a.toString()).as("the character is named, never echoed").doesNotContain(c);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("invisibles")
    void canonicalizeWhenInvisibleCharacterInDomainThenRefusedNotMappedAway(String hex, String name, int cp) {
        String domain = "exa" + new String(Character.toChars(cp)) + "mple.com";
        assertThat(DomainNames.isValid(domain)).isFalse();
        assertThatThrownBy(() -> DomainNames.canonicalize(domain))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(hex)
                .hasMessageContaining("\\u"); // the message escapes the invisible character
    }

    @Test
    void parseWhenVariationSelectorAfterIpv4ThenInvalidLikeTheBareNumericDomain() {
        // The issue's example: before the fix this was a MAILBOX with domain 1.2.3.4.
        assertThat(EnvelopeAddress.parse("<bob@1.2.3.4\uFE0F>").isInvalid()).isTrue();
        assertThat(EnvelopeAddress.parse("<bob@1.2.3.4\u034F>").isInvalid()).isTrue();
        assertThat(EnvelopeAddress.parse("bob@1.2.3.4").parseError()).contains(ParseError.BARE_NUMERIC_DOMAIN);
        assertThat(EnvelopeAddress.parse("<bob@exa\uFE0Fmple.com>").isInvalid()).isTrue();
    }

    @Test
    void parseWhenDigitsOnlyAfterIdnaMappingThenBareNumericDomain() {
        // Fullwidth and other compatibility digits pass the raw check (they are not ASCII digits) but map to digits.
        for (String domain : List.of("１.２.３.４", "1.2.3.４", "example.１２３", "example.①", "example.¹²",
                "example.\uD835\uDFCF")) {
            EnvelopeAddress a = EnvelopeAddress.parse("<bob@" + domain + ">");
            assertThat(a.parseError()).as(domain).contains(ParseError.BARE_NUMERIC_DOMAIN);
            assertThat(a.error().orElseThrow()).as(domain).contains("after IDNA mapping");
            assertThat(DomainNames.isValid(domain)).as(domain).isFalse();
        }
        assertThat(EnvelopeAddress.parse("<bob@１.２.３.４>").error().orElseThrow()).contains("such as [1.2.3.4]");
        // A numeric label that is not the top-level one stays allowed, mapped or not.
        assertThat(EnvelopeAddress.parse("<bob@１２３.example>").domain()).isEqualTo("123.example");
    }

    @Test
    void parseWhenCanonicalFormLongerThanPathLimitThenInvalid() {
        // Each one-letter U-label "ü" is 2 octets; its A-label "xn--tda" is 7. Behind a 64-octet local part, the
        // path fits in 256 octets as written but not in canonical form, which could then not be read again.
        String local = "l".repeat(64);
        String uDomain = "ü.".repeat(30) + "de";
        String canonicalDomain = DomainNames.canonicalize(uDomain);
        assertThat(canonicalDomain).isEqualTo("xn--tda.".repeat(30) + "de").hasSizeLessThanOrEqualTo(255);
        String raw = "<" + local + "@" + uDomain + ">";
        assertThat(EnvelopeAddress.utf8Length(raw, 0, raw.length())).isEqualTo(64 + 1 + 92 + 2);
        assertThat(64 + 1 + canonicalDomain.length() + 2).isGreaterThan(256);

        EnvelopeAddress a = EnvelopeAddress.parse(raw);
        assertThat(a.parseError()).contains(ParseError.PATH_TOO_LONG);
        assertThat(a.error().orElseThrow()).contains("309 octets in canonical form");
        // The largest that fits: 256 - 2 - 1 - 242 = 11 octets of local part.
        EnvelopeAddress fits = EnvelopeAddress.parse("<" + "l".repeat(11) + "@" + uDomain + ">");
        assertThat(fits.isMailbox()).isTrue();
        assertThat(EnvelopeAddress.parse(fits.canonical())).isEqualTo(fits);
        assertThat(EnvelopeAddress.parse("<" + "l".repeat(12) + "@" + uDomain + ">").parseError())
                .contains(ParseError.PATH_TOO_LONG);
    }

    @Test
    void parseWhenAnyDefaultIgnorableOrFormatCodePointThenRefusedEverywhere() {
        List<String> accepted = new ArrayList<>();
        int checked = 0;
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            boolean invisible = UCharacter.hasBinaryProperty(cp, UProperty.DEFAULT_IGNORABLE_CODE_POINT)
                    || UCharacter.getType(cp) == UCharacter.FORMAT || Character.getType(cp) == Character.FORMAT;
            if (!invisible || Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
                continue;
            }
            checked++;
            String c = new String(Character.toChars(cp));
            if (!EnvelopeAddress.parse("<a" + c + "b@example.com>").isInvalid()
                    || !EnvelopeAddress.parse("<ab@exa" + c + "mple.com>").isInvalid()
                    || DomainNames.isValid("exa" + c + "mple.com")) {
                accepted.add(String.format("U+%04X", cp));
            }
        }
        assertThat(checked).as("ICU knows thousands of invisible code points").isGreaterThan(4000);
        assertThat(accepted).as("invisible code points that a path may carry").isEmpty();
    }

    @Test
    @Tag("exhaustive") // every code point: seconds, not milliseconds; left out of PIT runs
    void canonicalizeWhenAnyAcceptedCodePointThenNeverDeletedByIdnaMapping() {
        List<String> deleted = new ArrayList<>();
        for (int cp = 0x80; cp <= Character.MAX_CODE_POINT; cp++) {
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                continue;
            }
            String domain = "a" + new String(Character.toChars(cp)) + "b.example";
            Problem p = new Problem();
            String canonical = DomainNames.canonicalizeOrNull(domain, p);
            if ("ab.example".equals(canonical)) {
                deleted.add(String.format("U+%04X", cp));
            }
        }
        assertThat(deleted).as("code points that IDNA maps to nothing but the parser accepts").isEmpty();
    }

    @Test
    @Tag("exhaustive") // every code point: seconds, not milliseconds; left out of PIT runs
    void parseWhenSingleCodePointAnywhereThenCanonicalFormIsStable() {
        // Exhaustive over every code point in three places of a mailbox: the canonical form, read again, has the
        // same kind, canonical form and routing.
        List<String> unstable = new ArrayList<>();
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            String c = cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE
                    ? String.valueOf((char) cp) : new String(Character.toChars(cp));
            for (String template : List.of("<b%sb@example.com>", "<bob@ex%sample.com>", "<bob@example.c%s>",
                    "<bob@1.2.3.%s>")) {
                String input = String.format(template, c);
                EnvelopeAddress a = EnvelopeAddress.parse(input);
                EnvelopeAddress again = EnvelopeAddress.parse(a.canonical());
                if (again.kind() != a.kind() || !again.canonical().equals(a.canonical())
                        || again.routing() != a.routing()) {
                    unstable.add(String.format("U+%04X in %s", cp, template));
                }
            }
        }
        assertThat(unstable).isEmpty();
    }
}
