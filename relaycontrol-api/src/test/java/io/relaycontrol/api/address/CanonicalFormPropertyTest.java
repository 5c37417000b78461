package io.relaycontrol.api.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UProperty;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Issue 12, "one canonical form": {@code parse(parse(x).canonical())} has the same kind, canonical form and
 * routing as {@code parse(x)}, on generated input that reaches every Unicode general category (the older
 * generators drew from a fixed list of fragments and could not produce a variation selector, a Hangul filler or
 * a fullwidth digit).
 */
class CanonicalFormPropertyTest {

    /** The code points of each JDK general category (index = {@link Character#getType(int)}); empty if unused. */
    private static final int[][] BY_CATEGORY = new int[32][];

    /** The categories that have code points (30 of the 32 indices; 17 is unused by the JDK). */
    private static final List<Integer> CATEGORIES = new ArrayList<>();

    static {
        int[] counts = new int[32];
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            counts[Character.getType(cp)]++;
        }
        for (int t = 0; t < 32; t++) {
            BY_CATEGORY[t] = new int[counts[t]];
            if (counts[t] > 0) {
                CATEGORIES.add(t);
            }
        }
        int[] fill = new int[32];
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            int t = Character.getType(cp);
            BY_CATEGORY[t][fill[t]++] = cp;
        }
    }

    /** A code point of a uniformly chosen general category, uniformly chosen within it. */
    static Gen<Integer> anyCategoryCodePoint() {
        return arbitrary().pick(CATEGORIES).flatMap(t -> integers().between(0, BY_CATEGORY[t].length - 1)
                .map(i -> BY_CATEGORY[t][i]));
    }

    /** Text for a code point; a surrogate code point becomes a lone (unpaired) UTF-16 unit. */
    static String text(int cp) {
        return cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE
                ? String.valueOf((char) cp) : new String(Character.toChars(cp));
    }

    /** Grammar fragments, invisible characters and look-alikes, mixed with characters of every category. */
    static Gen<String> token() {
        Gen<String> fragment = arbitrary().pick(List.of("a", "B", ".", "@", "\"", "\\", "%", "!", "[", "]",
                "IPv6:", "::", ":", "1", "192.0.2.1", "ü", "-", "<", ">", ",", " ", "xn--", "example", "com",
                "\uFE0F", "\u034F", "\u00AD", "\u200B", "\u3164", "１", "．", "。", "＠", "\uD83D\uDE00"));
        return fragment.mix(anyCategoryCodePoint().map(CanonicalFormPropertyTest::text), 50);
    }

    /** Mostly well-formed mailboxes with characters of any category inserted into the local part and domain. */
    static Gen<String> mailboxWithInsertions() {
        Gen<String> base = arbitrary().pick(List.of("<bob@example.com>", "<bob@1.2.3.4>", "<b.o.b@bücher.example>",
                "<\"b o\"@xn--bcher-kva.example>", "<@relay.example:bob@example.com>", "<bob%x@example.org>",
                "<bob@[192.0.2.1]>", "<bob@[IPv6:2001:db8::1]>", "<Postmaster>", "<bob@example.123>"));
        Gen<List<Integer>> positions = lists().of(integers().between(1, 40)).ofSizeBetween(1, 3);
        Gen<List<Integer>> codePoints = lists().of(anyCategoryCodePoint()).ofSizeBetween(3, 3);
        return base.zip(positions, codePoints, (b, pos, cps) -> {
            StringBuilder sb = new StringBuilder(b);
            for (int k = 0; k < pos.size(); k++) {
                int at = Math.min(pos.get(k), sb.length() - 1);
                sb.insert(at, text(cps.get(k)));
            }
            return sb.toString();
        });
    }

    static Gen<String> inputs() {
        Gen<String> tokens = lists().of(token()).ofSizeBetween(0, 12).map(l -> String.join("", l));
        return mailboxWithInsertions().mix(tokens, 40);
    }

    @Test
    void parseWhenCanonicalFormReadAgainThenSameKindCanonicalFormAndRouting() {
        qt().withExamples(Examples.of(20_000)).forAll(inputs()).checkAssert(x -> {
            EnvelopeAddress a = EnvelopeAddress.parse(x);
            EnvelopeAddress again = EnvelopeAddress.parse(a.canonical());
            String why = String.format("%s -> %s -> %s", escape(x), escape(a.canonical()), again);
            assertThat(again.kind()).as(why).isEqualTo(a.kind());
            assertThat(again.canonical()).as(why).isEqualTo(a.canonical());
            assertThat(again.routing()).as(why).isEqualTo(a.routing());
            assertThat(again.domain()).as(why).isEqualTo(a.domain());
            assertThat(again.localPart()).as(why).isEqualTo(a.localPart());
        });
    }

    @Test
    void parseWhenAcceptedThenNoInvisibleCharacterAndCanonicalDomainIsAsciiLdh() {
        qt().withExamples(Examples.of(20_000)).forAll(inputs()).checkAssert(x -> {
            EnvelopeAddress a = EnvelopeAddress.parse(x);
            if (a.isInvalid()) {
                return;
            }
            x.codePoints().forEach(cp -> assertThat(
                    UCharacter.hasBinaryProperty(cp, UProperty.DEFAULT_IGNORABLE_CODE_POINT)
                            || Character.getType(cp) == Character.FORMAT)
                    .as("%s accepted with U+%04X", escape(x), cp).isFalse());
            String d = a.domain();
            if (!d.startsWith("[")) {
                assertThat(d).as(escape(x)).matches("([a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.|$))*");
                assertThat(d.substring(d.lastIndexOf('.') + 1)).as(escape(x)).doesNotMatch("[0-9]+");
            }
        });
    }

    @Test
    void generatorWhenSampledThenReachesEveryGeneralCategory() {
        // Guards the generator itself: a property test that never sees a category proves nothing about it.
        BitSet seen = new BitSet();
        qt().withExamples(Examples.of(5_000)).forAll(anyCategoryCodePoint()).checkAssert(cp -> seen.set(Character.getType(cp)));
        BitSet expected = new BitSet();
        CATEGORIES.forEach(expected::set);
        assertThat(CATEGORIES).hasSize(30);
        assertThat(seen).isEqualTo(expected);
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7f) {
                sb.appendCodePoint(cp);
            } else {
                sb.append(String.format("\\u{%04X}", cp));
            }
        });
        return sb.toString();
    }
}
