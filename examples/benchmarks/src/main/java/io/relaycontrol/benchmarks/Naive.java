package io.relaycontrol.benchmarks;

import java.net.InetAddress;

/**
 * The reference: a linear scan over every entry, {@code (address & mask) == network}, with IPv4 as ints and
 * IPv6 as pairs of longs. Obviously correct, and the baseline for "how much does a data structure buy".
 */
public final class Naive {

    private final boolean v6;
    private final int[] net4;
    private final int[] mask4;
    private final long[] netHi;
    private final long[] netLo;
    private final long[] maskHi;
    private final long[] maskLo;

    Naive(BenchmarkData data) {
        int n = data.size();
        v6 = data.v6;
        net4 = new int[v6 ? 0 : n];
        mask4 = new int[v6 ? 0 : n];
        netHi = new long[v6 ? n : 0];
        netLo = new long[v6 ? n : 0];
        maskHi = new long[v6 ? n : 0];
        maskLo = new long[v6 ? n : 0];
        for (int i = 0; i < n; i++) {
            byte[] b = data.networks[i];
            int p = data.prefixes[i];
            if (!v6) {
                net4[i] = v4(b);
                mask4[i] = p == 0 ? 0 : -1 << (32 - p);
            } else {
                netHi[i] = half(b, 0);
                netLo[i] = half(b, 8);
                maskHi[i] = p == 0 ? 0 : p >= 64 ? -1L : -1L << (64 - p);
                maskLo[i] = p <= 64 ? 0 : p == 128 ? -1L : -1L << (128 - p);
            }
        }
    }

    /**
     * @param address the address
     * @return whether some entry covers it
     */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length == 4) {
            if (v6) {
                return false;
            }
            int x = v4(a);
            for (int i = 0; i < net4.length; i++) {
                if ((x & mask4[i]) == net4[i]) {
                    return true;
                }
            }
            return false;
        }
        if (!v6) {
            return false;
        }
        long hi = half(a, 0);
        long lo = half(a, 8);
        for (int i = 0; i < netHi.length; i++) {
            if ((hi & maskHi[i]) == netHi[i] && (lo & maskLo[i]) == netLo[i]) {
                return true;
            }
        }
        return false;
    }

    private static int v4(byte[] b) {
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    private static long half(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }
}
