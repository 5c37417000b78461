package io.relaycontrol.core.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The guard on a scripted store: which calls reach the store, what is thrown, how the breaker moves. */
class GuardedLimitStoreTest {

    private static final List<Rate> RATES = Rate.parseList("10/1h");

    /** A store whose next answers the test sets: a result, a failure, or never (a hang). */
    static final class Scripted implements LimitStore {
        final AtomicInteger calls = new AtomicInteger();
        volatile String mode = "ok";
        volatile boolean closed;

        @Override
        public Consumption tryConsume(String limit, Object key, List<Rate> rates, long tokens) {
            return tryConsumeAsync(limit, key, rates, tokens).join();
        }

        @Override
        public CompletableFuture<Consumption> tryConsumeAsync(String limit, Object key, List<Rate> rates,
                long tokens) {
            calls.incrementAndGet();
            switch (mode) {
                case "fail":
                    return CompletableFuture.failedFuture(new IllegalStateException("connection refused"));
                case "full":
                    throw new LimitStoreFullException("no room");
                case "hang":
                    return new CompletableFuture<>();
                default:
                    return CompletableFuture.completedFuture(new Consumption(true, 9, 0, 1));
            }
        }

        @Override
        public void retainLimits(Collection<String> limitNames) {
        }

        @Override
        public String description() {
            return "scripted";
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static GuardedLimitStore guard(Scripted s) {
        return GuardedLimitStore.builder(s).timeout(Duration.ofMillis(20)).failureThreshold(2)
                .openFor(Duration.ofHours(1)).build();
    }

    @Test
    void tryConsumeWhenStoreFailsTwiceThenOpenAndLaterCallsNeverReachTheStore() {
        Scripted s = new Scripted();
        GuardedLimitStore g = guard(s);
        assertThat(g.tryConsume("l", "k", RATES, 1).consumed()).isTrue();
        s.mode = "fail";
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> g.tryConsume("l", "k", RATES, 1))
                    .isInstanceOf(LimitStoreUnavailableException.class).hasMessageContaining("connection refused");
        }
        assertThat(g.state()).isEqualTo(GuardedLimitStore.State.OPEN);
        int before = s.calls.get();
        s.mode = "ok";
        for (int i = 0; i < 50; i++) {
            assertThatThrownBy(() -> g.tryConsume("l", "k", RATES, 1))
                    .isInstanceOf(LimitStoreUnavailableException.class).hasMessageContaining("circuit breaker open");
        }
        assertThat(s.calls.get()).isEqualTo(before);
        g.probeNow();
        assertThat(g.tryConsume("l", "k", RATES, 1).consumed()).isTrue();
        assertThat(g.state()).isEqualTo(GuardedLimitStore.State.CLOSED);
        assertThat(g.transitions(GuardedLimitStore.State.OPEN)).isEqualTo(1);
    }

    @Test
    void tryConsumeWhenStoreHangsThenTimeoutCountsAsFailure() {
        Scripted s = new Scripted();
        GuardedLimitStore g = guard(s);
        s.mode = "hang";
        assertThatThrownBy(() -> g.tryConsume("l", "k", RATES, 1))
                .isInstanceOf(LimitStoreUnavailableException.class).hasMessageContaining("did not answer within 20 ms");
        assertThat(g.state()).isEqualTo(GuardedLimitStore.State.CLOSED);
        assertThatThrownBy(() -> g.tryConsume("l", "k", RATES, 1)).isInstanceOf(LimitStoreUnavailableException.class);
        assertThat(g.state()).isEqualTo(GuardedLimitStore.State.OPEN);
    }

    @Test
    void tryConsumeWhenStoreFullThenPassedThroughAndNotCounted() {
        Scripted s = new Scripted();
        GuardedLimitStore g = guard(s);
        s.mode = "full";
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> g.tryConsume("l", "k", RATES, 1)).isInstanceOf(LimitStoreFullException.class);
        }
        assertThat(g.state()).isEqualTo(GuardedLimitStore.State.CLOSED);
    }

    @Test
    void closeWhenCalledThenClosesTheGuardedStore() {
        Scripted s = new Scripted();
        guard(s).close();
        assertThat(s.closed).isTrue();
    }

    @Test
    void builderWhenBadValuesThenRefusedNamingThem() {
        Scripted s = new Scripted();
        assertThatThrownBy(() -> GuardedLimitStore.builder(s).timeout(Duration.ZERO))
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> GuardedLimitStore.builder(s).failureThreshold(0))
                .hasMessageContaining("failureThreshold");
        assertThatThrownBy(() -> GuardedLimitStore.builder(s).openFor(Duration.ofSeconds(-1)))
                .hasMessageContaining("openFor");
    }
}
