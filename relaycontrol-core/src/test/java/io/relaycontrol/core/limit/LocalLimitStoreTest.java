package io.relaycontrol.core.limit;

import io.relaycontrol.testkit.LogCapture;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.testkit.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LocalLimitStoreTest {

    private final ManualClock clock = new ManualClock();

    private static RelayRequest connect(String ip) {
        return RelayRequest.builder(Stage.CONNECT).client(ip).build();
    }

    private static String ip(int i) {
        return "10." + ((i >>> 16) & 0xff) + "." + ((i >>> 8) & 0xff) + "." + (i & 0xff);
    }

    private RateLimit.Builder connections(String name, String rates) {
        return RateLimit.builder(name).key(LimitKeys.clientAddress()).counting(Counted.CONNECTIONS)
                .rates(Rate.parseList(rates));
    }

    private static boolean storeFull(Decision d) {
        return "full".equals(d.details().get("store"));
    }

    @Test
    void decideWhenFloodLargerThanCapThenNoBudgetEverGrowsBackEarlyAndStoreStaysBounded() {
        int cap = 500;
        RateLimit bounded = connections("conn", "10/1h, 30/1d").maxKeys(cap).clock(clock).build();
        RateLimit reference = connections("conn", "10/1h, 30/1d").maxKeys(10_000_000).clock(clock).build();
        LocalLimitStore.Buckets buckets = bounded.localBuckets();
        Random random = new Random(12);
        int charged = 0;
        int refusedFull = 0;
        for (int step = 0; step < 150_000; step++) {
            // 5,000 clients, a few of them busy; time moves on by up to 2 s per request (about 42 hours in all)
            int client = random.nextInt(10) == 0 ? random.nextInt(20) : random.nextInt(5_000);
            RelayRequest r = connect(ip(client));
            Decision d = bounded.decide(r);
            if (storeFull(d)) {
                refusedFull++;
                assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
                assertThat(d.reply()).contains(SmtpReply.TEMPORARY_FAILURE);
            } else {
                Decision expected = reference.decide(r);
                assertThat(d.verdict()).as("step %d, client %d", step, client).isEqualTo(expected.verdict());
                assertThat(d.details().get("tokensLeft")).as("step %d, client %d: tokens left", step, client)
                        .isEqualTo(expected.details().get("tokensLeft"));
                charged++;
            }
            assertThat(buckets.size()).isLessThanOrEqualTo(cap);
            clock.advance(Duration.ofMillis(random.nextInt(2_000)));
        }
        assertThat(refusedFull).as("the flood must exceed the cap").isGreaterThan(1_000);
        assertThat(charged).isGreaterThan(10_000);
    }

    @Test
    void decideWhenStoreFullThenNewKeyDeferredUntilABucketIsFullAgainAndLoggedOncePerChange() {
        RateLimit limit = connections("conn", "3/1h").maxKeys(2).clock(clock).build();
        try (LogCapture log = new LogCapture()) {
            assertThat(limit.decide(connect("192.0.2.1")).verdict()).isEqualTo(Verdict.NO_OPINION);
            assertThat(limit.decide(connect("192.0.2.2")).verdict()).isEqualTo(Verdict.NO_OPINION);
            for (int i = 0; i < 5; i++) {
                Decision d = limit.decide(connect("192.0.2.3"));
                assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
                assertThat(d.reply()).contains(SmtpReply.TEMPORARY_FAILURE);
                assertThat(d.reason()).contains("rate-limit store full");
                assertThat(d.details()).containsEntry("store", "full").containsEntry("mode", "DEFER")
                        .containsEntry("key", "192.0.2.3");
            }
            // the known keys go on being counted
            assertThat(limit.decide(connect("192.0.2.1")).details()).containsEntry("tokensLeft", "1");
            // one token of 3/1h comes back in 20 minutes: 192.0.2.2 is full again then, and forgotten
            clock.advance(Duration.ofMinutes(20).plusSeconds(2)); // plus the timer wheel's resolution
            assertThat(limit.decide(connect("192.0.2.3")).details()).containsEntry("tokensLeft", "2");
            assertThat(limit.decide(connect("192.0.2.4")).details()).containsEntry("store", "full");
            String text = log.text();
            assertThat(text.split("local store full", -1)).hasSize(3); // full, room again, full: 2 warnings
            assertThat(text.split("has room again", -1)).hasSize(2);
        }
    }

    @Test
    void decideWhenStoreFillsAndEmptiesThenListenerToldOncePerChange() {
        List<String> changes = new ArrayList<>();
        LimitStore store = LimitStore.local(clock, (limit, full) -> changes.add(limit + (full ? " full" : " room")));
        RateLimit limit = connections("conn", "3/1h").maxKeys(2).store(store).build();
        limit.decide(connect("192.0.2.1"));
        limit.decide(connect("192.0.2.2"));
        assertThat(changes).isEmpty();
        for (int i = 3; i < 50; i++) {
            assertThat(storeFull(limit.decide(connect("192.0.2." + i)))).isTrue();
        }
        assertThat(changes).containsExactly("conn full");
        clock.advance(Duration.ofMinutes(20).plusSeconds(2)); // both buckets full again: forgotten
        limit.decide(connect("192.0.2.100"));
        limit.decide(connect("192.0.2.101"));
        assertThat(changes).containsExactly("conn full", "conn room");
        limit.decide(connect("192.0.2.102"));
        limit.decide(connect("192.0.2.103"));
        assertThat(changes).containsExactly("conn full", "conn room", "conn full");
    }

    @Test
    void decideWhenTheStoreListenerThrowsThenDecisionsAreUnchanged() {
        AtomicInteger calls = new AtomicInteger();
        LimitStore store = LimitStore.local(clock, (limit, full) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("metrics down");
        });
        RateLimit limit = connections("conn", "3/1h").maxKeys(1).store(store).build();
        assertThat(limit.decide(connect("192.0.2.1")).verdict()).isEqualTo(Verdict.NO_OPINION);
        Decision d = limit.decide(connect("192.0.2.2"));
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.details()).containsEntry("store", "full");
        assertThat(limit.decide(connect("192.0.2.1")).details()).containsEntry("tokensLeft", "1");
        assertThat(calls).hasValue(1);
    }

    @Test
    void decideWhenStoreFullAndModeNoOpinionThenNewKeyNotLimited() {
        LimitStore store = LimitStore.local(clock);
        RateLimit limit = connections("conn", "1/1h").maxKeys(1).store(store).onStoreFailure(FailureMode.NO_OPINION)
                .build();
        limit.decide(connect("192.0.2.1"));
        Decision d = limit.decide(connect("192.0.2.2"));
        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.details()).containsEntry("store", "full").containsEntry("mode", "NO_OPINION");
        assertThat(limit.decide(connect("192.0.2.1")).verdict()).isEqualTo(Verdict.DEFER);
    }

    @Test
    void decideWhenIdleThenBucketForgottenExactlyWhenFullAgain() {
        RateLimit limit = connections("conn", "3/1h").maxKeys(100).clock(clock).build();
        LocalLimitStore.Buckets buckets = limit.localBuckets();
        for (int i = 0; i < 3; i++) {
            limit.decide(connect("192.0.2.1"));
        }
        limit.decide(connect("192.0.2.2")); // one token: full again after 20 minutes
        clock.advance(Duration.ofMinutes(20).minusNanos(1));
        buckets.cleanUp();
        assertThat(buckets.size()).isEqualTo(2);
        // from here the entry is expired (never read again); Caffeine's timer wheel removes it within its
        // resolution (about a second)
        clock.advance(Duration.ofNanos(1));
        assertThat(((LocalLimitStore.Buckets) buckets).contains(LimitKeys.clientAddress().keyOf(connect("192.0.2.2"))))
                .isFalse();
        clock.advance(Duration.ofSeconds(2));
        buckets.cleanUp();
        assertThat(buckets.size()).isEqualTo(1); // 192.0.2.2 is full: nothing lost by forgetting it
        clock.advance(Duration.ofMinutes(40).minusSeconds(2).minusNanos(1));
        buckets.cleanUp();
        assertThat(buckets.size()).isEqualTo(1); // 192.0.2.1 spent 3: full after 60 minutes, not before
        // 3 spent at 0, 60 minutes less 1 ns later: 2 tokens back (the third comes at 60 minutes)
        assertThat(limit.decide(connect("192.0.2.1")).details()).containsEntry("tokensLeft", "1");
    }

    @Test
    void decideWhenSeveralRatesThenKeptUntilTheSlowestIsFull() {
        RateLimit limit = connections("conn", "2/1m, 5/1h").maxKeys(100).clock(clock).build();
        LocalLimitStore.Buckets buckets = limit.localBuckets();
        limit.decide(connect("192.0.2.1"));
        limit.decide(connect("192.0.2.1"));
        assertThat(limit.decide(connect("192.0.2.1")).verdict()).isEqualTo(Verdict.DEFER);
        clock.advance(Duration.ofMinutes(23));
        buckets.cleanUp();
        assertThat(buckets.size()).isEqualTo(1); // 2 of 5/1h spent: 24 minutes to be full
        assertThat(limit.decide(connect("192.0.2.1")).details()).containsEntry("tokensLeft", "1");
        clock.advance(Duration.ofHours(2));
        buckets.cleanUp();
        assertThat(buckets.size()).isZero();
        assertThat(limit.decide(connect("192.0.2.1")).details()).containsEntry("tokensLeft", "1");
    }

    @Test
    void decideWhenIpv6FloodInsideOnePrefixThenOneBucket() {
        RateLimit limit = connections("conn", "100000/1h").maxKeys(10).clock(clock).build();
        for (int i = 0; i < 10_000; i++) {
            limit.decide(connect("2001:db8:0:1::" + Integer.toHexString(i + 1)));
        }
        assertThat(limit.localBuckets().size()).isEqualTo(1);
    }

    @Test
    void decideWhenLimitRebuiltOnTheSameStoreThenBudgetContinues() {
        LimitStore store = LimitStore.local(clock);
        RateLimit first = connections("conn", "3/1h").store(store).build();
        List<Verdict> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            seen.add(first.decide(connect("192.0.2.1")).verdict());
        }
        RateLimit rebuilt = connections("conn", "3/1h").store(store).build();
        seen.add(rebuilt.decide(connect("192.0.2.1")).verdict());
        assertThat(seen).containsExactly(Verdict.NO_OPINION, Verdict.NO_OPINION, Verdict.NO_OPINION,
                Verdict.DEFER, Verdict.DEFER);
        // a limit of another name on the same store has its own buckets
        assertThat(connections("other", "3/1h").store(store).build().decide(connect("192.0.2.1")).verdict())
                .isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenRatesRaisedOrLoweredThenSpentTokensCarriedOver() {
        LimitStore store = LimitStore.local(clock);
        RateLimit three = connections("conn", "3/1h").store(store).build();
        for (int i = 0; i < 3; i++) {
            three.decide(connect("192.0.2.1"));
        }
        three.decide(connect("192.0.2.2"));
        RateLimit five = connections("conn", "5/1h").store(store).build();
        assertThat(five.decide(connect("192.0.2.1")).details()).containsEntry("tokensLeft", "1"); // 5 - 3 - 1
        assertThat(five.decide(connect("192.0.2.1")).verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(five.decide(connect("192.0.2.1")).verdict()).isEqualTo(Verdict.DEFER);
        assertThat(five.decide(connect("192.0.2.2")).details()).containsEntry("tokensLeft", "3"); // 5 - 1 - 1
        // lowered: the tokens left are capped at the new burst
        RateLimit two = connections("conn", "2/1h").store(store).build();
        assertThat(two.decide(connect("192.0.2.2")).details()).containsEntry("tokensLeft", "1");
        assertThat(two.decide(connect("192.0.2.1")).verdict()).isEqualTo(Verdict.DEFER);
    }

    @Test
    void retainLimitsWhenLimitRemovedThenItsBucketsAreDropped() {
        LimitStore store = LimitStore.local(clock);
        RateLimit conn = connections("conn", "1/1h").store(store).build();
        RateLimit kept = connections("kept", "1/1h").store(store).build();
        conn.decide(connect("192.0.2.1"));
        kept.decide(connect("192.0.2.1"));
        store.retainLimits(List.of("kept"));
        assertThat(((LocalLimitStore) store).bucketsOf("conn")).isNull();
        assertThat(connections("conn", "1/1h").store(store).build().decide(connect("192.0.2.1")).verdict())
                .isEqualTo(Verdict.NO_OPINION);
        assertThat(connections("kept", "1/1h").store(store).build().decide(connect("192.0.2.1")).verdict())
                .isEqualTo(Verdict.DEFER);
    }

    @Test
    void tryConsumeWhenCalledThroughTheInterfaceThenSameBuckets() {
        LimitStore store = LimitStore.local(clock);
        List<Rate> rates = Rate.parseList("2/1h");
        Consumption first = store.tryConsume("api", "alice", rates, 1);
        assertThat(first).isEqualTo(new Consumption(true, 1, 0, Duration.ofMinutes(30).toNanos()));
        store.tryConsume("api", "alice", rates, 1);
        Consumption third = store.tryConsume("api", "alice", rates, 1);
        assertThat(third.consumed()).isFalse();
        assertThat(third.nanosToWait()).isEqualTo(Duration.ofMinutes(30).toNanos());
        RateLimit limit = RateLimit.builder("api").key(LimitKeys.authenticatedIdentity()).counting(Counted.MESSAGES)
                .rates(rates).store(store).build();
        RelayRequest alice = RelayRequest.builder(Stage.MAIL).client("192.0.2.1").authenticated("alice")
                .sender("<alice@example.org>").build();
        assertThat(limit.decide(alice).verdict()).isEqualTo(Verdict.DEFER);
    }

    @Test
    void decideWhenManyThreadsOnOneKeyThenExactlyCapacityGranted() throws Exception {
        int capacity = 5_000;
        RateLimit limit = RateLimit.builder("hot").key(LimitKeys.clientAddress()).counting(Counted.CONNECTIONS)
                .rate(Rate.of(capacity, Duration.ofHours(1))).clock(clock).build();
        int threads = 8;
        int perThread = 2_000;
        AtomicInteger granted = new AtomicInteger();
        AtomicInteger deferred = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            RelayRequest r = connect("192.0.2.1");
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        Verdict v = limit.decide(r).verdict();
                        (v == Verdict.NO_OPINION ? granted : deferred).incrementAndGet();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(granted.get()).isEqualTo(capacity);
        assertThat(deferred.get()).isEqualTo(threads * perThread - capacity);
    }
}
