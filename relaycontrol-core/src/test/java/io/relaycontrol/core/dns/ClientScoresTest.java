package io.relaycontrol.core.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The table in front of the zone caches: it may forget, but it never answers for the wrong client, after an
 * answer expired, across a generation, or with a verdict it was not given.
 */
class ClientScoresTest {

    private static final long T0 = 1_767_225_600_000_000_000L;
    private static final long SECOND = 1_000_000_000L;
    private static final long TICK = 1L << ClientScores.TICK_SHIFT;

    private static int ip(String dotted) {
        String[] p = dotted.split("\\.");
        return (Integer.parseInt(p[0]) << 24) | (Integer.parseInt(p[1]) << 16) | (Integer.parseInt(p[2]) << 8)
                | Integer.parseInt(p[3]);
    }

    @Test
    void getWhenPutThenTheVerdictComesBackForThatClientOnly() {
        ClientScores t = new ClientScores(1000, T0, 0);
        t.put(ip("203.0.113.7"), ClientScores.CLEAN, T0, T0 + 300 * SECOND, 0);
        t.put(ip("203.0.113.8"), 3, T0, T0 + 300 * SECOND, 0);
        t.put(ip("203.0.113.9"), -2, T0, T0 + 300 * SECOND, 0);
        t.put(ip("203.0.113.10"), 0, T0, T0 + 300 * SECOND, 0);

        assertThat(t.get(ip("203.0.113.7"), T0, 0)).isEqualTo(ClientScores.CLEAN);
        assertThat(t.get(ip("203.0.113.8"), T0, 0)).isEqualTo(3);
        assertThat(t.get(ip("203.0.113.9"), T0, 0)).isEqualTo(-2);
        assertThat(t.get(ip("203.0.113.10"), T0, 0)).isZero();
        assertThat(t.get(ip("203.0.113.11"), T0, 0)).isEqualTo(ClientScores.MISS);
    }

    @Test
    void getWhenTheAddressIsAllZerosOrAllOnesThenItIsAnEntryLikeAnyOther() {
        ClientScores t = new ClientScores(1000, T0, 0);
        assertThat(t.get(0, T0, 0)).isEqualTo(ClientScores.MISS); // an empty slot is not the entry for 0.0.0.0

        t.put(0, 5, T0, T0 + 300 * SECOND, 0);
        t.put(-1, 6, T0, T0 + 300 * SECOND, 0);

        assertThat(t.get(0, T0, 0)).isEqualTo(5);
        assertThat(t.get(-1, T0, 0)).isEqualTo(6);
    }

    @Test
    void putWhenTheClientIsThereAlreadyThenTheNewVerdictReplacesIt() {
        ClientScores t = new ClientScores(1000, T0, 0);
        t.put(7, 1, T0, T0 + 300 * SECOND, 0);
        t.put(7, ClientScores.CLEAN, T0, T0 + 300 * SECOND, 0);

        assertThat(t.get(7, T0, 0)).isEqualTo(ClientScores.CLEAN);
    }

    @Test
    void getWhenTheAnswersExpiredThenMissAndNeverAfterTheirExpiry() {
        ClientScores t = new ClientScores(1000, T0, 0);
        long expires = T0 + 10 * SECOND;
        t.put(7, 2, T0, expires, 0);

        assertThat(t.get(7, T0 + 8 * SECOND, 0)).isEqualTo(2); // rounded down by at most one tick (1.07 s)
        assertThat(t.get(7, expires - 1, 0)).isIn(2, ClientScores.MISS);
        assertThat(t.get(7, expires, 0)).isEqualTo(ClientScores.MISS);
        assertThat(t.get(7, expires + 3600 * SECOND, 0)).isEqualTo(ClientScores.MISS);
    }

    @Test
    void putWhenTheAnswerExpiresWithinTheCurrentTickOrAlreadyDidThenNothingIsRemembered() {
        ClientScores t = new ClientScores(1000, T0, 0);
        t.put(7, 2, T0, T0 + SECOND / 2, 0);
        t.put(8, 2, T0, T0 - SECOND, 0);

        assertThat(t.get(7, T0, 0)).isEqualTo(ClientScores.MISS);
        assertThat(t.get(8, T0, 0)).isEqualTo(ClientScores.MISS);
    }

    @Test
    void putWhenTheScoreDoesNotFitSixteenBitsThenNothingIsRemembered() {
        ClientScores t = new ClientScores(1000, T0, 0);
        t.put(1, 32_768, T0, T0 + 300 * SECOND, 0);
        t.put(2, -32_768, T0, T0 + 300 * SECOND, 0);
        t.put(3, Integer.MAX_VALUE, T0, T0 + 300 * SECOND, 0);
        t.put(4, 32_767, T0, T0 + 300 * SECOND, 0);
        t.put(5, -32_767, T0, T0 + 300 * SECOND, 0);

        assertThat(t.get(1, T0, 0)).isEqualTo(ClientScores.MISS);
        assertThat(t.get(2, T0, 0)).isEqualTo(ClientScores.MISS); // would read back as CLEAN
        assertThat(t.get(3, T0, 0)).isEqualTo(ClientScores.MISS);
        assertThat(t.get(4, T0, 0)).isEqualTo(32_767);
        assertThat(t.get(5, T0, 0)).isEqualTo(-32_767);
    }

    @Test
    void putWhenTheNewVerdictCannotBeRememberedThenTheOldOneIsVoidedAnyway() {
        ClientScores t = new ClientScores(1000, T0, 0);
        t.put(7, 2, T0, T0 + 300 * SECOND, 0);
        t.put(8, 2, T0, T0 + 300 * SECOND, 0);

        t.put(7, 3, T0, T0 + SECOND / 2, 0); // expires within the tick
        t.put(8, 40_000, T0, T0 + 300 * SECOND, 0); // does not fit

        assertThat(t.get(7, T0, 0)).isEqualTo(ClientScores.MISS);
        assertThat(t.get(8, T0, 0)).isEqualTo(ClientScores.MISS);
        t.put(7, 4, T0, T0 + 300 * SECOND, 0);
        assertThat(t.get(7, T0, 0)).isEqualTo(4); // the voided slot is taken again
    }

    @Test
    void getWhenTheGenerationChangedThenEveryEntryIsGone() {
        ClientScores t = new ClientScores(1000, T0, 0);
        t.put(7, 2, T0, T0 + 300 * SECOND, 0);

        assertThat(t.get(7, T0, 1)).isEqualTo(ClientScores.MISS);
        t.put(8, 3, T0, T0 + 300 * SECOND, 1);
        assertThat(t.get(8, T0, 1)).isEqualTo(3);
        assertThat(t.get(7, T0, 1)).isEqualTo(ClientScores.MISS); // the old table is gone with its generation
    }

    @Test
    void putWhenTheTtlIsLongerThanTheSpanThenTheEntryLivesAtMostTheSpan() {
        ClientScores t = new ClientScores(1000, T0, 0);
        t.put(7, 2, T0, Long.MAX_VALUE, 0);

        assertThat(t.get(7, T0 + (ClientScores.SPAN - 1) * TICK, 0)).isEqualTo(2);
        assertThat(t.get(7, T0 + ClientScores.SPAN * TICK, 0)).isEqualTo(ClientScores.MISS);
    }

    @Test
    void putWhenTheClockPassedTheSpanThenTheTableStartsAfreshAndTicksNeverWrap() {
        ClientScores t = new ClientScores(1000, T0, 0);
        t.put(7, 2, T0, T0 + 300 * SECOND, 0);
        long later = T0 + 3 * ClientScores.SPAN * TICK; // 16-bit ticks from T0 would have wrapped by now

        assertThat(t.get(7, later, 0)).isEqualTo(ClientScores.MISS);
        t.put(8, 4, later, later + 300 * SECOND, 0);
        assertThat(t.get(8, later, 0)).isEqualTo(4);
        assertThat(t.get(7, later, 0)).isEqualTo(ClientScores.MISS);
        assertThat(t.get(8, later + 301 * SECOND, 0)).isEqualTo(ClientScores.MISS);
    }

    @Test
    void getWhenTheClockRanBackwardsPastTheBaseThenMissAndPutStartsAfresh() {
        ClientScores t = new ClientScores(1000, T0, 0);
        t.put(7, 2, T0, T0 + 300 * SECOND, 0);

        assertThat(t.get(7, T0 - SECOND, 0)).isEqualTo(ClientScores.MISS);
        t.put(8, 4, T0 - SECOND, T0 + 300 * SECOND, 0);
        assertThat(t.get(8, T0 - SECOND, 0)).isEqualTo(4);
    }

    /** Addresses whose home slot is the same, in a table of {@code slots} slots. */
    private static List<Integer> colliding(ClientScores t, int count) {
        List<Integer> out = new ArrayList<>();
        int mask = t.slots() - 1;
        int want = -1;
        for (int ip = 1; out.size() < count; ip++) {
            int h = ip * 0x9E3779B9;
            int home = (h ^ (h >>> 16)) & mask;
            if (want < 0) {
                want = home;
            }
            if (home == want) {
                out.add(ip);
            }
        }
        return out;
    }

    @Test
    void putWhenTheWholeWindowHoldsLiveEntriesThenTheHomeSlotIsOverwrittenAndNothingElse() {
        ClientScores t = new ClientScores(1000, T0, 0);
        List<Integer> ips = colliding(t, ClientScores.WINDOW + 1);
        for (int i = 0; i < ips.size(); i++) {
            t.put(ips.get(i), i + 1, T0, T0 + 300 * SECOND, 0);
        }

        assertThat(t.get(ips.get(0), T0, 0)).isEqualTo(ClientScores.MISS);
        for (int i = 1; i < ips.size(); i++) {
            assertThat(t.get(ips.get(i), T0, 0)).as("client %d", i).isEqualTo(i + 1);
        }
    }

    @Test
    void putWhenASlotInTheWindowExpiredThenANewClientTakesItAndTheOthersStay() {
        ClientScores t = new ClientScores(1000, T0, 0);
        List<Integer> ips = colliding(t, ClientScores.WINDOW + 1);
        t.put(ips.get(0), 1, T0, T0 + 5 * SECOND, 0); // expires first
        for (int i = 1; i < ClientScores.WINDOW; i++) {
            t.put(ips.get(i), i + 1, T0, T0 + 3000 * SECOND, 0);
        }
        long later = T0 + 60 * SECOND;

        t.put(ips.get(ClientScores.WINDOW), 99, later, later + 300 * SECOND, 0);

        assertThat(t.get(ips.get(ClientScores.WINDOW), later, 0)).isEqualTo(99);
        for (int i = 1; i < ClientScores.WINDOW; i++) {
            assertThat(t.get(ips.get(i), later, 0)).isEqualTo(i + 1);
        }
    }

    @Test
    void putWhenAMillionClientsFloodThenTheTableKeepsItsSizeAndNeverAnswersWrongly() {
        ClientScores t = new ClientScores(1000, T0, 0);
        int slots = t.slots();
        Random random = new Random(5);
        int[] ips = new int[1 << 20];
        for (int i = 0; i < ips.length; i++) {
            ips[i] = random.nextInt();
            t.put(ips[i], verdictOf(ips[i]), T0, T0 + 300 * SECOND, 0);
        }

        assertThat(t.slots()).isEqualTo(slots).isEqualTo(2048);
        java.util.Set<Integer> hits = new java.util.HashSet<>();
        for (int ip : ips) {
            int v = t.get(ip, T0, 0);
            if (v != ClientScores.MISS) {
                assertThat(v).isEqualTo(verdictOf(ip));
                hits.add(ip);
            }
        }
        assertThat(hits.size()).isBetween(slots / 2, slots);
    }

    private static int verdictOf(int ip) {
        int v = (ip % 1000);
        return v == 0 ? ClientScores.CLEAN : v;
    }

    @Test
    void constructorWhenSizedThenSlotsAreAPowerOfTwoAtLeastTwiceTheEntriesWithinBounds() {
        assertThat(new ClientScores(1, T0, 0).slots()).isEqualTo(ClientScores.MIN_SLOTS);
        assertThat(new ClientScores(100_000, T0, 0).slots()).isEqualTo(262_144);
        assertThat(new ClientScores(131_072, T0, 0).slots()).isEqualTo(262_144);
        assertThat(new ClientScores(131_073, T0, 0).slots()).isEqualTo(524_288);
        assertThat(new ClientScores(Long.MAX_VALUE / 4, T0, 0).slots()).isEqualTo(ClientScores.MAX_SLOTS);
    }

    /** One step of the model test: a client (from a small pool, so that slots collide), a verdict, a clock step. */
    private static Gen<int[]> steps() {
        return integers().between(0, 63).zip(integers().between(-3, 5), integers().between(0, 400),
                integers().between(1, 600), (c, v, dt, ttl) -> new int[] {c, v, dt, ttl});
    }

    @Test
    void getAgainstAModelThenEveryHitIsTheLatestVerdictPutForThatClientAndNotYetExpired() {
        qt().withExamples(200).forAll(lists().of(steps()).ofSizeBetween(1, 300)).checkAssert(ops -> {
            ClientScores t = new ClientScores(8, T0, 0); // 64 slots for 64 clients: windows overlap and overflow
            Map<Integer, long[]> model = new HashMap<>(); // client -> {verdict, expiresAt}
            long now = T0;
            for (int[] op : ops) {
                now += op[2] * SECOND / 10;
                int ip = op[0] * 0x01000193; // spread
                int verdict = op[1] == 5 ? ClientScores.CLEAN : op[1];
                long expires = now + op[3] * SECOND;
                t.put(ip, verdict, now, expires, 0);
                model.put(ip, new long[] {verdict, expires});
                for (Map.Entry<Integer, long[]> e : model.entrySet()) {
                    int got = t.get(e.getKey(), now, 0);
                    if (got != ClientScores.MISS) {
                        assertThat(got).isEqualTo((int) e.getValue()[0]);
                        assertThat(now).isLessThan(e.getValue()[1]);
                    }
                }
                assertThat(t.get(ip, now, 0)).as("the entry just put").isIn(verdict, ClientScores.MISS);
                if (op[3] >= 3) {
                    assertThat(t.get(ip, now, 0)).as("the entry just put, TTL >= 3 s").isEqualTo(verdict);
                }
            }
        });
    }

    @Test
    void getWhenTwoThreadsWriteAndReadAtOnceThenNoReadSeesAnotherClientsVerdictOrATornEntry() throws Exception {
        ClientScores t = new ClientScores(256, T0, 0); // small: the threads fight over the same slots
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable work = () -> {
            Random random = new Random(Thread.currentThread().getId());
            try {
                for (int n = 0; n < 2_000_000; n++) {
                    int ip = random.nextInt(4096) * 0x9E3779B1;
                    if (random.nextBoolean()) {
                        t.put(ip, verdictOf(ip), T0, T0 + 300 * SECOND, 0);
                    } else {
                        int v = t.get(ip, T0, 0);
                        if (v != ClientScores.MISS && v != verdictOf(ip)) {
                            throw new AssertionError("client " + ip + " read " + v + ", put " + verdictOf(ip));
                        }
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        };
        Thread a = new Thread(work);
        Thread b = new Thread(work);
        a.start();
        b.start();
        a.join();
        b.join();

        assertThat(failure.get()).isNull();
    }
}
