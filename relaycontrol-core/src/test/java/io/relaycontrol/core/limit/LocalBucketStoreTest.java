package io.relaycontrol.core.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LocalBucketStoreTest {

    private final ManualTimeMeter clock = new ManualTimeMeter();

    private static RelayRequest connect(String ip) {
        return RelayRequest.builder(Stage.CONNECT).client(ip).build();
    }

    private static String ip(int i) {
        return "10." + ((i >>> 16) & 0xff) + "." + ((i >>> 8) & 0xff) + "." + (i & 0xff);
    }

    @Test
    void decideWhenFloodOfDistinctKeysThenStoreStaysBounded() {
        RateLimit limit = RateLimit.builder("conn").key(LimitKeys.clientAddress()).counting(Counted.CONNECTIONS)
                .bandwidths(Bandwidths.parse("10/1h, 100/1d")).localStore(1_000).timeMeter(clock).build();
        LocalBucketStore store = limit.localStore();
        for (int i = 0; i < 200_000; i++) {
            assertThat(limit.decide(connect(ip(i))).verdict()).isEqualTo(Verdict.NO_OPINION);
            if (i % 50_000 == 0) {
                store.cleanUp();
                assertThat(store.estimatedSize()).isLessThanOrEqualTo(1_000);
            }
        }
        store.cleanUp();
        assertThat(store.estimatedSize()).isBetween(1L, 1_000L);
        // IPv6 flood inside one /64 is one key, not a million
        for (int i = 0; i < 10_000; i++) {
            limit.decide(connect("2001:db8:0:1::" + Integer.toHexString(i + 1)));
        }
        store.cleanUp();
        assertThat(store.estimatedSize()).isLessThanOrEqualTo(1_000);
    }

    @Test
    void decideWhenIdleLongerThanRefillThenBucketEvictedButNeverEarly() {
        RateLimit limit = RateLimit.builder("conn").key(LimitKeys.clientAddress()).counting(Counted.CONNECTIONS)
                .bandwidths(Bandwidths.parse("2/1m, 5/1h")).localStore(100).timeMeter(clock).build();
        LocalBucketStore store = limit.localStore();
        limit.decide(connect("192.0.2.1"));
        limit.decide(connect("192.0.2.1"));
        assertThat(limit.decide(connect("192.0.2.1")).verdict()).isEqualTo(Verdict.DEFER);
        clock.advance(Duration.ofMinutes(59));
        store.cleanUp();
        assertThat(store.estimatedSize()).isEqualTo(1); // idle less than the longest fill time (1 h): kept
        Decision d = limit.decide(connect("192.0.2.1"));
        assertThat(d.details()).containsEntry("tokensLeft", "1"); // the minute bandwidth is full again (2) and limits: 2 - 1
        clock.advance(Duration.ofMinutes(60));
        store.cleanUp();
        assertThat(store.estimatedSize()).isZero(); // idle for the longest fill time: full, so forgotten
        assertThat(limit.decide(connect("192.0.2.1")).details()).containsEntry("tokensLeft", "1");
    }

    @Test
    void decideWhenManyThreadsOnOneKeyThenExactlyCapacityGranted() throws Exception {
        int capacity = 5_000;
        RateLimit limit = RateLimit.builder("hot").key(LimitKeys.clientAddress()).counting(Counted.CONNECTIONS)
                .bandwidth(b -> b.capacity(capacity).refillGreedy(capacity, Duration.ofHours(1)))
                .timeMeter(clock).build();
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
