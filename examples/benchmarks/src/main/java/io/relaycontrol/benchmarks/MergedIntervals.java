package io.relaycontrol.benchmarks;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * The reference for network membership, written as simply as the technique allows and measured in the same JMH
 * run: the entries' address blocks sorted and merged into disjoint intervals (overlapping and adjacent ones
 * joined), start and end arrays, a first-level table indexed by the first 16 bits of the address, and a binary
 * search of the starts within that bucket. Input is an {@link InetAddress}, as a server has one from its socket.
 * It is independent of relaycontrol's code (no shared classes), so the correctness check compares two
 * implementations, and the naive scan checks both.
 */
final class MergedIntervals {

    private static final int BUCKETS = 1 << 16;

    private final boolean v6;
    private final int n;
    private final int[] start4;
    private final int[] end4;
    private final long[] startHi;
    private final long[] startLo;
    private final long[] endHi;
    private final long[] endLo;
    /** Bucket b's candidates are index[b] .. index[b + 1] (clipped): index[b] is the first interval ending in b or later. */
    private final int[] index;

    MergedIntervals(BenchmarkData d) {
        v6 = d.v6;
        int m = d.size();
        if (!v6) {
            long[] s = new long[m];
            long[] e = new long[m];
            Integer[] ord = new Integer[m];
            for (int i = 0; i < m; i++) {
                long v = BenchmarkData.v4(d.networks[i]) & 0xFFFFFFFFL;
                s[i] = v;
                e[i] = v | ((1L << (32 - d.prefixes[i])) - 1);
                ord[i] = i;
            }
            Arrays.sort(ord, (a, b) -> Long.compare(s[a], s[b]));
            int[] os = new int[m];
            int[] oe = new int[m];
            int k = 0;
            long curS = -1;
            long curE = -2;
            for (int i : ord) {
                if (k > 0 && s[i] <= curE + 1) {
                    curE = Math.max(curE, e[i]);
                    oe[k - 1] = (int) curE ^ Integer.MIN_VALUE;
                    continue;
                }
                curS = s[i];
                curE = e[i];
                os[k] = (int) curS ^ Integer.MIN_VALUE;
                oe[k] = (int) curE ^ Integer.MIN_VALUE;
                k++;
            }
            n = k;
            start4 = Arrays.copyOf(os, k);
            end4 = Arrays.copyOf(oe, k);
            startHi = startLo = endHi = endLo = null;
        } else {
            long[] sh = new long[m];
            long[] sl = new long[m];
            long[] eh = new long[m];
            long[] el = new long[m];
            Integer[] ord = new Integer[m];
            for (int i = 0; i < m; i++) {
                int p = d.prefixes[i];
                sh[i] = BenchmarkData.half(d.networks[i], 0);
                sl[i] = BenchmarkData.half(d.networks[i], 8);
                eh[i] = p >= 64 ? sh[i] : sh[i] | (-1L >>> p);
                el[i] = p <= 64 ? -1L : p == 128 ? sl[i] : sl[i] | (-1L >>> (p - 64));
                ord[i] = i;
            }
            Arrays.sort(ord, (a, b) -> {
                int c = Long.compareUnsigned(sh[a], sh[b]);
                return c != 0 ? c : Long.compareUnsigned(sl[a], sl[b]);
            });
            long[] osh = new long[m];
            long[] osl = new long[m];
            long[] oeh = new long[m];
            long[] oel = new long[m];
            int k = 0;
            for (int i : ord) {
                if (k > 0 && !greaterThanNext(sh[i], sl[i], oeh[k - 1], oel[k - 1])) {
                    if (cmp(eh[i], el[i], oeh[k - 1], oel[k - 1]) > 0) {
                        oeh[k - 1] = eh[i];
                        oel[k - 1] = el[i];
                    }
                    continue;
                }
                osh[k] = sh[i];
                osl[k] = sl[i];
                oeh[k] = eh[i];
                oel[k] = el[i];
                k++;
            }
            n = k;
            startHi = flip(osh, k);
            startLo = flip(osl, k);
            endHi = flip(oeh, k);
            endLo = flip(oel, k);
            start4 = end4 = null;
        }
        index = new int[BUCKETS + 1];
        int i = 0;
        for (int b = 0; b <= BUCKETS; b++) {
            while (i < n && bucketOfEnd(i) < b) {
                i++;
            }
            index[b] = i;
        }
    }

    /** @return whether (sh, sl) is beyond (eh, el) + 1, i.e. not overlapping or adjacent */
    private static boolean greaterThanNext(long sh, long sl, long eh, long el) {
        if (eh == -1L && el == -1L) {
            return false;
        }
        long nl = el + 1;
        long nh = nl == 0 ? eh + 1 : eh;
        return cmp(sh, sl, nh, nl) > 0;
    }

    private static int cmp(long ah, long al, long bh, long bl) {
        int c = Long.compareUnsigned(ah, bh);
        return c != 0 ? c : Long.compareUnsigned(al, bl);
    }

    private static long[] flip(long[] a, int k) {
        long[] out = new long[k];
        for (int i = 0; i < k; i++) {
            out[i] = a[i] ^ Long.MIN_VALUE;
        }
        return out;
    }

    private int bucketOfEnd(int i) {
        return !v6 ? (end4[i] ^ Integer.MIN_VALUE) >>> 16 : (int) ((endHi[i] ^ Long.MIN_VALUE) >>> 48);
    }

    int intervals() {
        return n;
    }

    /**
     * @param address the address
     * @return whether it is in one of the intervals
     */
    boolean contains(InetAddress address) {
        return containsBytes(address.getAddress());
    }

    /**
     * @param b 4 or 16 address bytes
     * @return whether the address is in one of the intervals
     */
    boolean containsBytes(byte[] b) {
        if (b.length == 4) {
            return !v6 && find4(BenchmarkData.v4(b));
        }
        return v6 && find6(BenchmarkData.half(b, 0), BenchmarkData.half(b, 8));
    }

    private boolean find4(int address) {
        int lo = index[address >>> 16];
        int hi = index[(address >>> 16) + 1];
        if (lo >= n) {
            return false;
        }
        if (hi >= n) {
            hi = n - 1;
        }
        int x = address ^ Integer.MIN_VALUE;
        int[] s = start4;
        if (s[lo] > x) {
            return false;
        }
        while (lo < hi) {
            int m = (lo + hi + 1) >>> 1;
            if (s[m] <= x) {
                lo = m;
            } else {
                hi = m - 1;
            }
        }
        return end4[lo] >= x;
    }

    private boolean find6(long addrHi, long addrLo) {
        int b = (int) (addrHi >>> 48);
        int lo = index[b];
        int hi = index[b + 1];
        if (lo >= n) {
            return false;
        }
        if (hi >= n) {
            hi = n - 1;
        }
        long xh = addrHi ^ Long.MIN_VALUE;
        long xl = addrLo ^ Long.MIN_VALUE;
        long[] sh = startHi;
        long[] sl = startLo;
        if (sh[lo] > xh || (sh[lo] == xh && sl[lo] > xl)) {
            return false;
        }
        while (lo < hi) {
            int m = (lo + hi + 1) >>> 1;
            long h = sh[m];
            if (h < xh || (h == xh && sl[m] <= xl)) {
                lo = m;
            } else {
                hi = m - 1;
            }
        }
        long eh = endHi[lo];
        return eh > xh || (eh == xh && endLo[lo] >= xl);
    }
}
