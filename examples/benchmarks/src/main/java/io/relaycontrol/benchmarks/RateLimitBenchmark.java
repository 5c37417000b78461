package io.relaycontrol.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.LimitKeys;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.limit.RateLimit;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Local rate-limit decisions against the physical-limit reference in the same run: a charging decision of
 * {@link RateLimit} (per client address, two rates, buckets in {@link LimitStore#local()}) against raw
 * Bucket4j, the same two bandwidths, on the same requests:
 * <ul>
 * <li>many keys ({@code keys} = 65,536 or 1,048,576 client addresses spread over the whole IPv4 space): every
 *     operation takes the next of 1,048,576 requests drawn at random from the keys (a random order, each thread
 *     starting at its own place). Reference: a Caffeine cache of Bucket4j buckets keyed by the request's
 *     {@code InetAddress} ({@code getIfPresent}, then {@code get} on a miss) and
 *     {@code tryConsumeAndReturnRemaining(1)}, the simplest correct way to write it;</li>
 * <li>one hot key ({@link HotKey}): two references, one Bucket4j bucket alone ({@code reference*}) and the
 *     many-keys reference on that one key, a Caffeine lookup and the bucket ({@code caffeineReference*}).</li>
 * </ul>
 * Every bucket exists before timing starts (a warm server), and the rates ({@link #RATES}) neither run dry
 * nor fill up between visits, so both sides measure charging an existing bucket. Report the ratio of the two within one run, and {@code -prof gc}'s
 * {@code gc.alloc.rate.norm} for bytes per decision:
 *
 * <pre>
 * java -jar examples/benchmarks/target/benchmarks.jar 'RateLimitBenchmark' -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RateLimitBenchmark {

    /** Requests visited per run through the probe order; at least 65,536 as the house style asks. */
    static final int PROBES = 1 << 20;

    /**
     * Two rates whose buckets never run dry in a run (a burst of ten billion) and never fill up again between
     * two visits (one token a day or an hour), so both sides charge an existing bucket every time. With
     * fast-refilling rates the local store would rightly forget a bucket between visits (it is full again) and
     * this would measure bucket creation instead.
     */
    static final long BURST = 10_000_000_000L;

    static final java.util.List<Rate> RATES = java.util.List.of(Rate.perDay(24).withBurst(BURST),
            Rate.perHour(2).withBurst(BURST));

    /** How many distinct client addresses. */
    @Param({"65536", "1048576"})
    public int keys;

    RelayRequest[] probes;
    RateLimit limit;
    Cache<InetAddress, Bucket> reference;

    /**
     * This thread's operation count and CPU time per iteration ({@link CpuTime}): on a shared machine the
     * decisions per CPU-second of each benchmark thread are the steadier cost figure.
     */
    @State(Scope.Thread)
    public static class Ops extends CpuCounter {
        @Override
        String unit() {
            return "decisions";
        }
    }

    /** This thread's place in the probe order, and its CPU time. */
    @State(Scope.Thread)
    public static class Cursor extends CpuCounter {
        int next;

        @Override
        String unit() {
            return "decisions";
        }

        /** A random place, so that two threads do not walk the same keys in step. */
        @Setup
        public void start() {
            next = new SplittableRandom().nextInt(PROBES);
        }

        int advance() {
            ops++;
            int i = next;
            next = i + 1 == PROBES ? 0 : i + 1;
            return i;
        }
    }

    static Bucket referenceBucket() {
        return Bucket.builder()
                .addLimit(b -> b.capacity(BURST).refillGreedy(24, Duration.ofDays(1)))
                .addLimit(b -> b.capacity(BURST).refillGreedy(2, Duration.ofHours(1)))
                .build();
    }

    static RateLimit relaycontrolLimit(int maxKeys) {
        return RateLimit.builder("bench").key(LimitKeys.clientAddress()).counting(Counted.CONNECTIONS)
                .rates(RATES).maxKeys(maxKeys).store(LimitStore.local()).build();
    }

    /**
     * Draws the keys over the whole IPv4 space, the probe order, and creates every bucket on both sides; then
     * checks that both sides charge.
     *
     * @throws UnknownHostException never (addresses are built from bytes)
     */
    @Setup(Level.Trial)
    public void setUp() throws UnknownHostException {
        SplittableRandom random = new SplittableRandom(20261202);
        RelayRequest[] byKey = new RelayRequest[keys];
        java.util.HashSet<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < keys; i++) {
            int ip;
            do {
                ip = random.nextInt();
            } while (!seen.add(ip));
            byte[] b = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
            byKey[i] = RelayRequest.builder(Stage.CONNECT).client(InetAddress.getByAddress(b)).build();
        }
        probes = new RelayRequest[PROBES];
        for (int i = 0; i < PROBES; i++) {
            probes[i] = byKey[random.nextInt(keys)];
        }
        limit = relaycontrolLimit(2 * keys);
        reference = Caffeine.newBuilder().maximumSize(2L * keys).expireAfterAccess(Duration.ofHours(1))
                .executor(Runnable::run).build();
        for (RelayRequest r : byKey) {
            if (limit.decide(r).verdict().isRefusal()) {
                throw new IllegalStateException("limit refuses in setup: " + limit.decide(r).explain());
            }
            if (!reference.get(r.clientAddress(), k -> referenceBucket()).tryConsumeAndReturnRemaining(1).isConsumed()) {
                throw new IllegalStateException("reference refuses in setup");
            }
        }
    }

    private ConsumptionProbe referenceDecide(RelayRequest r) {
        Bucket b = reference.getIfPresent(r.clientAddress());
        if (b == null) {
            b = reference.get(r.clientAddress(), k -> referenceBucket());
        }
        return b.tryConsumeAndReturnRemaining(1);
    }

    /**
     * @param c this thread's place
     * @return the decision
     */
    @Benchmark
    @Threads(1)
    public Decision relaycontrol1Thread(Cursor c) {
        return limit.decide(probes[c.advance()]);
    }

    /**
     * @param c this thread's place
     * @return the decision
     */
    @Benchmark
    @Threads(2)
    public Decision relaycontrol2Threads(Cursor c) {
        return limit.decide(probes[c.advance()]);
    }

    /**
     * @param c this thread's place
     * @return the probe
     */
    @Benchmark
    @Threads(1)
    public ConsumptionProbe reference1Thread(Cursor c) {
        return referenceDecide(probes[c.advance()]);
    }

    /**
     * @param c this thread's place
     * @return the probe
     */
    @Benchmark
    @Threads(2)
    public ConsumptionProbe reference2Threads(Cursor c) {
        return referenceDecide(probes[c.advance()]);
    }

    /** One hot key: every decision charges the same bucket. */
    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public static class HotKey {
        RelayRequest hot;
        RateLimit limit;
        Bucket bucket;
        Cache<InetAddress, Bucket> cached;

        /** The request, the limit and the reference bucket; both must charge. */
        @Setup(Level.Trial)
        public void setUp() {
            hot = RelayRequest.builder(Stage.CONNECT).client("192.0.2.1").build();
            limit = relaycontrolLimit(16);
            bucket = referenceBucket();
            cached = Caffeine.newBuilder().maximumSize(16).expireAfterAccess(Duration.ofHours(1))
                    .executor(Runnable::run).build();
            if (limit.decide(hot).verdict().isRefusal() || !bucket.tryConsumeAndReturnRemaining(1).isConsumed()
                    || !cachedDecide().isConsumed()) {
                throw new IllegalStateException("refused in setup");
            }
        }

        /** The many-keys reference on the one key: the Caffeine lookup and the bucket's charge. */
        ConsumptionProbe cachedDecide() {
            Bucket b = cached.getIfPresent(hot.clientAddress());
            if (b == null) {
                b = cached.get(hot.clientAddress(), k -> referenceBucket());
            }
            return b.tryConsumeAndReturnRemaining(1);
        }

        /**
         * @param o this thread's count
         * @return the probe of Caffeine + Bucket4j on the hot key
         */
        @Benchmark
        @Threads(1)
        public ConsumptionProbe caffeineReference1Thread(Ops o) {
            o.ops++;
            return cachedDecide();
        }

        /**
         * @param o this thread's count
         * @return the probe of Caffeine + Bucket4j on the hot key
         */
        @Benchmark
        @Threads(2)
        public ConsumptionProbe caffeineReference2Threads(Ops o) {
            o.ops++;
            return cachedDecide();
        }

        /**
         * @param o this thread's count
         * @return the decision
         */
        @Benchmark
        @Threads(1)
        public Decision relaycontrol1Thread(Ops o) {
            o.ops++;
            return limit.decide(hot);
        }

        /**
         * @param o this thread's count
         * @return the decision
         */
        @Benchmark
        @Threads(2)
        public Decision relaycontrol2Threads(Ops o) {
            o.ops++;
            return limit.decide(hot);
        }

        /**
         * @param o this thread's count
         * @return the probe
         */
        @Benchmark
        @Threads(1)
        public ConsumptionProbe reference1Thread(Ops o) {
            o.ops++;
            return bucket.tryConsumeAndReturnRemaining(1);
        }

        /**
         * @param o this thread's count
         * @return the probe
         */
        @Benchmark
        @Threads(2)
        public ConsumptionProbe reference2Threads(Ops o) {
            o.ops++;
            return bucket.tryConsumeAndReturnRemaining(1);
        }
    }
}
