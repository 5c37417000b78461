package io.relaycontrol.api.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table of address forms: what each legal one canonicalises to, which routing trick each routed one uses
 * (with the reason), and why each refused one is refused (typed error and message).
 */
class EnvelopeAddressTableTest {

    private static final String L64 = "a".repeat(64);
    private static final String L63 = "b".repeat(63);

    /** A domain of exactly {@code n} octets made of 49-octet labels and a final label of 1 to 50 octets. */
    static String domainOf(int n) {
        StringBuilder sb = new StringBuilder();
        while (n - sb.length() > 50) {
            sb.append("c".repeat(49)).append('.');
        }
        sb.append("d".repeat(n - sb.length()));
        return sb.toString();
    }

    static Arguments ok(String input, String canonical) {
        return Arguments.of(input, "ok", canonical, null);
    }

    static Arguments routed(String input, String canonical, Routing routing, String reason) {
        return Arguments.of(input, routing.name(), canonical, reason);
    }

    static Arguments bad(String input, ParseError error, String reason) {
        return Arguments.of(input, error.name(), null, reason);
    }

    static Stream<Arguments> forms() {
        return Stream.of(
                // legal forms
                ok("<user@example.com>", "user@example.com"),
                ok("user@example.com", "user@example.com"),
                ok("<User.Name+tag@Example.COM>", "User.Name+tag@example.com"),
                ok("<user@example.com.>", "user@example.com"),
                ok("<USER@EXAMPLE.COM>", "USER@example.com"),
                ok("<a@b.c>", "a@b.c"),
                ok("<o'brien@example.com>", "o'brien@example.com"),
                ok("<x#{}~=?^_`|$&*/-y@example.com>", "x#{}~=?^_`|$&*/-y@example.com"),
                ok("<\"john doe\"@example.com>", "\"john doe\"@example.com"),
                ok("<\"plain\"@example.com>", "plain@example.com"),
                ok("<\"a\\\"b\"@example.com>", "\"a\\\"b\"@example.com"),
                ok("<\"a\\\\b\"@example.com>", "\"a\\\\b\"@example.com"),
                ok("<\"a\\b\"@example.com>", "ab@example.com"),
                ok("<\"a..b\"@example.com>", "\"a..b\"@example.com"),
                ok("<user@sub-domain.example.com>", "user@sub-domain.example.com"),
                ok("<user@xn--bcher-kva.example>", "user@xn--bcher-kva.example"),
                ok("<user@bücher.example>", "user@xn--bcher-kva.example"),
                ok("<user@BÜCHER.example>", "user@xn--bcher-kva.example"),
                ok("<用户@例子.测试>", "用户@xn--fsqu00a.xn--0zwm56d"),
                ok("<jörg@example.com>", "jörg@example.com"),
                ok("<user@123.example.com>", "user@123.example.com"),
                ok("<user@example.c0m>", "user@example.c0m"),
                // null path
                ok("<>", "<>"),
                ok("", "<>"),
                // address literals
                ok("<user@[192.0.2.1]>", "user@[192.0.2.1]"),
                ok("<user@[0.0.0.0]>", "user@[0.0.0.0]"),
                ok("<user@[255.255.255.255]>", "user@[255.255.255.255]"),
                ok("<user@[IPv6:2001:db8::1]>", "user@[IPv6:2001:db8::1]"),
                ok("<user@[ipv6:2001:DB8:0:0:0:0:0:1]>", "user@[IPv6:2001:db8::1]"),
                ok("<user@[IPV6:2001:0db8:0000:0000:0001:0000:0000:0001]>", "user@[IPv6:2001:db8::1:0:0:1]"),
                ok("<user@[IPv6:2001:db8:0:1:1:1:1:1]>", "user@[IPv6:2001:db8:0:1:1:1:1:1]"),
                ok("<user@[IPv6:::]>", "user@[IPv6:::]"),
                ok("<user@[IPv6:::1]>", "user@[IPv6:::1]"),
                ok("<user@[IPv6:1::]>", "user@[IPv6:1::]"),
                ok("<user@[IPv6:::ffff:192.0.2.1]>", "user@[192.0.2.1]"),
                ok("<user@[IPv6:0:0:0:0:0:FFFF:C000:0201]>", "user@[192.0.2.1]"),
                ok("<user@[IPv6:64:ff9b::192.0.2.1]>", "user@[IPv6:64:ff9b::c000:201]"),
                bad("<user@[192.0.2.256]>", ParseError.BAD_ADDRESS_LITERAL, "strict IPv4"),
                bad("<user@[192.0.02.1]>", ParseError.BAD_ADDRESS_LITERAL, "no leading zeros"),
                bad("<user@[192.0.2]>", ParseError.BAD_ADDRESS_LITERAL, "four decimals"),
                bad("<user@[0x7f.0.0.1]>", ParseError.BAD_ADDRESS_LITERAL, "strict IPv4"),
                bad("<user@[2001:db8::1]>", ParseError.UNSUPPORTED_ADDRESS_LITERAL, "tag '2001'"),
                bad("<user@[IPv6:2001:db8::1::2]>", ParseError.BAD_ADDRESS_LITERAL, "more than one '::'"),
                bad("<user@[IPv6:1:2:3:4:5:6:7:8:9]>", ParseError.BAD_ADDRESS_LITERAL, "more than 8 groups"),
                bad("<user@[IPv6:12345::1]>", ParseError.BAD_ADDRESS_LITERAL, "more than 4 hex digits"),
                bad("<user@[IPv6:fe80::1%eth0]>", ParseError.BAD_ADDRESS_LITERAL, "zone identifiers"),
                bad("<user@[IPv6:::ffff:1.2.3.04]>", ParseError.BAD_ADDRESS_LITERAL, "embedded IPv4"),
                bad("<user@[IPv6:1:2:3:4:5:6:7]>", ParseError.BAD_ADDRESS_LITERAL, "needs 8"),
                bad("<user@[IPv6::1:2]>", ParseError.BAD_ADDRESS_LITERAL, "single ':'"),
                bad("<user@[x400:c=gb]>", ParseError.UNSUPPORTED_ADDRESS_LITERAL, "only IPv4 and 'IPv6:'"),
                bad("<user@[]>", ParseError.BAD_ADDRESS_LITERAL, "empty address literal"),
                bad("<user@[192.0.2.1>", ParseError.BAD_ADDRESS_LITERAL, "without closing ']'"),
                // routing tricks
                routed("<user%evil.com@local.com>", "user%evil.com@local.com", Routing.PERCENT,
                        "local part contains '%': sender-specified routing (percent hack)"),
                routed("<evil.com!user@local.com>", "evil.com!user@local.com", Routing.BANG_PATH,
                        "local part contains '!': sender-specified routing (UUCP bang path)"),
                routed("<\"user@evil.com\"@local.com>", "\"user@evil.com\"@local.com", Routing.AT_SIGN,
                        "local part contains '@': sender-specified routing"),
                routed("<\"user%evil.com\"@local.com>", "user%evil.com@local.com", Routing.PERCENT,
                        "local part contains '%'"),
                routed("<\"evil.com!user\"@local.com>", "evil.com!user@local.com", Routing.BANG_PATH,
                        "local part contains '!'"),
                routed("<@a,@b:user@c>", "@a,@b:user@c", Routing.SOURCE_ROUTE,
                        "source route '@a,@b:' in the path: sender-specified routing"),
                routed("<@A.example.:user@C.example>", "@a.example:user@c.example", Routing.SOURCE_ROUTE,
                        "source route '@a.example:'"),
                routed("<user＠evil.com@local.com>", "user＠evil.com@local.com", Routing.AT_SIGN,
                        "U+FF20, a look-alike of '@'"),
                bad("<user@evil.com@local.com>", ParseError.UNQUOTED_AT,
                        "more than one '@': an unquoted '@' in the local part is sender-specified routing"),
                bad("<@a,b:user@c>", ParseError.BAD_SOURCE_ROUTE, "must start with '@'"),
                bad("<@a,@:user@c>", ParseError.BAD_SOURCE_ROUTE, "source route hop: empty domain"),
                bad("<@a:>", ParseError.BAD_SOURCE_ROUTE, "without a mailbox"),
                bad("<@[192.0.2.1]:user@c>", ParseError.BAD_SOURCE_ROUTE, "address literal in a source route"),
                // length boundaries
                ok("<" + L64 + "@example.com>", L64 + "@example.com"),
                bad("<" + L64 + "a@example.com>", ParseError.LOCAL_PART_TOO_LONG, "local part of 65 octets"),
                bad("<" + "é".repeat(33) + "@example.com>", ParseError.LOCAL_PART_TOO_LONG,
                        "local part of 66 octets"),
                ok("<u@" + L63 + ".example>", "u@" + L63 + ".example"),
                bad("<u@" + L63 + "b.example>", ParseError.LABEL_TOO_LONG, "label of 64 octets"),
                ok("<u@" + domainOf(252) + ">", "u@" + domainOf(252)),
                ok("u@" + domainOf(252), "u@" + domainOf(252)),
                bad("u@" + domainOf(253), ParseError.PATH_TOO_LONG, "path of 257 octets with angle brackets"),
                bad("<u@" + domainOf(252) + ".>", ParseError.PATH_TOO_LONG, "path of 257"),
                bad("<" + L64 + "@" + domainOf(190) + ">", ParseError.PATH_TOO_LONG, "path of 257"),
                ok("<" + L64 + "@" + domainOf(189) + ">", L64 + "@" + domainOf(189)),
                bad("<" + "x".repeat(10_000) + "@example.com>", ParseError.PATH_TOO_LONG, "path of 10014 characters"),
                // malformed and hostile
                bad("<user\u0000@example.com>", ParseError.CONTROL_CHARACTER, "U+0000 (NUL) at index 5"),
                bad("<user@example.com>\r", ParseError.CONTROL_CHARACTER, "U+000D (CR)"),
                bad("<user@example.com\n>", ParseError.CONTROL_CHARACTER, "U+000A (LF)"),
                bad("<us\ter@example.com>", ParseError.CONTROL_CHARACTER, "U+0009 (TAB)"),
                bad("<user\u007f@example.com>", ParseError.CONTROL_CHARACTER, "U+007F (DEL)"),
                bad("<user\u0085@example.com>", ParseError.CONTROL_CHARACTER, "U+0085 (C1 control)"),
                bad("<\"us\rer\"@example.com>", ParseError.CONTROL_CHARACTER, "U+000D (CR)"),
                bad("<us er@example.com>", ParseError.WHITESPACE, "space outside quotes at index 3"),
                bad("< user@example.com>", ParseError.WHITESPACE, "space outside quotes at index 1"),
                bad("<user@example.com >", ParseError.WHITESPACE, "space outside quotes"),
                bad("<user@exa mple.com>", ParseError.WHITESPACE, "space outside quotes"),
                bad("<user\u00a0@example.com>", ParseError.WHITESPACE, "Unicode space U+00A0"),
                bad("<user@exa\u202emple.com>", ParseError.FORMAT_CHARACTER, "U+202E"),
                bad("<us\u200ber@example.com>", ParseError.FORMAT_CHARACTER, "U+200B"),
                bad("<user\ud800@example.com>", ParseError.MALFORMED_UNICODE, "unpaired surrogate U+D800"),
                bad("<user@example.com", ParseError.MISSING_CLOSING_BRACKET, "does not end with '>'"),
                bad("<", ParseError.MISSING_CLOSING_BRACKET, "does not end with '>'"),
                bad("user@example.com>", ParseError.MISSING_OPENING_BRACKET, "does not start with '<'"),
                bad("<<>>", ParseError.NESTED_BRACKETS, "angle bracket inside the path"),
                bad("<<user@example.com>>", ParseError.NESTED_BRACKETS, "angle bracket inside the path"),
                bad("<@example.com>", ParseError.EMPTY_LOCAL_PART, "empty local part"),
                bad("<\"\"@example.com>", ParseError.EMPTY_LOCAL_PART, "empty quoted local part"),
                bad("<user@>", ParseError.EMPTY_DOMAIN, "empty domain"),
                bad("<user@.>", ParseError.EMPTY_DOMAIN, "empty domain"),
                bad("<user>", ParseError.MISSING_AT, "no '@'"),
                bad("<postmaster@>", ParseError.EMPTY_DOMAIN, "empty domain"),
                bad("<us..er@example.com>", ParseError.LOCAL_PART_DOT, "'..' in the local part"),
                bad("<.user@example.com>", ParseError.LOCAL_PART_DOT, "starts with '.'"),
                bad("<user.@example.com>", ParseError.LOCAL_PART_DOT, "ends with '.'"),
                bad("<user@1.2.3.4>", ParseError.BARE_NUMERIC_DOMAIN, "address literal such as [1.2.3.4]"),
                bad("<user@example.123>", ParseError.BARE_NUMERIC_DOMAIN, "numeric domain"),
                bad("<\"user@example.com>", ParseError.UNTERMINATED_QUOTE, "without closing '\"'"),
                bad("<us\"er@example.com>", ParseError.ILLEGAL_CHARACTER, "quote at index 3"),
                bad("<\"user\\", ParseError.MISSING_CLOSING_BRACKET, "does not end with '>'"),
                bad("\"user\\", ParseError.BAD_QUOTED_PAIR, "lone backslash"),
                bad("<\"user\"x@example.com>", ParseError.ILLEGAL_CHARACTER, "after the closing quote"),
                bad("<us\\er@example.com>", ParseError.ILLEGAL_CHARACTER, "backslash at index 3 outside a quoted"),
                bad("<us(er@example.com>", ParseError.ILLEGAL_CHARACTER, "character '(' at index 3"),
                bad("<user@exam_ple.com>", ParseError.ILLEGAL_CHARACTER, "character '_'"),
                bad("<user@-example.com>", ParseError.DOMAIN_SYNTAX, "starts or ends with '-'"),
                bad("<user@example-.com>", ParseError.DOMAIN_SYNTAX, "starts or ends with '-'"),
                bad("<user@example..com>", ParseError.DOMAIN_SYNTAX, "empty label ('..')"),
                bad("<user@.example.com>", ParseError.DOMAIN_SYNTAX, "domain starts with '.'"),
                bad("<user@example.com..>", ParseError.DOMAIN_SYNTAX, "empty label"),
                // IDN
                bad("<user@xn--zzzzzzz-.example>", ParseError.DOMAIN_SYNTAX, "starts or ends with '-'"),
                bad("<user@xn--a.example>", ParseError.INVALID_IDN, "not a valid A-label"),
                bad("<user@straße.example>", ParseError.INVALID_IDN, "IDNA deviation character U+00DF"),
                bad("<user@bücher。example>", ParseError.INVALID_IDN, "look-alike dot"),
                bad("<user@a\u05d0.example>", ParseError.INVALID_IDN, "cannot be converted"),
                bad("<user@exa\u2488mple.com>", ParseError.INVALID_IDN, "cannot be converted"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("forms")
    void parseWhenFormThenCanonicalFormOrTypedReason(String input, String outcome, String canonical, String reason) {
        EnvelopeAddress a = EnvelopeAddress.parse(input);
        if (outcome.equals("ok")) {
            assertThat(a.isInvalid()).as("error: %s", a.error()).isFalse();
            assertThat(a.canonical()).isEqualTo(canonical);
            assertThat(a.isRouted()).isFalse();
            assertThat(a.routingReason()).isEmpty();
            assertThat(a.error()).isEmpty();
            assertThat(a.parseError()).isEmpty();
        } else if (isRouting(outcome)) {
            assertThat(a.isMailbox()).as("error: %s", a.error()).isTrue();
            assertThat(a.canonical()).isEqualTo(canonical);
            assertThat(a.isRouted()).isTrue();
            assertThat(a.routing()).isEqualTo(Routing.valueOf(outcome));
            assertThat(a.routingReason()).get().asString().contains(reason);
        } else {
            assertThat(a.isInvalid()).as("canonical: %s", a.canonical()).isTrue();
            assertThat(a.parseError()).contains(ParseError.valueOf(outcome));
            assertThat(a.error()).get().asString().contains(reason);
            assertThat(a.localPart()).isEmpty();
            assertThat(a.domain()).isEmpty();
            assertThat(a.isRouted()).isFalse();
            assertThat(a.toString()).doesNotContain("\r", "\n", "\u0000");
        }
    }

    private static boolean isRouting(String outcome) {
        for (Routing r : Routing.values()) {
            if (r.name().equals(outcome)) {
                return true;
            }
        }
        return false;
    }
}
