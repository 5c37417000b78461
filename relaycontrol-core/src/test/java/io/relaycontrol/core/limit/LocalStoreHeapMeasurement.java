package io.relaycontrol.core.limit;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Not a test: measures the heap the local store retains per key. Run from the module directory after
 * {@code mvn test-compile}:
 * <pre>
 * java -Xmx2g -cp target/classes:target/test-classes:$(cat cp.txt) \
 *     io.relaycontrol.core.limit.LocalStoreHeapMeasurement 1000000 1000000
 * </pre>
 * Arguments: distinct keys to send, and the store's {@code maxKeys}. Requests are built up front (they are
 * not part of the store), then the heap after a full GC is compared before and after the flood.
 */
public final class LocalStoreHeapMeasurement {

    private LocalStoreHeapMeasurement() {
    }

    /**
     * @param args distinct keys (default 1,000,000), maxKeys (default 1,000,000)
     */
    public static void main(String[] args) {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long maxKeys = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
        RateLimit limit = RateLimit.builder("heap").key(LimitKeys.clientAddress()).counting(Counted.CONNECTIONS)
                .rates(Rate.parseList("100/1h, 1000/1d")).maxKeys(maxKeys).build();
        RelayRequest[] requests = new RelayRequest[keys];
        for (int i = 0; i < keys; i++) {
            requests[i] = RelayRequest.builder(Stage.CONNECT)
                    .client((10 + (i >>> 24)) + "." + ((i >>> 16) & 0xff) + "." + ((i >>> 8) & 0xff) + "." + (i & 0xff))
                    .build();
        }
        limit.decide(requests[0]);
        long before = usedAfterGc();
        for (RelayRequest r : requests) {
            limit.decide(r);
        }
        limit.localBuckets().cleanUp();
        long after = usedAfterGc();
        long size = limit.localBuckets().size();
        System.out.printf("keys sent %,d, maxKeys %,d, buckets held %,d, retained %,d bytes = %.1f MB, %.0f bytes per bucket%n",
                keys, maxKeys, size, after - before, (after - before) / 1e6, (after - before) / (double) Math.max(1, size));
        if (args.length > 2) {
            try {
                Thread.sleep(Long.parseLong(args[2])); // a measurement program: time for jcmd GC.class_histogram
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (requests.length < 0) {
            System.out.println(requests[0]); // keep the requests reachable across the measurement
        }
    }

    private static long usedAfterGc() {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 5; i++) {
            System.gc();
        }
        return mx.getHeapMemoryUsage().getUsed();
    }
}
