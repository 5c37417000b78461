package io.relaycontrol.benchmarks;

/**
 * The physical-limit reference for domain membership, measured in the same JMH run as {@code DomainSet}: one
 * open-addressing table of the entries' domains (linear probing, load at most 0.5, {@code int} hashes with 0 for
 * an empty slot, {@code String} keys, a kind byte: exact entry, subdomain entry or both), and a right-to-left
 * polynomial hash so that one pass over the query yields the hash of every label-boundary suffix. It checks
 * nothing about the query (no canonical-form check); mixed case is folded into the hash and compared with
 * {@code regionMatches(true, ...)}. Independent of relaycontrol's code.
 */
final class RollingHashDomains {

    private final int[] hashes;
    private final String[] keys;
    private final byte[] kinds;
    private final int mask;

    RollingHashDomains(DomainData data) {
        int n = data.domains.size();
        int cap = Integer.highestOneBit(Math.max(4, n) * 2 - 1) << 1;
        hashes = new int[cap];
        keys = new String[cap];
        kinds = new byte[cap];
        mask = cap - 1;
        for (int i = 0; i < n; i++) {
            String k = data.domains.get(i);
            int h = hash(k);
            int slot = h & mask;
            while (hashes[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            hashes[slot] = h;
            keys[slot] = k;
            kinds[slot] = data.kinds[i];
        }
    }

    private static int hash(String s) {
        int h = 0;
        for (int i = s.length() - 1; i >= 0; i--) {
            h = 31 * h + s.charAt(i);
        }
        return mix(h);
    }

    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h == 0 ? 1 : h;
    }

    /** @return the kind byte of the key {@code q[from, len)}, or 0 */
    private int kind(String q, int from, int mixed, boolean ignoreCase) {
        int len = q.length() - from;
        int slot = mixed & mask;
        while (true) {
            int h = hashes[slot];
            if (h == 0) {
                return 0;
            }
            if (h == mixed) {
                String k = keys[slot];
                if (k.length() == len && k.regionMatches(ignoreCase, 0, q, from, len)) {
                    return kinds[slot];
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    /**
     * @param q a lower-case domain
     * @return whether an exact entry equals it or a subdomain entry names one of its parents
     */
    boolean contains(String q) {
        int h = 0;
        for (int i = q.length() - 1; i >= 0; i--) {
            char c = q.charAt(i);
            if (c == '.' && (kind(q, i + 1, mix(h), false) & 2) != 0) {
                return true;
            }
            h = 31 * h + c;
        }
        return (kind(q, 0, mix(h), false) & 1) != 0;
    }

    /**
     * @param q a domain in any ASCII letter case
     * @return as {@link #contains}, case folded
     */
    boolean containsIgnoreCase(String q) {
        int h = 0;
        for (int i = q.length() - 1; i >= 0; i--) {
            char c = q.charAt(i);
            if (c == '.' && (kind(q, i + 1, mix(h), true) & 2) != 0) {
                return true;
            }
            if (c >= 'A' && c <= 'Z') {
                c |= 0x20;
            }
            h = 31 * h + c;
        }
        return (kind(q, 0, mix(h), true) & 1) != 0;
    }
}
