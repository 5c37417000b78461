package io.relaycontrol.benchmarks;

import io.relaycontrol.core.address.DomainSet;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link DomainSet} membership against two references in the same run: {@link RollingHashDomains} (the
 * physical-limit proxy: one table, one right-to-left pass, no checks) and the obvious {@code HashSet} walk (two
 * {@code HashSet<String>}s and a {@code substring} per label boundary; mixed-case input is lower-cased first, as
 * a user of it must). Lists and queries: {@link DomainData} (65,536 queries, 1,048,576 for the 1,000,000-domain
 * list; half hits drawn from the whole list, half misses, random order). {@code input=lower}: every query
 * canonical; {@code input=mixed}: every query in mixed case. Every candidate's answers are checked against the
 * model before timing. Run with {@code -prof gc} for bytes per lookup. Each iteration also prints lookups per
 * CPU-second of the benchmark thread ({@link CpuTime}; the benchmark runs on one thread, so the set-up thread's
 * state is the timed thread's).
 *
 * <p>Run: {@code java -jar examples/benchmarks/target/benchmarks.jar DomainSetBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class DomainSetBenchmark {

    /** Number of listed domains (entries: about 1.3 per domain). */
    @Param({"1000", "100000", "1000000"})
    public int domains;

    /** {@code lower}: canonical queries; {@code mixed}: every query in mixed case. */
    @Param({"lower", "mixed"})
    public String input;

    private DomainSet set;
    private RollingHashDomains rolling;
    private Set<String> exactBaseline;
    private Set<String> parentBaseline;
    private String[] queries;
    private boolean lower;
    private int next;
    private long ops;
    private final CpuTime cpu = new CpuTime();

    /** Builds the set and the references from the same entries, the queries, and checks every answer. */
    @Setup(Level.Trial)
    public void setUp() {
        lower = input.equals("lower");
        DomainData data = new DomainData(domains, 0xD0D0L + domains);
        set = DomainSet.of(data.entries.toArray(new String[0]));
        rolling = new RollingHashDomains(data);
        exactBaseline = new HashSet<>(data.exact);
        parentBaseline = new HashSet<>(data.parents);
        int n = domains >= 1_000_000 ? 1 << 20 : 1 << 16;
        boolean[] expected = new boolean[n];
        queries = data.queries(n, input.equals("mixed"), expected);
        int hits = 0;
        for (int i = 0; i < n; i++) {
            String q = queries[i];
            hits += expected[i] ? 1 : 0;
            if (set.contains(q) != expected[i] || rolling(q) != expected[i] || hashSetWalk(q) != expected[i]) {
                throw new IllegalStateException("disagreement on " + q + ": model " + expected[i] + ", DomainSet "
                        + set.contains(q) + ", rolling hash " + rolling(q) + ", HashSet walk " + hashSetWalk(q));
            }
        }
        System.out.printf(Locale.ROOT, "%n%,d domains (%,d entries), %,d %s-case queries, %,d hits: all three agree"
                + " with the model%n", domains, set.size(), n, input, hits);
    }

    /** Starts the CPU clock of this iteration. */
    @Setup(Level.Iteration)
    public void startIteration() {
        cpu.start(ops);
    }

    /** Prints this iteration's lookups per CPU-second of the benchmark thread ({@link CpuTime}). */
    @TearDown(Level.Iteration)
    public void stopIteration() {
        cpu.stop(ops, "lookups");
    }

    private int nextIndex() {
        ops++;
        int j = next;
        next = j + 1 == queries.length ? 0 : j + 1;
        return j;
    }

    /** @return membership by relaycontrol's DomainSet */
    @Benchmark
    public boolean relaycontrol() {
        return set.contains(queries[nextIndex()]);
    }

    /** @return membership by the rolling-hash reference */
    @Benchmark
    public boolean rollingHash() {
        return rolling(queries[nextIndex()]);
    }

    /** @return membership by two HashSets and a substring per label boundary */
    @Benchmark
    public boolean hashSetWalk() {
        return hashSetWalk(queries[nextIndex()]);
    }

    private boolean rolling(String q) {
        return lower ? rolling.contains(q) : rolling.containsIgnoreCase(q);
    }

    private boolean hashSetWalk(String q) {
        String d = lower ? q : q.toLowerCase(Locale.ROOT);
        if (exactBaseline.contains(d)) {
            return true;
        }
        for (int i = d.indexOf('.'); i >= 0; i = d.indexOf('.', i + 1)) {
            if (parentBaseline.contains(d.substring(i + 1))) {
                return true;
            }
        }
        return false;
    }
}
