package io.relaycontrol.testkit;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.rules.Rule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract every rule's test extends: never {@code null} and never throwing, named after the rule (or one of
 * its members), attribution recorded (the child whose answer is passed on is linked), one explanation line per
 * decision, and the same answers under concurrent calls. Subclasses give the decider and a handful of representative requests.
 *
 * <p>Each check can fail: the kit's own tests ({@code RelayDeciderContractTest} in relaycontrol-core) run every check
 * against a decider broken in the way the check looks for and show that it fails.
 *
 * <p>Deciders with state that changes per call (rate limits) override {@link #deterministic()} to return
 * {@code false}; the concurrency check then asserts that every concurrent call returns a valid decision without
 * throwing, and compares no answers.
 *
 * @since 0.1.0
 */
public abstract class RelayDeciderContract {

    /** Threads of the concurrency check. */
    static final int THREADS = 4;
    /** Rounds over {@link #requests()} per thread; every round is compared. */
    static final int ROUNDS = 200;

    /** For subclasses. */
    protected RelayDeciderContract() {
    }

    /** @return the decider under test; may be a fresh instance per call */
    protected abstract RelayDecider decider();

    /** @return representative requests, including ones each verdict of the decider is produced for */
    protected abstract List<RelayRequest> requests();

    /** @return whether the same request always yields the same decision */
    protected boolean deterministic() {
        return true;
    }

    /**
     * Every request gets a decision: the decider neither returns {@code null} nor throws (a decider that throws
     * reaches the SMTP server; wrap it with {@code Rules.named} to turn failures into 451), and, when it is a
     * {@link Rule}, the decision is named after the rule or one of the rules it is composed of.
     */
    @Test
    public void contractNeverReturnsNullAndNamesTheRule() {
        RelayDecider d = decider();
        List<RelayRequest> requests = nonEmptyRequests();
        Set<String> names = d instanceof Rule ? namesIn((Rule) d) : Set.of();
        for (RelayRequest r : requests) {
            Decision decision = decide(d, r);
            if (!names.isEmpty() && !names.contains(decision.rule())) {
                throw new AssertionError("the decision for " + r + " is named '" + decision.rule()
                        + "', which is neither the rule's name '" + ((Rule) d).name() + "' nor one of its members' "
                        + names + ":\n" + decision.explain());
            }
        }
    }

    /**
     * Attribution is recorded: a decision that passes on a child's answer links that child
     * ({@link Decision#decisiveChild()}), so {@link Decision#decisive()} names the rule that really decided. A decision
     * in the tree that claims the answer as its own (no link) while one of its children has exactly its verdict, reply
     * and reason has lost the link (a 0.1-style composite built with {@code Decision.builder(..).children(..)}); the
     * metrics and the audit log would then name the wrong rule. Abstentions are not checked (a combinator whose
     * members all abstained answers for itself).
     */
    @Test
    public void contractLinksTheChildWhoseAnswerItPassesOn() {
        RelayDecider d = decider();
        for (RelayRequest r : nonEmptyRequests()) {
            Decision decision = decide(d, r);
            List<Decision> nodes = new ArrayList<>();
            preorder(decision, nodes);
            for (Decision n : nodes) {
                if (n.decisiveChild().isPresent() || n.verdict() == Verdict.NO_OPINION) {
                    continue;
                }
                for (Decision c : n.children()) {
                    if (c.verdict() == n.verdict() && c.reply().equals(n.reply()) && c.reason().equals(n.reason())) {
                        throw new AssertionError("the decision '" + n + "' for " + r + " passes on the answer of its"
                                + " child '" + c + "' without linking it (Decision.composite or"
                                + " Builder.decisiveChild), so decisive() names '" + n.decisive().rule() + "' instead of '"
                                + c.decisive().rule() + "':\n" + decision.explain());
                    }
                }
            }
        }
    }

    /**
     * {@code explain()} renders one line per decision of the tree, each starting with that decision's own summary
     * (so no reason or rule name breaks a log line, and no decision is left out).
     */
    @Test
    public void contractExplainsEveryDecision() {
        RelayDecider d = decider();
        for (RelayRequest r : nonEmptyRequests()) {
            Decision decision = decide(d, r);
            List<Decision> nodes = new ArrayList<>();
            preorder(decision, nodes);
            List<String> lines = decision.explain().lines().toList();
            if (lines.size() != nodes.size()) {
                throw new AssertionError("explain() of the decision for " + r + " has " + lines.size()
                        + " lines for " + nodes.size() + " decisions (a rule name or reason with a line break?):\n"
                        + decision.explain());
            }
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).stripLeading().startsWith(nodes.get(i).toString())) {
                    throw new AssertionError("explain() line " + (i + 1) + " for " + r + " does not render "
                            + nodes.get(i) + ":\n" + decision.explain());
                }
            }
        }
    }

    /**
     * Under {@value #THREADS} threads released together by a start latch, each deciding every request
     * {@value #ROUNDS} times, every single answer equals the one given alone before (verdict, reply, reason and
     * deciding rule), and no call returns {@code null} or throws. For a non-{@link #deterministic()} decider only
     * the latter is checked.
     *
     * @throws Exception if the pool is interrupted
     */
    @Test
    public void contractGivesTheSameAnswersUnderConcurrentCalls() throws Exception {
        RelayDecider d = decider();
        List<RelayRequest> requests = nonEmptyRequests();
        List<String> expected = new ArrayList<>();
        for (RelayRequest r : requests) {
            expected.add(summary(decide(d, r)));
        }
        boolean compare = deterministic();
        CountDownLatch ready = new CountDownLatch(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    ready.countDown();
                    if (!start.await(30, TimeUnit.SECONDS)) {
                        return "thread " + thread + " was never started";
                    }
                    for (int round = 0; round < ROUNDS; round++) {
                        for (int i = 0; i < requests.size(); i++) {
                            RelayRequest r = requests.get(i);
                            Decision decision;
                            try {
                                decision = d.decide(r);
                            } catch (RuntimeException | Error e) {
                                return "thread " + thread + " round " + round + ": decide(" + r + ") threw " + e;
                            }
                            if (decision == null) {
                                return "thread " + thread + " round " + round + ": null decision for " + r;
                            }
                            if (compare && !summary(decision).equals(expected.get(i))) {
                                return "thread " + thread + " round " + round + ": for " + r + " expected "
                                        + expected.get(i) + " (the answer given alone) but got " + summary(decision);
                            }
                        }
                    }
                    return null;
                }));
            }
            if (!ready.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the threads of the concurrency check did not start");
            }
            start.countDown();
            List<String> failures = new ArrayList<>();
            for (Future<String> f : results) {
                String failure = f.get(120, TimeUnit.SECONDS);
                if (failure != null) {
                    failures.add(failure);
                }
            }
            if (!failures.isEmpty()) {
                throw new AssertionError("under concurrent calls: " + String.join("; ", failures));
            }
        } finally {
            pool.shutdownNow();
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the threads of the concurrency check did not stop");
            }
        }
    }

    private List<RelayRequest> nonEmptyRequests() {
        List<RelayRequest> requests = requests();
        if (requests == null || requests.isEmpty()) {
            throw new AssertionError("requests() must give at least one request: the contract checks nothing without");
        }
        return requests;
    }

    private static Decision decide(RelayDecider d, RelayRequest r) {
        Decision decision;
        try {
            decision = d.decide(r);
        } catch (RuntimeException | Error e) {
            throw new AssertionError("decide(" + r + ") threw " + e + "; a decider must never throw at the SMTP server"
                    + " (wrap it with Rules.named to turn failures into 451 4.3.0)", e);
        }
        if (decision == null) {
            throw new AssertionError("decide(" + r + ") returned null; \"no opinion\" is Decision.noOpinion(...)");
        }
        return decision;
    }

    private static Set<String> namesIn(Rule rule) {
        Set<String> names = new HashSet<>();
        List<Rule> todo = new ArrayList<>(List.of(rule));
        Set<Rule> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        while (!todo.isEmpty()) {
            Rule r = todo.remove(todo.size() - 1);
            if (seen.add(r)) {
                names.add(r.name());
                todo.addAll(r.members());
            }
        }
        return names;
    }

    private static void preorder(Decision d, List<Decision> out) {
        out.add(d);
        for (Decision c : d.children()) {
            preorder(c, out);
        }
    }

    private static String summary(Decision d) {
        return d.verdict() + " " + d.reply().map(Object::toString).orElse("-") + " " + d.decisive().rule() + ": "
                + d.reason();
    }
}
