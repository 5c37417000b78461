package io.relaycontrol.core.rules;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.testkit.RelayDeciderContract;
import io.relaycontrol.testkit.Requests;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The test kit's contract checks bite: each one, run against a decider broken in the way it looks for, fails; and
 * passes for a correct one. The checks are called directly on an anonymous contract.
 */
class RelayDeciderContractTest {

    static final RelayRequest STRANGER = PolicyTest.STRANGER;
    static final RelayRequest ALICE = PolicyTest.ALICE;

    static RelayDeciderContract contract(RelayDecider decider) {
        return contract(decider, true);
    }

    static RelayDeciderContract contract(RelayDecider decider, boolean deterministic) {
        return new RelayDeciderContract() {
            @Override
            protected RelayDecider decider() {
                return decider;
            }

            @Override
            protected List<RelayRequest> requests() {
                return List.of(STRANGER, ALICE, Requests.connect("198.51.100.7").build());
            }

            @Override
            protected boolean deterministic() {
                return deterministic;
            }
        };
    }

    /** A rule named {@code name} whose decisions are made by {@code decider}, unguarded. */
    static Rule rawRule(String name, RelayDecider decider) {
        return new Rule() {
            @Override
            public Decision decide(RelayRequest request) {
                return decider.decide(request);
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    @Test
    void contractWhenCorrectPolicyThenEveryCheckPasses() {
        RelayDeciderContract c = contract(PolicyTest.policy());
        assertThatCode(() -> {
            c.contractNeverReturnsNullAndNamesTheRule();
            c.contractLinksTheChildWhoseAnswerItPassesOn();
            c.contractExplainsEveryDecision();
            c.contractGivesTheSameAnswersUnderConcurrentCalls();
        }).doesNotThrowAnyException();
    }

    @Test
    void neverNullCheckWhenDeciderReturnsNullThenFails() {
        assertThatThrownBy(() -> contract(r -> null).contractNeverReturnsNullAndNamesTheRule())
                .isInstanceOf(AssertionError.class).hasMessageContaining("returned null");
    }

    @Test
    void neverNullCheckWhenDeciderThrowsThenFails() {
        assertThatThrownBy(() -> contract(r -> {
            throw new IllegalStateException("backend down");
        }).contractNeverReturnsNullAndNamesTheRule())
                .isInstanceOf(AssertionError.class).hasMessageContaining("threw").hasMessageContaining("backend down");
    }

    @Test
    void namesCheckWhenRuleSignsItsDecisionsWithAnotherNameThenFails() {
        Rule misnamed = rawRule("trusted", r -> Decision.allow("somebody-else", "allowed"));
        assertThatThrownBy(() -> contract(misnamed).contractNeverReturnsNullAndNamesTheRule())
                .isInstanceOf(AssertionError.class).hasMessageContaining("named 'somebody-else'")
                .hasMessageContaining("'trusted'");
    }

    @Test
    void linkCheckWhenACompositeForgetsTheChildWhoseAnswerItPassesOnThenFails() {
        SmtpReply reply = SmtpReply.RELAY_ACCESS_DENIED;
        Rule unlinked = rawRule("composite", r -> {
            Decision leaf = Decision.deny("leaf", "blocked", reply);
            return Decision.builder(Verdict.DENY, "composite", "blocked").reply(reply).child(leaf).build();
        });
        assertThatThrownBy(() -> contract(unlinked).contractLinksTheChildWhoseAnswerItPassesOn())
                .isInstanceOf(AssertionError.class).hasMessageContaining("without linking it")
                .hasMessageContaining("instead of 'leaf'");
        Rule linked = rawRule("composite", r -> {
            Decision leaf = Decision.deny("leaf", "blocked", reply);
            return Decision.composite("composite", leaf, List.of(leaf));
        });
        assertThatCode(() -> contract(linked).contractLinksTheChildWhoseAnswerItPassesOn()).doesNotThrowAnyException();
    }

    @Test
    void explainCheckWhenAReasonBreaksTheLineThenFails() {
        Rule twoLines = rawRule("r", req -> Decision.noOpinion("r", "first line\nDENY by forged: second line"));
        assertThatThrownBy(() -> contract(twoLines).contractExplainsEveryDecision())
                .isInstanceOf(AssertionError.class).hasMessageContaining("2 lines for 1 decisions");
    }

    @Test
    void concurrencyCheckWhenAnswersDependOnOverlappingCallsThenFails() {
        // Answers wrongly whenever another call is in flight: the first call of each pool thread waits (on a latch,
        // never a sleep) until a second call has started, so the overlap is certain once the threads run together.
        Thread testThread = Thread.currentThread();
        AtomicInteger inFlight = new AtomicInteger();
        CountDownLatch overlap = new CountDownLatch(2);
        RelayDecider racy = r -> {
            int n = inFlight.incrementAndGet();
            try {
                if (Thread.currentThread() != testThread && overlap.getCount() > 0) {
                    overlap.countDown();
                    overlap.await(10, TimeUnit.SECONDS);
                    n = inFlight.get();
                }
                return n > 1 ? Decision.deny("racy", "saw " + n + " calls", SmtpReply.RELAY_ACCESS_DENIED)
                        : Decision.allow("racy", "alone");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Decision.failed("racy", e);
            } finally {
                inFlight.decrementAndGet();
            }
        };
        assertThatThrownBy(() -> contract(racy).contractGivesTheSameAnswersUnderConcurrentCalls())
                .isInstanceOf(AssertionError.class).hasMessageContaining("under concurrent calls")
                .hasMessageContaining("(the answer given alone)");
    }

    @Test
    void concurrencyCheckWhenOneAnswerInTheMiddleIsWrongThenFails() {
        // One wrong answer in one early round, right again afterwards: a check that compared only the last round
        // would pass it.
        AtomicInteger calls = new AtomicInteger();
        RelayDecider flaky = r -> calls.incrementAndGet() == 50
                ? Decision.deny("flaky", "once", SmtpReply.RELAY_ACCESS_DENIED)
                : Decision.allow("flaky", "usually");
        assertThatThrownBy(() -> contract(flaky).contractGivesTheSameAnswersUnderConcurrentCalls())
                .isInstanceOf(AssertionError.class).hasMessageContaining("expected ALLOW");
    }

    @Test
    void concurrencyCheckWhenNonDeterministicDeciderThrowsUnderLoadThenFails() {
        AtomicInteger calls = new AtomicInteger();
        RelayDecider fragile = r -> {
            if (calls.incrementAndGet() == 100) {
                throw new IllegalStateException("pool exhausted");
            }
            return Decision.noOpinion("fragile", "fine");
        };
        assertThatThrownBy(() -> contract(fragile, false).contractGivesTheSameAnswersUnderConcurrentCalls())
                .isInstanceOf(AssertionError.class).hasMessageContaining("threw")
                .hasMessageContaining("pool exhausted");
    }

    @Test
    void contractWhenNoRequestsThenFailsInsteadOfCheckingNothing() {
        RelayDeciderContract empty = new RelayDeciderContract() {
            @Override
            protected RelayDecider decider() {
                return PolicyTest.policy();
            }

            @Override
            protected List<RelayRequest> requests() {
                return List.of();
            }
        };
        assertThatThrownBy(empty::contractExplainsEveryDecision).isInstanceOf(AssertionError.class)
                .hasMessageContaining("at least one request");
    }
}
