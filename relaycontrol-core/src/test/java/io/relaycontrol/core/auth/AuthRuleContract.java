package io.relaycontrol.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.rules.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The contract every rule of the auth package keeps: it is named, never returns null, never throws (a null request
 * becomes 451 4.3.0), is explainable, and gives under concurrent calls the answers it gives sequentially.
 */
abstract class AuthRuleContract {

    /** @return the rule under test */
    abstract Rule rule();

    /** @return requests covering the rule's allow, refuse and no-opinion paths */
    abstract List<RelayRequest> requests();

    @Test
    void decideWhenAnyRequestThenNamedNonNullDecisionWithReason() {
        Rule rule = rule();
        assertThat(rule.name()).isNotBlank();
        for (RelayRequest r : requests()) {
            Decision d = rule.decide(r);
            assertThat(d).as("decision for %s", r).isNotNull();
            assertThat(d.rule()).isEqualTo(rule.name());
            assertThat(d.reason()).isNotBlank();
            assertThat(d.explain()).startsWith(d.verdict().toString());
        }
    }

    @Test
    void decideWhenRequestIsNullThenTemporaryFailureNotException() {
        Decision d = rule().decide(null);
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.reply()).contains(SmtpReply.TEMPORARY_FAILURE);
        assertThat(d.error()).isPresent();
    }

    @Test
    void describeWhenBuiltThenNamesTheRule() {
        assertThat(rule().describe()).contains(rule().name());
    }

    @Test
    void decideWhenCalledConcurrentlyThenSameAnswersAsSequentially() throws Exception {
        Rule rule = rule();
        List<RelayRequest> requests = requests();
        List<String> expected = new ArrayList<>();
        for (RelayRequest r : requests) {
            expected.add(render(rule.decide(r)));
        }
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Callable<List<String>> task = () -> {
                    start.await();
                    List<String> out = new ArrayList<>();
                    for (int round = 0; round < 200; round++) {
                        out.clear();
                        for (RelayRequest r : requests) {
                            out.add(render(rule.decide(r)));
                        }
                    }
                    return out;
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            for (Future<List<String>> f : futures) {
                assertThat(f.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static String render(Decision d) {
        return d.verdict() + " " + d.reply().map(SmtpReply::toString).orElse("-") + " " + d.reason();
    }
}
