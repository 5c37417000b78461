package io.relaycontrol.core.penalty;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.testkit.ManualClock;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Not a test: measures the heap a penalty box retains per boxed client (its record in the local penalty store and
 * its violation bucket in the local limit store). Run from the module directory after {@code mvn test-compile}:
 * <pre>
 * java -Xmx3g -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     io.relaycontrol.core.penalty.PenaltyHeapMeasurement 1000000 1000000
 * </pre>
 * Arguments: distinct client addresses that each commit six violations (so each is boxed), and the box's
 * {@code maxKeys}. Requests are built up front (they are not part of the box), then the heap after a full GC is
 * compared before and after the flood.
 */
public final class PenaltyHeapMeasurement {

    private PenaltyHeapMeasurement() {
    }

    /**
     * @param args distinct clients (default 1,000,000), maxKeys (default 1,000,000)
     */
    public static void main(String[] args) {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long maxKeys = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
        ManualClock clock = new ManualClock();
        LocalPenaltyStore store = new LocalPenaltyStore(clock);
        LimitStore counts = LimitStore.local(clock);
        PenaltyBox box = PenaltyBox.builder().after(Rate.parse("5/10m")).clock(clock).maxKeys(maxKeys)
                .violationStore(counts).store(store).build();
        RelayRequest[] requests = new RelayRequest[clients];
        for (int i = 0; i < clients; i++) {
            requests[i] = RelayRequest.builder(Stage.CONNECT).client(PenaltyFloodTest.address(i)).build();
        }
        box.record(requests[0], "warm-up");
        long before = usedAfterGc();
        for (RelayRequest r : requests) {
            for (int k = 0; k < 6; k++) {
                box.record(r, "relay");
            }
        }
        store.cleanUp();
        long after = usedAfterGc();
        long boxed = store.size();
        System.out.printf("clients %,d, maxKeys %,d, boxed %,d, retained %,d bytes = %.1f MB, %.0f bytes per boxed"
                + " client (record + violation bucket)%n", clients, maxKeys, boxed, after - before,
                (after - before) / 1e6, (after - before) / (double) Math.max(1, boxed));
        // records alone: a second store filled with the same keys' records
        LocalPenaltyStore alone = new LocalPenaltyStore(clock);
        alone.bound(maxKeys);
        Object[] keys = new Object[clients];
        for (int i = 0; i < clients; i++) {
            keys[i] = io.relaycontrol.core.limit.LimitKeys.clientAddress().keyOf(requests[i]);
        }
        long now = clock.epochNanos() / 1_000_000L;
        long b2 = usedAfterGc();
        for (int i = 0; i < clients; i++) {
            try {
                alone.compareAndSet(keys[i], null, new PenaltyRecord(1, now + 600_000, now + 86_400_000));
            } catch (PenaltyStoreFullException e) {
                // beyond the bound
            }
        }
        long a2 = usedAfterGc();
        System.out.printf("penalty store alone: %,d records, %,d bytes, %.0f bytes per record (key included)%n",
                alone.size(), a2 - b2, (a2 - b2) / (double) Math.max(1, alone.size()));
        if (requests.length < 0 || keys.length < 0) {
            System.out.println(requests[0] + " " + keys[0]); // keep them reachable across the measurement
        }
    }

    private static long usedAfterGc() {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return mx.getHeapMemoryUsage().getUsed();
    }
}
