package io.relaycontrol.benchmarks;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.core.dns.DnsList;
import io.relaycontrol.core.dns.DnsListRule;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * DNS lists over real UDP on loopback: an in-process DNS server (dnsjava messages on a {@link DatagramSocket})
 * answers the zones {@code bl1.test} .. {@code bl4.test} and drops every query for {@code silent.test}.
 *
 * <ul>
 * <li>{@code cachedScore} / {@code cachedDecideUnlisted}: the hot path at RCPT, every answer already cached.
 *     65,536 random client addresses in random order, half of them listed; {@code cachedScore} reads the
 *     cached answers of one list ({@link DnsListRule#cachedScore}), {@code cachedDecideUnlisted} is the whole
 *     rule's decision for the unlisted half, {@code cachedScoreFiveLists} reads five lists' answers (for IPv4
 *     clients one read of the rule's table in front of the zone caches, whatever the number of lists). The probes
 *     are requests with address objects of their own (equal to, not the same as, the ones that filled the
 *     cache: a client's next connection), as a server sees them. Two references on the same probes:
 *     {@code referenceMap}, a plain {@code ConcurrentHashMap<InetAddress, Integer>}, and
 *     {@code referenceIntTable}, the physical-limit proxy: an open-addressing table of the addresses as ints
 *     (one random memory access after reading the request), no TTL, no bound, no concurrency. Run with
 *     {@code -prof gc} for bytes per operation.</li>
 * <li>{@code firstLookupFiveListsOneSilent}: a client never seen before, five lists of which one never
 *     answers, timeout 100 ms: the decision must come back within timeout + 5 ms (sample mode: read p0.99
 *     and p1.00).</li>
 * </ul>
 *
 * <pre>
 * java -jar examples/benchmarks/target/benchmarks.jar DnsListBenchmark -i 5 -prof gc
 * </pre>
 */
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class DnsListBenchmark {

    static final int PROBES = 65_536;
    static final int TIMEOUT_MS = 100;

    /** A DNS server on a loopback UDP port: listed clients get 127.0.0.2 and a TXT, others NXDOMAIN with SOA. */
    static final class LoopbackDns implements AutoCloseable {
        private final DatagramSocket socket;
        private final java.util.function.IntPredicate listed;
        private final Thread thread;
        private final Name soaName = Name.fromConstantString("test.");

        LoopbackDns(java.util.function.IntPredicate listed) throws SocketException, UnknownHostException {
            this.listed = listed;
            this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            this.thread = new Thread(this::serve, "loopback-dns");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve() {
            byte[] buf = new byte[512];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                    Record question = q.getQuestion();
                    String name = question.getName().toString(true);
                    if (name.endsWith(".silent.test")) {
                        continue; // never answers
                    }
                    Message r = new Message(q.getHeader().getID());
                    r.getHeader().setFlag(Flags.QR);
                    r.addRecord(question, Section.QUESTION);
                    String[] l = name.split("\\.");
                    int ip = (Integer.parseInt(l[3]) << 24) | (Integer.parseInt(l[2]) << 16)
                            | (Integer.parseInt(l[1]) << 8) | Integer.parseInt(l[0]);
                    if (listed.test(ip)) {
                        if (question.getType() == Type.A) {
                            r.addRecord(new ARecord(question.getName(), DClass.IN, 3600,
                                    InetAddress.getByName("127.0.0.2")), Section.ANSWER);
                        } else {
                            r.addRecord(new TXTRecord(question.getName(), DClass.IN, 3600, "listed for benchmarking"),
                                    Section.ANSWER);
                        }
                    } else {
                        r.getHeader().setRcode(Rcode.NXDOMAIN);
                        r.addRecord(new SOARecord(soaName, DClass.IN, 3600, soaName, soaName, 1, 3600, 600, 86400,
                                3600), Section.AUTHORITY);
                    }
                    byte[] out = r.toWire(512);
                    socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                } catch (IOException | RuntimeException e) {
                    if (socket.isClosed()) {
                        return;
                    }
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    static InetAddress ipv4(int v) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static RelayRequest rcpt(InetAddress client) {
        return RelayRequest.builder(Stage.RCPT).client(client).sender("<someone@sender.test>")
                .recipient("<bob@example.com>").build();
    }

    /**
     * The reference's table: open addressing with linear probing, keys the IPv4 addresses as ints (0 = empty:
     * the probes are 11.0.0.0 .. 90.255.255.255), values one byte; half full.
     */
    static final class IntTable {
        private final int[] keys;
        private final byte[] values;
        private final int mask;

        IntTable(int entries) {
            int capacity = Integer.highestOneBit(entries * 2 - 1) << 1;
            keys = new int[capacity];
            values = new byte[capacity];
            mask = capacity - 1;
        }

        private int slot(int key) {
            int i = (key * 0x9E3779B9) >>> 7 & mask;
            while (keys[i] != 0 && keys[i] != key) {
                i = (i + 1) & mask;
            }
            return i;
        }

        void put(int key, byte value) {
            int i = slot(key);
            keys[i] = key;
            values[i] = value;
        }

        int get(int key) {
            int i = slot(key);
            return keys[i] == key ? values[i] : -1;
        }
    }

    /** The cached hot path: every probe's answer cached, half listed. */
    @State(Scope.Benchmark)
    public static class Cached {
        LoopbackDns dns;
        DnsListRule rule;
        DnsListRule fiveLists;
        RelayRequest[] probes;
        RelayRequest[] unlisted;
        ConcurrentHashMap<InetAddress, Integer> reference;
        IntTable referenceTable;
        int next;
        int nextUnlisted;

        /** Starts the server and fills the cache through it (65,536 first lookups over UDP). */
        @Setup(Level.Trial)
        public void setUp() throws Exception {
            Random random = new Random(17);
            Set<Integer> all = new HashSet<>();
            while (all.size() < PROBES) {
                all.add(0x0b000000 + random.nextInt(0x50000000)); // 11.0.0.0 .. 90.255.255.255, random order
            }
            List<Integer> order = new ArrayList<>(all);
            java.util.Collections.shuffle(order, random);
            Set<Integer> listed = new HashSet<>(order.subList(0, PROBES / 2));
            java.util.Collections.shuffle(order, random);
            dns = new LoopbackDns(listed::contains);
            rule = DnsListRule.builder("dns-lists")
                    .list(DnsList.parse("bl1.test=127.0.0.[2..11]", DnsList.Target.CLIENT))
                    .servers(List.of(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), dns.port())))
                    .timeout(Duration.ofSeconds(2))
                    .failureCacheTime(Duration.ZERO) // a lookup lost on a loaded machine is asked again below
                    .build();
            DnsListRule.Builder five = DnsListRule.builder("five-lists")
                    .servers(List.of(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), dns.port())))
                    .timeout(Duration.ofSeconds(2))
                    .failureCacheTime(Duration.ZERO)
                    .threshold(9);
            for (String z : List.of("bl1.test", "bl2.test", "bl3.test", "bl4.test", "bl5.test")) {
                five.list(DnsList.parse(z + "=127.0.0.[2..11]", DnsList.Target.CLIENT));
            }
            fiveLists = five.build();
            reference = new ConcurrentHashMap<>();
            referenceTable = new IntTable(PROBES);
            for (int i = 0; i < PROBES; i++) {
                int ip = order.get(i);
                RelayRequest first = rcpt(ipv4(ip)); // the connection that filled the cache
                reference.put(first.clientAddress(), listed.contains(ip) ? 1 : 0);
                referenceTable.put(ip, (byte) (listed.contains(ip) ? 1 : 0));
                fill(rule, first, listed.contains(ip) ? 1 : 0);
                fill(fiveLists, first, listed.contains(ip) ? 5 : 0);
            }
            // The probes: later connections of the same clients, in another random order, with address objects
            // of their own (allocated together with their request, as a server does).
            java.util.Collections.shuffle(order, random);
            probes = new RelayRequest[PROBES];
            for (int i = 0; i < PROBES; i++) {
                probes[i] = rcpt(ipv4(order.get(i)));
            }
            // The unlisted clients' connections, allocated on their own in the same way (not every other request of
            // the probes: that would walk memory at twice the stride of the other benchmarks).
            List<RelayRequest> quiet = new ArrayList<>();
            for (int i = 0; i < PROBES; i++) {
                if (!listed.contains(order.get(i))) {
                    quiet.add(rcpt(ipv4(order.get(i))));
                }
            }
            unlisted = quiet.toArray(new RelayRequest[0]);
            for (RelayRequest p : unlisted) {
                if (rule.cachedScore(p) != 0 || !rule.decide(p).reason().startsWith("no listing")) {
                    throw new IllegalStateException("unlisted probe not cached as unlisted: " + p);
                }
            }
            for (RelayRequest p : probes) { // the first read fills the rules' front tables, the checked one reads them
                int ip = p.clientAddress().hashCode();
                rule.cachedScore(p);
                fiveLists.cachedScore(p);
                int want = listed.contains(ip) ? 1 : 0;
                if (rule.cachedScore(p) != want || fiveLists.cachedScore(p) != 5 * want
                        || reference.get(p.clientAddress()) != want || referenceTable.get(ip) != want) {
                    throw new IllegalStateException("not cached after the first lookup, or wrong: " + p);
                }
            }
        }

        private static void fill(DnsListRule r, RelayRequest first, int score) {
            Decision d = r.decide(first);
            for (int retry = 0; retry < 5 && d.details().containsKey("failed"); retry++) {
                d = r.decide(first);
            }
            if (!String.valueOf(score).equals(d.details().get("score"))) {
                throw new IllegalStateException("wrong first answer for " + first + ": " + d);
            }
        }

        /** Stops the server. */
        @TearDown(Level.Trial)
        public void tearDown() {
            dns.close();
        }
    }

    /**
     * This thread's operation count and CPU time per iteration ({@link CpuTime}): on a shared machine the lookups
     * per CPU-second of the benchmark thread are the steadier cost figure (every candidate pays the same count).
     */
    @State(Scope.Thread)
    public static class Ops extends CpuCounter {
        @Override
        String unit() {
            return "lookups";
        }
    }

    /** The cached lookup: the listed/unlisted answer of one list for a random cached client. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int cachedScore(Cached s, Ops o) {
        o.ops++;
        int i = s.next;
        s.next = i + 1 == PROBES ? 0 : i + 1;
        return s.rule.cachedScore(s.probes[i]);
    }

    /** The whole rule's RCPT decision for a cached, unlisted client. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Decision cachedDecideUnlisted(Cached s, Ops o) {
        o.ops++;
        int i = s.nextUnlisted;
        s.nextUnlisted = i + 1 == s.unlisted.length ? 0 : i + 1;
        return s.rule.decide(s.unlisted[i]);
    }

    /** The cached lookup of five lists for a random cached client (one read of the rule's front table). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int cachedScoreFiveLists(Cached s, Ops o) {
        o.ops++;
        int i = s.next;
        s.next = i + 1 == PROBES ? 0 : i + 1;
        return s.fiveLists.cachedScore(s.probes[i]);
    }

    /** Reference: the same probes' client addresses in a plain concurrent map (no TTL, no bound, no filter). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Integer referenceMap(Cached s, Ops o) {
        o.ops++;
        int i = s.next;
        s.next = i + 1 == PROBES ? 0 : i + 1;
        return s.reference.get(s.probes[i].clientAddress());
    }

    /**
     * Physical-limit proxy: the same probes in an open-addressing int table (read the request and its address,
     * then one random slot; no TTL, no bound, no concurrency, nothing any real cache can do with less).
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int referenceIntTable(Cached s, Ops o) {
        o.ops++;
        int i = s.next;
        s.next = i + 1 == PROBES ? 0 : i + 1;
        return s.referenceTable.get(s.probes[i].clientAddress().hashCode());
    }

    /** Five lists, one of them silent; every operation asks about a client never seen before. */
    @State(Scope.Benchmark)
    public static class FirstLookup {
        LoopbackDns dns;
        DnsListRule rule;
        int next = 0x5b000000; // 91.0.0.0 upwards: never cached

        /** Starts the server; clients whose last octet is even are listed. */
        @Setup(Level.Trial)
        public void setUp() throws Exception {
            // a rule, not a set of a million boxed addresses: the server's own heap would slow the collector
            dns = new LoopbackDns(ip -> (ip & 1) == 0);
            DnsListRule.Builder b = DnsListRule.builder("dns-lists")
                    .servers(List.of(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), dns.port())))
                    .timeout(Duration.ofMillis(TIMEOUT_MS))
                    .threshold(9); // never reached: every operation waits for all five lists
            for (String z : List.of("bl1.test", "bl2.test", "silent.test", "bl3.test", "bl4.test")) {
                b.list(DnsList.parse(z, DnsList.Target.CLIENT));
            }
            rule = b.build();
        }

        /** Stops the server. */
        @TearDown(Level.Trial)
        public void tearDown() {
            dns.close();
        }
    }

    /** A first lookup: five lists asked in parallel, one never answers. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Decision firstLookupFiveListsOneSilent(FirstLookup s) {
        return s.rule.decide(rcpt(ipv4(s.next++)));
    }
}
