package io.relaycontrol.core.limit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.FailureMode;
import io.relaycontrol.core.limit.LimitKeys;
import io.relaycontrol.testkit.ManualClock;
import io.relaycontrol.core.limit.RateLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RedisRateLimitTest {

    private final ManualClock clock = new ManualClock();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private RedisServer redis;

    @BeforeEach
    void startRedis() {
        redis = RedisServer.start();
        toClose.add(redis);
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private RedisLimitStore store() {
        RedisLimitStore s = RedisLimitStore.builder(redis.uri()).clock(clock).build();
        toClose.add(s); // closed in reverse order: stores first, then the server
        return s;
    }

    private RateLimit limit(RedisLimitStore store, String spec, FailureMode mode) {
        return RateLimit.builder("client-rcpt").key(LimitKeys.clientAddress()).counting(Counted.RECIPIENTS)
                .rates(Rate.parseList(spec)).store(store).onStoreFailure(mode)
                .clock(clock).build();
    }

    private static RelayRequest rcpt(String ip) {
        return RelayRequest.builder(Stage.RCPT).client(ip).sender("<a@example.org>").recipient("<b@example.com>")
                .build();
    }

    @Test
    void decideWhenTwoLimitersShareOneRedisThenOneBudget() {
        RateLimit a = limit(store(), "5/1m, 8/1h", FailureMode.DEFER);
        RateLimit b = limit(store(), "5/1m, 8/1h", FailureMode.DEFER);
        int granted = 0;
        for (int i = 0; i < 10; i++) {
            granted += (i % 2 == 0 ? a : b).decide(rcpt("192.0.2.1")).verdict() == Verdict.NO_OPINION ? 1 : 0;
        }
        assertThat(granted).isEqualTo(5);
        Decision d = b.decide(rcpt("192.0.2.1"));
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.reply()).contains(SmtpReply.RATE_LIMITED);
        assertThat(d.details()).containsEntry("tokensLeft", "0").containsEntry("retryAfter", "PT12S");
        clock.advance(Duration.ofMinutes(1));
        granted = 0;
        for (int i = 0; i < 10; i++) {
            granted += (i % 2 == 0 ? b : a).decide(rcpt("192.0.2.1")).verdict() == Verdict.NO_OPINION ? 1 : 0;
        }
        assertThat(granted).isEqualTo(3); // the hour bandwidth (8) holds: 8 - 5 + 1 minute of 8/h (0.13)
        assertThat(a.decide(rcpt("192.0.2.2")).details()).containsEntry("tokensLeft", "4");
    }

    @Test
    void decideWhenBucketsInRedisThenNamedKeysWithExpiry() {
        RedisLimitStore store = store();
        RateLimit a = limit(store, "5/1m", FailureMode.DEFER);
        a.decide(rcpt("2001:db8:1:2::1"));
        a.decide(rcpt("192.0.2.7"));
        RedisClient client = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            List<String> keys = new ArrayList<>(c.sync().keys("relaycontrol:limit:client-rcpt:*"));
            keys.sort(null);
            assertThat(keys).containsExactly("relaycontrol:limit:client-rcpt:192.0.2.7",
                    "relaycontrol:limit:client-rcpt:2001:db8:1:2::/64");
            assertThat(c.sync().pttl(keys.get(0))).isPositive();
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    @Test
    void decideWhenLimitRebuiltWithSameRatesThenBudgetContinues() {
        RedisLimitStore store = store();
        RateLimit before = limit(store, "3/1h", FailureMode.DEFER);
        List<Verdict> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            seen.add(before.decide(rcpt("192.0.2.1")).verdict());
        }
        RateLimit after = limit(store, "3/1h", FailureMode.DEFER);
        seen.add(after.decide(rcpt("192.0.2.1")).verdict());
        assertThat(seen).containsExactly(Verdict.NO_OPINION, Verdict.NO_OPINION, Verdict.NO_OPINION,
                Verdict.DEFER, Verdict.DEFER);
        // and another server, its own store on the same Redis, sees the same bucket
        assertThat(limit(store(), "3/1h", FailureMode.DEFER).decide(rcpt("192.0.2.1")).verdict())
                .isEqualTo(Verdict.DEFER);
    }

    @Test
    void decideWhenRatesRaisedThenSpentTokensStillCount() {
        RedisLimitStore store = store();
        RateLimit before = limit(store, "3/1h", FailureMode.DEFER);
        for (int i = 0; i < 3; i++) {
            before.decide(rcpt("192.0.2.1"));
        }
        RateLimit after = limit(store, "5/1h", FailureMode.DEFER);
        Decision first = after.decide(rcpt("192.0.2.1"));
        assertThat(first.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(first.details()).containsEntry("tokensLeft", "1"); // 5 - 3 spent - 1 now
        assertThat(after.decide(rcpt("192.0.2.1")).verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(after.decide(rcpt("192.0.2.1")).verdict()).isEqualTo(Verdict.DEFER);
        assertThat(after.decide(rcpt("192.0.2.2")).details()).containsEntry("tokensLeft", "4");
    }

    @Test
    void decideWhenManyThreadsOnOneRedisKeyThenExactlyCapacityGranted() throws Exception {
        RateLimit a = limit(store(), "100/1h", FailureMode.DEFER);
        RateLimit b = limit(store(), "100/1h", FailureMode.DEFER);
        AtomicInteger granted = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                RateLimit l = t % 2 == 0 ? a : b;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 50; i++) {
                        Decision d = l.decide(rcpt("192.0.2.1"));
                        if (d.verdict() == Verdict.NO_OPINION) {
                            granted.incrementAndGet();
                        } else if (!d.reply().equals(java.util.Optional.of(SmtpReply.RATE_LIMITED))) {
                            other.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(other.get()).as("decisions that were neither a grant nor a rate-limit deferral").isZero();
        assertThat(granted.get()).isEqualTo(100);
    }

    @Test
    void decideWhenRedisStopsMidRunAndModeDeferThenTemporaryFailure() {
        RateLimit limit = limit(store(), "5/1m", FailureMode.DEFER);
        assertThat(limit.decide(rcpt("192.0.2.1")).verdict()).isEqualTo(Verdict.NO_OPINION);
        redis.stop();
        for (int i = 0; i < 3; i++) {
            Decision d = limit.decide(rcpt("192.0.2.1"));
            assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
            assertThat(d.reply()).contains(SmtpReply.TEMPORARY_FAILURE);
            assertThat(d.reason()).startsWith("rate-limit store unavailable");
            assertThat(d.details()).containsEntry("store", "failed").containsEntry("mode", "DEFER")
                    .containsEntry("key", "192.0.2.1");
            assertThat(d.error()).isPresent();
            assertThat(d.explain()).contains("store=failed").contains("mode=DEFER");
        }
    }

    @Test
    void decideWhenRedisStopsMidRunAndModeNoOpinionThenAbstains() {
        RateLimit limit = limit(store(), "1/1m", FailureMode.NO_OPINION);
        assertThat(limit.decide(rcpt("192.0.2.1")).verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(limit.decide(rcpt("192.0.2.1")).verdict()).isEqualTo(Verdict.DEFER);
        redis.stop();
        Decision d = limit.decide(rcpt("192.0.2.1"));
        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.reason()).contains("rate-limit store unavailable");
        assertThat(d.details()).containsEntry("store", "failed").containsEntry("mode", "NO_OPINION");
        assertThat(d.error()).isPresent();
    }

    @Test
    void decideWhenRedisStopsMidRunAndModeLocalFallbackThenLocalBucketCharged() {
        RateLimit limit = limit(store(), "2/1m", FailureMode.LOCAL_FALLBACK);
        assertThat(limit.decide(rcpt("192.0.2.1")).verdict()).isEqualTo(Verdict.NO_OPINION);
        redis.stop();
        Decision first = limit.decide(rcpt("192.0.2.1"));
        assertThat(first.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(first.details()).containsEntry("tokensLeft", "1").containsEntry("store", "failed")
                .containsEntry("mode", "LOCAL_FALLBACK");
        assertThat(first.reason()).contains("local bucket used");
        assertThat(limit.decide(rcpt("192.0.2.1")).verdict()).isEqualTo(Verdict.NO_OPINION);
        Decision third = limit.decide(rcpt("192.0.2.1"));
        assertThat(third.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(third.reply()).contains(SmtpReply.RATE_LIMITED);
        assertThat(third.details()).containsEntry("retryAfter", "PT30S").containsEntry("mode", "LOCAL_FALLBACK");
    }

    @Test
    void builderWhenBadOptionsOrNoServerThenClearErrors() {
        assertThatThrownBy(() -> RedisLimitStore.builder("http://nope").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://nope");
        assertThatThrownBy(() -> RedisLimitStore.builder(redis.uri()).requestTimeout(Duration.ZERO))
                .hasMessageContaining("requestTimeout");
        assertThatThrownBy(() -> RedisLimitStore.builder(redis.uri()).keepAfterRefill(Duration.ofSeconds(-1)))
                .hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> RedisLimitStore.builder(redis.uri()).clock(clock).clock(clock))
                .isInstanceOf(IllegalStateException.class);
        String deadUri = redis.uri();
        redis.stop();
        assertThatThrownBy(() -> RedisLimitStore.builder(deadUri).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot connect to Redis")
                .hasCauseInstanceOf(RedisConnectionException.class);
    }
}
