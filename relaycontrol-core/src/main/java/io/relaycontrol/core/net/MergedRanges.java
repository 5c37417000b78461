package io.relaycontrol.core.net;

/**
 * The membership structure of one address family: the set's ranges with adjacent and overlapping ones merged,
 * stored as one sorted array of <em>boundaries</em> (each interval's first address and the address after its
 * last), so that an address is in the set exactly when an odd number of boundaries are at or below it. A lookup
 * is one first-level table read and one binary search over one array; there is no second array of range ends to
 * read and no per-entry information (that lives in {@link NetworkSet.Family}, which {@code match()} uses).
 *
 * <p>Why hand-written, and why this shape: the per-entry ranges that {@code match()} needs cannot be merged (a
 * range must name its entry), and at 1,000,000 random IPv4 prefixes they are 1.6x as many as the merged
 * intervals; searching them for membership costs 1.8x a merged-interval search. The first-level table is
 * indexed by the address bits that follow the prefix every boundary shares, and has about eight slots per
 * boundary (at most 2^17 + 1), so that most slots hold no boundary and a lookup is two table reads with no search
 * at all: with one slot per boundary, a lookup in 10 to 1,000 random IPv4 prefixes ran at 0.76x to 0.82x the
 * reference in {@code NetworkLookupBenchmark} (a 16-bit table), with eight at 1.04x to 1.12x (quiet machine,
 * 2 December 2026). Addresses outside the shared prefix are answered by one comparison.
 *
 * <p>Immutable after construction and therefore safe for concurrent reads.
 */
final class MergedRanges {

    /** The first-level table has at most 2^MAX_BITS + 1 slots (512 KiB of ints). */
    static final int MAX_BITS = 17;

    private MergedRanges() {
    }

    /** Slots per boundary in the first-level table, as a power of two: 2^3, so most slots hold no boundary. */
    static final int SPREAD_BITS = 3;

    /**
     * The number of first-level bits for {@code n} boundaries: about eight slots per boundary, 1 to
     * {@link #MAX_BITS}.
     */
    static int bitsFor(int n) {
        int bits = 32 - Integer.numberOfLeadingZeros(Math.max(1, n - 1)) + SPREAD_BITS;
        return Math.max(1, Math.min(MAX_BITS, bits));
    }

    /** IPv4: boundaries as {@code int}s with the sign bit flipped, so signed comparison is unsigned order. */
    static final class V4 {
        private final int[] bounds;
        private final int n;
        private final int intervals;
        private final int[] index;
        private final int skip;
        private final int shift;
        private final int prefixMask;
        private final int prefixValue;
        private final int first;

        /**
         * @param start first addresses of the non-overlapping ranges, sorted, sign bit flipped
         * @param end last addresses, sign bit flipped
         * @param count how many ranges
         */
        V4(int[] start, int[] end, int count) {
            int[] b = new int[2 * count];
            int m = 0;
            int iv = 0;
            boolean open = false;
            int curEnd = 0;
            for (int i = 0; i < count; i++) {
                int s = start[i] ^ Integer.MIN_VALUE;
                int e = end[i] ^ Integer.MIN_VALUE;
                if (open && curEnd != -1 && s == curEnd + 1) {
                    curEnd = e; // adjacent: extend the open interval
                    continue;
                }
                if (open) {
                    b[m++] = curEnd + 1; // curEnd != -1 here: a range after it exists
                }
                b[m++] = s;
                iv++;
                curEnd = e;
                open = true;
            }
            if (open && curEnd != -1) {
                b[m++] = curEnd + 1;
            }
            n = m;
            intervals = iv;
            bounds = new int[m];
            for (int i = 0; i < m; i++) {
                bounds[i] = b[i] ^ Integer.MIN_VALUE;
            }
            int bits = bitsFor(m);
            first = m == 0 ? 0 : b[0];
            int common = m == 0 ? 0 : Integer.numberOfLeadingZeros(b[0] ^ b[m - 1]);
            skip = Math.min(common, 32 - bits);
            shift = 32 - bits;
            prefixMask = skip == 0 ? 0 : -1 << (32 - skip);
            prefixValue = first & prefixMask;
            index = new int[(1 << bits) + 1];
            int k = 0;
            for (int slot = 0; slot <= (1 << bits); slot++) {
                while (k < m && ((b[k] << skip) >>> shift) < slot) {
                    k++;
                }
                index[slot] = k;
            }
        }

        /**
         * @param address the address as an unsigned 32-bit value
         * @return whether it is in one of the intervals
         */
        boolean contains(int address) {
            if (((address ^ prefixValue) & prefixMask) != 0) {
                // outside the prefix all boundaries share: below them all (0 at or below) or above them all (n)
                return (n & 1) != 0 && Integer.compareUnsigned(address, first) > 0;
            }
            int slot = (address << skip) >>> shift;
            int lo = index[slot];
            int hi = index[slot + 1];
            int x = address ^ Integer.MIN_VALUE;
            int[] b = bounds;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (b[mid] <= x) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return (lo & 1) != 0;
        }

        int intervals() {
            return intervals;
        }
    }

    /** IPv6: boundaries as (high, low) pairs of {@code long}s, interleaved, sign bits flipped. */
    static final class V6 {
        /** bounds[2i] is boundary i's high half, bounds[2i + 1] its low half, both sign-flipped. */
        private final long[] bounds;
        private final int n;
        private final int intervals;
        private final int[] index;
        private final int skip;
        private final int shift;
        private final long prefixMask;
        private final long prefixValue;
        private final long firstHi;

        /**
         * @param startHi high halves of the ranges' first addresses, sorted, sign bit flipped
         * @param startLo low halves, sign bit flipped
         * @param endHi high halves of the last addresses, sign bit flipped
         * @param endLo low halves, sign bit flipped
         * @param count how many ranges
         */
        V6(long[] startHi, long[] startLo, long[] endHi, long[] endLo, int count) {
            long[] bh = new long[2 * count];
            long[] bl = new long[2 * count];
            int m = 0;
            int iv = 0;
            boolean open = false;
            long ch = 0;
            long cl = 0;
            for (int i = 0; i < count; i++) {
                long sh = startHi[i] ^ Long.MIN_VALUE;
                long sl = startLo[i] ^ Long.MIN_VALUE;
                long eh = endHi[i] ^ Long.MIN_VALUE;
                long el = endLo[i] ^ Long.MIN_VALUE;
                boolean atMax = ch == -1L && cl == -1L;
                if (open && !atMax && sl == cl + 1 && sh == (cl == -1L ? ch + 1 : ch)) {
                    ch = eh;
                    cl = el;
                    continue;
                }
                if (open) {
                    bh[m] = cl == -1L ? ch + 1 : ch;
                    bl[m++] = cl + 1;
                }
                bh[m] = sh;
                bl[m++] = sl;
                iv++;
                ch = eh;
                cl = el;
                open = true;
            }
            if (open && !(ch == -1L && cl == -1L)) {
                bh[m] = cl == -1L ? ch + 1 : ch;
                bl[m++] = cl + 1;
            }
            n = m;
            intervals = iv;
            bounds = new long[2 * m];
            for (int i = 0; i < m; i++) {
                bounds[2 * i] = bh[i] ^ Long.MIN_VALUE;
                bounds[2 * i + 1] = bl[i] ^ Long.MIN_VALUE;
            }
            int bits = bitsFor(m);
            firstHi = m == 0 ? 0 : bh[0];
            int common = m == 0 ? 0 : Long.numberOfLeadingZeros(bh[0] ^ bh[m - 1]);
            skip = Math.min(common, 64 - bits);
            shift = 64 - bits;
            prefixMask = skip == 0 ? 0 : -1L << (64 - skip);
            prefixValue = firstHi & prefixMask;
            index = new int[(1 << bits) + 1];
            int k = 0;
            for (int slot = 0; slot <= (1 << bits); slot++) {
                while (k < m && (int) ((bh[k] << skip) >>> shift) < slot) {
                    k++;
                }
                index[slot] = k;
            }
        }

        /**
         * @param hi the address's high 64 bits
         * @param lo its low 64 bits
         * @return whether it is in one of the intervals
         */
        boolean contains(long hi, long lo) {
            if (((hi ^ prefixValue) & prefixMask) != 0) {
                return (n & 1) != 0 && Long.compareUnsigned(hi, firstHi) > 0;
            }
            int slot = (int) ((hi << skip) >>> shift);
            int a = index[slot];
            int z = index[slot + 1];
            long xh = hi ^ Long.MIN_VALUE;
            long xl = lo ^ Long.MIN_VALUE;
            long[] b = bounds;
            while (a < z) {
                int mid = (a + z) >>> 1;
                long h = b[2 * mid];
                if (h < xh || h == xh && b[2 * mid + 1] <= xl) {
                    a = mid + 1;
                } else {
                    z = mid;
                }
            }
            return (a & 1) != 0;
        }

        int intervals() {
            return intervals;
        }
    }
}
