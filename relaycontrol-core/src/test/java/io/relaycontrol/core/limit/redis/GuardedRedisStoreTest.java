package io.relaycontrol.core.limit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.FailureMode;
import io.relaycontrol.core.limit.GuardedLimitStore;
import io.relaycontrol.core.limit.GuardedLimitStore.State;
import io.relaycontrol.core.limit.LimitKeys;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.limit.RateLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The circuit breaker in front of a real Redis that hangs (SIGSTOP) or dies (SIGKILL): verdicts and breaker
 * states, never timing. The breaker's open time is an hour, so only {@link GuardedLimitStore#probeNow()} can
 * half-open it: every state asserted here is caused by the test, not by a clock.
 */
class GuardedRedisStoreTest {

    private static final RelayRequest RCPT = RelayRequest.builder(Stage.RCPT).client("192.0.2.1")
            .sender("<a@example.org>").recipient("<b@example.com>").build();

    private static RateLimit limit(GuardedLimitStore store, FailureMode mode) {
        return RateLimit.builder("client-rcpt").key(LimitKeys.clientAddress()).counting(Counted.RECIPIENTS)
                .rates(Rate.parseList("3/1h")).store(store).onStoreFailure(mode).build();
    }

    private static GuardedLimitStore guard(RedisServer redis, List<State> seen) {
        // Lettuce's own timeout is far longer than the guard's: only the guard can end a wait during the hang
        RedisLimitStore redisStore = RedisLimitStore.builder(redis.uri()).requestTimeout(Duration.ofSeconds(20))
                .build();
        return GuardedLimitStore.builder(redisStore).timeout(Duration.ofSeconds(1)).failureThreshold(3)
                .openFor(Duration.ofHours(1)).listener((s, st) -> {
                    synchronized (seen) {
                        seen.add(st);
                    }
                }).build();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void decideWhenRedisHangsThenBreakerOpensDecisionsDeferAndAProbeClosesIt() {
        List<State> seen = new ArrayList<>();
        try (RedisServer redis = RedisServer.start(); GuardedLimitStore store = guard(redis, seen)) {
            RateLimit limit = limit(store, FailureMode.DEFER);
            for (int i = 0; i < 3; i++) {
                assertThat(limit.decide(RCPT).verdict()).isEqualTo(Verdict.NO_OPINION);
            }
            Decision over = limit.decide(RCPT);
            assertThat(over.verdict()).isEqualTo(Verdict.DEFER);
            assertThat(over.details()).containsEntry("tokensLeft", "0").doesNotContainKey("store");
            assertThat(store.state()).isEqualTo(State.CLOSED);

            redis.pause();
            try {
                for (int i = 0; i < 3; i++) {
                    Decision d = limit.decide(RCPT);
                    assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
                    assertThat(d.details()).containsEntry("store", "failed");
                    assertThat(d.error().get().getMessage()).contains("did not answer within 1000 ms");
                }
                assertThat(store.state()).isEqualTo(State.OPEN);
                for (int i = 0; i < 200; i++) {
                    Decision d = limit.decide(RCPT);
                    assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
                    // failed at once by the open breaker, not after a wait for Redis
                    assertThat(d.error().get().getMessage()).contains("circuit breaker open");
                }
                assertThat(store.transitions(State.OPEN)).isEqualTo(1);
            } finally {
                redis.resume();
            }
            store.probeNow();
            assertThat(store.state()).isEqualTo(State.HALF_OPEN);
            Decision probe = limit.decide(RCPT);
            // the budget is still spent: the probe reaches Redis and is deferred by the limit, never allowed
            assertThat(probe.verdict()).isEqualTo(Verdict.DEFER);
            assertThat(probe.details()).containsEntry("tokensLeft", "0").doesNotContainKey("store");
            assertThat(store.state()).isEqualTo(State.CLOSED);
            assertThat(store.transitions(State.OPEN)).isEqualTo(1);
            assertThat(store.transitions(State.HALF_OPEN)).isEqualTo(1);
            assertThat(store.transitions(State.CLOSED)).isEqualTo(1);
            synchronized (seen) {
                assertThat(seen).containsExactly(State.OPEN, State.HALF_OPEN, State.CLOSED);
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void decideWhenRedisKilledThenFailureModeAppliesAndAFailedProbeOpensAgain() {
        List<State> seen = new ArrayList<>();
        RedisServer redis = RedisServer.start();
        RedisServer restarted = null;
        try (GuardedLimitStore store = guard(redis, seen)) {
            RateLimit abstain = limit(store, FailureMode.NO_OPINION);
            RateLimit local = RateLimit.builder("client-rcpt-local").key(LimitKeys.clientAddress())
                    .counting(Counted.RECIPIENTS).rates(Rate.parseList("2/1h")).store(store)
                    .onStoreFailure(FailureMode.LOCAL_FALLBACK).build();
            assertThat(abstain.decide(RCPT).details()).containsEntry("tokensLeft", "2");
            redis.kill();
            for (int i = 0; i < 5; i++) {
                Decision d = abstain.decide(RCPT);
                assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
                assertThat(d.details()).containsEntry("store", "failed").containsEntry("mode", "NO_OPINION");
            }
            assertThat(store.state()).isEqualTo(State.OPEN);
            // local mode: the local bucket still limits while the breaker is open
            assertThat(local.decide(RCPT).verdict()).isEqualTo(Verdict.NO_OPINION);
            assertThat(local.decide(RCPT).verdict()).isEqualTo(Verdict.NO_OPINION);
            Decision third = local.decide(RCPT);
            assertThat(third.verdict()).isEqualTo(Verdict.DEFER);
            assertThat(third.details()).containsEntry("store", "failed");

            store.probeNow();
            assertThat(store.state()).isEqualTo(State.HALF_OPEN);
            assertThat(abstain.decide(RCPT).details()).containsEntry("store", "failed"); // still dead
            assertThat(store.state()).isEqualTo(State.OPEN);

            restarted = RedisServer.restart(redis);
            RedisLimitStore inner = (RedisLimitStore) store.guarded();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!inner.isConnected() && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // Lettuce reconnects within its bounded delay
            }
            store.probeNow();
            Decision back = abstain.decide(RCPT);
            assertThat(back.details()).doesNotContainKey("store").containsEntry("tokensLeft", "2"); // new server
            assertThat(store.state()).isEqualTo(State.CLOSED);
            synchronized (seen) {
                assertThat(seen).containsExactly(State.OPEN, State.HALF_OPEN, State.OPEN, State.HALF_OPEN,
                        State.CLOSED);
            }
        } finally {
            redis.stop();
            if (restarted != null) {
                restarted.stop();
            }
        }
    }
}
