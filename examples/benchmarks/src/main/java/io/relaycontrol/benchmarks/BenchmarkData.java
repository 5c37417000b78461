package io.relaycontrol.benchmarks;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The network benchmark's lists and probes, generated from a fixed seed so that every JMH fork and the
 * correctness check see the same data.
 *
 * <p>IPv4 lists: random prefixes anywhere in the address space, 80% /24, 10% /23, 5% /22, 3% /20-/21, 2%
 * /16-/19 (the 1,000,000-prefix list covers about a fifth of the space). IPv6 lists: random prefixes in
 * 2000::/3, /32 to /64, plus 10% /128 hosts.
 *
 * <p>Probes: {@link #probeCount(int)} of them (65,536, and 1,048,576 for the 1,000,000-entry lists), half inside a
 * random entry (random host bits), half drawn uniformly from the whole space (all of IPv4, all of 2000::/3) and
 * kept only if no entry covers them, in random order. {@code InetAddress} objects are created in the order the
 * benchmark visits them, as a server's peer address is fresh in its cache; the structures are what is probed
 * at random. A name ending in {@code -zipf} keeps the list and the probe pool but visits the pool in a scrambled
 * Zipf order ({@link Zipf}): a few clients send most of the traffic.
 */
public final class BenchmarkData {

    /** The list names, usable as a JMH {@code @Param}. */
    public static final String[] LISTS = {"v4-10", "v4-1000", "v4-100000", "v4-1000000", "v4-1000000-zipf",
            "v6-10", "v6-1000", "v6-100000", "v6-1000000"};

    private static final Map<String, BenchmarkData> CACHE = new ConcurrentHashMap<>();

    final String name;
    final boolean v6;
    final boolean zipf;
    /** Entries: network bytes and prefix length. */
    final byte[][] networks;
    final int[] prefixes;
    final List<String> cidrs;
    /** The probes in visiting order, and whether each is inside (by construction; checked against the scan). */
    final InetAddress[] probes;
    final boolean[] inside;

    private BenchmarkData(String name) {
        this.name = name;
        this.v6 = name.startsWith("v6-");
        this.zipf = name.endsWith("-zipf");
        String size = zipf ? name.substring(3, name.length() - 5) : name.substring(3);
        int n = Integer.parseInt(size);
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
        // the reference decides which random addresses are misses (the naive scan is far too slow at 1M x 1M;
        // the correctness check compares the reference with the scan on a sample)
        MergedIntervals reference = new MergedIntervals(this);
        int count = probeCount(n);
        byte[][] pool = new byte[count][];
        boolean[] poolInside = new boolean[count];
        int k = 0;
        while (k < count) {
            byte[] b;
            boolean wantInside = k % 2 == 0;
            if (wantInside) {
                int e = rnd.nextInt(n);
                b = networks[e].clone();
                for (int bit = prefixes[e]; bit < b.length * 8; bit++) {
                    if (rnd.nextBoolean()) {
                        b[bit / 8] |= (byte) (0x80 >>> (bit % 8));
                    }
                }
            } else {
                b = new byte[v6 ? 16 : 4];
                for (int j = 0; j < b.length; j++) {
                    b[j] = (byte) rnd.nextInt(256);
                }
                if (v6) {
                    b[0] = (byte) (0x20 | (b[0] & 0x1F));
                }
                if (reference.containsBytes(b)) {
                    continue;
                }
            }
            pool[k] = b;
            poolInside[k] = wantInside;
            k++;
        }
        // random order, then the visiting order (uniform: the shuffled pool; zipf: skewed draws from it)
        for (int i = count - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            byte[] t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
            boolean u = poolInside[i];
            poolInside[i] = poolInside[j];
            poolInside[j] = u;
        }
        probes = new InetAddress[count];
        inside = new boolean[count];
        if (zipf) {
            int[] order = Zipf.draw(count, count, rnd);
            InetAddress[] made = new InetAddress[count];
            for (int i = 0; i < count; i++) {
                int p = order[i];
                if (made[p] == null) {
                    made[p] = address(pool[p]);
                }
                probes[i] = made[p];
                inside[i] = poolInside[p];
            }
        } else {
            for (int i = 0; i < count; i++) {
                probes[i] = address(pool[i]);
                inside[i] = poolInside[i];
            }
        }
    }

    /** @return 65,536 probes, or 1,048,576 for lists of 1,000,000 entries or more */
    static int probeCount(int entries) {
        return entries >= 1_000_000 ? 1 << 20 : 1 << 16;
    }

    /**
     * @param name one of {@link #LISTS}
     * @return the data, generated once per JVM
     */
    public static BenchmarkData get(String name) {
        return CACHE.computeIfAbsent(name, BenchmarkData::new);
    }

    /** Drops the cached data (the correctness check walks every list in one JVM). */
    static void forget(String name) {
        CACHE.remove(name);
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

    static int v4(byte[] b) {
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    static long half(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    int size() {
        return prefixes.length;
    }

    /** @return the number of probes meant to be inside */
    int insideCount() {
        int c = 0;
        for (boolean b : inside) {
            c += b ? 1 : 0;
        }
        return c;
    }
}
