package io.relaycontrol.benchmarks;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.core.limit.Bandwidths;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.FailureMode;
import io.relaycontrol.core.limit.LimitKeys;
import io.relaycontrol.core.limit.RateLimit;
import io.relaycontrol.core.limit.redis.RedisLimitStore;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rate-limit decisions per second: one hot key and a million distinct keys (client addresses), on one and
 * two threads, with buckets in this JVM ({@code local}: room for every key; {@code local-bounded}: 100,000
 * keys, so the million-key flood evicts all the time) and in Redis ({@code redis}). Every decision charges a
 * token (the bandwidths are large enough never to run dry), so this measures the charging path.
 *
 * <p>The Redis variant starts its own {@code redis-server} on a free loopback port; without the binary its
 * setup fails with a message and JMH goes on with the other benchmarks.
 *
 * <pre>
 * java -jar examples/benchmarks/target/benchmarks.jar RateLimitBenchmark -f 1 -wi 2 -i 3 -r 2s -w 2s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class RateLimitBenchmark {

    private static final int KEYS = 1_000_000;

    /** Where the buckets live. */
    @Param({"local", "local-bounded", "redis"})
    public String store;

    private RateLimit limit;
    private RelayRequest hot;
    private RelayRequest[] many;
    private Process redisProcess;
    private RedisLimitStore redis;

    /** Per-thread position in the million keys, starting at a random place. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        /** Picks a random start. */
        @Setup
        public void start() {
            next = ThreadLocalRandom.current().nextInt(KEYS);
        }
    }

    /**
     * Builds the requests and the limit; for {@code redis}, starts a server.
     *
     * @throws Exception if Redis is missing or does not start
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        hot = RelayRequest.builder(Stage.CONNECT).client("192.0.2.1").build();
        many = new RelayRequest[KEYS];
        for (int i = 0; i < KEYS; i++) {
            byte[] b = {10, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
            many[i] = RelayRequest.builder(Stage.CONNECT).client(InetAddress.getByAddress(b)).build();
        }
        RateLimit.Builder b = RateLimit.builder("bench").key(LimitKeys.clientAddress()).counting(Counted.CONNECTIONS)
                .bandwidths(Bandwidths.parse("1000000000/1s, 100000000000/1h"));
        switch (store) {
            case "local":
                b.localStore(2 * KEYS);
                break;
            case "local-bounded":
                b.localStore(100_000);
                break;
            case "redis":
                int port = startRedis();
                redis = RedisLimitStore.builder("redis://127.0.0.1:" + port).build();
                b.store(redis.proxyManager()).onStoreFailure(FailureMode.DEFER);
                break;
            default:
                throw new IllegalArgumentException("unknown store " + store);
        }
        limit = b.build();
        Decision d = limit.decide(hot);
        if (d.verdict().isRefusal()) {
            throw new IllegalStateException("limit refuses in setup: " + d.explain());
        }
    }

    /** Closes Redis, if started. */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        if (redis != null) {
            redis.close();
        }
        if (redisProcess != null) {
            redisProcess.destroy();
            if (!redisProcess.waitFor(10, TimeUnit.SECONDS)) {
                redisProcess.destroyForcibly();
            }
        }
    }

    private int startRedis() throws IOException, InterruptedException, java.util.concurrent.ExecutionException,
            java.util.concurrent.TimeoutException {
        File binary = null;
        for (String dir : (System.getenv("PATH") + File.pathSeparator + "/usr/bin:/usr/sbin").split(File.pathSeparator)) {
            File f = new File(dir, "redis-server");
            if (f.canExecute()) {
                binary = f;
                break;
            }
        }
        if (binary == null) {
            throw new IllegalStateException("redis-server is not installed: skipping the Redis benchmark");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        redisProcess = new ProcessBuilder(binary.getPath(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true).start();
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        Process p = redisProcess;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.contains("Ready to accept connections")) {
                        ready.complete(true);
                    }
                }
            } catch (IOException e) {
                // process ended
            }
            ready.complete(false);
        }, "redis-log");
        reader.setDaemon(true);
        reader.start();
        if (!ready.get(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("redis-server exited before it was ready");
        }
        return port;
    }

    /** @return one decision on the hot key, one thread */
    @Benchmark
    @Threads(1)
    public Decision hotKey1Thread() {
        return limit.decide(hot);
    }

    /** @return one decision on the hot key, two threads */
    @Benchmark
    @Threads(2)
    public Decision hotKey2Threads() {
        return limit.decide(hot);
    }

    /**
     * @param c this thread's position
     * @return one decision on the next of a million keys, one thread
     */
    @Benchmark
    @Threads(1)
    public Decision millionKeys1Thread(Cursor c) {
        return decideNext(c);
    }

    /**
     * @param c this thread's position
     * @return one decision on the next of a million keys, two threads
     */
    @Benchmark
    @Threads(2)
    public Decision millionKeys2Threads(Cursor c) {
        return decideNext(c);
    }

    private Decision decideNext(Cursor c) {
        int i = c.next;
        c.next = i + 1 == KEYS ? 0 : i + 1;
        return limit.decide(many[i]);
    }
}
