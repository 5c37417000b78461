package io.relaycontrol.core.net;

import io.relaycontrol.api.address.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable, thread-safe set of IPv4 and IPv6 networks, built from CIDR strings, {@link InetAddress}es,
 * list files ({@link #load(Path)}) and code ({@link #builder()}), answering "is this address in the set?"
 * and "which entry matched?" for {@code explain()}.
 *
 * <pre>{@code
 * NetworkSet trusted = NetworkSet.builder()
 *         .add("10.0.0.0/8").except("10.9.0.0/16")
 *         .add("2001:db8::/32", "code", "office")
 *         .build();
 * trusted.contains(InetAddress.getByName("10.1.2.3"));   // true
 * trusted.match(client).map(NetworkMatch::toString);     // "10.0.0.0/8 from code"
 * }</pre>
 *
 * <h2>Parsing</h2>
 * Entries are parsed by the IPAddress library with strict parameters: a bare address is a /32 or /128
 * (never /0); {@code 10.1.2.3/8} (host bits set) is an error unless the builder is {@link Builder#lenient
 * lenient}, which then means {@code 10.0.0.0/8}; leading zeros, octal, inet_aton short forms
 * ({@code 10.1}, {@code 167772161}), ranges, wildcards, masks, whitespace and empty text are errors; host
 * names are errors whose message says "host name" ({@link InvalidNetworkException.Reason#HOST_NAME}) and
 * are never resolved. IPv6 zone ids ({@code fe80::1%eth0}) are accepted and ignored.
 *
 * <h2>IPv4 and IPv6</h2>
 * <ul>
 * <li>An IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}) is looked up as the IPv4 address
 *     {@code 192.0.2.1}; an entry written in mapped form with a prefix of 96 or more
 *     ({@code ::ffff:192.0.2.0/120}) is stored as the IPv4 block ({@code 192.0.2.0/24}).</li>
 * <li>An IPv4 entry never matches a native IPv6 address. IPv4-<em>compatible</em> addresses
 *     ({@code ::192.0.2.1}, deprecated by RFC 4291) are native IPv6 addresses and are <em>not</em> treated
 *     as IPv4.</li>
 * <li>An IPv6 entry never matches an IPv4 address: {@code ::/0} covers all of IPv6 but no IPv4 address
 *     (write {@code 0.0.0.0/0} for that), and a mapped block shorter than /96 such as {@code ::/80} does
 *     not match IPv4 addresses either.</li>
 * </ul>
 *
 * <h2>Exceptions</h2>
 * {@link Builder#except(String)} (a {@code !} entry in list files, as in Postfix) removes a block: an address
 * is in the set when some entry covers it and no exception does. Exceptions win whatever their position, unlike
 * Postfix's first-match lists, because a set has no order and carries no verdict.
 *
 * <h2>Which entry is reported</h2>
 * {@link #match(InetAddress)} reports the <em>most specific</em> (longest-prefix) entry covering the address;
 * among identical entries, the one added first.
 *
 * <h2>Lookup structure, and why not a trie</h2>
 * The IPAddress library is used for parsing only. Its tries (and Netty's {@code IpSubnetFilter}, a sorted
 * array of rule objects) are node-heavy and slow at list sizes such as Spamhaus DROP or a country block list
 * ({@code NetworkLookupBenchmark} measures them side by side). Here the entries and exceptions are folded, when
 * the set is built, into two structures held in primitive arrays ({@code int}s for IPv4, pairs of {@code long}s
 * for IPv6):
 * <ul>
 * <li>for membership ({@link #contains(InetAddress)}, {@link #contains(byte[])}, {@link #containsIpv4(int)},
 *     {@link #containsIpv6(long, long)}), the covered addresses as merged intervals (overlapping and adjacent
 *     entries joined, exceptions subtracted), stored as one sorted array of intervals (an IPv4 interval's first
 *     and last address in one {@code long}; IPv6: in four {@code long}s), with a first-level table
 *     of about eight slots per interval (at most 2^17 + 1) indexed by the address bits after the prefix all
 *     intervals share. A lookup is one table read, and nothing more when the slot is wholly outside or
 *     wholly inside the set, otherwise a binary search of a few intervals; it allocates nothing.</li>
 * <li>for {@link #match(InetAddress)}, non-overlapping ranges that each remember the prefix length, line and
 *     source of their most specific covering entry (its network is the range start masked to that length), so
 *     {@code match} needs no per-entry objects.</li>
 * </ul>
 * An IPv4 range costs 9 bytes for {@code match} (13 when the entries came from a file and carry line numbers;
 * IPv6: 33 or 37) plus 8 bytes per merged interval (IPv6: 32).
 *
 * <p>Instances are immutable and thread-safe; builders are not thread-safe.
 *
 * @since 0.1.0
 */
public final class NetworkSet {

    static final String CODE_SOURCE = "code";
    private static final NetworkSet EMPTY = builder().build();
    private static final int BUCKETS = 1 << 16;
    /** Up to this many ranges, a family has no first-level table (it would cost 256 KiB for nothing). */
    private static final int SMALL = 64;

    private final Family v4;
    private final Family v6;
    private final MergedRanges.V4 members4;
    private final MergedRanges.V6 members6;
    private final String[] sources;
    private final List<String> exceptions;
    private final int size;
    private final int exceptionCount;

    private NetworkSet(Family v4, Family v6, String[] sources, List<String> exceptions, int size) {
        this.v4 = v4;
        this.v6 = v6;
        this.members4 = new MergedRanges.V4(v4.start4, v4.end4, v4.count);
        this.members6 = new MergedRanges.V6(v6.startHi, v6.startLo, v6.endHi, v6.endLo, v6.count);
        this.sources = sources;
        this.exceptions = exceptions;
        this.size = size;
        this.exceptionCount = exceptions.size();
    }

    /**
     * A set of the given entries, parsed strictly, with source {@code "code"}.
     *
     * @param cidrs CIDR blocks or bare addresses; {@code !}-prefixed entries are exceptions
     * @return the set
     * @throws InvalidNetworkException if an entry is invalid (the message names it)
     * @throws NullPointerException if an entry is null
     */
    public static NetworkSet of(String... cidrs) {
        Builder b = builder();
        for (String c : cidrs) {
            b.addEntry(c);
        }
        return b.build();
    }

    /**
     * A set of the given entries; see {@link #of(String...)}.
     *
     * @param cidrs CIDR blocks or bare addresses; {@code !}-prefixed entries are exceptions
     * @return the set
     * @throws InvalidNetworkException if an entry is invalid
     */
    public static NetworkSet of(Collection<String> cidrs) {
        return of(cidrs.toArray(new String[0]));
    }

    /** @return the empty set, which contains no address */
    public static NetworkSet empty() {
        return EMPTY;
    }

    /** @return a new builder, strict by default */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads a list file, detecting its format line by line ({@link NetworkListFormat#AUTO}), strictly.
     *
     * @param file the file, read as UTF-8
     * @return the set
     * @throws NetworkListException if the file cannot be read or a line is invalid (names file and line)
     */
    public static NetworkSet load(Path file) {
        return load(file, NetworkListFormat.AUTO);
    }

    /**
     * Loads a list file of the given format, strictly. For lenient parsing or several files, use
     * {@link Builder#addFile(Path, NetworkListFormat)}.
     *
     * @param file the file, read as UTF-8
     * @param format its format
     * @return the set
     * @throws NetworkListException if the file cannot be read or a line is invalid (names file and line)
     */
    public static NetworkSet load(Path file, NetworkListFormat format) {
        return builder().addFile(file, format).build();
    }

    /**
     * Checks one entry as the builder would and returns its canonical form; for a policy linter.
     * Tell a host name apart with {@code e.reason() == InvalidNetworkException.Reason.HOST_NAME}.
     *
     * @param entry CIDR text or a bare address, without {@code !}
     * @param lenient whether host bits below the prefix are cleared instead of refused
     * @return the canonical CIDR, e.g. {@code 10.0.0.0/8}, {@code 2001:db8::/32}, {@code 192.0.2.1/32}
     * @throws InvalidNetworkException if the entry is invalid, with the reason
     */
    public static String parseEntry(String entry, boolean lenient) {
        return Cidr.parse(entry, lenient).toString();
    }

    /**
     * Whether the address is in the set. For an {@link Inet4Address} allocation-free once compiled (the array
     * {@link InetAddress#getAddress()} builds does not escape and is removed by the JIT; {@code NetworkLookupBenchmark}
     * measures 0 B per lookup). For an {@link java.net.Inet6Address} the JIT keeps the 16-byte copy its
     * {@code getAddress()} makes (32 B per lookup; Java 17 has no other way to read its bytes): a server that holds
     * the peer address as bytes or numbers can ask {@link #contains(byte[])} or {@link #containsIpv6(long, long)},
     * which allocate nothing.
     *
     * @param address an address; IPv4-mapped IPv6 is looked up as IPv4, the scope/zone is ignored
     * @return whether the address is in the set
     * @throws NullPointerException if {@code address} is null
     */
    public boolean contains(InetAddress address) {
        Objects.requireNonNull(address, "address");
        if (address instanceof Inet4Address) {
            return members4.contains(Cidr.v4Bits(address.getAddress(), 0));
        }
        byte[] b = address.getAddress(); // an Inet6Address: 16 bytes
        if (IpAddresses.isIPv4Mapped(b)) {
            return members4.contains(Cidr.v4Bits(b, 12));
        }
        return members6.contains(hi(b), lo(b));
    }

    /**
     * Whether the address given as raw bytes, in network byte order as {@link InetAddress#getAddress()} returns
     * them, is in the set: for servers that hold the peer address as bytes and never build an {@link InetAddress}.
     *
     * @param address 4 bytes (IPv4) or 16 bytes (IPv6; an IPv4-mapped address is looked up as IPv4); not kept
     * @return whether the address is in the set
     * @throws NullPointerException if {@code address} is null
     * @throws IllegalArgumentException if {@code address} is neither 4 nor 16 bytes long
     * @since 0.2.0
     */
    public boolean contains(byte[] address) {
        return containsAddressBytes(checkLength(address));
    }

    /**
     * Whether the IPv4 address given as a 32-bit value is in the set: {@code 192.0.2.1} is {@code 0xC0000201}
     * (the first octet in the highest byte, as {@code ByteBuffer.getInt} reads the 4 bytes of
     * {@link InetAddress#getAddress()}).
     *
     * @param address the IPv4 address; negative values are addresses from {@code 128.0.0.0} up
     * @return whether the address is in the set
     * @since 0.2.0
     */
    public boolean containsIpv4(int address) {
        return members4.contains(address);
    }

    /**
     * Whether the IPv6 address given as two 64-bit halves is in the set; an IPv4-mapped address
     * ({@code ::ffff:a.b.c.d}, that is {@code high == 0} and {@code low >>> 32 == 0xFFFF}) is looked up as IPv4.
     *
     * @param high the first 8 bytes of the address, the first byte highest
     * @param low the last 8 bytes
     * @return whether the address is in the set
     * @since 0.2.0
     */
    public boolean containsIpv6(long high, long low) {
        if (high == 0 && (low >>> 32) == 0xFFFFL) {
            return members4.contains((int) low);
        }
        return members6.contains(high, low);
    }

    /**
     * @param address an IP address literal, e.g. {@code 192.0.2.1}, {@code 2001:db8::1}, {@code fe80::1%eth0};
     *     parsed strictly and never resolved
     * @return whether the address is in the set
     * @throws InvalidNetworkException if the text is not a single IP address
     */
    public boolean contains(String address) {
        Cidr c = Cidr.parseSingle(address);
        return c.v4 ? members4.contains((int) c.lo) : members6.contains(c.hi, c.lo);
    }

    /**
     * The entry that covers the address: the most specific one.
     *
     * @param address an address; IPv4-mapped IPv6 is looked up as IPv4, the scope/zone is ignored
     * @return the matching entry, or empty if the address is not in the set
     * @throws NullPointerException if {@code address} is null
     */
    public Optional<NetworkMatch> match(InetAddress address) {
        return matchBytes(Objects.requireNonNull(address, "address").getAddress());
    }

    /**
     * The entry that covers the address given as raw bytes; see {@link #contains(byte[])}.
     *
     * @param address 4 or 16 bytes in network byte order; not kept
     * @return the matching entry, or empty if the address is not in the set
     * @throws NullPointerException if {@code address} is null
     * @throws IllegalArgumentException if {@code address} is neither 4 nor 16 bytes long
     * @since 0.2.0
     */
    public Optional<NetworkMatch> match(byte[] address) {
        return matchBytes(checkLength(address));
    }

    /**
     * @param address an IP address literal; see {@link #contains(String)}
     * @return the matching entry, or empty
     * @throws InvalidNetworkException if the text is not a single IP address
     */
    public Optional<NetworkMatch> match(String address) {
        Cidr c = Cidr.parseSingle(address);
        int i = lookup(c);
        return i < 0 ? Optional.empty() : Optional.of((c.v4 ? v4 : v6).matchAt(i, sources));
    }

    /**
     * @return the number of entries that contribute to the set (the most specific entry for some address in
     *     it); duplicates, entries wholly removed by exceptions and entries wholly covered by more specific
     *     ones do not count. Exceptions are not counted; see {@link #exceptionCount()}.
     */
    public int size() {
        return size;
    }

    /** @return the number of exception entries given */
    public int exceptionCount() {
        return exceptionCount;
    }

    /** @return whether the set contains no address at all */
    public boolean isEmpty() {
        return v4.count == 0 && v6.count == 0;
    }

    /**
     * The entries, for {@code describe()}: the {@link #size()} contributing entries in canonical CIDR form in
     * address order (IPv4 first), followed by the exceptions as {@code !cidr}. Computed on each call.
     *
     * @return an unmodifiable list
     */
    public List<String> entries() {
        Set<String> out = new LinkedHashSet<>();
        v4.collectEntries(out);
        v6.collectEntries(out);
        List<String> list = new ArrayList<>(out);
        for (String e : exceptions) {
            list.add("!" + e);
        }
        return Collections.unmodifiableList(list);
    }

    /** @return whether every IPv4 address is in the set (for example it holds {@code 0.0.0.0/0}); for a policy linter */
    public boolean containsAllOfIpv4() {
        return v4.coversAll;
    }

    /** @return whether every IPv6 address is in the set (for example it holds {@code ::/0}); for a policy linter */
    public boolean containsAllOfIpv6() {
        return v6.coversAll;
    }

    /** @return whether the set holds every IPv4 or every IPv6 address, the open-relay smell of a trusted list */
    public boolean coversAllOfAFamily() {
        return v4.coversAll || v6.coversAll;
    }

    /**
     * @return the number of address intervals (IPv4 plus IPv6) that membership searches, after overlapping and
     *     adjacent entries were merged and exceptions subtracted; for sizing and benchmarks
     */
    public int rangeCount() {
        return members4.intervals() + members6.intervals();
    }

    @Override
    public String toString() {
        List<String> e = entries();
        int shown = Math.min(5, e.size());
        return "NetworkSet{" + size + (size == 1 ? " network" : " networks")
                + (exceptionCount > 0 ? " except " + exceptionCount : "") + (e.isEmpty() ? "" : ": ")
                + String.join(", ", e.subList(0, shown)) + (e.size() > shown ? ", ..." : "") + "}";
    }

    private boolean containsAddressBytes(byte[] b) {
        if (b.length == 4) {
            return members4.contains(Cidr.v4Bits(b, 0));
        }
        if (IpAddresses.isIPv4Mapped(b)) {
            return members4.contains(Cidr.v4Bits(b, 12));
        }
        return members6.contains(hi(b), lo(b));
    }

    private Optional<NetworkMatch> matchBytes(byte[] b) {
        int i = find(b);
        return i < 0 ? Optional.empty() : Optional.of(family(b).matchAt(i, sources));
    }

    private static byte[] checkLength(byte[] address) {
        Objects.requireNonNull(address, "address");
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("an IP address is 4 or 16 bytes long, not " + address.length);
        }
        return address;
    }

    private Family family(byte[] b) {
        return b.length == 4 || IpAddresses.isIPv4Mapped(b) ? v4 : v6;
    }

    private int find(byte[] b) {
        if (b.length == 4) {
            return v4.findV4(toV4(b));
        }
        if (IpAddresses.isIPv4Mapped(b)) {
            return v4.findV4(Cidr.v4Bits(b, 12));
        }
        return v6.findV6(hi(b), lo(b));
    }

    private int lookup(Cidr c) {
        return c.v4 ? v4.findV4((int) c.lo) : v6.findV6(c.hi, c.lo);
    }

    // Constant indexes, no loops: with them the JIT can scalar-replace the copy InetAddress.getAddress() makes
    // (it does for IPv4; NetworkLookupBenchmark measures the bytes per lookup).

    private static int toV4(byte[] b) {
        return b.length == 4 ? Cidr.v4Bits(b, 0) : Cidr.v4Bits(b, 12);
    }

    private static long hi(byte[] b) {
        return (b[0] & 0xFFL) << 56 | (b[1] & 0xFFL) << 48 | (b[2] & 0xFFL) << 40 | (b[3] & 0xFFL) << 32
                | (b[4] & 0xFFL) << 24 | (b[5] & 0xFFL) << 16 | (b[6] & 0xFFL) << 8 | (b[7] & 0xFFL);
    }

    private static long lo(byte[] b) {
        return (b[8] & 0xFFL) << 56 | (b[9] & 0xFFL) << 48 | (b[10] & 0xFFL) << 40 | (b[11] & 0xFFL) << 32
                | (b[12] & 0xFFL) << 24 | (b[13] & 0xFFL) << 16 | (b[14] & 0xFFL) << 8 | (b[15] & 0xFFL);
    }

    /**
     * The ranges of one address family. IPv4 ranges are stored as ints with the sign bit flipped so that
     * signed comparison orders them as unsigned; IPv6 ranges as (hi, lo) longs with the sign bit of each flipped.
     */
    static final class Family {
        final boolean isV4;
        final int count;
        // IPv4
        final int[] start4;
        final int[] end4;
        // IPv6
        final long[] startHi;
        final long[] startLo;
        final long[] endHi;
        final long[] endLo;
        /**
         * Bucket b's candidate ranges are index[b] .. index[b + 1] inclusive (clipped to count - 1): index[b]
         * is the first range ending in bucket b or later. Null for small families (search them all).
         */
        final int[] index;
        final byte[] prefix;
        /** Null when no range came from a file line. */
        final int[] line;
        /** Source index per range: bytes up to 256 sources, ints beyond, null for a single source. */
        final byte[] source8;
        final int[] source32;
        final Map<Integer, String> labels;
        final boolean coversAll;

        Family(boolean isV4, int count, int[] start4, int[] end4, long[] startHi, long[] startLo, long[] endHi,
                long[] endLo, byte[] prefix, int[] line, byte[] source8, int[] source32, Map<Integer, String> labels,
                boolean coversAll) {
            this.isV4 = isV4;
            this.count = count;
            this.start4 = start4;
            this.end4 = end4;
            this.startHi = startHi;
            this.startLo = startLo;
            this.endHi = endHi;
            this.endLo = endLo;
            this.prefix = prefix;
            this.line = line;
            this.source8 = source8;
            this.source32 = source32;
            this.labels = labels;
            this.coversAll = coversAll;
            this.index = count <= SMALL ? null : buildIndex();
        }

        private int[] buildIndex() {
            int[] idx = new int[BUCKETS + 1];
            int i = 0;
            for (int b = 0; b <= BUCKETS; b++) {
                while (i < count && bucketOfEnd(i) < b) {
                    i++;
                }
                idx[b] = i;
            }
            return idx;
        }

        private int bucketOfEnd(int i) {
            return isV4 ? (end4[i] ^ Integer.MIN_VALUE) >>> 16 : (int) ((endHi[i] ^ Long.MIN_VALUE) >>> 48);
        }

        int findV4(int address) {
            int lo;
            int hi;
            if (index != null) {
                lo = index[address >>> 16];
                hi = index[(address >>> 16) + 1];
            } else {
                lo = 0;
                hi = count;
            }
            if (lo >= count) {
                return -1;
            }
            if (hi >= count) {
                hi = count - 1;
            }
            int x = address ^ Integer.MIN_VALUE;
            int[] s = start4;
            if (s[lo] > x) {
                return -1;
            }
            while (lo < hi) {
                int m = (lo + hi + 1) >>> 1;
                if (s[m] <= x) {
                    lo = m;
                } else {
                    hi = m - 1;
                }
            }
            return end4[lo] >= x ? lo : -1;
        }

        int findV6(long addrHi, long addrLo) {
            int lo;
            int hi;
            if (index != null) {
                int b = (int) (addrHi >>> 48);
                lo = index[b];
                hi = index[b + 1];
            } else {
                lo = 0;
                hi = count;
            }
            if (lo >= count) {
                return -1;
            }
            if (hi >= count) {
                hi = count - 1;
            }
            long xh = addrHi ^ Long.MIN_VALUE;
            long xl = addrLo ^ Long.MIN_VALUE;
            long[] sh = startHi;
            long[] sl = startLo;
            if (sh[lo] > xh || (sh[lo] == xh && sl[lo] > xl)) {
                return -1;
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
            return eh > xh || (eh == xh && endLo[lo] >= xl) ? lo : -1;
        }

        String entryAt(int i) {
            int p = prefix[i] & 0xFF;
            if (isV4) {
                return new Cidr(true, 0, (start4[i] ^ Integer.MIN_VALUE) & 0xFFFFFFFFL, p).masked().toString();
            }
            return new Cidr(false, startHi[i] ^ Long.MIN_VALUE, startLo[i] ^ Long.MIN_VALUE, p).masked().toString();
        }

        NetworkMatch matchAt(int i, String[] sources) {
            int src = source8 != null ? source8[i] & 0xFF : source32 != null ? source32[i] : 0;
            return new NetworkMatch(entryAt(i), sources[src], line == null ? 0 : line[i], labels.get(i));
        }

        void collectEntries(Set<String> out) {
            for (int i = 0; i < count; i++) {
                out.add(entryAt(i));
            }
        }
    }

    /**
     * Builds a {@link NetworkSet}. Entries are checked as they are added, so a bad one fails at once with a
     * message naming it; {@link #build()} folds entries and exceptions into the lookup ranges and copies, so
     * the built set never changes. Not thread-safe.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private boolean lenient;
        private boolean lenientSet;
        private int n;
        private long[] hi = new long[16];
        private long[] lo = new long[16];
        private byte[] prefix = new byte[16];
        /** bit 0: IPv6; bit 1: exception. */
        private byte[] flags = new byte[16];
        private int[] src = new int[16];
        private int[] line = new int[16];
        private final Map<Integer, String> labels = new HashMap<>();
        private final List<String> sources = new ArrayList<>();
        private final Map<String, Integer> sourceIds = new HashMap<>();

        private Builder() {
        }

        /**
         * Lenient parsing: an entry with host bits set ({@code 10.1.2.3/8}) means its network
         * ({@code 10.0.0.0/8}) instead of being an error. Other strict rules still apply. Must be called
         * before any entry is added, at most once.
         *
         * @param lenient whether to accept host bits
         * @return this builder
         * @throws IllegalStateException if entries were already added or the option was already set
         */
        public Builder lenient(boolean lenient) {
            if (lenientSet) {
                throw new IllegalStateException("lenient(...) is already set to " + this.lenient);
            }
            if (n > 0) {
                throw new IllegalStateException("call lenient(...) before adding entries");
            }
            this.lenient = lenient;
            this.lenientSet = true;
            return this;
        }

        /**
         * Adds a network, with source {@code "code"} and no label.
         *
         * @param cidr a CIDR block or a bare address (a /32 or /128)
         * @return this builder
         * @throws InvalidNetworkException if the entry is invalid (the message names it)
         */
        public Builder add(String cidr) {
            return add(cidr, CODE_SOURCE, null);
        }

        /**
         * Adds a network with a source and a label reported by {@link NetworkSet#match(InetAddress)}.
         *
         * @param cidr a CIDR block or a bare address
         * @param source where the entry comes from, e.g. {@code "config trusted_networks"}
         * @param label an optional label, or {@code null}
         * @return this builder
         * @throws InvalidNetworkException if the entry is invalid
         * @throws IllegalArgumentException if {@code source} is blank
         */
        public Builder add(String cidr, String source, String label) {
            return add(Cidr.parse(cidr, lenient), false, sourceId(source), 0, label);
        }

        /**
         * Adds several networks with source {@code "code"}; entries starting with {@code !} are exceptions.
         *
         * @param cidrs the entries
         * @return this builder
         * @throws InvalidNetworkException if an entry is invalid
         */
        public Builder addAll(Collection<String> cidrs) {
            for (String c : cidrs) {
                addEntry(c);
            }
            return this;
        }

        /**
         * Adds the network of {@code address} with the given prefix length.
         *
         * @param address an address; an IPv4-mapped IPv6 address counts as IPv4 (the JDK already returns
         *     {@code Inet4Address} for those)
         * @param prefixLength 0 to 32 for IPv4, 0 to 128 for IPv6
         * @return this builder
         * @throws IllegalArgumentException if the prefix length is out of range
         * @throws InvalidNetworkException if host bits are set below the prefix and the builder is strict
         */
        public Builder add(InetAddress address, int prefixLength) {
            Objects.requireNonNull(address, "address");
            byte[] b = address.getAddress();
            int max = b.length * 8;
            if (prefixLength < 0 || prefixLength > max) {
                throw new IllegalArgumentException("prefix length " + prefixLength + " is out of range 0.." + max
                        + " for " + address.getHostAddress());
            }
            Cidr exact = Cidr.fromBytes(b, prefixLength);
            Cidr block = exact.masked();
            if (!lenient && (block.hi != exact.hi || block.lo != exact.lo)) {
                String text = address.getHostAddress() + "/" + prefixLength;
                throw new InvalidNetworkException(text, InvalidNetworkException.Reason.HOST_BITS_SET,
                        "'" + text + "' has host bits set below its prefix: the network is " + block
                                + "; use " + block + ", or build the set leniently");
            }
            return add(block, false, sourceId(CODE_SOURCE), 0, null);
        }

        /**
         * Adds an exception: the block is removed from the set, whatever entries cover it and in whatever order
         * they were added.
         *
         * @param cidr a CIDR block or a bare address
         * @return this builder
         * @throws InvalidNetworkException if the entry is invalid
         */
        public Builder except(String cidr) {
            return except(cidr, CODE_SOURCE);
        }

        /**
         * Adds an exception with a source; see {@link #except(String)}.
         *
         * @param cidr a CIDR block or a bare address
         * @param source where the exception comes from
         * @return this builder
         * @throws InvalidNetworkException if the entry is invalid
         */
        public Builder except(String cidr, String source) {
            return add(Cidr.parse(cidr, lenient), true, sourceId(source), 0, null);
        }

        /**
         * Adds every entry of a list file, detecting its format line by line; see
         * {@link #addFile(Path, NetworkListFormat)}.
         *
         * @param file the file, read as UTF-8
         * @return this builder
         * @throws NetworkListException if the file cannot be read or a line is invalid
         */
        public Builder addFile(Path file) {
            return addFile(file, NetworkListFormat.AUTO);
        }

        /**
         * Adds every entry of a list file. Entries remember the file (as given) and line for
         * {@link NetworkSet#match(InetAddress)}; labels come from the format (SBL id, Postfix action).
         * If a line is invalid nothing of the file is added.
         *
         * @param file the file, read as UTF-8
         * @param format its format
         * @return this builder
         * @throws NetworkListException if the file cannot be read or a line is invalid (names file and line)
         */
        public Builder addFile(Path file, NetworkListFormat format) {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(format, "format");
            List<NetworkListParser.Line> lines = NetworkListParser.parse(file, format, lenient);
            if (lines.isEmpty()) {
                return this;
            }
            int id = sourceId(file.toString());
            for (NetworkListParser.Line l : lines) {
                add(l.cidr, l.exception, id, l.number, l.label);
            }
            return this;
        }

        void addEntry(String entry) {
            Objects.requireNonNull(entry, "entry");
            if (entry.startsWith("!")) {
                except(entry.substring(1));
            } else {
                add(entry);
            }
        }

        private int sourceId(String source) {
            Objects.requireNonNull(source, "source");
            if (source.isBlank()) {
                throw new IllegalArgumentException("source must not be blank");
            }
            Integer id = sourceIds.get(source);
            if (id == null) {
                id = sources.size();
                sources.add(source);
                sourceIds.put(source, id);
            }
            return id;
        }

        private Builder add(Cidr c, boolean exception, int sourceId, int lineNumber, String label) {
            if (n == hi.length) {
                int cap = n * 2;
                hi = Arrays.copyOf(hi, cap);
                lo = Arrays.copyOf(lo, cap);
                prefix = Arrays.copyOf(prefix, cap);
                flags = Arrays.copyOf(flags, cap);
                src = Arrays.copyOf(src, cap);
                line = Arrays.copyOf(line, cap);
            }
            hi[n] = c.hi;
            lo[n] = c.lo;
            prefix[n] = (byte) c.prefix;
            flags[n] = (byte) ((c.v4 ? 0 : 1) | (exception ? 2 : 0));
            src[n] = sourceId;
            line[n] = lineNumber;
            if (label != null && !label.isEmpty()) {
                labels.put(n, label);
            }
            n++;
            return this;
        }

        /**
         * @return the set; the builder may be reused, later additions do not affect it
         * @throws IllegalStateException if more than 2^26 entries of one family were added
         */
        public NetworkSet build() {
            String[] srcs = sources.isEmpty() ? new String[] {CODE_SOURCE} : sources.toArray(new String[0]);
            BitSet visible = new BitSet(n);
            Family f4 = new Sweep(true, order(true), srcs.length, visible).run();
            Family f6 = new Sweep(false, order(false), srcs.length, visible).run();
            List<String> exceptions = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if ((flags[i] & 2) != 0) {
                    exceptions.add(new Cidr((flags[i] & 1) == 0, hi[i], lo[i], prefix[i] & 0xFF).toString());
                }
            }
            return new NetworkSet(f4, f6, srcs, List.copyOf(exceptions), visible.cardinality());
        }

        /**
         * Entry indices of one family sorted by start address, then shorter prefix first, then later-added
         * first (so that among identical blocks the first added ends on top of the sweep's stack).
         */
        private int[] order(boolean v4) {
            int m = 0;
            for (int i = 0; i < n; i++) {
                if (((flags[i] & 1) == 0) == v4) {
                    m++;
                }
            }
            int[] ord = new int[m];
            if (v4) {
                if (n > (1 << 26)) {
                    throw new IllegalStateException("too many entries: " + n + " (at most 2^26 per set)");
                }
                long[] keys = new long[m];
                int k = 0;
                for (int i = 0; i < n; i++) {
                    if ((flags[i] & 1) == 0) {
                        // start (32 bits) | prefix (6 bits) | reversed index (26 bits), sign flipped for unsigned order
                        keys[k++] = ((lo[i] << 32) | ((long) (prefix[i] & 0xFF) << 26) | ((1 << 26) - 1 - i)) ^ Long.MIN_VALUE;
                    }
                }
                Arrays.sort(keys);
                for (int j = 0; j < m; j++) {
                    ord[j] = (1 << 26) - 1 - (int) ((keys[j] ^ Long.MIN_VALUE) & ((1 << 26) - 1));
                }
                return ord;
            }
            Integer[] boxed = new Integer[m];
            int k = 0;
            for (int i = 0; i < n; i++) {
                if ((flags[i] & 1) != 0) {
                    boxed[k++] = i;
                }
            }
            Arrays.sort(boxed, (a, b) -> {
                int c = Long.compareUnsigned(hi[a], hi[b]);
                if (c == 0) {
                    c = Long.compareUnsigned(lo[a], lo[b]);
                }
                if (c == 0) {
                    c = Integer.compare(prefix[a] & 0xFF, prefix[b] & 0xFF);
                }
                return c != 0 ? c : Integer.compare(b, a);
            });
            for (int j = 0; j < m; j++) {
                ord[j] = boxed[j];
            }
            return ord;
        }

        /**
         * Folds the entries of one family into non-overlapping ranges. CIDR blocks are either nested or
         * disjoint, so a sweep in start order with a stack of open blocks sees, at every address, the blocks
         * covering it; the top of the stack is the most specific. An address is in the set when no exception
         * is on the stack and some entry is; its range remembers the topmost entry.
         */
        private final class Sweep {
            private final boolean v4;
            private final int[] ord;
            private final int sourceCount;
            private final BitSet visible;
            private final long maxHi;
            private final long maxLo;
            // stack
            private int depth;
            private long[] sEndHi = new long[40];
            private long[] sEndLo = new long[40];
            private int[] sInc = new int[40];
            private boolean[] sExc = new boolean[40];
            // cursor: next address not yet emitted
            private long posHi;
            private long posLo;
            private boolean exhausted;
            // output
            private int out;
            private long[] oStartHi;
            private long[] oStartLo;
            private long[] oEndHi;
            private long[] oEndLo;
            private int[] oEntry;

            Sweep(boolean v4, int[] ord, int sourceCount, BitSet visible) {
                this.v4 = v4;
                this.ord = ord;
                this.sourceCount = sourceCount;
                this.visible = visible;
                this.maxHi = v4 ? 0 : -1L;
                this.maxLo = v4 ? 0xFFFFFFFFL : -1L;
                int cap = Math.max(4, ord.length + ord.length / 4);
                oStartHi = v4 ? null : new long[cap];
                oStartLo = new long[cap];
                oEndHi = v4 ? null : new long[cap];
                oEndLo = new long[cap];
                oEntry = new int[cap];
            }

            Family run() {
                for (int k : ord) {
                    Cidr c = new Cidr(v4, hi[k], lo[k], prefix[k] & 0xFF);
                    advanceTo(c.hi, c.lo);
                    push(c.endHi(), c.endLo(), k);
                }
                while (depth > 0 && !exhausted) {
                    popAndEmit();
                }
                return toFamily();
            }

            private void advanceTo(long xHi, long xLo) {
                while (depth > 0 && cmp(sEndHi[depth - 1], sEndLo[depth - 1], xHi, xLo) < 0) {
                    popAndEmit();
                }
                if (depth > 0 && cmp(posHi, posLo, xHi, xLo) < 0) {
                    long eLo = xLo - 1;
                    long eHi = xLo == 0 ? xHi - 1 : xHi;
                    emit(eHi, eLo);
                }
                posHi = xHi;
                posLo = xLo;
            }

            private void popAndEmit() {
                long eHi = sEndHi[depth - 1];
                long eLo = sEndLo[depth - 1];
                emit(eHi, eLo);
                if (eHi == maxHi && eLo == maxLo) {
                    exhausted = true;
                } else {
                    posLo = eLo + 1;
                    posHi = posLo == 0 ? eHi + 1 : eHi;
                }
                depth--;
            }

            private void push(long endHi, long endLo, int k) {
                if (depth == sEndHi.length) {
                    int cap = depth * 2;
                    sEndHi = Arrays.copyOf(sEndHi, cap);
                    sEndLo = Arrays.copyOf(sEndLo, cap);
                    sInc = Arrays.copyOf(sInc, cap);
                    sExc = Arrays.copyOf(sExc, cap);
                }
                boolean exception = (flags[k] & 2) != 0;
                int below = depth == 0 ? -1 : sInc[depth - 1];
                boolean excBelow = depth > 0 && sExc[depth - 1];
                sEndHi[depth] = endHi;
                sEndLo[depth] = endLo;
                sInc[depth] = exception ? below : k;
                sExc[depth] = excBelow || exception;
                depth++;
            }

            /** Emits [pos, end] under the state at the top of the stack. */
            private void emit(long endHi, long endLo) {
                if (exhausted || cmp(posHi, posLo, endHi, endLo) > 0) {
                    return;
                }
                int top = depth - 1;
                if (sExc[top] || sInc[top] < 0) {
                    return;
                }
                int entry = sInc[top];
                visible.set(entry);
                if (out > 0 && oEntry[out - 1] == entry && follows(out - 1)) {
                    if (!v4) {
                        oEndHi[out - 1] = endHi;
                    }
                    oEndLo[out - 1] = endLo;
                    return;
                }
                if (out == oEntry.length) {
                    int cap = out * 2;
                    if (!v4) {
                        oStartHi = Arrays.copyOf(oStartHi, cap);
                        oEndHi = Arrays.copyOf(oEndHi, cap);
                    }
                    oStartLo = Arrays.copyOf(oStartLo, cap);
                    oEndLo = Arrays.copyOf(oEndLo, cap);
                    oEntry = Arrays.copyOf(oEntry, cap);
                }
                if (!v4) {
                    oStartHi[out] = posHi;
                    oEndHi[out] = endHi;
                }
                oStartLo[out] = posLo;
                oEndLo[out] = endLo;
                oEntry[out] = entry;
                out++;
            }

            /** @return whether pos is the address right after output range i */
            private boolean follows(int i) {
                long eLo = oEndLo[i];
                long eHi = v4 ? 0 : oEndHi[i];
                long nLo = eLo + 1;
                long nHi = nLo == 0 ? eHi + 1 : eHi;
                return nLo == posLo && nHi == posHi;
            }

            private int cmp(long aHi, long aLo, long bHi, long bLo) {
                int c = Long.compareUnsigned(aHi, bHi);
                return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
            }

            private Family toFamily() {
                int m = out;
                byte[] p = new byte[m];
                boolean anyLine = false;
                for (int i = 0; i < m && !anyLine; i++) {
                    anyLine = line[oEntry[i]] != 0;
                }
                int[] ln = anyLine ? new int[m] : null;
                byte[] s8 = sourceCount > 1 && sourceCount <= 256 ? new byte[m] : null;
                int[] s32 = sourceCount > 256 ? new int[m] : null;
                Map<Integer, String> lbl = new HashMap<>();
                for (int i = 0; i < m; i++) {
                    int e = oEntry[i];
                    p[i] = prefix[e];
                    if (ln != null) {
                        ln[i] = line[e];
                    }
                    if (s8 != null) {
                        s8[i] = (byte) src[e];
                    } else if (s32 != null) {
                        s32[i] = src[e];
                    }
                    String l = labels.get(e);
                    if (l != null) {
                        lbl.put(i, l);
                    }
                }
                Map<Integer, String> labelMap = lbl.isEmpty() ? Map.of() : lbl;
                boolean all = m > 0 && oStartLo[0] == 0 && (v4 || oStartHi[0] == 0)
                        && oEndLo[m - 1] == maxLo && (v4 || oEndHi[m - 1] == maxHi);
                for (int i = 1; i < m && all; i++) {
                    long nLo = oEndLo[i - 1] + 1;
                    long nHi = v4 ? 0 : (nLo == 0 ? oEndHi[i - 1] + 1 : oEndHi[i - 1]);
                    all = oStartLo[i] == nLo && (v4 || oStartHi[i] == nHi);
                }
                if (v4) {
                    int[] s = new int[m];
                    int[] e = new int[m];
                    for (int i = 0; i < m; i++) {
                        s[i] = (int) oStartLo[i] ^ Integer.MIN_VALUE;
                        e[i] = (int) oEndLo[i] ^ Integer.MIN_VALUE;
                    }
                    return new Family(true, m, s, e, null, null, null, null, p, ln, s8, s32, labelMap, all);
                }
                long[] sh = new long[m];
                long[] sl = new long[m];
                long[] eh = new long[m];
                long[] el = new long[m];
                for (int i = 0; i < m; i++) {
                    sh[i] = oStartHi[i] ^ Long.MIN_VALUE;
                    sl[i] = oStartLo[i] ^ Long.MIN_VALUE;
                    eh[i] = oEndHi[i] ^ Long.MIN_VALUE;
                    el[i] = oEndLo[i] ^ Long.MIN_VALUE;
                }
                return new Family(false, m, null, null, sh, sl, eh, el, p, ln, s8, s32, labelMap, all);
            }
        }
    }
}
