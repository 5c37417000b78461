package io.relaycontrol.core.rules;

import static io.relaycontrol.testkit.PolicyAssertions.assertThat;
import static io.relaycontrol.testkit.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RulesTest {

    static final RelayRequest REQUEST = rcpt("192.0.2.1", "<a@example.org>", "<b@example.com>").build();
    static final SmtpReply LATER = SmtpReply.of(450, "4.7.1", "later");

    static Rule of(Verdict v, String name) {
        switch (v) {
            case ALLOW:
                return Rules.allow(name, "allows");
            case DENY:
                return Rules.deny(name, "denies", SmtpReply.RELAY_ACCESS_DENIED);
            case DEFER:
                return Rules.defer(name, "defers", LATER);
            default:
                return Rules.named(name, r -> Decision.noOpinion(name, "abstains"));
        }
    }

    @Test
    void constantRulesWhenAskedThenAlwaysTheirDecision() {
        assertThat(Rules.allow("a", "why")).allows(REQUEST).decidedBy("a").withReasonContaining("why");
        assertThat(Rules.deny("d", "why", SmtpReply.RELAY_ACCESS_DENIED)).denies(REQUEST).withReply(554, "5.7.1");
        assertThat(Rules.defer("t", "why", LATER)).defers(REQUEST).withReply(450, "4.7.1");
        assertThatThrownBy(() -> Rules.deny("d", "why", LATER)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rules.allow(" ", "why")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namedWhenDeciderThrowsThenTemporaryRefusalKeepsTheException() {
        RuntimeException boom = new IllegalStateException("lookup failed");
        Rule r = Rules.named("lookup", req -> {
            throw boom;
        });
        Decision d = r.decide(REQUEST);
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.reply()).contains(SmtpReply.TEMPORARY_FAILURE);
        assertThat(d.rule()).isEqualTo("lookup");
        assertThat(d.error()).containsSame(boom);
    }

    @Test
    void namedWhenDeciderReturnsNullThenTemporaryRefusal() {
        Decision d = Rules.named("broken", req -> null).decide(REQUEST);
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.error()).get().isInstanceOf(NullPointerException.class);
        assertThat(d.reason()).contains("returned null");
    }

    @Test
    void whenWhenConditionHoldsThenDecidesElseNoOpinion() {
        Rule r = Rules.when(Conditions.authenticated()).allow("authenticated");
        assertThat(r).allows(REQUEST.toBuilder().authenticated("alice").build())
                .decidedBy("authenticated").withReasonContaining("client is authenticated");
        assertThat(r).hasNoOpinionOn(REQUEST).withReasonContaining("not the case: client is authenticated");
        assertThat(Rules.when(Conditions.tls()).deny("tls", SmtpReply.RELAY_ACCESS_DENIED))
                .denies(REQUEST.toBuilder().tls(true).build()).withReply(554, "5.7.1");
        assertThat(Rules.when(Conditions.tls()).defer("tls", LATER))
                .defers(REQUEST.toBuilder().tls(true).build()).withReply(450, "4.7.1");
        assertThat(Rules.when(Conditions.tls()).then(Rules.deny("inner", "x", SmtpReply.RELAY_ACCESS_DENIED)))
                .denies(REQUEST.toBuilder().tls(true).build()).decidedBy("inner");
    }

    @Test
    void whenWhenConditionThrowsThenTemporaryRefusal() {
        Rule r = Rules.when(Condition.of("explodes", req -> {
            throw new IllegalStateException("x");
        })).allow("r");
        assertThat(r).defers(REQUEST).withReply(451, "4.3.0");
    }

    @Test
    void combinatorsWhenNoMembersThenIllegalArgument() {
        assertThatThrownBy(() -> Rules.firstDecisive("f")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one member");
        assertThatThrownBy(() -> Rules.allOf("a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rules.anyOf("a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rules.firstDecisive("f", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rules.firstDecisive("f", (RelayDecider) null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Rules.not("n", Rules.allow("a", "x"), LATER))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Every row of the two-member truth table in {@link Rules}' javadoc. */
    static Stream<Arguments> truthTable() {
        // x, y, firstDecisive, allOf, anyOf
        return Stream.of(
                Arguments.of("A", "A", "A", "A", "A"), Arguments.of("A", "D", "A", "D", "A"),
                Arguments.of("A", "T", "A", "T", "A"), Arguments.of("A", "N", "A", "N", "A"),
                Arguments.of("D", "A", "D", "D", "A"), Arguments.of("D", "D", "D", "D", "D"),
                Arguments.of("D", "T", "D", "D", "T"), Arguments.of("D", "N", "D", "D", "D"),
                Arguments.of("T", "A", "T", "T", "A"), Arguments.of("T", "D", "T", "T", "T"),
                Arguments.of("T", "T", "T", "T", "T"), Arguments.of("T", "N", "T", "T", "T"),
                Arguments.of("N", "A", "A", "N", "A"), Arguments.of("N", "D", "D", "N", "D"),
                Arguments.of("N", "T", "T", "N", "T"), Arguments.of("N", "N", "N", "N", "N"));
    }

    static Verdict v(String s) {
        switch (s) {
            case "A":
                return Verdict.ALLOW;
            case "D":
                return Verdict.DENY;
            case "T":
                return Verdict.DEFER;
            default:
                return Verdict.NO_OPINION;
        }
    }

    @ParameterizedTest(name = "{0} {1} -> first={2} all={3} any={4}")
    @MethodSource("truthTable")
    void combinatorsWhenTwoMembersThenTheDocumentedTruthTable(String x, String y, String first, String all,
            String any) {
        Rule rx = of(v(x), "x");
        Rule ry = of(v(y), "y");
        assertThat(Rules.firstDecisive("f", rx, ry).decide(REQUEST).verdict()).isEqualTo(v(first));
        assertThat(Rules.allOf("a", rx, ry).decide(REQUEST).verdict()).isEqualTo(v(all));
        assertThat(Rules.anyOf("o", rx, ry).decide(REQUEST).verdict()).isEqualTo(v(any));
    }

    /** All 16 rows: x and y each of A, D, T, N. */
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @org.junit.jupiter.params.provider.CsvSource({"A, A, A", "A, D, D", "A, T, T", "A, N, A",
            "D, A, D", "D, D, D", "D, T, D", "D, N, D",
            "T, A, T", "T, D, T", "T, T, T", "T, N, T",
            "N, A, N", "N, D, N", "N, T, N", "N, N, N"})
    void checkedAllowWhenTwoMembersThenTheDocumentedTruthTable(String x, String y, String expected) {
        List<String> asked = new ArrayList<>();
        Rule r = Rules.checkedAllow("c", track(asked, of(v(x), "x")), track(asked, of(v(y), "y")));
        Decision d = r.decide(REQUEST);
        assertThat(d.verdict()).isEqualTo(v(expected));
        assertThat(asked).containsExactlyElementsOf(v(x) == Verdict.ALLOW ? List.of("x", "y") : List.of("x"));
        assertThat(d.decisive().rule()).isEqualTo(v(x) == Verdict.ALLOW && v(y).isRefusal() ? "y" : "x");
        assertThat(d.decisive().reply()).isEqualTo(d.reply());
    }

    @Test
    void combinatorsWhenTwoDifferentMembersShareANameThenRefused() {
        assertThatThrownBy(() -> Rules.anyOf("any", Rules.allow("x", "one"), Rules.allow("x", "two")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two different rules are named 'x'");
        assertThatThrownBy(() -> Rules.checkedAllow("x", Rules.allow("x", "one"), Rules.allow("y", "two")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("named 'x'");
        assertThatThrownBy(() -> Rules.not("n", Rules.firstDecisive("n", Rules.allow("a", "x"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("named 'n'");
        Rule shared = Rules.allow("x", "one");
        assertThat(Rules.anyOf("any", shared, Rules.firstDecisive("f", shared)).members()).hasSize(2);
    }

    @Test
    void anyOfWhenTwoMembersDenyThenTheFirstDenyDecidesAndIsNamed() {
        Rule r = Rules.anyOf("any", Rules.deny("first", "first", SmtpReply.of(550, "5.7.1", "first")),
                Rules.deny("second", "second", SmtpReply.of(554, "5.7.1", "second")));
        Decision d = r.decide(REQUEST);
        assertThat(d.reply()).map(SmtpReply::code).contains(550);
        assertThat(d.decisive().rule()).isEqualTo("first");
        assertThat(d.decisiveChild()).containsSame(d.children().get(0));
    }

    @Test
    void checkedAllowWhenNoChecksThenIllegalArgument() {
        assertThatThrownBy(() -> Rules.checkedAllow("c", Rules.allow("a", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one check");
    }

    @Test
    void notWhenMemberDecidesThenTheDocumentedMapping() {
        assertThat(Rules.not("n", of(Verdict.ALLOW, "x"))).denies(REQUEST).withReply(554, "5.7.1")
                .withReasonContaining("negated");
        assertThat(Rules.not("n", of(Verdict.DENY, "x"))).allows(REQUEST);
        assertThat(Rules.not("n", of(Verdict.DEFER, "x"))).defers(REQUEST).withReply(450, "4.7.1");
        assertThat(Rules.not("n", of(Verdict.NO_OPINION, "x"))).hasNoOpinionOn(REQUEST);
    }

    @Test
    void firstDecisiveWhenDecidedThenChildrenAreTheRulesAsked() {
        AtomicInteger third = new AtomicInteger();
        Rule r = Rules.firstDecisive("list", of(Verdict.NO_OPINION, "one"), of(Verdict.DENY, "two"),
                Rules.named("three", req -> {
                    third.incrementAndGet();
                    return Decision.allow("three", "never asked");
                }));
        Decision d = r.decide(REQUEST);
        assertThat(d.rule()).isEqualTo("list");
        assertThat(d.decisive().rule()).isEqualTo("two");
        assertThat(d.children()).extracting(Decision::rule).containsExactly("one", "two");
        assertThat(third).hasValue(0);
        assertThat(d.explain()).contains("NO_OPINION by one", "DENY [554 5.7.1 Relay access denied] by two");
    }

    @Test
    void allOfWhenAMemberRefusesThenLaterMembersAreNeverAsked() {
        List<String> asked = new ArrayList<>();
        Rule r = Rules.allOf("all", track(asked, of(Verdict.ALLOW, "a")), track(asked, of(Verdict.DEFER, "b")),
                track(asked, of(Verdict.ALLOW, "c")));
        assertThat(r).defers(REQUEST).decidedBy("b");
        assertThat(asked).containsExactly("a", "b");
    }

    @Test
    void anyOfWhenAMemberAllowsThenLaterMembersAreNeverAsked() {
        List<String> asked = new ArrayList<>();
        Rule r = Rules.anyOf("any", track(asked, of(Verdict.DENY, "a")), track(asked, of(Verdict.ALLOW, "b")),
                track(asked, of(Verdict.DENY, "c")));
        assertThat(r).allows(REQUEST).decidedBy("b");
        assertThat(asked).containsExactly("a", "b");
    }

    @Test
    void combinatorsWhenAMemberThrowsThenThatMemberIsATemporaryRefusal() {
        Rule broken = Rules.named("broken", req -> {
            throw new IllegalStateException("down");
        });
        assertThat(Rules.firstDecisive("f", of(Verdict.NO_OPINION, "n"), broken, of(Verdict.ALLOW, "a")))
                .defers(REQUEST).withReply(451, "4.3.0").decidedBy("broken");
        assertThat(Rules.anyOf("o", broken, of(Verdict.DENY, "d"))).defers(REQUEST).decidedBy("broken");
        assertThat(Rules.firstDecisive("f", req -> {
            throw new IllegalStateException("anonymous");
        })).defers(REQUEST).decidedBy("f[0]");
    }

    @Test
    void describeWhenNestedThenIndentedTree() {
        Rule r = Rules.firstDecisive("outer", Rules.allow("a", "x"),
                Rules.allOf("inner", Rules.when(Conditions.tls()).allow("tls"), Rules.deny("d", "x",
                        SmtpReply.RELAY_ACCESS_DENIED)));
        assertThat(r.describe()).isEqualTo("outer: first decisive of\n"
                + "  a: always ALLOW\n"
                + "  inner: all of\n"
                + "    tls: when TLS is active then ALLOW\n"
                + "    d: always DENY [554 5.7.1 Relay access denied]");
    }

    private static Rule track(List<String> asked, Rule r) {
        return Rules.named(r.name(), req -> {
            asked.add(r.name());
            return r.decide(req);
        });
    }
}
