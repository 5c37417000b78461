package io.relaycontrol.core.limit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.limit.GuardedLimitStore;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.penalty.GuardedPenaltyStore;
import io.relaycontrol.core.penalty.PenaltyBox;
import io.relaycontrol.core.penalty.PenaltyRecord;
import io.relaycontrol.core.penalty.PenaltyStore;
import io.relaycontrol.testkit.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Penalty boxes of two servers on one real redis-server: one box for all, escalation, failure without throwing. */
class RedisPenaltyStoreTest {

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

    private RedisLimitStore limits() {
        RedisLimitStore s = RedisLimitStore.builder(redis.uri()).clock(clock).requestTimeout(Duration.ofMillis(200))
                .build();
        toClose.add(s);
        return s;
    }

    /** One server: its own connection, its limit store and a penalty store sharing the connection. */
    private PenaltyBox server(RedisLimitStore limits) {
        return PenaltyBox.builder().after(Rate.parse("5/10m")).ban(Duration.ofMinutes(10)).factor(2)
                .max(Duration.ofDays(1)).jitter(0).clock(clock).violationStore(limits)
                .store(RedisPenaltyStore.sharing(limits).orElseThrow()).build();
    }

    private static RelayRequest relay(String client) {
        return RelayRequest.builder(Stage.RCPT).client(client).sender("<a@elsewhere.test>")
                .recipient("<b@elsewhere.test>").build();
    }

    private static RelayRequest connect(String client) {
        return RelayRequest.builder(Stage.CONNECT).client(client).build();
    }

    @Test
    void decideWhenOneServerBoxesAClientThenTheOtherRefusesItToo() {
        PenaltyBox a = server(limits());
        PenaltyBox b = server(limits());
        for (int i = 0; i < 3; i++) {
            a.record(relay("198.51.100.7"), "relay");
            b.record(relay("198.51.100.7"), "relay");
        }
        // 6 violations spread over two servers: one shared count, the sixth boxes
        Decision atB = b.decide(connect("198.51.100.7"));
        assertThat(atB.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(atB.reply()).contains(PenaltyBox.CONNECT_REPLY);
        assertThat(a.decide(relay("198.51.100.7")).verdict()).isEqualTo(Verdict.DENY);
        assertThat(a.decide(connect("198.51.100.8")).verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenTheClientOffendsAgainOnTheOtherServerThenTheBanEscalatesAndIsForgottenLater() {
        PenaltyBox a = server(limits());
        PenaltyBox b = server(limits());
        for (int i = 0; i < 6; i++) {
            a.record(relay("2001:db8:7::1"), "relay");
        }
        clock.advance(Duration.ofMinutes(10));
        assertThat(b.decide(connect("2001:db8:7::2")).verdict()).isEqualTo(Verdict.NO_OPINION);
        for (int i = 0; i < 6; i++) {
            b.record(relay("2001:db8:7::99"), "relay"); // the same /64
        }
        PenaltyRecord r = a.find(RelayRequest.builder(Stage.CONNECT).client("2001:db8:7::5").build().clientAddress())
                .orElseThrow();
        assertThat(r.offences()).isEqualTo(2);
        assertThat(r.bannedUntilMillis() - clock.epochNanos() / 1_000_000L).isEqualTo(Duration.ofMinutes(20).toMillis());
        clock.advance(Duration.ofMinutes(20)).advance(Duration.ofDays(1));
        for (int i = 0; i < 6; i++) {
            a.record(relay("2001:db8:7::1"), "relay");
        }
        assertThat(b.find(RelayRequest.builder(Stage.CONNECT).client("2001:db8:7::1").build().clientAddress())
                .orElseThrow().offences()).as("clean for a day after the ban: the count starts again").isEqualTo(1);
    }

    @Test
    void compareAndSetWhenTheValueChangedThenRefusedAndTheRecordExpiresWhenForgettable() {
        RedisLimitStore limits = limits();
        PenaltyStore s = RedisPenaltyStore.on(limits);
        long now = clock.epochNanos() / 1_000_000L;
        PenaltyRecord first = new PenaltyRecord(1, now + 60_000, now + 120_000);
        PenaltyRecord second = new PenaltyRecord(2, now + 60_000, now + 120_000);
        assertThat(s.get("k")).isNull();
        assertThat(s.compareAndSet("k", null, first)).isTrue();
        assertThat(s.compareAndSet("k", null, second)).as("not absent any more").isFalse();
        assertThat(s.compareAndSet("k", second, second)).as("not the expected value").isFalse();
        assertThat(s.compareAndSet("k", first, second)).isTrue();
        assertThat(s.get("k")).isEqualTo(second);
        // PX is measured from the store's clock: the record lives in Redis exactly until it may be forgotten
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri());
        try (var c = client.connect()) {
            long pttl = c.sync().pttl("relaycontrol:penalty:k");
            assertThat(pttl).isBetween(110_000L, 120_000L);
        } finally {
            client.shutdown();
        }
        assertThat(s.description()).startsWith("redis 127.0.0.1:");
        assertThat(RedisPenaltyStore.sharing(LimitStore.local())).isEmpty();
        assertThat(RedisPenaltyStore.sharing(GuardedLimitStore.builder(limits).build())).isPresent();
    }

    @Test
    void parseWhenTheAppGivesARedisStoreThenTheBansAreInRedisToo() {
        RedisLimitStore limits = limits();
        java.util.Map<String, String> keys = java.util.Map.of("relay.local-domains", "example.com",
                "relay.penalty.after", "5/10m");
        io.relaycontrol.core.config.RelayProperties one = io.relaycontrol.core.config.RelayProperties.parse(keys,
                java.nio.file.Path.of("."), limits);
        io.relaycontrol.core.config.RelayProperties two = io.relaycontrol.core.config.RelayProperties.parse(keys,
                java.nio.file.Path.of("."), limits);
        assertThat(one.findings()).noneMatch(f -> f.code().equals("penalty-store-local"));
        for (int i = 0; i < 6; i++) {
            one.policy().decide(relay("198.51.100.70"));
        }
        assertThat(two.policy().decide(connect("198.51.100.70")).verdict()).isEqualTo(Verdict.DEFER);
        assertThat(two.policy().penaltyBox().orElseThrow().store().description()).contains("redis");
    }

    @Test
    void decideWhenRedisIsDownThenTheBoxHasNoOpinionAndTheBreakerOpens() {
        RedisLimitStore limits = limits();
        GuardedPenaltyStore guarded = GuardedPenaltyStore.of(RedisPenaltyStore.on(limits), 3, Duration.ofHours(1),
                (d, st) -> {
                });
        PenaltyBox box = PenaltyBox.builder().clock(clock).violationStore(limits).store(guarded).jitter(0).build();
        for (int i = 0; i < 6; i++) {
            box.record(relay("198.51.100.7"), "relay");
        }
        assertThat(box.decide(connect("198.51.100.7")).verdict()).isEqualTo(Verdict.DEFER);
        redis.kill();
        for (int i = 0; i < 10; i++) {
            Decision d = box.decide(connect("198.51.100.7"));
            assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
            assertThat(d.details()).containsEntry("store", "failed");
            assertThat(box.record(relay("198.51.100.9"), "relay").verdict()).isEqualTo(Verdict.NO_OPINION);
        }
        assertThat(guarded.state()).isEqualTo(GuardedLimitStore.State.OPEN);
        assertThat(guarded.timesOpened()).isEqualTo(1);
    }
}
