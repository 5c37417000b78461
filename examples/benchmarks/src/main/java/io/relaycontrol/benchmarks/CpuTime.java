package io.relaycontrol.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * Decisions per second of the benchmark thread's own CPU time, beside JMH's wall-clock throughput. On a machine
 * shared with other work (this project's is 2 cores shared by several builds), a benchmark thread gets only a
 * share of a core and the wall-clock figure measures the neighbours as much as the code; the thread's CPU time
 * ({@link ThreadMXBean#getCurrentThreadCpuTime()}, user and system) counts only the time it ran. Garbage
 * collection on other threads is not counted, so this is a per-thread cost figure, reported next to the
 * allocation rate, never instead of the wall-clock score.
 */
final class CpuTime {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private long cpu0;
    private long wall0;
    private long ops0;

    /**
     * Starts an iteration.
     *
     * @param ops the thread's operation count so far
     */
    void start(long ops) {
        cpu0 = THREADS.getCurrentThreadCpuTime();
        wall0 = System.nanoTime();
        ops0 = ops;
    }

    /**
     * Ends an iteration and prints operations per CPU-second and the CPU share.
     *
     * @param ops the thread's operation count so far
     * @param what a label
     */
    void stop(long ops, String what) {
        long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
        long wall = System.nanoTime() - wall0;
        long n = ops - ops0;
        System.out.printf(Locale.ROOT, "%n  [cpu] %s: %,d ops, %.3f M ops per CPU-second of the benchmark thread"
                + " (it ran %.0f%% of the wall time)%n", what, n, n / (cpu / 1e9) / 1e6, 100.0 * cpu / wall);
    }
}
