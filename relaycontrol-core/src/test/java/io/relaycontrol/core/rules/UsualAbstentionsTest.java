package io.relaycontrol.core.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A first-decisive combinator (and a policy) keeps the list of its members' usual abstentions, made once, instead of
 * a list per decision; a checked allow keeps the list of its usual allow. Whatever the members answer, on every call,
 * the children must be exactly the decisions the members made (the same instances, in order), and explain() must be
 * what the plain list would give.
 */
class UsualAbstentionsTest {

    static final RelayRequest REQUEST = RulesTest.REQUEST;

    /**
     * A member scripted per call: 0 abstains with its constant decision, 1 with a new decision each time (equal text),
     * 2 with a new decision of another text, 3 allows, 4 denies. Records what it returned.
     */
    static final class Scripted implements RelayDecider0 {
        final String name;
        final List<Integer> script;
        final Decision constant;
        int call;
        Decision lastReturned;

        Scripted(String name, List<Integer> script) {
            this.name = name;
            this.script = script;
            this.constant = Decision.noOpinion(name, "not the case");
        }

        @Override
        public Decision decide(RelayRequest request) {
            int what = script.get(call++ % script.size());
            Decision d;
            switch (what) {
                case 0:
                    d = constant;
                    break;
                case 1:
                    d = Decision.noOpinion(name, "not the case");
                    break;
                case 2:
                    d = Decision.noOpinion(name, "call " + call);
                    break;
                case 3:
                    d = Decision.allow(name, "yes " + call);
                    break;
                default:
                    d = Decision.deny(name, "no " + call, SmtpReply.RELAY_ACCESS_DENIED);
                    break;
            }
            lastReturned = d;
            return d;
        }

        @Override
        public String name() {
            return name;
        }
    }

    /** A rule that is a plain decider with a name (kept apart from the rules' own types). */
    interface RelayDecider0 extends Rule {
        @Override
        default String describe() {
            return name();
        }

        @Override
        default List<Rule> members() {
            return List.of();
        }
    }

    private static List<Scripted> members(List<List<Integer>> scripts) {
        List<Scripted> ms = new ArrayList<>();
        for (int i = 0; i < scripts.size(); i++) {
            ms.add(new Scripted("m" + i, scripts.get(i)));
        }
        return ms;
    }

    /** The decisions made by the members asked in the last call, in order, and whether one had an opinion. */
    private static List<Decision> asked(List<Scripted> ms, int[] before) {
        List<Decision> out = new ArrayList<>();
        for (int i = 0; i < ms.size(); i++) {
            if (ms.get(i).call == before[i]) {
                break; // not asked
            }
            out.add(ms.get(i).lastReturned);
        }
        return out;
    }

    private static String explainOfList(Decision d) {
        Decision.Builder b = Decision.builder(d.verdict(), d.rule(), d.reason());
        d.reply().ifPresent(b::reply);
        d.children().forEach(b::child);
        d.decisiveChild().ifPresent(b::decisiveChild);
        return b.build().explain();
    }

    @Test
    void firstDecisiveWhenMembersAbstainAlikeOrNotThenChildrenAreExactlyTheDecisionsMade() {
        qt().withExamples(300).forAll(lists().of(lists().of(integers().between(0, 4)).ofSizeBetween(1, 6))
                .ofSizeBetween(1, 5)).checkAssert(scripts -> {
                    List<Scripted> ms = members(scripts);
                    Rule combined = Rules.firstDecisive("fd", ms.toArray(new Rule[0]));
                    for (int call = 0; call < 12; call++) {
                        int[] before = ms.stream().mapToInt(m -> m.call).toArray();
                        Decision d = combined.decide(REQUEST);
                        List<Decision> made = asked(ms, before);
                        assertThat(d.children()).hasSameSizeAs(made);
                        for (int i = 0; i < made.size(); i++) {
                            assertThat(d.children().get(i)).isSameAs(made.get(i));
                        }
                        Decision last = made.get(made.size() - 1);
                        if (last.verdict() != Verdict.NO_OPINION) {
                            assertThat(d.decisiveChild()).containsSame(last);
                            assertThat(made.subList(0, made.size() - 1))
                                    .allMatch(x -> x.verdict() == Verdict.NO_OPINION);
                        } else {
                            assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
                            assertThat(made).hasSize(ms.size());
                        }
                        assertThat(d.explain()).isEqualTo(explainOfList(d));
                        assertThat(d.children()).isEqualTo(List.copyOf(made));
                    }
                });
    }

    @Test
    void policyWhenRulesAbstainAlikeOrNotThenChildrenAreExactlyTheDecisionsMadeThenTheDefault() {
        qt().withExamples(200).forAll(lists().of(lists().of(integers().between(0, 4)).ofSizeBetween(1, 6))
                .ofSizeBetween(1, 5)).checkAssert(scripts -> {
                    List<Scripted> ms = members(scripts);
                    Policy.Builder b = Policy.builder("p");
                    ms.forEach(b::rule);
                    Policy policy = b.otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build();
                    for (int call = 0; call < 12; call++) {
                        int[] before = ms.stream().mapToInt(m -> m.call).toArray();
                        Decision d = policy.decide(REQUEST);
                        List<Decision> made = asked(ms, before);
                        boolean allAbstained = made.size() == ms.size()
                                && made.get(made.size() - 1).verdict() == Verdict.NO_OPINION;
                        assertThat(d.children()).hasSize(made.size() + (allAbstained ? 1 : 0));
                        for (int i = 0; i < made.size(); i++) {
                            assertThat(d.children().get(i)).isSameAs(made.get(i));
                        }
                        if (allAbstained) {
                            assertThat(d.decisive()).isSameAs(policy.otherwise());
                        } else {
                            assertThat(d.decisive()).isSameAs(made.get(made.size() - 1));
                        }
                        assertThat(d.explain()).isEqualTo(explainOfList(d));
                    }
                });
    }

    @Test
    void checkedAllowWhenTheAllowVariesThenChildrenAreTheAllowAndTheCheck() {
        Scripted allow = new Scripted("a", List.of(0, 3, 3, 1, 3, 4));
        Scripted check = new Scripted("c", List.of(0, 4, 2, 3));
        Rule r = Rules.checkedAllow("ca", allow, check);
        for (int call = 0; call < 24; call++) {
            int allowCalls = allow.call;
            int checkCalls = check.call;
            Decision d = r.decide(REQUEST);
            if (allow.lastReturned.verdict() != Verdict.ALLOW || allow.call == allowCalls) {
                assertThat(check.call).isEqualTo(checkCalls);
                continue;
            }
            assertThat(d.children()).hasSize(2);
            assertThat(d.children().get(0)).isSameAs(allow.lastReturned);
            assertThat(d.children().get(1)).isSameAs(check.lastReturned);
            assertThat(d.decisive()).isSameAs(check.lastReturned.verdict().isRefusal() ? check.lastReturned
                    : allow.lastReturned);
            assertThat(d.explain()).isEqualTo(explainOfList(d));
        }
    }
}
