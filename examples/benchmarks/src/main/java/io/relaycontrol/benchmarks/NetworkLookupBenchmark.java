package io.relaycontrol.benchmarks;

import inet.ipaddr.ipv4.IPv4AddressTrie;
import inet.ipaddr.ipv6.IPv6AddressTrie;
import io.relaycontrol.core.net.NetworkSet;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.apache.james.dnsservice.library.netmatcher.NetMatcher;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * One membership lookup per operation, the input an {@link InetAddress}: 65,536 probes per list (1,048,576 for
 * the 1,000,000-prefix lists), half inside an entry and half outside every entry, drawn from the whole address
 * space and visited in random order ({@link BenchmarkData}); {@code v4-1000000-zipf} visits the same pool in a
 * skewed order. The reference ({@link MergedIntervals}: merged intervals, a 16-bit first-level table,
 * {@code InetAddress} input) and the peers run in the same JMH invocation; {@link BenchmarkMain} checks every
 * candidate's answers first and prints the ratios. Each candidate has its own state so a fork builds only the
 * structure it measures. relaycontrol and the reference run on every list; the peers, which need minutes of
 * set-up per fork at 1,000,000 entries on a shared 2-core machine, on three (James on two: it is a linear scan;
 * pass {@code -p list=...} to run every candidate on any list). Conversions a user of a peer would have to do are inside the timing (the IPAddress trie
 * needs its own address type); Netty gets a prebuilt {@link InetSocketAddress}, as a channel has one already.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class NetworkLookupBenchmark {

    /**
     * The probe cursor, one per thread: walks the whole probe array, then starts again; it also prints each
     * iteration's lookups per CPU-second of the benchmark thread (the same counter for every candidate).
     */
    @State(Scope.Thread)
    public static class Cursor extends CpuCounter {
        int i;

        @Override
        String unit() {
            return "lookups";
        }

        int next(int n) {
            ops++;
            int j = i;
            i = j + 1 == n ? 0 : j + 1;
            return j;
        }
    }

    /** relaycontrol's NetworkSet. */
    @State(Scope.Benchmark)
    public static class Relay {
        @Param({"v4-10", "v4-1000", "v4-100000", "v4-1000000", "v4-1000000-zipf", "v6-10", "v6-1000", "v6-100000",
                "v6-1000000"})
        public String list;
        NetworkSet set;
        InetAddress[] probes;

        @Setup(Level.Trial)
        public void setUp() {
            BenchmarkData d = BenchmarkData.get(list);
            set = Candidates.relaycontrol(d);
            probes = d.probes;
        }
    }

    /** The reference: merged intervals, a 16-bit first-level table, InetAddress input. */
    @State(Scope.Benchmark)
    public static class Reference {
        @Param({"v4-10", "v4-1000", "v4-100000", "v4-1000000", "v4-1000000-zipf", "v6-10", "v6-1000", "v6-100000",
                "v6-1000000"})
        public String list;
        MergedIntervals reference;
        InetAddress[] probes;

        @Setup(Level.Trial)
        public void setUp() {
            BenchmarkData d = BenchmarkData.get(list);
            reference = new MergedIntervals(d);
            probes = d.probes;
        }
    }

    /** Netty's IpSubnetFilter. */
    @State(Scope.Benchmark)
    public static class Netty {
        @Param({"v4-1000", "v4-1000000", "v6-100000"})
        public String list;
        NettyFilter filter;
        InetSocketAddress[] probes;

        @Setup(Level.Trial)
        public void setUp() {
            BenchmarkData d = BenchmarkData.get(list);
            filter = Candidates.netty(d);
            probes = new InetSocketAddress[d.probes.length];
            for (int i = 0; i < probes.length; i++) {
                probes[i] = new InetSocketAddress(d.probes[i], 0);
            }
        }
    }

    /** IPAddress's IPv4AddressTrie / IPv6AddressTrie. */
    @State(Scope.Benchmark)
    public static class Trie {
        @Param({"v4-1000", "v4-1000000", "v6-100000"})
        public String list;
        IPv4AddressTrie trie4;
        IPv6AddressTrie trie6;
        InetAddress[] probes;

        @Setup(Level.Trial)
        public void setUp() {
            BenchmarkData d = BenchmarkData.get(list);
            trie4 = d.v6 ? null : Candidates.trie4(d);
            trie6 = d.v6 ? Candidates.trie6(d) : null;
            probes = d.probes;
        }
    }

    /** James's NetMatcher, a linear scan: capped at {@link Candidates#JAMES_MAX} entries (no 1M lists). */
    @State(Scope.Benchmark)
    public static class James {
        @Param({"v4-1000", "v6-1000"})
        public String list;
        NetMatcher matcher;
        InetAddress[] probes;

        @Setup(Level.Trial)
        public void setUp() {
            BenchmarkData d = BenchmarkData.get(list);
            matcher = Candidates.james(d);
            probes = d.probes;
        }
    }

    /** @return whether the probe is in the set */
    @Benchmark
    public boolean relaycontrol(Relay s, Cursor c) {
        return s.set.contains(s.probes[c.next(s.probes.length)]);
    }

    /** @return whether the probe is in the set */
    @Benchmark
    public boolean reference(Reference s, Cursor c) {
        return s.reference.contains(s.probes[c.next(s.probes.length)]);
    }

    /** @return whether the probe is in the set */
    @Benchmark
    public boolean netty(Netty s, Cursor c) {
        return s.filter.test(s.probes[c.next(s.probes.length)]);
    }

    /** @return whether the probe is in the set */
    @Benchmark
    public boolean ipaddressTrie(Trie s, Cursor c) {
        return Candidates.trieContains(s.trie4, s.trie6, s.probes[c.next(s.probes.length)]);
    }

    /** @return whether the probe is in the set */
    @Benchmark
    public boolean james(James s, Cursor c) {
        return s.matcher.matchInetNetwork(s.probes[c.next(s.probes.length)]);
    }
}
