package io.relaycontrol.core.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.testkit.RelayDeciderContract;
import io.relaycontrol.testkit.Requests;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Many threads deciding on one policy instance give the same answers as one thread. */
class PolicyConcurrencyTest extends RelayDeciderContract {

    static Policy policy() {
        return Policy.builder("relay")
                .rule(Rules.when(Condition.of("client is 192.0.2.66",
                        r -> r.clientAddress().getHostAddress().equals("192.0.2.66")))
                        .deny("blocked", SmtpReply.of(554, "5.7.1", "blocked")))
                .rule(Rules.when(Condition.of("recipient domain is example.com",
                        r -> r.recipient().map(a -> a.domain().equals("example.com")).orElse(false)))
                        .allow("local-domains"))
                .rule(Rules.when(Conditions.authenticated()).allow("authenticated"))
                .rule(Rules.named("flaky", r -> {
                    if (r.recipientCount() == 13) {
                        throw new IllegalStateException("unlucky");
                    }
                    return Decision.noOpinion("flaky", "fine");
                }))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .build();
    }

    @Override
    protected Policy decider() {
        return policy();
    }

    @Override
    protected List<RelayRequest> requests() {
        List<RelayRequest> out = new ArrayList<>();
        Random random = new Random(42);
        String[] clients = {"192.0.2.66", "192.0.2.1", "2001:db8::1", "198.51.100.7"};
        String[] recipients = {"<b@example.com>", "<b@elsewhere.test>", "<b@EXAMPLE.com>"};
        for (int i = 0; i < 64; i++) {
            RelayRequest.Builder b = Requests.rcpt(clients[random.nextInt(clients.length)], "<a@example.org>",
                    recipients[random.nextInt(recipients.length)]).recipientCount(random.nextInt(20));
            if (random.nextBoolean()) {
                b.authenticated("alice");
            }
            out.add(b.build());
        }
        return out;
    }

    @Test
    void decideWhenManyThreadsStartTogetherThenSameAnswersAsOneThread() throws Exception {
        Policy p = policy();
        List<RelayRequest> requests = requests();
        List<String> expected = new ArrayList<>();
        for (RelayRequest r : requests) {
            expected.add(p.decide(r).explain());
        }
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    List<String> seen = new ArrayList<>();
                    for (int round = 0; round < 500; round++) {
                        for (int i = 0; i < requests.size(); i++) {
                            String e = p.decide(requests.get(i)).explain();
                            if (round == 0) {
                                seen.add(e);
                            } else if (!e.equals(seen.get(i))) {
                                throw new AssertionError("answer changed for " + requests.get(i));
                            }
                        }
                    }
                    return seen;
                }));
            }
            start.countDown();
            for (Future<List<String>> f : futures) {
                assertThat(f.get(60, TimeUnit.SECONDS)).containsExactlyElementsOf(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
