package io.relaycontrol.api.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Issue 11: the domain-less {@code <Postmaster>} of RFC 5321 sections 4.1.1.3 and 4.5.1. */
class PostmasterTest {

    static Stream<Arguments> forms() {
        return Stream.of(
                // accepted as the local postmaster, in any ASCII case, with or without brackets
                Arguments.of("<Postmaster>", "postmaster", null),
                Arguments.of("<postmaster>", "postmaster", null),
                Arguments.of("<POSTMASTER>", "postmaster", null),
                Arguments.of("<pOsTmAsTeR>", "postmaster", null),
                Arguments.of("Postmaster", "postmaster", null),
                Arguments.of("postmaster", "postmaster", null),
                // with a domain it is an ordinary mailbox
                Arguments.of("<Postmaster@Example.COM>", "mailbox", null),
                Arguments.of("<postmaster@[192.0.2.1]>", "mailbox", null),
                // anything else that only looks like it is not the postmaster
                Arguments.of("<\"postmaster\">", "invalid", ParseError.MISSING_AT),
                Arguments.of("<po\u017Ftmaster>", "invalid", ParseError.MISSING_AT), // LATIN SMALL LETTER LONG S
                Arguments.of("<\u212Aostmaster>", "invalid", ParseError.MISSING_AT), // KELVIN SIGN
                Arguments.of("<postmasters>", "invalid", ParseError.MISSING_AT),
                Arguments.of("<postmaste>", "invalid", ParseError.MISSING_AT),
                Arguments.of("<postmaster.>", "invalid", ParseError.MISSING_AT),
                Arguments.of("<postmaster >", "invalid", ParseError.WHITESPACE),
                Arguments.of("< postmaster>", "invalid", ParseError.WHITESPACE),
                Arguments.of("<postmaster\u200B>", "invalid", ParseError.FORMAT_CHARACTER),
                Arguments.of("<postmaster\uFE0F>", "invalid", ParseError.FORMAT_CHARACTER),
                Arguments.of("<postmaster\r\n>", "invalid", ParseError.CONTROL_CHARACTER),
                Arguments.of("<postmaster@>", "invalid", ParseError.EMPTY_DOMAIN),
                Arguments.of("<@relay.example:postmaster>", "invalid", ParseError.MISSING_AT),
                Arguments.of("<postmaster%evil.test>", "invalid", ParseError.MISSING_AT),
                Arguments.of("<Postmaster", "invalid", ParseError.MISSING_CLOSING_BRACKET),
                Arguments.of("Postmaster>", "invalid", ParseError.MISSING_OPENING_BRACKET));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @MethodSource("forms")
    void parseWhenPostmasterFormThenLocalPostmasterRoutedNowhereOrTypedReason(String input, String outcome,
            ParseError error) {
        EnvelopeAddress a = EnvelopeAddress.parse(input);
        switch (outcome) {
            case "postmaster":
                assertThat(a.kind()).isEqualTo(EnvelopeAddress.Kind.POSTMASTER);
                assertThat(a.isPostmaster()).isTrue();
                assertThat(a.isMailbox()).isFalse();
                assertThat(a.isInvalid()).isFalse();
                assertThat(a.isNullPath()).isFalse();
                assertThat(a.canonical()).isEqualTo("postmaster");
                assertThat(a.localPart()).isEqualTo("postmaster");
                assertThat(a.domain()).isEmpty();
                assertThat(a.isAddressLiteral()).isFalse();
                assertThat(a.isRouted()).isFalse();
                assertThat(a.routing()).isEqualTo(Routing.NONE);
                assertThat(a.routingReason()).isEmpty();
                assertThat(a.sourceRoute()).isEmpty();
                assertThat(a.error()).isEmpty();
                assertThat(a.parseError()).isEmpty();
                assertThat(a.raw()).isEqualTo(input);
                assertThat(a.toString()).isEqualTo("<postmaster>");
                assertThat(a).isEqualTo(EnvelopeAddress.parse("<Postmaster>"))
                        .hasSameHashCodeAs(EnvelopeAddress.parse("postmaster"));
                assertThat(EnvelopeAddress.parse(a.canonical()).kind()).isEqualTo(EnvelopeAddress.Kind.POSTMASTER);
                break;
            case "mailbox":
                assertThat(a.isMailbox()).isTrue();
                assertThat(a.isPostmaster()).isFalse();
                assertThat(a.localPart()).isEqualToIgnoringCase("postmaster");
                assertThat(a.domain()).isNotEmpty();
                break;
            default:
                assertThat(a.isInvalid()).as("%s", a).isTrue();
                assertThat(a.isPostmaster()).isFalse();
                assertThat(a.parseError()).contains(error);
        }
    }

    @Test
    void equalsWhenPostmasterAndMailboxNamedPostmasterThenDifferent() {
        EnvelopeAddress bare = EnvelopeAddress.parse("<postmaster>");
        assertThat(bare).isNotEqualTo(EnvelopeAddress.parse("<postmaster@example.com>"));
        assertThat(bare).isNotEqualTo(EnvelopeAddress.NULL_PATH);
        assertThat(bare).isNotEqualTo(EnvelopeAddress.parse("<postmaster@>"));
    }
}
