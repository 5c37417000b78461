package io.relaycontrol.core.dns;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The hot path at RCPT for IPv4 clients: one rule's combined verdict of all its client lists, one {@code long} per
 * client, in front of the zone caches ({@link ZoneCache}), which stay the authority (shared across reloads, with
 * the queries in flight and the exact TTLs).
 *
 * <p><strong>Why not a library cache.</strong> A cached lookup must cost at most 100 ns and allocate nothing
 * (issue 17). Through Caffeine the read follows hash slot, node, key and value objects, four dependent memory
 * accesses for a client the CPU has not seen lately, and checks expiry in the node: 621 ns for one list and
 * 4,105 ns for five in {@code DnsListBenchmark}, where a plain {@code ConcurrentHashMap} took 130 ns and an int
 * open-addressing table 53 ns. Here the client's address, the expiry and the verdict share one array element: one
 * memory access per lookup, and five lists cost what one does. It is only a cache of the caches: whatever it
 * forgets (a slot taken by another client, a table started afresh) is read again from the zone caches, so it needs
 * no eviction policy, and its size is fixed when the rule is built.
 *
 * <p>A slot holds {@code [address:32][expiry tick:16][verdict:16]}; 0 is an empty slot (no entry has expiry tick
 * 0). A tick is 2<sup>30</sup> ns (1.07 s) of the cache's clock counted from the table's base. An entry expires at
 * the tick <em>before</em> its answers do (rounded down), never after, and lives at most 2<sup>15</sup> ticks
 * (9.8 h; a longer TTL is read again from the zone cache then). When the clock passes 2<sup>15</sup> ticks from the
 * base (or runs backwards past it), the table starts afresh with a new base, so the 16-bit ticks never wrap.
 * Verdicts: {@link #CLEAN} (every list answered "not listed"), or the summed score of the lists' listings as a
 * signed 16-bit number (a failed, listed or ignored answer: the rule decides those the slow way).
 *
 * <p>Open addressing with linear probing over a window of {@value #WINDOW} slots. Slots are never emptied (only a
 * whole table is replaced), so a lookup may stop at the first empty slot. A writer overwrites the client's own slot,
 * or claims an empty or expired one with a compare-and-set, or, when the whole window holds live entries of other
 * clients, takes the client's home slot (a bound by construction: a flood of new clients only overwrites).
 * Thread-safe without locks: each slot is read and written whole ({@link VarHandle} acquire/release), so a reader
 * sees an entry either entirely or not at all.
 */
final class ClientScores {

    /** A lookup found nothing current. */
    static final int MISS = Integer.MIN_VALUE;
    /** Every client list answered "not listed" (score 0, nothing failed, nothing ignored). */
    static final int CLEAN = Integer.MIN_VALUE + 1;
    /** The 16-bit field that stands for {@link #CLEAN} in a slot. */
    private static final int CLEAN_FIELD = 0x8000;
    /** Slots probed from a client's home slot. */
    static final int WINDOW = 8;
    /** log2 of a tick in nanoseconds. */
    static final int TICK_SHIFT = 30;
    /** Ticks after the base at which the table starts afresh; also the longest life of an entry. */
    static final int SPAN = 1 << 15;
    static final int MIN_SLOTS = 64;
    static final int MAX_SLOTS = 1 << 21;

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    /** One table: the slots and the clock reading their ticks count from. */
    private static final class Table {
        final long[] slots;
        final long base;
        final int generation;

        Table(int size, long base, int generation) {
            this.slots = new long[size];
            this.base = base;
            this.generation = generation;
        }
    }

    private final int size;
    private final int mask;
    private volatile Table table;

    /**
     * @param entries about how many clients to hold; the table has the next power of two at or above twice that
     *     many slots, from {@value #MIN_SLOTS} to {@value #MAX_SLOTS} (16 MiB)
     * @param nowNanos the clock now
     * @param generation the zone caches' generation now ({@link DnsListCache#generation()})
     */
    ClientScores(long entries, long nowNanos, int generation) {
        long want = Math.max(MIN_SLOTS, Math.min(MAX_SLOTS, entries * 2));
        this.size = (int) Long.highestOneBit(want - 1) << 1;
        this.mask = size - 1;
        this.table = new Table(size, nowNanos, generation);
    }

    /** @return the number of slots */
    int slots() {
        return size;
    }

    private static int home(int ip) {
        int h = ip * 0x9E3779B9; // Fibonacci hashing: neighbouring addresses land far apart
        return h ^ (h >>> 16);
    }

    /** The table for a lookup at {@code nowNanos}, or {@code null} if the current one is too old or stale. */
    private Table current(long nowNanos, int generation) {
        Table t = table;
        long ticks = nowNanos - t.base;
        if (ticks < 0 || (ticks >>> TICK_SHIFT) >= SPAN || t.generation != generation) {
            return null;
        }
        return t;
    }

    /**
     * @param ip the client's IPv4 address as an int
     * @param nowNanos the cache's clock now
     * @param generation the zone caches' generation now
     * @return the verdict ({@link #CLEAN} or a score), or {@link #MISS}; allocates nothing
     */
    int get(int ip, long nowNanos, int generation) {
        Table t = current(nowNanos, generation);
        if (t == null) {
            return MISS;
        }
        long[] slots = t.slots;
        int now = (int) ((nowNanos - t.base) >>> TICK_SHIFT);
        int i = home(ip) & mask;
        for (int p = 0; p < WINDOW; p++) {
            long w = (long) SLOT.getAcquire(slots, (i + p) & mask);
            if (w == 0) {
                return MISS;
            }
            if ((int) (w >>> 32) == ip) {
                if (((int) (w >>> 16) & 0xffff) <= now) {
                    return MISS;
                }
                int field = (int) w & 0xffff;
                return field == CLEAN_FIELD ? CLEAN : (short) field;
            }
        }
        return MISS;
    }

    /**
     * Remembers a client's verdict until {@code expiresAtNanos} (rounded down to a tick, at most {@value #SPAN}
     * ticks ahead), in place of any verdict it had. A verdict that does not fit 16 bits, or that would expire within
     * the current tick, is not remembered, but still voids the client's earlier entry.
     *
     * @param ip the client's IPv4 address as an int
     * @param verdict {@link #CLEAN} or a score in -32,767..32,767
     * @param nowNanos the cache's clock now
     * @param expiresAtNanos when the earliest of the answers it was computed from expires, on the same clock
     * @param generation the zone caches' generation the answers were read in
     */
    void put(int ip, int verdict, long nowNanos, long expiresAtNanos, int generation) {
        Table t = current(nowNanos, generation);
        if (t == null) {
            t = new Table(size, nowNanos, generation);
            table = t; // a racing writer's fresh table may be lost: it is a cache
        }
        int now = (int) ((nowNanos - t.base) >>> TICK_SHIFT);
        long until = expiresAtNanos - t.base;
        int expiry = until <= 0 ? 0 : (int) Math.min(Math.min(until >>> TICK_SHIFT, now + (long) SPAN), 0xffff);
        boolean fits = verdict == CLEAN || (verdict > Short.MIN_VALUE && verdict <= Short.MAX_VALUE);
        // What cannot be remembered still replaces what the client had: an expired entry (tick 0, never 0 whole)
        // takes its slot, so that no older verdict outlives a newer one.
        boolean keep = fits && expiry > now;
        long field = !keep ? 1 : verdict == CLEAN ? CLEAN_FIELD : verdict & 0xffffL;
        long word = ((long) ip << 32) | ((long) (keep ? expiry : 0) << 16) | field;
        long[] slots = t.slots;
        int i = home(ip) & mask;
        int free = -1;
        long freeWas = 0;
        for (int p = 0; p < WINDOW; p++) {
            int s = (i + p) & mask;
            long w = (long) SLOT.getAcquire(slots, s);
            if (w == 0) {
                if (free < 0) {
                    free = s;
                    freeWas = 0;
                }
                break; // nothing beyond an empty slot
            }
            if ((int) (w >>> 32) == ip) {
                SLOT.setRelease(slots, s, word);
                return;
            }
            if (free < 0 && ((int) (w >>> 16) & 0xffff) <= now) {
                free = s;
                freeWas = w;
            }
        }
        if (!keep) {
            return; // the client had no entry
        }
        if (free >= 0) {
            SLOT.compareAndSet(slots, free, freeWas, word); // lost to another writer: the client is read again later
        } else {
            SLOT.setRelease(slots, i, word); // the window is full of live entries: the home slot's goes
        }
    }
}
