package io.relaycontrol.core.address;

/**
 * An open-addressing hash table from canonical domain strings to entry indexes, looked up by a
 * <em>region</em> of a query string so that testing every label-boundary suffix of a query allocates nothing.
 *
 * <p>Why hand-written: a {@code HashSet<String>} needs a {@code substring} per label boundary (a query
 * {@code a.b.example.com} would allocate {@code b.example.com}, {@code example.com} and {@code com}), and
 * {@code String.hashCode} is computed left to right, so each suffix would be hashed from scratch. Here the hash
 * runs right to left ({@code h = 31 * h + c} from the last character), so one right-to-left pass over the
 * query yields the hash of every suffix, and candidates are compared with {@link String#regionMatches}.
 * {@code DomainSetBenchmark} compares it with the {@code HashSet} + substring approach: measured on 2 cores, 0 B
 * per lookup against 56 B (hit) and 168 B (miss), at 0.6x to 1.1x its speed, since {@link DomainSet} also checks on
 * every lookup that the query is canonical (16 M lookups/s at 1,000,000 entries). The point is the allocation: the
 * RCPT path of the standard policy allocates nothing here.
 *
 * <p>Linear probing, load factor at most 0.5, capacity a power of two. Immutable after construction and
 * therefore safe for concurrent reads.
 */
final class SuffixTable {

    private final String[] keys;
    private final int[] hashes;
    private final int[] values;
    private final int mask;
    private final int size;

    /**
     * @param keys distinct canonical keys
     * @param values the entry index of each key
     * @param count how many of {@code keys} to take
     */
    SuffixTable(String[] keys, int[] values, int count) {
        int cap = Integer.highestOneBit(Math.max(4, count) * 2 - 1) << 1;
        this.keys = new String[cap];
        this.hashes = new int[cap];
        this.values = new int[cap];
        this.mask = cap - 1;
        this.size = count;
        for (int k = 0; k < count; k++) {
            String key = keys[k];
            int h = hash(key, 0, key.length());
            int slot = h & mask;
            while (this.keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            this.keys[slot] = key;
            this.hashes[slot] = h;
            this.values[slot] = values[k];
        }
    }

    int size() {
        return size;
    }

    /** The right-to-left hash of {@code s[from, to)}, mixed. */
    static int hash(String s, int from, int to) {
        int h = 0;
        for (int i = to - 1; i >= from; i--) {
            h = 31 * h + s.charAt(i);
        }
        return mix(h);
    }

    /** Murmur3's finaliser: spreads the polynomial hash over the low bits used as the slot. */
    static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    /**
     * Finds {@code s[from, to)}.
     *
     * @param mixedHash {@code mix} of the right-to-left hash of the region
     * @return the entry index, or -1
     */
    int find(String s, int from, int to, int mixedHash) {
        int len = to - from;
        int slot = mixedHash & mask;
        while (true) {
            String k = keys[slot];
            if (k == null) {
                return -1;
            }
            if (hashes[slot] == mixedHash && k.length() == len && k.regionMatches(0, s, from, len)) {
                return values[slot];
            }
            slot = (slot + 1) & mask;
        }
    }
}
