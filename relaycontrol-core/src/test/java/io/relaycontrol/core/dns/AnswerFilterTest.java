package io.relaycontrol.core.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AnswerFilterTest {

    private static int ip(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    @Test
    void matchesWhenPostfixRangeThenInclusiveBounds() {
        AnswerFilter f = AnswerFilter.parse("127.0.0.[2..11]");

        assertThat(f.matches(ip(127, 0, 0, 1))).isFalse();
        assertThat(f.matches(ip(127, 0, 0, 2))).isTrue();
        assertThat(f.matches(ip(127, 0, 0, 11))).isTrue();
        assertThat(f.matches(ip(127, 0, 0, 12))).isFalse();
        assertThat(f.matches(ip(127, 0, 0, 30))).isFalse();
        assertThat(f.matches(ip(127, 0, 1, 2))).isFalse();
    }

    @Test
    void matchesWhenPostfixListsInSeveralOctetsThenEachOctetChecked() {
        AnswerFilter f = AnswerFilter.parse("127.0.[0..255].[1;3]");

        assertThat(f.matches(ip(127, 0, 0, 1))).isTrue();
        assertThat(f.matches(ip(127, 0, 255, 3))).isTrue();
        assertThat(f.matches(ip(127, 0, 9, 2))).isFalse();
        assertThat(f.matches(ip(127, 1, 9, 1))).isFalse();
        assertThat(f.toString()).isEqualTo("127.0.[0..255].[1;3]");
    }

    @Test
    void matchesWhenEximBitmaskThenAllMaskBitsRequired() {
        AnswerFilter f = AnswerFilter.parse("&0.0.0.6");

        assertThat(f.matches(ip(127, 0, 0, 6))).isTrue();
        assertThat(f.matches(ip(127, 0, 0, 7))).isTrue();
        assertThat(f.matches(ip(127, 0, 0, 4))).isFalse();
        assertThat(f.matches(ip(127, 0, 0, 2))).isFalse();
        assertThat(f.isBitMask()).isTrue();
    }

    @Test
    void matchesAgreesWithANaiveReadingOfThePattern() {
        // reference model: octet 4 in [lo..hi] or == extra, octets 1..3 fixed at 127.0.0
        qt().withExamples(2000).forAll(integers().between(0, 255), integers().between(0, 255),
                integers().between(0, 255), integers().between(0, 255)).check((lo, hi, extra, probe) -> {
                    int a = Math.min(lo, hi);
                    int b = Math.max(lo, hi);
                    AnswerFilter f = AnswerFilter.parse("127.0.0.[" + a + ".." + b + ";" + extra + "]");
                    boolean expected = (probe >= a && probe <= b) || probe.intValue() == extra.intValue();
                    return f.matches(ip(127, 0, 0, probe)) == expected && !f.matches(ip(127, 0, 1, probe));
                });
    }

    @Test
    void matchesBitmaskAgreesWithTheAndDefinition() {
        qt().withExamples(2000).forAll(integers().between(1, 255), integers().between(0, 255)).check((mask, probe) ->
                AnswerFilter.parse("&0.0.0." + mask).matches(ip(127, 0, 0, probe)) == ((probe & mask) == mask));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0", "127.0.0.0.1", "127.0.0.[2..", "127.0.0.[11..2]", "127.0.0.256", "127.0.0.02",
            "127.0.0.x", "&0.0.0.0", "&1.2.3", "127.0.0.[]", "127.0.[[1]].0"})
    void parseWhenMalformedThenErrorNamesTheValue(String text) {
        assertThatThrownBy(() -> AnswerFilter.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }
}
