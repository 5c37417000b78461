package io.relaycontrol.examples.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import org.junit.jupiter.api.Test;

/** xtext as Postfix writes it (RFC 3461): a law and the edge cases. */
class XTextTest {

    @Test
    void decodeWhenEncodedThenTheOriginalForAnyText() {
        qt().withExamples(5000).forAll(strings().allPossible().ofLengthBetween(0, 40)
                .map(s -> s.codePoints().filter(c -> c < 0xD800 || c > 0xDFFF)
                        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString()))
                .check(s -> XText.decode(XText.encode(s)).equals(s)
                        && XText.encode(s).chars().allMatch(c -> c >= 33 && c <= 126));
    }

    @Test
    void decodeWhenPostfixExamplesThenPlainText() {
        assertThat(XText.decode("Wietse+20Venema")).isEqualTo("Wietse Venema");
        assertThat(XText.decode("a+2bb+2Bc")).isEqualTo("a+b+c"); // lower, upper case digits
        assertThat(XText.decode("caf+C3+A9")).isEqualTo("café");
        assertThat(XText.decode("no escapes")).isEqualTo("no escapes");
        assertThat(XText.encode("a+b c")).isEqualTo("a+2Bb+20c");
    }

    @Test
    void decodeWhenEscapeIsBrokenThenRefusedNamingTheOffset() {
        assertThatThrownBy(() -> XText.decode("abc+")).hasMessageContaining("'+' at offset 3");
        assertThatThrownBy(() -> XText.decode("abc+4")).hasMessageContaining("'+' at offset 3");
        assertThatThrownBy(() -> XText.decode("+GG")).hasMessageContaining("'+' at offset 0");
        assertThatThrownBy(() -> XText.decode("+E9")).hasMessageContaining("not UTF-8");
    }
}
