package io.relaycontrol.core.limit.redis;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.FailureMode;
import io.relaycontrol.core.limit.GuardedLimitStore;
import io.relaycontrol.core.limit.LimitKeys;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.limit.RateLimit;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: decisions per second and p50/p99 latency from four deciding threads on a Redis store behind the
 * circuit breaker (timeout 50 ms, opens after 5 failures for 1 s), through phases: before, Redis killed, after
 * restart, Redis paused with SIGSTOP, after SIGCONT. Each decision takes a random one of 65,536 client
 * addresses; the limit (1,000,000,000/1h) never runs dry, so every ALLOW-equivalent (NO_OPINION) reached
 * Redis and every DEFER is the failure mode. Prints one line per phase, and an error line if any decision was
 * NO_OPINION while the store failed (none may be). Run from the module directory after
 * {@code mvn test-compile} and {@code mvn dependency:build-classpath -Dmdep.outputFile=cp.txt}:
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat cp.txt) \
 *     io.relaycontrol.core.limit.redis.BreakerMeasurement 5 10
 * </pre>
 * Arguments: seconds per normal phase, seconds of the SIGSTOP hang.
 */
public final class BreakerMeasurement {

    private BreakerMeasurement() {
    }

    private static final String[] PHASES = {"before", "killed", "restarted", "paused (SIGSTOP)", "resumed"};
    private static volatile int phase = 0;
    private static final long[] PHASE_START = new long[PHASES.length];
    private static volatile boolean stop;

    /** Per thread and phase: latencies in nanoseconds, and verdict counts. */
    private static final class Recorder {
        final long[][] lat = new long[PHASES.length][1 << 16];
        final int[] n = new int[PHASES.length];
        final long[] limited = new long[PHASES.length];
        final long[] failed = new long[PHASES.length];
        final long[] firstOk = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};

        void add(int p, long nanos) {
            if (n[p] == lat[p].length) {
                lat[p] = Arrays.copyOf(lat[p], lat[p].length * 2);
            }
            lat[p][n[p]++] = nanos;
        }
    }

    /**
     * @param args seconds per phase, seconds paused
     * @throws Exception if Redis cannot be started
     */
    public static void main(String[] args) throws Exception {
        int secs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int pausedSecs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        RequestPool pool = new RequestPool();
        RedisServer redis = RedisServer.start();
        RedisServer restarted = null;
        AtomicLong openBadAllows = new AtomicLong();
        try (GuardedLimitStore store = GuardedLimitStore.builder(RedisLimitStore.builder(redis.uri())
                .requestTimeout(Duration.ofMillis(50)).build()).timeout(Duration.ofMillis(50)).failureThreshold(5)
                .openFor(Duration.ofSeconds(1)).build()) {
            RateLimit limit = RateLimit.builder("client-rcpt").key(LimitKeys.clientAddress())
                    .counting(Counted.RECIPIENTS).rates(Rate.parseList("1000000000/1h")).store(store)
                    .onStoreFailure(FailureMode.DEFER).build();
            Recorder[] rec = new Recorder[4];
            Thread[] threads = new Thread[4];
            PHASE_START[0] = System.nanoTime();
            for (int t = 0; t < 4; t++) {
                Recorder r = new Recorder();
                rec[t] = r;
                threads[t] = new Thread(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (!stop) {
                        int p = phase;
                        RelayRequest req = pool.requests[rnd.nextInt(pool.requests.length)];
                        long t0 = System.nanoTime();
                        Decision d = limit.decide(req);
                        long dt = System.nanoTime() - t0;
                        r.add(p, dt);
                        if (d.verdict() == Verdict.DEFER) {
                            if ("failed".equals(d.details().get("store"))) {
                                r.failed[p]++;
                            } else {
                                r.limited[p]++;
                            }
                        } else if (d.error().isPresent()) {
                            openBadAllows.incrementAndGet();
                        } else if (r.firstOk[p] == Long.MAX_VALUE) {
                            r.firstOk[p] = t0 + dt;
                        }
                    }
                }, "decider-" + t);
                threads[t].start();
            }
            Thread.sleep(secs * 1000L);
            PHASE_START[1] = System.nanoTime();
            phase = 1;
            redis.kill();
            Thread.sleep(secs * 1000L);
            restarted = RedisServer.restart(redis);
            PHASE_START[2] = System.nanoTime();
            phase = 2;
            Thread.sleep(secs * 1000L);
            PHASE_START[3] = System.nanoTime();
            phase = 3;
            restarted.pause();
            Thread.sleep(pausedSecs * 1000L);
            restarted.resume();
            PHASE_START[4] = System.nanoTime();
            phase = 4;
            Thread.sleep(secs * 1000L);
            stop = true;
            for (Thread t : threads) {
                t.join();
            }
            int[] seconds = {secs, secs, secs, pausedSecs, secs};
            System.out.printf("%-18s %12s %12s %10s %10s %10s %16s%n", "phase", "decisions/s", "reached/s",
                    "p50 us", "p99 us", "max ms", "first reached ms");
            for (int p = 0; p < PHASES.length; p++) {
                int total = 0;
                long failed = 0;
                long first = Long.MAX_VALUE;
                for (Recorder r : rec) {
                    total += r.n[p];
                    failed += r.failed[p];
                    first = Math.min(first, r.firstOk[p]);
                }
                long reached = total - failed;
                for (Recorder r : rec) {
                    reached -= r.limited[p];
                }
                long[] all = new long[total];
                int i = 0;
                for (Recorder r : rec) {
                    System.arraycopy(r.lat[p], 0, all, i, r.n[p]);
                    i += r.n[p];
                }
                Arrays.sort(all);
                System.out.printf("%-18s %12d %12d %10.1f %10.1f %10.1f %16s%n", PHASES[p], total / seconds[p],
                        reached / seconds[p],
                        all.length == 0 ? 0 : all[all.length / 2] / 1e3,
                        all.length == 0 ? 0 : all[(int) (all.length * 0.99)] / 1e3,
                        all.length == 0 ? 0 : all[all.length - 1] / 1e6,
                        first == Long.MAX_VALUE ? "never" : String.valueOf((first - PHASE_START[p]) / 1_000_000));
            }
            System.out.println("breaker: opened " + store.transitions(GuardedLimitStore.State.OPEN) + ", half-open "
                    + store.transitions(GuardedLimitStore.State.HALF_OPEN) + ", closed "
                    + store.transitions(GuardedLimitStore.State.CLOSED) + "; state now " + store.state());
            if (openBadAllows.get() > 0) {
                System.out.println("ERROR: " + openBadAllows.get() + " decisions did not refuse while the store failed");
            }
        } finally {
            redis.stop();
            if (restarted != null) {
                restarted.stop();
            }
        }
    }

    /** 65,536 requests from random IPv4 clients, built once. */
    private static final class RequestPool {
        final RelayRequest[] requests = new RelayRequest[65_536];

        RequestPool() {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            for (int i = 0; i < requests.length; i++) {
                String ip = (rnd.nextInt(223) + 1) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256) + "."
                        + (rnd.nextInt(254) + 1);
                requests[i] = RelayRequest.builder(Stage.RCPT).client(ip).sender("<a@example.org>")
                        .recipient("<b@example.com>").build();
            }
        }
    }
}
