package io.relaycontrol.benchmarks;

import io.relaycontrol.core.net.NetworkSet;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the network-lookup comparison: {@code java -jar examples/benchmarks/target/benchmarks.jar --quick}
 * (a few minutes on 2 cores) or {@code --full} (the iterations in the annotations). It first checks every
 * candidate's answers against the naive scan and prints any disagreement, then measures the retained heap
 * and build time of the 1,000,000-prefix set, then runs JMH and prints, for each list, ops/s and
 * relaycontrol's ratio to each peer. Any other arguments are passed to JMH's own {@code Main}.
 */
public final class BenchmarkMain {

    /** "list candidate: n wrong" for every candidate that disagreed with the naive scan. */
    private static final List<String> DISAGREEING = new ArrayList<>();

    private BenchmarkMain() {
    }

    /**
     * @param args {@code --quick}, {@code --full}, {@code --check} (correctness and heap only), or JMH arguments
     * @throws Exception if JMH fails
     */
    public static void main(String[] args) throws Exception {
        List<String> a = Arrays.asList(args);
        boolean quick = a.contains("--quick");
        boolean full = a.contains("--full");
        boolean check = a.contains("--check");
        if (!quick && !full && !check) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        int disagreements = checkAnswers();
        measureHeap();
        if (check) {
            System.exit(disagreements == 0 ? 0 : 1);
            return;
        }
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include(NetworkLookupBenchmark.class.getName() + "\\.")
                .forks(1)
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true);
        if (quick) {
            o.warmupIterations(1).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(2).measurementTime(TimeValue.seconds(1));
        }
        Collection<RunResult> results = new Runner(o.build()).run();
        report(results);
        if (disagreements > 0) {
            System.out.println("WARNING: " + disagreements + " disagreements with the naive scan (details above): "
                    + String.join(", ", DISAGREEING));
        }
    }

    /**
     * Checks, for every list: the probe generator's intent against the naive scan (on a sample: the scan is
     * quadratic), the reference against the naive scan on that sample, and every candidate against the reference
     * on all probes (James, a linear scan, on a sample).
     *
     * @return the number of wrong answers over all candidates and lists
     */
    static int checkAnswers() {
        System.out.println("== Correctness: the naive scan checks the probes and the reference on a sample;"
                + " every candidate is checked against the reference on every probe ==");
        int total = 0;
        for (String list : BenchmarkData.LISTS) {
            if (list.endsWith("-zipf")) {
                continue; // the same list and probe pool as the uniform run
            }
            BenchmarkData d = BenchmarkData.get(list);
            Naive naive = new Naive(d);
            MergedIntervals reference = new MergedIntervals(d);
            int probes = d.probes.length;
            // the scan costs entries x probes: about 2^31 entry tests per list at most
            int sample = (int) Math.min(probes, Math.max(1000, (1L << 31) / d.size()));
            for (int i = 0; i < sample; i++) {
                boolean scan = naive.contains(d.probes[i]);
                if (scan != d.inside[i] || reference.contains(d.probes[i]) != scan) {
                    System.out.println("  " + list + " probe " + d.probes[i].getHostAddress() + ": meant " + d.inside[i]
                            + ", naive " + scan + ", reference " + reference.contains(d.probes[i]));
                    total++;
                }
            }
            boolean[] expected = new boolean[probes];
            int in = 0;
            for (int i = 0; i < probes; i++) {
                expected[i] = reference.contains(d.probes[i]);
                in += expected[i] ? 1 : 0;
                if (expected[i] != d.inside[i]) {
                    total++;
                }
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                    "  %-11s %,9d prefixes, %,d merged intervals, %,d probes (%,d inside; naive scan on %,d):",
                    list, d.size(), reference.intervals(), probes, in, sample));
            for (String name : Candidates.NAMES) {
                if (name.equals("reference")) {
                    continue;
                }
                Predicate<InetAddress> p = Candidates.predicate(name, d);
                if (p == null) {
                    line.append(' ').append(name).append("=skipped");
                    continue;
                }
                int wrong = 0;
                // James scans linearly (about 70 lookups/s at 100,000 entries): check it on a sample there
                int checked = name.equals("james") && d.size() > 10_000 ? 256 : probes;
                for (int i = 0; i < checked; i++) {
                    boolean got = p.test(d.probes[i]);
                    if (got != expected[i]) {
                        if (wrong < 5) {
                            System.out.println("  DISAGREEMENT " + list + " " + name + ": "
                                    + d.probes[i].getHostAddress() + " reference=" + expected[i] + " " + name + "=" + got);
                        }
                        wrong++;
                    }
                }
                total += wrong;
                if (wrong > 0) {
                    DISAGREEING.add(list + " " + name + ": " + wrong + " wrong");
                }
                line.append(' ').append(name).append(wrong == 0 ? "=ok" : "=" + wrong + " WRONG")
                        .append(checked < probes ? "(" + checked + " probes)" : "");
                p = null;
            }
            System.out.println(line);
            BenchmarkData.forget(list);
        }
        System.out.println("  (james is a linear scan, measured up to " + Candidates.JAMES_MAX + " entries only)");
        return total;
    }

    /** Retained heap: GC, used heap before, build, GC, used heap after while the structure is still referenced. */
    static void measureHeap() {
        BenchmarkData d = BenchmarkData.get("v4-1000000");
        System.out.println("== Heap retained and build time, " + d.size() + " IPv4 prefixes "
                + "(used heap after System.gc() x3, before and after building, structure held) ==");
        NetworkSet kept = NetworkSet.of(d.cidrs);
        System.out.printf(Locale.ROOT, "  relaycontrol NetworkSet, JOL object graph: %.1f MiB (%,d bytes), %,d ranges%n",
                GraphLayout.parseInstance(kept).totalSize() / 1048576.0, GraphLayout.parseInstance(kept).totalSize(),
                kept.rangeCount());
        kept = null;
        long[] bytes = new long[3];
        long[] millis = new long[3];
        int ranges = 0;
        for (int run = 0; run < 3; run++) {
            long before = usedAfterGc();
            long t0 = System.nanoTime();
            NetworkSet s = NetworkSet.of(d.cidrs);
            millis[run] = (System.nanoTime() - t0) / 1_000_000;
            bytes[run] = usedAfterGc() - before;
            ranges = s.rangeCount();
            if (!s.contains(d.probes[0]) && !s.contains(d.probes[1]) && s.size() < 0) {
                System.out.println("unreachable"); // keeps s reachable until after the measurement
            }
        }
        Arrays.sort(bytes);
        Arrays.sort(millis);
        System.out.printf(Locale.ROOT, "  relaycontrol NetworkSet, GC-based (under G1 large arrays count as whole regions;"
                + " -XX:+UseParallelGC gives the exact figure): %.1f MiB (median of 3: %s bytes), %,d ranges;"
                + " built from strings in %d ms (median of 3: %s ms)%n", bytes[1] / 1048576.0, Arrays.toString(bytes),
                ranges, millis[1], Arrays.toString(millis));
        heapOf("netty IpSubnetFilter", () -> Candidates.netty(d));
        heapOf("ipaddress IPv4AddressTrie", () -> Candidates.trie4(d));
    }

    private static void heapOf(String name, Supplier<Object> build) {
        long before = usedAfterGc();
        long t0 = System.nanoTime();
        Object o = build.get();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long used = usedAfterGc() - before;
        System.out.printf(Locale.ROOT, "  %s: %.1f MiB, built in %d ms (one run)%n", name, used / 1048576.0, ms);
        if (o == null) {
            System.out.println("unreachable");
        }
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    static void report(Collection<RunResult> results) {
        Map<String, Map<String, Double>> byList = new HashMap<>();
        for (RunResult r : results) {
            String method = r.getParams().getBenchmark();
            method = method.substring(method.lastIndexOf('.') + 1);
            String list = r.getParams().getParam("list");
            byList.computeIfAbsent(list, k -> new HashMap<>()).put(method, r.getPrimaryResult().getScore());
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            if (alloc != null) {
                byList.get(list).put(method + ":B/op", alloc.getScore());
            }
        }
        String[] others = {"reference", "netty", "ipaddressTrie", "james"};
        System.out.println();
        System.out.println("== Lookups per second (one JMH run, 1 fork) and relaycontrol's ratio to each ==");
        System.out.printf(Locale.ROOT, "%-16s %14s", "list", "relaycontrol");
        for (String p : others) {
            System.out.printf(Locale.ROOT, " %14s %8s", p, "ratio");
        }
        System.out.println();
        for (String list : BenchmarkData.LISTS) {
            Map<String, Double> m = byList.get(list);
            if (m == null) {
                continue;
            }
            Double relay = m.get("relaycontrol");
            System.out.printf(Locale.ROOT, "%-16s %14s", list, fmt(relay));
            for (String p : others) {
                Double v = m.get(p);
                String ratio = relay == null || v == null ? "-" : String.format(Locale.ROOT, "%.2fx", relay / v);
                System.out.printf(Locale.ROOT, " %14s %8s", fmt(v), ratio);
            }
            System.out.println();
        }
        System.out.println("james: linear scan, not run above " + Candidates.JAMES_MAX + " entries");
        System.out.println();
        System.out.println("== Bytes allocated per lookup (gc.alloc.rate.norm) ==");
        for (String list : BenchmarkData.LISTS) {
            Map<String, Double> m = byList.get(list);
            if (m == null) {
                continue;
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-16s", list));
            for (String p : new String[] {"relaycontrol", "reference", "netty", "ipaddressTrie", "james"}) {
                Double v = m.get(p + ":B/op");
                line.append(String.format(Locale.ROOT, " %s=%s", p, v == null ? "-" : String.format(Locale.ROOT, "%.1f", v)));
            }
            System.out.println(line);
        }
    }

    private static String fmt(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%,.0f", v);
    }
}
