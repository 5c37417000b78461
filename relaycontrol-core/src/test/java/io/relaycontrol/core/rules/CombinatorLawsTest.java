package io.relaycontrol.core.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.rules.RuleTrees.Kind;
import io.relaycontrol.core.rules.RuleTrees.Node;
import io.relaycontrol.core.rules.RuleTrees.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Property tests of the laws written in {@link Rules}' and {@link Policy}'s javadoc, over generated rule trees whose
 * members allow, deny, defer, abstain, throw, return {@code null} and nest (see {@link RuleTrees}). The oracle is
 * {@link RuleTrees#model}, written from the truth tables, never the implementation under test.
 */
class CombinatorLawsTest {

    static final RelayRequest REQUEST = RulesTest.REQUEST;

    /** One combinator of each kind at the top, over generated (nested) members. */
    static Gen<Node> topLevel(Kind kind) {
        return RuleTrees.forests(5, 2).map(kids -> {
            List<Node> members = kind == Kind.NOT ? kids.subList(0, 1)
                    : kind == Kind.CHECKED_ALLOW && kids.size() == 1 ? List.of(kids.get(0), kids.get(0)) : kids;
            return new Node(kind, 0, members);
        });
    }

    private static void decisiveLeafCarriesTheAnswer(Kind kind) {
        qt().withExamples(500).forAll(topLevel(kind)).checkAssert(tree -> {
            Decision d = RuleTrees.rule(tree).decide(REQUEST);
            Decision leaf = d.decisive();
            assertThat(leaf.verdict()).as("%s: verdict of %s", tree, d.explain()).isEqualTo(d.verdict());
            assertThat(leaf.reply()).as("%s: reply of %s", tree, d.explain()).isEqualTo(d.reply());
            assertThat(leaf.reason()).as("%s: reason of %s", tree, d.explain()).isEqualTo(d.reason());
            assertThat(Outcome.of(d)).as("%s:%n%s", tree, d.explain()).isEqualTo(RuleTrees.model(tree));
        });
    }

    @Test
    void firstDecisiveWhenAnyMembersThenTheDecisiveLeafCarriesItsAnswerAndTheModelAgrees() {
        decisiveLeafCarriesTheAnswer(Kind.FIRST_DECISIVE);
    }

    @Test
    void allOfWhenAnyMembersThenTheDecisiveLeafCarriesItsAnswerAndTheModelAgrees() {
        decisiveLeafCarriesTheAnswer(Kind.ALL_OF);
    }

    @Test
    void anyOfWhenAnyMembersThenTheDecisiveLeafCarriesItsAnswerAndTheModelAgrees() {
        decisiveLeafCarriesTheAnswer(Kind.ANY_OF);
    }

    @Test
    void notWhenAnyMemberThenTheDecisiveLeafCarriesItsAnswerAndTheModelAgrees() {
        decisiveLeafCarriesTheAnswer(Kind.NOT);
    }

    @Test
    void checkedAllowWhenAnyMembersThenTheDecisiveLeafCarriesItsAnswerAndTheModelAgrees() {
        decisiveLeafCarriesTheAnswer(Kind.CHECKED_ALLOW);
    }

    @Test
    void combinatorsWhenAnyTreeThenAskExactlyTheMembersTheModelAsks() {
        qt().withExamples(500).forAll(RuleTrees.trees(3, 4)).checkAssert(tree -> {
            List<String> asked = new ArrayList<>();
            Rule r = RuleTrees.tracked(tree, "n", new AtomicInteger(), asked);
            r.decide(REQUEST);
            List<String> modelAsked = new ArrayList<>();
            RuleTrees.model(tree, "n", new AtomicInteger(), modelAsked);
            assertThat(asked).as("%s", tree).isEqualTo(modelAsked);
        });
    }

    @Test
    void firstDecisiveWhenFlatOrFoldedThenTheSameAnswerFromTheSameLeaf() {
        qt().forAll(RuleTrees.forests(6, 1)).checkAssert(members -> {
            Rule[] rs = new Rule[members.size()];
            AtomicInteger names = new AtomicInteger();
            for (int i = 0; i < rs.length; i++) {
                rs[i] = RuleTrees.rule(members.get(i), "m", names);
            }
            Rule folded = rs[rs.length - 1];
            for (int i = rs.length - 2; i >= 0; i--) {
                folded = Rules.firstDecisive("fold" + i, rs[i], folded);
            }
            Decision flat = Rules.firstDecisive("flat", rs).decide(REQUEST);
            Decision fold = folded.decide(REQUEST);
            assertThat(fold.verdict()).isEqualTo(flat.verdict());
            assertThat(fold.reply()).isEqualTo(flat.reply());
            if (flat.verdict() != Verdict.NO_OPINION) { // an abstention is the combinator's own answer
                assertThat(fold.decisive().rule()).isEqualTo(flat.decisive().rule());
                assertThat(fold.reason()).isEqualTo(flat.reason());
            }
        });
    }

    @Test
    void notNotWhenMemberAllowsOrDeniesThenItsVerdictElseItsAnswer() {
        qt().forAll(RuleTrees.trees(2, 3)).checkAssert(tree -> {
            Rule r = RuleTrees.rule(tree, "m", new AtomicInteger());
            Decision once = r.decide(REQUEST);
            Decision twice = Rules.not("n1", Rules.not("n2", r)).decide(REQUEST);
            assertThat(twice.verdict()).isEqualTo(once.verdict());
            if (once.verdict() == Verdict.DEFER || once.verdict() == Verdict.NO_OPINION) {
                assertThat(twice.reply()).isEqualTo(once.reply());
                assertThat(twice.decisive().rule()).isEqualTo(once.decisive().rule());
            }
        });
    }

    /** Policy against its own model: the rules first-decisive, then the stage's default. */
    @Test
    void policyWhenAnyRulesAndStageThenTheModelsAnswerAndTheDefaultOnlyWhenAllAbstain() {
        qt().withExamples(500).forAll(RuleTrees.forests(5, 2), org.quicktheories.generators.SourceDSL.booleans().all())
                .checkAssert((rules, atRcpt) -> {
                    Policy.Builder b = Policy.builder("p");
                    AtomicInteger names = new AtomicInteger();
                    for (Node n : rules) {
                        b.rule(RuleTrees.rule(n, "n", names));
                    }
                    Policy p = b.otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build();
                    RelayRequest request = atRcpt ? REQUEST
                            : RelayRequest.builder(Stage.MAIL).client("192.0.2.1").sender("<a@example.org>").build();
                    Outcome expected = null;
                    AtomicInteger modelNames = new AtomicInteger();
                    for (Node n : rules) {
                        Outcome o = RuleTrees.model(n, "n", modelNames, new ArrayList<>());
                        if (expected == null && o.verdict() != Verdict.NO_OPINION) {
                            expected = o;
                        }
                    }
                    if (expected == null) {
                        expected = atRcpt
                                ? new Outcome(Verdict.DENY, SmtpReply.RELAY_ACCESS_DENIED, "no rule allowed this request",
                                        "default")
                                : new Outcome(Verdict.ALLOW, null,
                                        "no rule refused; relay is decided per recipient at RCPT", "default");
                    }
                    Decision d = p.decide(request);
                    assertThat(Outcome.of(d)).as("%s at %s:%n%s", rules, request.stage(), d.explain())
                            .isEqualTo(expected);
                    assertThat(d.rule()).isEqualTo("p");
                    assertThat(d.decisivePath().get(0)).isSameAs(d);
                });
    }

    @Test
    void allOfWhenANonAllowThenNoLaterMemberIsAsked() {
        qt().forAll(RuleTrees.forests(6, 0)).checkAssert(members -> {
            List<String> asked = new ArrayList<>();
            Rule r = RuleTrees.tracked(new Node(Kind.ALL_OF, 0, members), "n", new AtomicInteger(), asked);
            Decision d = r.decide(REQUEST);
            int stop = asked.size();
            assertThat(stop).isBetween(1, members.size());
            for (int i = 0; i < stop - 1; i++) {
                assertThat(members.get(i).kind()).as("member %d of %s was an allow", i, members).isEqualTo(Kind.ALLOW);
            }
            if (stop < members.size()) {
                assertThat(d.verdict()).isNotEqualTo(Verdict.ALLOW);
            }
        });
    }

    @Test
    void checkedAllowWhenTheAllowDoesNotAllowThenNoCheckIsAskedAndItsDecisionIsTheAnswer() {
        qt().forAll(RuleTrees.trees(2, 3), RuleTrees.forests(4, 1)).checkAssert((x, checks) -> {
            List<Node> members = new ArrayList<>();
            members.add(x);
            members.addAll(checks);
            List<String> asked = new ArrayList<>();
            Rule r = RuleTrees.tracked(new Node(Kind.CHECKED_ALLOW, 0, members), "n", new AtomicInteger(), asked);
            Decision d = r.decide(REQUEST);
            List<String> askedOfX = new ArrayList<>();
            Outcome ofX = RuleTrees.model(x, "n", new AtomicInteger(1), askedOfX);
            if (ofX.verdict() != Verdict.ALLOW) {
                assertThat(asked).isEqualTo(askedOfX);
                assertThat(Outcome.of(d)).isEqualTo(ofX);
            } else {
                assertThat(asked.size()).isGreaterThan(askedOfX.size());
                assertThat(d.verdict()).isIn(Verdict.ALLOW, Verdict.DENY, Verdict.DEFER);
            }
        });
    }
}
