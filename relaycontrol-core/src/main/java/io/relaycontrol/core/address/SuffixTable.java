package io.relaycontrol.core.address;

/**
 * An open-addressing hash table from canonical domains to the entries that name them, looked up by a
 * <em>region</em> of a query string, so that asking every label-boundary suffix of a query allocates nothing and
 * hashes each character once. One key holds both kinds of entry: {@code example.com} (exact) and
 * {@code .example.com} (subdomains, stored under its parent {@code example.com}).
 *
 * <p>Why hand-written: a {@code HashSet<String>} needs a {@code substring} per label boundary (a query
 * {@code a.b.example.com} would allocate {@code b.example.com}, {@code example.com} and {@code com}) and hashes
 * each suffix from scratch. Here the hash runs right to left ({@code h = 31 * h + c} from the last character), so
 * one right-to-left pass over the query yields the hash of every suffix; upper-case ASCII letters are folded
 * into that pass, so a mixed-case query costs no copy. {@code DomainSetBenchmark} compares it, in the same run,
 * with a {@code HashSet} walk and with a plain rolling-hash set (the physical-limit reference).
 *
 * <p>Layout, chosen for cache misses at 100,000 to 1,000,000 entries: each slot is four {@code int}s in one array
 * (hash, key offset, exact entry, subdomain entry), so a probe that misses reads one cache line; the keys are
 * ASCII bytes in one shared array (the length in the byte before each key), so a hit reads one more line instead
 * of a {@code String}, its array and a separate hash array. Two bit masks record which label counts occur among
 * exact keys and among parent keys, so suffixes whose label count no key has are never probed. Hash 0 marks an
 * empty slot (a key whose hash is 0 is stored as 1).
 *
 * <p>Linear probing, load factor at most 0.5, capacity a power of two. Immutable after construction and
 * therefore safe for concurrent reads.
 */
final class SuffixTable {

    private static final int STRIDE = 4;

    /** Per slot: hash (0 = empty), offset of the key in {@link #chars}, exact entry or -1, subdomain entry or -1. */
    private final int[] slots;
    /** The keys, ASCII, each preceded by its length (at most 255). */
    private final byte[] chars;
    private final int mask;
    private final int size;
    /** Bit k (k < 63) set when some exact key has k labels; bit 63 for 63 or more. */
    final long exactLabels;
    /** The same for the parents of subdomain entries. */
    final long parentLabels;

    /**
     * @param keys distinct canonical ASCII keys, each at most 255 characters
     * @param exact per key, the exact entry's index or -1
     * @param parent per key, the subdomain entry's index or -1
     * @param count how many keys to take
     */
    SuffixTable(String[] keys, int[] exact, int[] parent, int count) {
        int cap = Integer.highestOneBit(Math.max(4, count) * 2 - 1) << 1;
        this.slots = new int[cap * STRIDE];
        this.mask = cap - 1;
        this.size = count;
        int total = 0;
        for (int k = 0; k < count; k++) {
            total += keys[k].length() + 1;
        }
        this.chars = new byte[total];
        int at = 0;
        long el = 0;
        long pl = 0;
        for (int k = 0; k < count; k++) {
            String key = keys[k];
            int len = key.length();
            if (len > 255) {
                throw new IllegalArgumentException("key longer than 255 characters: " + key);
            }
            chars[at++] = (byte) len;
            int off = at;
            for (int i = 0; i < len; i++) {
                char c = key.charAt(i);
                if (c > 0x7F) {
                    throw new IllegalArgumentException("key is not ASCII: " + key);
                }
                chars[at++] = (byte) c;
            }
            int h = hash(key, 0, len);
            int slot = h & mask;
            while (slots[slot * STRIDE] != 0) {
                slot = (slot + 1) & mask;
            }
            int s = slot * STRIDE;
            slots[s] = h;
            slots[s + 1] = off;
            slots[s + 2] = exact[k];
            slots[s + 3] = parent[k];
            long bit = 1L << Math.min(63, labels(key));
            if (exact[k] >= 0) {
                el |= bit;
            }
            if (parent[k] >= 0) {
                pl |= bit;
            }
        }
        this.exactLabels = el;
        this.parentLabels = pl;
    }

    int size() {
        return size;
    }

    private static int labels(String key) {
        int n = 1;
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) == '.') {
                n++;
            }
        }
        return n;
    }

    /** The right-to-left hash of {@code s[from, to)} with ASCII upper case folded, mixed and never 0. */
    static int hash(String s, int from, int to) {
        int h = 0;
        for (int i = to - 1; i >= from; i--) {
            h = 31 * h + fold(s.charAt(i));
        }
        return mix(h);
    }

    static char fold(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c | 0x20) : c;
    }

    /** Murmur3's finaliser: spreads the polynomial hash over the low bits used as the slot; 0 becomes 1. */
    static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h == 0 ? 1 : h;
    }

    /**
     * The exact entry named by {@code s[from, to)}, compared with ASCII upper case folded if {@code folded}.
     *
     * @param mixedHash {@code mix} of the right-to-left folded hash of the region
     * @param folded whether the region may hold upper-case letters (else it is compared as it is)
     * @return the entry index, or -1
     */
    int findExact(String s, int from, int to, int mixedHash, boolean folded) {
        int slot = find(s, from, to, mixedHash, folded);
        return slot < 0 ? -1 : slots[slot + 2];
    }

    /**
     * The subdomain entry whose parent is {@code s[from, to)}.
     *
     * @param mixedHash {@code mix} of the right-to-left folded hash of the region
     * @param folded whether the region may hold upper-case letters (else it is compared as it is)
     * @return the entry index, or -1
     */
    int findParent(String s, int from, int to, int mixedHash, boolean folded) {
        int slot = find(s, from, to, mixedHash, folded);
        return slot < 0 ? -1 : slots[slot + 3];
    }

    /** @return the array index of the slot holding the key, or -1; the stored hash is compared first */
    private int find(String s, int from, int to, int mixedHash, boolean folded) {
        int len = to - from;
        int[] t = slots;
        int slot = mixedHash & mask;
        while (true) {
            int at = slot * STRIDE;
            int h = t[at];
            if (h == 0) {
                return -1;
            }
            if (h == mixedHash && (folded ? sameKeyFolded(t[at + 1], s, from, len) : sameKey(t[at + 1], s, from, len))) {
                return at;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** The key at {@code off} against {@code s[from, from + len)} as it is (a region without upper case). */
    private boolean sameKey(int off, String s, int from, int len) {
        byte[] c = chars;
        if ((c[off - 1] & 0xFF) != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (c[off + i] != s.charAt(from + i)) {
                return false;
            }
        }
        return true;
    }

    /** The key at {@code off} against {@code s[from, from + len)} with ASCII upper case folded. */
    private boolean sameKeyFolded(int off, String s, int from, int len) {
        byte[] c = chars;
        if ((c[off - 1] & 0xFF) != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (c[off + i] != fold(s.charAt(from + i))) {
                return false;
            }
        }
        return true;
    }
}
