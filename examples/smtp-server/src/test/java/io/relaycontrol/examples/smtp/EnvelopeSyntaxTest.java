package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Laws of the strict envelope parser, checked against a plain reading of RFC 5321's grammar: a well-formed
 * command gives back exactly its path and parameters; anything after the path that is not {@code SP} and
 * parameters is refused; the first {@code >} outside quotes ends the path.
 */
class EnvelopeSyntaxTest {

    private static final Set<String> MAIL = Set.of("SIZE", "BODY", "SMTPUTF8");
    private static final String PATH_CHARS = "abcxyz019.-_+=%!@:,[]";

    @Test
    void parseWhenWellFormedThenExactlyThePathAndTheParametersInOrder() {
        qt().forAll(strings().betweenCodePoints(0, PATH_CHARS.length() - 1).ofLengthBetween(0, 30),
                lists().of(integers().between(0, 2)).ofSizeBetween(0, 3), integers().between(0, 3))
                .checkAssert((seed, order, spaces) -> {
                    StringBuilder path = new StringBuilder();
                    seed.codePoints().forEach(c -> path.append(PATH_CHARS.charAt(c)));
                    Map<String, String> expected = new LinkedHashMap<>();
                    StringBuilder cmd = new StringBuilder("FROM:").append(" ".repeat(spaces)).append('<')
                            .append(path).append('>');
                    for (int i : order) {
                        String k = List.of("SIZE", "BODY", "SMTPUTF8").get(i);
                        if (expected.containsKey(k)) {
                            continue;
                        }
                        String v = i == 0 ? "123" : i == 1 ? "8BITMIME" : null;
                        expected.put(k, v);
                        cmd.append(' ').append(k.toLowerCase()).append(v == null ? "" : "=" + v);
                    }
                    EnvelopeSyntax.Parsed p = parse(cmd.toString());
                    assertThat(p.path()).isEqualTo(path.toString());
                    assertThat(new ArrayList<>(p.parameters().entrySet())).isEqualTo(new ArrayList<>(expected.entrySet()));
                });
    }

    @Test
    void parseWhenAnythingButSpaceFollowsThePathThenRefused501() {
        qt().forAll(strings().basicLatinAlphabet().ofLengthBetween(1, 10)).checkAssert(junk -> {
            if (junk.charAt(0) == ' ') {
                return;
            }
            assertThatThrownBy(() -> EnvelopeSyntax.parse("MAIL", "FROM:", "FROM:<a@b.example>" + junk, MAIL))
                    .isInstanceOfSatisfying(EnvelopeSyntax.SyntaxError.class, e -> assertThat(e.code).isEqualTo(501));
        });
    }

    @Test
    void parseWhenQuotedLocalPartHoldsBracketsThenTheyBelongToThePath() throws Exception {
        assertThat(parse("FROM:<\"a>b <c\"@example.com>").path()).isEqualTo("\"a>b <c\"@example.com");
        assertThat(parse("FROM:<\"a\\\"> b\"@example.com>").path()).isEqualTo("\"a\\\"> b\"@example.com");
        assertThat(parse("FROM:<>").path()).isEmpty();
        assertThat(parse("from:<A@B>").path()).isEqualTo("A@B");
    }

    @Test
    void parseWhenParameterUnknownThen555AndWhenMalformedThen501() {
        assertThatThrownBy(() -> EnvelopeSyntax.parse("MAIL", "FROM:", "FROM:<a@b> XX=1", MAIL)).isInstanceOfSatisfying(EnvelopeSyntax.SyntaxError.class,
                e -> assertThat(e.reply()).isEqualTo("555 5.5.4 Unsupported option: XX"));
        for (String bad : new String[] {"FROM:<a@b> =1", "FROM:<a@b> SIZE=", "FROM:<a@b> -X", "FROM:<a@b> SIZE=1=2"}) {
            assertThatThrownBy(() -> EnvelopeSyntax.parse("MAIL", "FROM:", bad, MAIL)).as(bad).isInstanceOfSatisfying(EnvelopeSyntax.SyntaxError.class,
                    e -> assertThat(e.code).isEqualTo(501));
        }
    }

    private static EnvelopeSyntax.Parsed parse(String argument) {
        try {
            return EnvelopeSyntax.parse("MAIL", "FROM:", argument, MAIL);
        } catch (EnvelopeSyntax.SyntaxError e) {
            throw new AssertionError(argument + ": " + e.reply(), e);
        }
    }
}
