package io.relaycontrol.core.net;

import java.util.Arrays;

/**
 * The membership structure of one address family: the set's ranges with adjacent and overlapping ones merged into
 * disjoint intervals, in one sorted array, behind a first-level table. There is no per-entry information (that
 * lives in {@link NetworkSet.Family}, which {@code match()} uses). Each interval keeps its first and last address
 * side by side (IPv4: one {@code long}, {@link V4}; IPv6: four, {@link V6}), and a lookup searches the first
 * addresses and reads the last from the same cache line.
 *
 * <p>Why hand-written, and why this shape: the per-entry ranges that {@code match()} needs cannot be merged (a
 * range must name its entry), and at 1,000,000 random IPv4 prefixes they are 1.6x as many as the merged
 * intervals; searching them for membership costs 1.8x a merged-interval search. The first-level table is
 * indexed by the address bits that follow the prefix every interval shares, and has about eight slots per
 * interval (at most 2^17 + 1), so that most slots hold no interval edge: with one slot per boundary, a lookup in
 * 10 to 1,000 random IPv4 prefixes ran at 0.76x to 0.82x the reference in {@code NetworkLookupBenchmark} (a 16-bit
 * table), with eight at 1.04x to 1.12x (quiet machine, 2 December 2026). A slot that no interval touches, or
 * that one interval covers whole, is marked in the table and answered by that one read (IPv4 and IPv6).
 * Addresses outside the shared prefix are answered by one comparison.
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

    /**
     * IPv4: one {@code long} per merged interval, its first address in the high 32 bits and its last in the low 32
     * bits, both with the sign bit flipped so that signed comparison is unsigned order. A search compares whole
     * {@code long}s against {@code (x << 32) | 0xFFFFFFFF}, which orders by the first address alone, and finds the
     * last interval that starts at or below the address; that interval's end is in the same {@code long}, so a
     * lookup reads one cache line of the array. Searching the starts, not the boundaries (a start and an end per
     * interval), halves the candidates: at 100,000 random IPv4 prefixes a boundary search ran at 0.78x to 0.87x the
     * reference ({@code NetworkLookupBenchmark}, quiet machine, 2 and 3 December 2026), the reference searching
     * starts in one array and reading the end from a second.
     */
    static final class V4 {
        /** Set in a first-level entry whose slot needs no search: the answer is {@link #INSIDE}. */
        static final int DECIDED = Integer.MIN_VALUE;
        /** Set with {@link #DECIDED} when one interval covers the whole slot. */
        static final int INSIDE = 1 << 30;
        /** The interval index in a first-level entry. */
        static final int K_MASK = INSIDE - 1;

        private final long[] intervals;
        private final int n;
        /**
         * Slot s's candidates are k(s) .. min(k(s + 1), n - 1), where k(s) = index[s] & K_MASK is the first interval
         * ending in s or later; the entry carries {@link #DECIDED} (and {@link #INSIDE}) when the slot needs no
         * search. The last entry, a sentinel, is never flagged.
         */
        private final int[] index;
        private final int skip;
        private final int shift;
        private final int prefixMask;
        private final int prefixValue;

        /**
         * @param start first addresses of the non-overlapping ranges, sorted, sign bit flipped
         * @param end last addresses, sign bit flipped
         * @param count how many ranges
         */
        V4(int[] start, int[] end, int count) {
            long[] iv = new long[count];
            int m = 0;
            for (int i = 0; i < count; i++) {
                // start and end are already sign-flipped: they go into the long as they are
                if (m > 0 && lastOf(iv[m - 1]) != -1 && (start[i] ^ Integer.MIN_VALUE) == lastOf(iv[m - 1]) + 1) {
                    iv[m - 1] = (iv[m - 1] & 0xFFFFFFFF00000000L) | (end[i] & 0xFFFFFFFFL); // adjacent: extend
                    continue;
                }
                iv[m++] = ((long) start[i] << 32) | (end[i] & 0xFFFFFFFFL);
            }
            n = m;
            intervals = Arrays.copyOf(iv, m);
            int bits = bitsFor(m);
            int first = m == 0 ? 0 : firstOf(iv[0]);
            int last = m == 0 ? 0 : lastOf(iv[m - 1]);
            int common = Integer.numberOfLeadingZeros(first ^ last);
            skip = Math.min(common, 32 - bits);
            shift = 32 - bits;
            prefixMask = skip == 0 ? 0 : -1 << (32 - skip);
            prefixValue = first & prefixMask;
            if (m > K_MASK) {
                throw new IllegalStateException("too many intervals for the first-level table: " + m);
            }
            index = new int[(1 << bits) + 1];
            int k = 0;
            for (int slot = 0; slot <= (1 << bits); slot++) {
                while (k < m && ((lastOf(iv[k]) << skip) >>> shift) < slot) {
                    k++;
                }
                index[slot] = k;
            }
            // A slot that no interval touches, or that one interval covers whole, answers without a search.
            int freeBits = 32 - skip - bits;
            for (int slot = 0; slot < (1 << bits); slot++) {
                int lo = index[slot];
                int slotFirst = prefixValue | (slot << freeBits);
                int slotLast = slotFirst | (int) ((1L << freeBits) - 1);
                if (lo >= m || Integer.compareUnsigned(firstOf(iv[lo]), slotLast) > 0) {
                    index[slot] = lo | DECIDED;
                } else if (Integer.compareUnsigned(firstOf(iv[lo]), slotFirst) <= 0
                        && Integer.compareUnsigned(lastOf(iv[lo]), slotLast) >= 0) {
                    index[slot] = lo | DECIDED | INSIDE;
                }
            }
        }

        /** @return the interval's first address, unsigned (sign bit restored) */
        private static int firstOf(long interval) {
            return (int) (interval >> 32) ^ Integer.MIN_VALUE;
        }

        /** @return the interval's last address, unsigned */
        private static int lastOf(long interval) {
            return (int) interval ^ Integer.MIN_VALUE;
        }

        /**
         * @param address the address as an unsigned 32-bit value
         * @return whether it is in one of the intervals
         */
        boolean contains(int address) {
            if (((address ^ prefixValue) & prefixMask) != 0) {
                return false; // outside the prefix the first start and the last end share: outside every interval
            }
            int slot = (address << skip) >>> shift;
            int lo = index[slot];
            if (lo < 0) {
                return (lo & INSIDE) != 0; // DECIDED: the slot is wholly outside or wholly inside
            }
            int hi = Math.min(index[slot + 1] & K_MASK, n - 1);
            int x = address ^ Integer.MIN_VALUE;
            long key = ((long) x << 32) | 0xFFFFFFFFL;
            long[] iv = intervals;
            if (iv[lo] > key) {
                return false; // the first candidate starts above the address
            }
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (iv[mid] <= key) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return (int) iv[lo] >= x;
        }

        int intervals() {
            return n;
        }
    }

    /**
     * IPv6: four {@code long}s per merged interval (first address high and low half, last address high and low
     * half, sign bits flipped so that signed comparison is unsigned order), searched by first address as {@link V4}
     * is, with the same flagged first-level table over the high half.
     */
    static final class V6 {
        private static final int DECIDED = V4.DECIDED;
        private static final int INSIDE = V4.INSIDE;
        private static final int K_MASK = V4.K_MASK;

        /** iv[4i], iv[4i + 1]: interval i's first address; iv[4i + 2], iv[4i + 3]: its last; sign bits flipped. */
        private final long[] iv;
        private final int n;
        /** As {@link V4}'s index, over the high halves. */
        private final int[] index;
        private final int skip;
        private final int shift;
        private final long prefixMask;
        private final long prefixValue;

        /**
         * @param startHi high halves of the ranges' first addresses, sorted, sign bit flipped
         * @param startLo low halves, sign bit flipped
         * @param endHi high halves of the last addresses, sign bit flipped
         * @param endLo low halves, sign bit flipped
         * @param count how many ranges
         */
        V6(long[] startHi, long[] startLo, long[] endHi, long[] endLo, int count) {
            long[] t = new long[4 * count];
            int m = 0;
            for (int i = 0; i < count; i++) {
                if (m > 0) {
                    long ch = t[4 * m - 2] ^ Long.MIN_VALUE; // the open interval's last address, unsigned
                    long cl = t[4 * m - 1] ^ Long.MIN_VALUE;
                    long sh = startHi[i] ^ Long.MIN_VALUE;
                    long sl = startLo[i] ^ Long.MIN_VALUE;
                    boolean atMax = ch == -1L && cl == -1L;
                    if (!atMax && sl == cl + 1 && sh == (cl == -1L ? ch + 1 : ch)) { // adjacent: extend
                        t[4 * m - 2] = endHi[i];
                        t[4 * m - 1] = endLo[i];
                        continue;
                    }
                }
                t[4 * m] = startHi[i];
                t[4 * m + 1] = startLo[i];
                t[4 * m + 2] = endHi[i];
                t[4 * m + 3] = endLo[i];
                m++;
            }
            n = m;
            iv = Arrays.copyOf(t, 4 * m);
            if (m > K_MASK) {
                throw new IllegalStateException("too many intervals for the first-level table: " + m);
            }
            int bits = bitsFor(m);
            long first = m == 0 ? 0 : iv[0] ^ Long.MIN_VALUE;
            long last = m == 0 ? 0 : iv[4 * m - 2] ^ Long.MIN_VALUE;
            int common = Long.numberOfLeadingZeros(first ^ last);
            skip = Math.min(common, 64 - bits);
            shift = 64 - bits;
            prefixMask = skip == 0 ? 0 : -1L << (64 - skip);
            prefixValue = first & prefixMask;
            index = new int[(1 << bits) + 1];
            int k = 0;
            for (int slot = 0; slot <= (1 << bits); slot++) {
                while (k < m && (int) (((iv[4 * k + 2] ^ Long.MIN_VALUE) << skip) >>> shift) < slot) {
                    k++;
                }
                index[slot] = k;
            }
            // As in V4, over the high halves: a slot spans whole /64s, so a low half never splits one.
            int freeBits = 64 - skip - bits;
            for (int slot = 0; slot < (1 << bits); slot++) {
                int lo = index[slot];
                long slotFirst = prefixValue | ((long) slot << freeBits);
                long slotLast = slotFirst | ((1L << freeBits) - 1); // freeBits <= 63: bits >= 1
                if (lo >= m) {
                    index[slot] = lo | DECIDED;
                    continue;
                }
                long sh = iv[4 * lo] ^ Long.MIN_VALUE;
                long sl = iv[4 * lo + 1] ^ Long.MIN_VALUE;
                long eh = iv[4 * lo + 2] ^ Long.MIN_VALUE;
                long el = iv[4 * lo + 3] ^ Long.MIN_VALUE;
                if (Long.compareUnsigned(sh, slotLast) > 0) {
                    index[slot] = lo | DECIDED; // the first candidate starts after the slot
                } else if ((Long.compareUnsigned(sh, slotFirst) < 0 || sh == slotFirst && sl == 0)
                        && (Long.compareUnsigned(eh, slotLast) > 0 || eh == slotLast && el == -1L)) {
                    index[slot] = lo | DECIDED | INSIDE; // it covers the slot's first to last address
                }
            }
        }

        /**
         * @param hi the address's high 64 bits
         * @param lo its low 64 bits
         * @return whether it is in one of the intervals
         */
        boolean contains(long hi, long lo) {
            if (((hi ^ prefixValue) & prefixMask) != 0) {
                return false; // outside the prefix the first start and the last end share
            }
            int slot = (int) ((hi << skip) >>> shift);
            int a = index[slot];
            if (a < 0) {
                return (a & INSIDE) != 0;
            }
            int z = Math.min(index[slot + 1] & K_MASK, n - 1);
            long xh = hi ^ Long.MIN_VALUE;
            long xl = lo ^ Long.MIN_VALUE;
            long[] t = iv;
            long h0 = t[4 * a];
            if (h0 > xh || h0 == xh && t[4 * a + 1] > xl) {
                return false; // the first candidate starts above the address
            }
            while (a < z) {
                int mid = (a + z + 1) >>> 1;
                long h = t[4 * mid];
                if (h < xh || h == xh && t[4 * mid + 1] <= xl) {
                    a = mid;
                } else {
                    z = mid - 1;
                }
            }
            long eh = t[4 * a + 2];
            return eh > xh || eh == xh && t[4 * a + 3] >= xl;
        }

        int intervals() {
            return n;
        }
    }
}
