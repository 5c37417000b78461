package io.relaycontrol.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import io.relaycontrol.api.address.EnvelopeAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SenderLoginMapTest {

    private static final List<String> LINES = List.of(
            "# who may send as whom",
            "",
            "alice: alice@example.com, @alice.example",
            "   # indented comment",
            "bob@example.com:  bob@example.com sales@example.com",
            "carol:a#b@example.com");

    private final SenderLoginMap map = SenderLoginMap.parse(LINES, "users.map");

    private static EnvelopeAddress addr(String s) {
        return EnvelopeAddress.parse(s);
    }

    @Test
    void ownsWhenSenderListedForLoginThenTrue() {
        assertThat(map.owns("alice", addr("<alice@example.com>"))).isTrue();
        assertThat(map.owns("bob@example.com", addr("<bob@example.com>"))).isTrue();
        assertThat(map.owns("bob@example.com", addr("<sales@example.com>"))).isTrue();
        assertThat(map.size()).isEqualTo(3);
        assertThat(map.logins()).containsExactly("alice", "bob@example.com", "carol");
        assertThat(map.ownedBy("alice")).containsExactly("@alice.example", "alice@example.com");
    }

    @Test
    void ownsWhenDomainEntryThenEveryLocalPartAtExactlyThatDomain() {
        assertThat(map.owns("alice", addr("<anything@alice.example>"))).isTrue();
        assertThat(map.owns("alice", addr("<x@sub.alice.example>"))).isFalse();
        assertThat(map.owns("alice", addr("<x@alice.example.evil>"))).isFalse();
        assertThat(map.owns("alice", addr("<x@evilalice.example>"))).isFalse();
    }

    @Test
    void ownsWhenHashInsideLineThenPartOfTheAddressNotAComment() {
        assertThat(map.owns("carol", addr("<a#b@example.com>"))).isTrue();
        assertThat(map.owns("carol", addr("<a@example.com>"))).isFalse();
    }

    @Test
    void ownsWhenDomainDiffersInCaseOrTrailingDotThenTrue() {
        assertThat(map.owns("alice", addr("<alice@EXAMPLE.com>"))).isTrue();
        assertThat(map.owns("alice", addr("<alice@example.com.>"))).isTrue();
        assertThat(map.owns("alice", addr("<x@Alice.Example>"))).isTrue();
    }

    @Test
    void ownsWhenLocalPartDiffersInCaseThenFalseByDefaultTrueWhenConfigured() {
        assertThat(map.owns("alice", addr("<Alice@example.com>"))).isFalse();
        SenderLoginMap ci = SenderLoginMap.builder().caseInsensitiveLocalParts(true).addLines(LINES, "m").build();
        assertThat(ci.owns("alice", addr("<Alice@example.com>"))).isTrue();
        assertThat(ci.owns("alice", addr("<Alicex@example.com>"))).isFalse();
        assertThat(ci.caseInsensitiveLocalParts()).isTrue();
    }

    @Test
    void ownsWhenLoginDiffersInCaseThenFalseByDefaultTrueWhenConfigured() {
        assertThat(map.owns("Alice", addr("<alice@example.com>"))).isFalse();
        SenderLoginMap ci = SenderLoginMap.builder().caseInsensitiveLogins(true)
                .add("Alice", "alice@example.com").add("ALICE", "a2@example.com").build();
        assertThat(ci.owns("alice", addr("<alice@example.com>"))).isTrue();
        assertThat(ci.owns("aLiCe", addr("<a2@example.com>"))).isTrue();
        assertThat(ci.size()).isEqualTo(1);
    }

    @Test
    void ownsWhenLoginOrSenderOnlySimilarThenFalseNothingBySubstring() {
        assertThat(map.owns("ali", addr("<alice@example.com>"))).isFalse();
        assertThat(map.owns("alice2", addr("<alice@example.com>"))).isFalse();
        assertThat(map.owns("alice", addr("<xalice@example.com>"))).isFalse();
        assertThat(map.owns("alice", addr("<alic@example.com>"))).isFalse();
        assertThat(map.owns("alice", addr("<alice@example.co>"))).isFalse();
        assertThat(map.owns("alice", addr("<bob@example.com>"))).isFalse();
        assertThat(map.owns("nobody", addr("<alice@example.com>"))).isFalse();
    }

    @Test
    void ownsWhenNullRoutedOrInvalidSenderThenOwnedByNobody() {
        assertThat(map.owns("alice", EnvelopeAddress.NULL_PATH)).isFalse();
        assertThat(map.owns("alice", addr("<alice%evil.example@alice.example>"))).isFalse();
        assertThat(map.owns("alice", addr("<evil!alice@alice.example>"))).isFalse();
        assertThat(map.owns("alice", addr("<not-an-address>"))).isFalse();
    }

    @Test
    void parseWhenLoginRepeatedThenEntriesMerge() {
        SenderLoginMap m = SenderLoginMap.parse(List.of("alice: a@example.com", "bob: b@example.com",
                "alice: a2@example.com, a@example.com"), "m");
        assertThat(m.size()).isEqualTo(2);
        assertThat(m.ownedBy("alice")).containsExactly("a2@example.com", "a@example.com");
        assertThat(m.owns("alice", addr("<a2@example.com>"))).isTrue();
        assertThat(m.owns("bob", addr("<a2@example.com>"))).isFalse();
    }

    @Test
    void parseWhenEmptyThenEmptyMap() {
        SenderLoginMap m = SenderLoginMap.parse(List.of("# nothing yet", ""), "m");
        assertThat(m.isEmpty()).isTrue();
        assertThat(m.size()).isZero();
        assertThat(m.owns("alice", addr("<alice@example.com>"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice alice@example.com", "alice@example.com"})
    void parseWhenNoColonThenErrorNamesSourceAndLine(String line) {
        assertThatThrownBy(() -> SenderLoginMap.parse(List.of("# c", "ok: ok@example.com", line), "users.map"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("users.map:3: expected 'login: address, @domain, ...'")
                .hasMessageContaining(line);
    }

    @Test
    void parseWhenLoginEmptyOrOwnsNothingThenError() {
        assertThatThrownBy(() -> SenderLoginMap.parse(List.of(": a@example.com"), "m"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("m:1: empty login");
        assertThatThrownBy(() -> SenderLoginMap.parse(List.of("alice:  , ,"), "m"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("m:1: login 'alice' owns no address");
        assertThatThrownBy(() -> SenderLoginMap.parse(List.of("al ice: a@example.com"), "m"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'al ice'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "@", "*@example.com", "@*.example.com", "@*"})
    void parseWhenWildcardThenErrorExplainsWhy(String entry) {
        assertThatThrownBy(() -> SenderLoginMap.parse(List.of("alice: " + entry), "m"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("m:1: login 'alice': '" + entry + "' looks like a wildcard")
                .hasMessageContaining("send as anyone");
    }

    @Test
    void parseWhenNullSenderListedThenError() {
        assertThatThrownBy(() -> SenderLoginMap.parse(List.of("alice: a@example.com <>"), "m"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("m:1: login 'alice': the null sender <> is owned by nobody");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a%b@example.com", "evil!a@example.com"})
    void parseWhenRoutedAddressThenError(String entry) {
        assertThatThrownBy(() -> SenderLoginMap.parse(List.of("alice: " + entry), "m"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("m:1: login 'alice': '" + entry + "' is a routed address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-an-address", "a@", "@example.com@x"})
    void parseWhenUnreadableEntryThenError(String entry) {
        assertThatThrownBy(() -> SenderLoginMap.parse(List.of("alice: " + entry), "m"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("m:1: login 'alice': '" + entry + "'");
    }

    @Test
    void loadWhenFileReadableThenParsedAndErrorsNameTheFile(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("sender_login.map");
        Files.write(good, LINES, StandardCharsets.UTF_8);
        assertThat(SenderLoginMap.load(good).owns("alice", addr("<alice@example.com>"))).isTrue();

        Path bad = dir.resolve("bad.map");
        Files.write(bad, List.of("alice: alice@example.com", "", "bob"), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SenderLoginMap.load(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(bad + ":3: ");
    }

    @Test
    void loadWhenFileMissingThenSenderLoginMapExceptionNamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("missing.map");
        assertThatThrownBy(() -> SenderLoginMap.load(missing))
                .isInstanceOf(SenderLoginMapException.class)
                .hasMessageContaining(missing.toString())
                .satisfies(e -> {
                    assertThat(((SenderLoginMapException) e).file()).contains(missing);
                    assertThat(((SenderLoginMapException) e).line()).isZero();
                });
    }

    @Test
    void loadWhenBadLineThenFileAndLineOnTheException(@TempDir Path dir) throws java.io.IOException {
        Path f = java.nio.file.Files.writeString(dir.resolve("logins.map"), "alice: alice@example.com\nbob\n");
        assertThatThrownBy(() -> SenderLoginMap.load(f))
                .isInstanceOf(SenderLoginMapException.class)
                .hasMessageStartingWith(f + ":2: ")
                .satisfies(e -> {
                    assertThat(((SenderLoginMapException) e).file()).contains(f);
                    assertThat(((SenderLoginMapException) e).line()).isEqualTo(2);
                });
    }

    @Test
    void builderWhenOptionSetTwiceOrBadArgumentsThenFailsAtOnce() {
        assertThatThrownBy(() -> SenderLoginMap.builder().caseInsensitiveLogins(true).caseInsensitiveLogins(false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("caseInsensitiveLogins");
        assertThatThrownBy(() -> SenderLoginMap.builder().caseInsensitiveLocalParts(true)
                .caseInsensitiveLocalParts(true)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SenderLoginMap.builder().add("alice"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("owns no address");
        assertThatThrownBy(() -> SenderLoginMap.parse(null, "m")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> map.owns(null, EnvelopeAddress.NULL_PATH)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void ownsWhenRandomLocalPartsThenOwnedExactlyWhenEqual() {
        qt().forAll(strings().betweenCodePoints('a', 'f').ofLengthBetween(1, 4),
                strings().betweenCodePoints('a', 'f').ofLengthBetween(1, 4))
                .check((listed, used) -> {
                    SenderLoginMap m = SenderLoginMap.builder().add("u", listed + "@example.com").build();
                    return m.owns("u", addr("<" + used + "@example.com>")) == listed.equals(used);
                });
    }

    @Test
    void ownsWhenDomainCaseChangedThenStillOwned() {
        qt().forAll(strings().betweenCodePoints('a', 'z').ofLengthBetween(1, 12),
                strings().betweenCodePoints('a', 'z').ofLengthBetween(1, 12))
                .check((label, flips) -> {
                    String domain = label + ".example";
                    SenderLoginMap m = SenderLoginMap.builder().add("u", "@" + domain).build();
                    StringBuilder mixed = new StringBuilder();
                    for (int i = 0; i < domain.length(); i++) {
                        char c = domain.charAt(i);
                        boolean up = flips.charAt(i % flips.length()) > 'm';
                        mixed.append(up ? Character.toUpperCase(c) : c);
                    }
                    return m.owns("u", addr("<x@" + mixed + ">"))
                            && m.owns("u", addr("<x@" + domain.toUpperCase(Locale.ROOT) + ">"));
                });
    }
}
