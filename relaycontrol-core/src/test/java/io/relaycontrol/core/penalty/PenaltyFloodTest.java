package io.relaycontrol.core.penalty;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.testkit.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A flood of a million distinct addresses keeps the box bounded: the store holds at most its bound, evicts nobody
 * (a client boxed before the flood stays boxed), and new offenders beyond the bound are simply not boxed.
 * Bytes per record: {@code PenaltyHeapMeasurement}.
 */
class PenaltyFloodTest {

    static final int FLOOD = 1_000_000;

    static String address(int i) {
        return (10 + (i >>> 24)) + "." + ((i >>> 16) & 0xff) + "." + ((i >>> 8) & 0xff) + "." + (i & 0xff);
    }

    @Test
    void storeWhenAMillionClientsAreBoxedThenItHoldsItsBoundAndKeepsTheFirst() {
        ManualClock clock = new ManualClock();
        LocalPenaltyStore store = new LocalPenaltyStore(clock);
        store.bound(100_000);
        long now = clock.epochNanos() / 1_000_000L;
        PenaltyRecord r = new PenaltyRecord(1, now + 600_000, now + 86_400_000);
        int admitted = 0;
        int refused = 0;
        for (int i = 0; i < FLOOD; i++) {
            try {
                if (store.compareAndSet(i, null, r)) {
                    admitted++;
                }
            } catch (PenaltyStoreFullException e) {
                refused++;
            }
        }
        assertThat(admitted).isEqualTo(100_000);
        assertThat(refused).isEqualTo(FLOOD - 100_000);
        assertThat(store.size()).isEqualTo(100_000);
        for (int i = 0; i < 100_000; i += 997) {
            assertThat(store.get(i)).as("record " + i + " never evicted").isEqualTo(r);
        }
        // Caffeine's timer wheel drops a record a little after it may be forgotten (within its wheel's bucket, at
        // most about 1.2 h for records a day long); reads never see it after that moment
        clock.advance(Duration.ofDays(1).plusSeconds(1));
        assertThat(store.get(0)).isNull();
        clock.advance(Duration.ofHours(3));
        for (int i = 0; i < 1000 && store.size() > 0; i++) {
            store.cleanUp(); // Caffeine drops at most about a thousand expired entries per maintenance run
        }
        assertThat(store.size()).as("every record dropped once forgettable").isZero();
    }

    @Test
    void boxWhenAMillionAddressesOffendThenMemoryStaysBoundedAndTheBoxedStayBoxed() {
        ManualClock clock = new ManualClock();
        LocalPenaltyStore store = new LocalPenaltyStore(clock);
        PenaltyBox box = PenaltyBox.builder().after(Rate.parse("5/10m")).clock(clock).maxKeys(20_000)
                .violationStore(LimitStore.local(clock)).store(store).build();
        RelayRequest attacker = RelayRequest.builder(Stage.RCPT).client("203.0.113.66").sender("<a@b.test>")
                .recipient("<c@d.test>").build();
        for (int i = 0; i < 6; i++) {
            box.record(attacker, "relay");
        }
        assertThat(box.decide(attacker).verdict()).isEqualTo(Verdict.DENY);
        int notCounted = 0;
        for (int i = 0; i < FLOOD; i++) {
            RelayRequest r = RelayRequest.builder(Stage.CONNECT).client(address(i)).build();
            if (box.record(r, "relay").reason().contains("not counted")) {
                notCounted++;
            }
        }
        assertThat(notCounted).as("beyond the bound violations are not counted").isEqualTo(FLOOD - 20_000 + 1);
        assertThat(store.size()).isEqualTo(1);
        assertThat(box.decide(attacker).verdict()).as("the flood released nobody").isEqualTo(Verdict.DENY);
        // the first 20,000 flood addresses (minus the attacker's slot) may still be boxed: make them offend
        for (int i = 0; i < 19_999; i++) {
            RelayRequest r = RelayRequest.builder(Stage.CONNECT).client(address(i)).build();
            for (int k = 0; k < 5; k++) {
                box.record(r, "relay");
            }
        }
        assertThat(store.size()).isEqualTo(20_000);
        RelayRequest late = RelayRequest.builder(Stage.CONNECT).client(address(500_000)).build();
        for (int k = 0; k < 6; k++) {
            box.record(late, "relay");
        }
        assertThat(box.decide(late).verdict()).as("no room: not boxed, nobody evicted").isEqualTo(Verdict.NO_OPINION);
        assertThat(store.size()).isEqualTo(20_000);
    }
}
