package io.relaycontrol.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.address.EnvelopeAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 12, mutation survivors: stray {@code @} and {@code :} in sender-login entries. Each is refused with a
 * message that names the source, the line, the login, the entry and what is wrong with it, and a refused line
 * grants nothing.
 */
class SenderLoginEntryTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "alice: @evil.test@example.com | '@evil.test@example.com' is not @domain: a second '@'",
            "alice: @@example.com | '@@example.com' is not @domain: a second '@'",
            "alice: @example.com@ | '@example.com@' is not @domain: a second '@'",
            "alice: @example.com:bob | '@example.com:bob' is not @domain: a stray ':'",
            "alice: @:example.com | '@:example.com' is not @domain: a stray ':'",
            "alice: @relay.example:bob@example.com | a second '@'",
            "alice: bob@evil.test@example.com | 'bob@evil.test@example.com' is not an address",
            "alice: bob@example.com: | 'bob@example.com:' is not an address",
            "alice: @relay.example:bob | a stray ':'",
            "alice: @ | looks like a wildcard",
            ": bob@example.com | empty login"})
    void parseWhenStrayAtOrColonThenRefusedNamingLineLoginAndEntry(String line, String expected) {
        assertThatThrownBy(() -> SenderLoginMap.parse(List.of("# logins", line), "logins.txt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("logins.txt:2: ")
                .hasMessageContaining(expected);
    }

    @Test
    void addWhenStrayCommaOrColonInDomainEntryThenRefusedNamingIt() {
        assertThatThrownBy(() -> SenderLoginMap.builder().add("alice", "@a.example,b.example"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("login 'alice'").hasMessageContaining("a stray ','");
        assertThatThrownBy(() -> SenderLoginMap.builder().add("alice", "@a.example:b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a stray ':'");
        assertThatThrownBy(() -> SenderLoginMap.builder().add("alice", "@a@b.example"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a second '@'");
    }

    @Test
    void parseWhenLoginIsAnAddressThenOnlyTheFirstColonSeparates() {
        SenderLoginMap map = SenderLoginMap.parse(List.of("bob@example.com: bob@example.com, @sales.example"),
                "logins.txt");
        assertThat(map.owns("bob@example.com", EnvelopeAddress.parse("<bob@example.com>"))).isTrue();
        assertThat(map.owns("bob@example.com", EnvelopeAddress.parse("<anyone@sales.example>"))).isTrue();
        assertThat(map.owns("bob@example.com", EnvelopeAddress.parse("<anyone@sub.sales.example>"))).isFalse();
        assertThat(map.owns("bob", EnvelopeAddress.parse("<bob@example.com>"))).isFalse();
    }

    @Test
    void parseWhenOneLineIsRefusedThenNothingOfTheMapIsBuilt() {
        SenderLoginMap.Builder b = SenderLoginMap.builder().add("carol", "carol@example.com");
        assertThatThrownBy(() -> b.addLines(List.of("alice: alice@example.com", "alice: @x.example@y.example"),
                "logins.txt")).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("logins.txt:2: ");
        SenderLoginMap map = b.build();
        assertThat(map.owns("alice", EnvelopeAddress.parse("<alice@example.com>"))).isFalse();
        assertThat(map.owns("carol", EnvelopeAddress.parse("<carol@example.com>"))).isTrue();
    }
}
