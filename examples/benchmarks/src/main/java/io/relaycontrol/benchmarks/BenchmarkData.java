package io.relaycontrol.benchmarks;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The benchmark's lists and probes, generated from a fixed seed so that every JMH fork and the correctness
 * check see the same data.
 *
 * <p>IPv4 lists: random prefixes, 80% /24, 10% /23, 5% /22, 3% /20-/21, 2% /16-/19, anywhere in the address
 * space. IPv6 list: random prefixes in 2000::/3, /32 to /64, plus 10% /128 hosts. Probes: 4,096 addresses,
 * half inside a random entry, half outside every entry (checked with a linear scan), shuffled.
 */
public final class BenchmarkData {

    /** The list names, usable as a JMH {@code @Param}. */
    public static final String[] LISTS = {"v4-10", "v4-1000", "v4-100000", "v4-1000000", "v6-100000"};

    static final int PROBES = 4096;
    private static final Map<String, BenchmarkData> CACHE = new ConcurrentHashMap<>();

    final String name;
    final boolean v6;
    /** Entries: network bytes and prefix length. */
    final byte[][] networks;
    final int[] prefixes;
    final List<String> cidrs;
    final InetAddress[] probes;
    final boolean[] inside;

    private BenchmarkData(String name) {
        this.name = name;
        this.v6 = name.startsWith("v6-");
        int n = Integer.parseInt(name.substring(3));
        SplittableRandom rnd = new SplittableRandom(0x5EEDL + n + (v6 ? 1 : 0));
        networks = new byte[n][];
        prefixes = new int[n];
        cidrs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int p;
            byte[] b;
            if (!v6) {
                int r = rnd.nextInt(100);
                p = r < 80 ? 24 : r < 90 ? 23 : r < 95 ? 22 : r < 98 ? 20 + rnd.nextInt(2) : 16 + rnd.nextInt(4);
                int v = rnd.nextInt() & (int) (0xFFFFFFFFL << (32 - p));
                b = new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
            } else {
                p = rnd.nextInt(10) == 0 ? 128 : 32 + rnd.nextInt(33);
                b = new byte[16];
                long hi = 0x2000000000000000L | (rnd.nextLong() >>> 3);
                long lo = rnd.nextLong();
                for (int k = 0; k < 8; k++) {
                    b[k] = (byte) (hi >>> (56 - 8 * k));
                    b[8 + k] = (byte) (lo >>> (56 - 8 * k));
                }
                mask(b, p);
            }
            networks[i] = b;
            prefixes[i] = p;
            cidrs.add(address(b).getHostAddress() + "/" + p);
        }
        Naive naive = new Naive(this);
        probes = new InetAddress[PROBES];
        inside = new boolean[PROBES];
        int count = 0;
        while (count < PROBES) {
            byte[] b;
            boolean wantInside = count % 2 == 0;
            if (wantInside && n > 0) {
                int e = rnd.nextInt(n);
                b = networks[e].clone();
                for (int bit = prefixes[e]; bit < b.length * 8; bit++) {
                    if (rnd.nextBoolean()) {
                        b[bit / 8] |= (byte) (0x80 >>> (bit % 8));
                    }
                }
            } else {
                b = new byte[v6 ? 16 : 4];
                for (int k = 0; k < b.length; k++) {
                    b[k] = (byte) rnd.nextInt(256);
                }
                if (v6) {
                    b[0] = (byte) (0x20 | (b[0] & 0x1F));
                }
                InetAddress a = address(b);
                if (naive.contains(a)) {
                    continue;
                }
            }
            probes[count] = address(b);
            inside[count] = wantInside && n > 0;
            count++;
        }
        // shuffle so that inside/outside do not alternate predictably
        for (int i = PROBES - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            InetAddress t = probes[i];
            probes[i] = probes[j];
            probes[j] = t;
            boolean u = inside[i];
            inside[i] = inside[j];
            inside[j] = u;
        }
    }

    /**
     * @param name one of {@link #LISTS}
     * @return the data, generated once per JVM
     */
    public static BenchmarkData get(String name) {
        return CACHE.computeIfAbsent(name, BenchmarkData::new);
    }

    static void mask(byte[] b, int prefix) {
        for (int bit = prefix; bit < b.length * 8; bit++) {
            b[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
    }

    static InetAddress address(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    int size() {
        return prefixes.length;
    }
}
