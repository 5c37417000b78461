package io.relaycontrol.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract every rule's test extends: never {@code null}, named, explainable, the same answers under
 * concurrent calls. Subclasses give the decider and a handful of representative requests.
 *
 * <p>Deciders with state that changes per call (rate limits) override {@link #deterministic()} to return
 * {@code false}; the concurrency check then only asserts that every call returns a valid decision.
 *
 * @since 0.1.0
 */
public abstract class RelayDeciderContract {

    /** @return the decider under test; may be a fresh instance per call */
    protected abstract RelayDecider decider();

    /** @return representative requests, including ones each verdict of the decider is produced for */
    protected abstract List<RelayRequest> requests();

    /** @return whether the same request always yields the same decision */
    protected boolean deterministic() {
        return true;
    }

    @Test
    void contractNeverReturnsNullAndNamesTheRule() {
        RelayDecider d = decider();
        for (RelayRequest r : requests()) {
            Decision decision = d.decide(r);
            assertThat(decision).as("decision for %s", r).isNotNull();
            assertThat(decision.rule()).as("rule name for %s", r).isNotBlank();
            assertThat(decision.reason()).as("reason for %s", r).isNotBlank();
        }
    }

    @Test
    void contractExplainsEveryDecision() {
        RelayDecider d = decider();
        for (RelayRequest r : requests()) {
            Decision decision = d.decide(r);
            assertThat(decision.explain()).startsWith(decision.verdict().name()).contains(decision.rule());
        }
    }

    @Test
    void contractGivesTheSameAnswersUnderConcurrentCalls() throws Exception {
        RelayDecider d = decider();
        List<RelayRequest> requests = requests();
        List<String> expected = new ArrayList<>();
        for (RelayRequest r : requests) {
            expected.add(summary(d.decide(r)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<List<String>>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                tasks.add(() -> {
                    List<String> seen = new ArrayList<>();
                    for (int round = 0; round < 200; round++) {
                        for (RelayRequest r : requests) {
                            Decision decision = d.decide(r);
                            if (decision == null) {
                                throw new AssertionError("null decision for " + r);
                            }
                            if (round == 199) {
                                seen.add(summary(decision));
                            }
                        }
                    }
                    return seen;
                });
            }
            for (Future<List<String>> f : pool.invokeAll(tasks)) {
                List<String> seen = f.get();
                if (deterministic()) {
                    assertThat(seen).containsExactlyElementsOf(expected);
                } else {
                    assertThat(seen).hasSameSizeAs(expected);
                }
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static String summary(Decision d) {
        return d.verdict() + " " + d.reply().map(Object::toString).orElse("-") + " " + d.decisive().rule();
    }
}
