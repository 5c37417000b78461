package io.relaycontrol.core.limit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.Delay;
import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.FailureMode;
import io.relaycontrol.core.limit.LimitKeys;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.limit.RateLimit;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Redis client's fail-fast options, each of which a mutant could remove without any other test noticing:
 * commands rejected while disconnected, a command timeout, a connect timeout, reconnecting at all, and a
 * bounded reconnect delay. Then the behaviour they give with a real server that is killed and restarted.
 */
class RedisFailFastTest {

    private static final RelayRequest RCPT = RelayRequest.builder(Stage.RCPT).client("192.0.2.1")
            .sender("<a@example.org>").recipient("<b@example.com>").build();

    @Test
    void clientOptionsWhenBuiltThenRejectWhileDisconnectedAndTimeOutAndReconnect() {
        ClientOptions o = LettuceBackend.clientOptions(Duration.ofMillis(150), Duration.ofMillis(700));
        assertThat(o.isAutoReconnect()).isTrue();
        assertThat(o.getDisconnectedBehavior()).isEqualTo(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
        assertThat(o.getTimeoutOptions().isTimeoutCommands()).isTrue();
        assertThat(Duration.of(o.getTimeoutOptions().getSource().getTimeout(null),
                o.getTimeoutOptions().getSource().getTimeUnit().toChronoUnit())).isEqualTo(Duration.ofMillis(150));
        assertThat(o.getSocketOptions().getConnectTimeout()).isEqualTo(Duration.ofMillis(700));
    }

    @Test
    void reconnectDelayWhenManyAttemptsThenStartsSmallAndNeverExceedsTheBound() {
        Delay d = LettuceBackend.reconnectDelay(Duration.ofMillis(200));
        assertThat(d.createDelay(1)).isLessThanOrEqualTo(Duration.ofMillis(20));
        for (long attempt = 1; attempt <= 100; attempt++) {
            assertThat(d.createDelay(attempt)).as("attempt %d", attempt).isLessThanOrEqualTo(Duration.ofMillis(200))
                    .isPositive();
        }
        assertThat(d.createDelay(30)).isEqualTo(Duration.ofMillis(200));
        assertThat(LettuceBackend.reconnectDelay(Duration.ofMillis(5)).createDelay(1)).isEqualTo(Duration.ofMillis(5));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void decideWhenRedisKilledThenRejectedAtOnceAndWhenRestartedThenUsedAgain() {
        RedisServer redis = RedisServer.start();
        RedisServer restarted = null;
        try (RedisLimitStore store = RedisLimitStore.builder(redis.uri()).requestTimeout(Duration.ofSeconds(30))
                .build()) {
            // a 30 s command timeout: a command that waited for Redis would hang the test until its 60 s limit
            RateLimit limit = RateLimit.builder("client-rcpt").key(LimitKeys.clientAddress())
                    .counting(Counted.RECIPIENTS).rates(Rate.parseList("100/1h")).store(store)
                    .onStoreFailure(FailureMode.DEFER).build();
            assertThat(limit.decide(RCPT).details()).containsEntry("tokensLeft", "99");
            redis.kill();
            while (store.isConnected()) {
                Thread.onSpinWait(); // Lettuce notices the closed socket
            }
            for (int i = 0; i < 20; i++) {
                Decision d = limit.decide(RCPT);
                assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
                assertThat(d.details()).containsEntry("store", "failed");
                assertThat(d.error()).isPresent();
                // rejected because disconnected, not queued until a timeout
                assertThat(d.error().get().getMessage()).containsIgnoringCase("not connected");
            }
            restarted = RedisServer.restart(redis);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!store.isConnected() && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the reconnect delay is bounded (200 ms): this is short
            }
            assertThat(store.isConnected()).as("reconnected after the restart").isTrue();
            Decision d = limit.decide(RCPT);
            assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
            assertThat(d.details()).containsEntry("tokensLeft", "99"); // a fresh server: its bucket is new
        } finally {
            redis.stop();
            if (restarted != null) {
                restarted.stop();
            }
        }
    }
}
