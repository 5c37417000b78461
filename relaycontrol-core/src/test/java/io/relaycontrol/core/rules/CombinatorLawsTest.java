package io.relaycontrol.core.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** Property tests of the laws written in {@link Rules}' javadoc. */
class CombinatorLawsTest {

    static final RelayRequest REQUEST = RulesTest.REQUEST;

    static Gen<List<Verdict>> verdictLists() {
        return lists().of(Generate.enumValues(Verdict.class)).ofSizeBetween(1, 8);
    }

    static Rule[] rules(List<Verdict> vs) {
        Rule[] rs = new Rule[vs.size()];
        for (int i = 0; i < rs.length; i++) {
            rs[i] = RulesTest.of(vs.get(i), "r" + i);
        }
        return rs;
    }

    static String outcome(Decision d) {
        return d.verdict() + " " + d.reply().map(SmtpReply::toString).orElse("-") + " " + d.decisive().rule();
    }

    @Test
    void firstDecisiveEqualsTheLeftFoldOfItsMembers() {
        qt().forAll(verdictLists()).checkAssert(vs -> {
            Rule[] rs = rules(vs);
            Rule folded = rs[rs.length - 1];
            for (int i = rs.length - 2; i >= 0; i--) {
                folded = Rules.firstDecisive("fold" + i, rs[i], folded);
            }
            assertThat(outcome(Rules.firstDecisive("flat", rs).decide(REQUEST)))
                    .isEqualTo(outcome(folded.decide(REQUEST)));
        });
    }

    @Test
    void firstDecisiveIsTheFirstNonAbstainingMember() {
        qt().forAll(verdictLists()).checkAssert(vs -> {
            Verdict expected = vs.stream().filter(Verdict::isDecisive).findFirst().orElse(Verdict.NO_OPINION);
            assertThat(Rules.firstDecisive("f", rules(vs)).decide(REQUEST).verdict()).isEqualTo(expected);
        });
    }

    @Test
    void notNotEqualsTheMemberOnAllowAndDeny() {
        qt().forAll(Generate.enumValues(Verdict.class)).checkAssert(v -> {
            Rule r = RulesTest.of(v, "r");
            Decision twice = Rules.not("n1", Rules.not("n2", r)).decide(REQUEST);
            if (v == Verdict.ALLOW || v == Verdict.DENY) {
                assertThat(twice.verdict()).isEqualTo(v);
            } else {
                assertThat(twice.verdict()).isEqualTo(v);
                assertThat(twice.reply()).isEqualTo(r.decide(REQUEST).reply());
            }
        });
    }

    @Test
    void allOfNeverAsksAMemberAfterANonAllow() {
        qt().forAll(verdictLists()).checkAssert(vs -> {
            AtomicInteger asked = new AtomicInteger();
            List<Rule> counted = new ArrayList<>();
            for (Rule r : rules(vs)) {
                counted.add(Rules.named(r.name(), req -> {
                    asked.incrementAndGet();
                    return r.decide(req);
                }));
            }
            Decision d = Rules.allOf("all", counted.toArray(new Rule[0])).decide(REQUEST);
            int firstNonAllow = vs.indexOf(vs.stream().filter(v -> v != Verdict.ALLOW).findFirst().orElse(null));
            if (firstNonAllow < 0) {
                assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
                assertThat(asked).hasValue(vs.size());
            } else {
                assertThat(d.verdict()).isEqualTo(vs.get(firstNonAllow));
                assertThat(asked).hasValue(firstNonAllow + 1);
            }
        });
    }

    @Test
    void anyOfFollowsItsReferenceModel() {
        qt().forAll(verdictLists()).checkAssert(vs -> {
            Verdict expected = vs.contains(Verdict.ALLOW) ? Verdict.ALLOW
                    : vs.contains(Verdict.DEFER) ? Verdict.DEFER
                    : vs.contains(Verdict.DENY) ? Verdict.DENY : Verdict.NO_OPINION;
            assertThat(Rules.anyOf("any", rules(vs)).decide(REQUEST).verdict()).isEqualTo(expected);
        });
    }

    @Test
    void policyEqualsFirstDecisiveWithItsDefaultAppended() {
        qt().forAll(verdictLists()).checkAssert(vs -> {
            Rule[] rs = rules(vs);
            Policy.Builder b = Policy.builder("p");
            for (Rule r : rs) {
                b.rule(r);
            }
            Policy p = b.otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build();
            Rule[] withDefault = java.util.Arrays.copyOf(rs, rs.length + 1);
            withDefault[rs.length] = Rules.constant(p.otherwise());
            Decision d = p.decide(REQUEST);
            assertThat(outcome(d)).isEqualTo(outcome(Rules.firstDecisive("f", withDefault).decide(REQUEST)));
            assertThat(d.verdict()).isNotEqualTo(Verdict.NO_OPINION);
        });
    }
}
