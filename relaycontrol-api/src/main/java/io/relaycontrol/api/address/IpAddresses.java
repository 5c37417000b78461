package io.relaycontrol.api.address;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * The one home of IP address text in relaycontrol: strict IPv4 and IPv6 parsing, RFC 5952 formatting and
 * IPv4-mapped detection, used by {@link EnvelopeAddress} literals, {@code RelayRequest}, the core's network
 * sets and its rate-limit keys, so that every part reads and writes the same text.
 *
 * <ul>
 * <li>IPv4: exactly four dotted decimals 0..255, no leading zeros (so no octal), no other inet_aton form
 *     ({@code 1.2.3}, {@code 0x7f.1}, {@code 2130706433} are refused).</li>
 * <li>IPv6: the RFC 4291 section 2.2 text forms, including {@code ::}, one to four hex digits per group in any
 *     case, and a trailing embedded IPv4 address; no zone identifiers ({@code %eth0}), no prefix lengths.</li>
 * <li>Output (RFC 5952 section 4): lower-case hex, no leading zeros, the longest run of two or more zero
 *     groups compressed to {@code ::} (the first of equally long runs), a single zero group never compressed;
 *     an IPv4-mapped address in the mixed notation of section 5 ({@code ::ffff:192.0.2.1}).</li>
 * <li>IPv4-mapped ({@code ::ffff:0:0/96}, RFC 4291 section 2.5.5.2) is the only form treated as IPv4; the
 *     deprecated IPv4-compatible form {@code ::192.0.2.1} is ordinary IPv6.</li>
 * </ul>
 *
 * <p>No method ever consults DNS ({@link InetAddress#getByName} is not used: it accepts forms refused here and
 * resolves host names). Stateless and thread-safe.
 *
 * @since 0.2.0
 */
public final class IpAddresses {

    private IpAddresses() {
    }

    /**
     * Parses an IPv4 or IPv6 address literal, optionally in square brackets ({@code [2001:db8::1]}).
     *
     * @param text {@code 192.0.2.1}, {@code 2001:db8::1} or {@code [2001:db8::1]}
     * @return the address; an IPv4-mapped IPv6 address gives the {@link java.net.Inet4Address} it maps
     * @throws NullPointerException if {@code text} is null
     * @throws IllegalArgumentException naming the text and the reason, if it is not a strict IP literal (host
     *         names are refused, never resolved)
     */
    public static InetAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        int from = 0;
        int to = text.length();
        if (to >= 2 && text.charAt(0) == '[' && text.charAt(to - 1) == ']') {
            from = 1;
            to--;
        }
        byte[] bytes;
        if (text.indexOf(':', from) >= 0) {
            int[] g = new int[8];
            String err = parseIPv6(text, from, to, g);
            if (err != null) {
                throw new IllegalArgumentException("not an IP address literal: '" + Problem.printable(text) + "': "
                        + err);
            }
            bytes = new byte[16];
            for (int i = 0; i < 8; i++) {
                bytes[2 * i] = (byte) (g[i] >>> 8);
                bytes[2 * i + 1] = (byte) g[i];
            }
        } else {
            long v4 = parseIPv4(text, from, to);
            if (v4 < 0) {
                throw new IllegalArgumentException("not an IP address literal: '" + Problem.printable(text)
                        + "': IPv4 needs four decimals 0-255 without leading zeros; host names are never resolved");
            }
            bytes = new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4};
        }
        return byAddress(bytes);
    }

    /**
     * Whether {@code address} is an IPv4-mapped IPv6 address {@code ::ffff:a.b.c.d} (16 bytes: ten zero bytes,
     * then {@code ff ff}).
     *
     * @param address the raw address, 4 or 16 bytes as {@link InetAddress#getAddress()} returns it
     * @return {@code true} only for a 16-byte IPv4-mapped address
     * @throws NullPointerException if {@code address} is null
     */
    public static boolean isIPv4Mapped(byte[] address) {
        // Constant indexes, no loop: the network set calls this on the copy InetAddress.getAddress() makes, and
        // written this way the JIT can still scalar-replace that copy (NetworkLookupBenchmark measures it).
        byte[] b = address;
        return b.length == 16 && b[10] == (byte) 0xff && b[11] == (byte) 0xff
                && (b[0] | b[1] | b[2] | b[3] | b[4] | b[5] | b[6] | b[7] | b[8] | b[9]) == 0;
    }

    /**
     * The IPv4 address an IPv4-mapped IPv6 address stands for; any other address unchanged. (The JDK already
     * unwraps mapped addresses it parses, but an {@link Inet6Address} built from bytes can hold one.)
     *
     * @param address an address
     * @return the IPv4 address for {@code ::ffff:a.b.c.d}, else {@code address} itself
     * @throws NullPointerException if {@code address} is null
     */
    public static InetAddress unwrapIPv4Mapped(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            if (isIPv4Mapped(b)) {
                return byAddress(new byte[] {b[12], b[13], b[14], b[15]});
            }
        }
        return address;
    }

    /**
     * The text of an address: a dotted quad for IPv4 and for IPv4-mapped IPv6, RFC 5952 text for other IPv6
     * (a scope or zone is not shown).
     *
     * @param address an address
     * @return its text, e.g. {@code 192.0.2.1} or {@code 2001:db8::1}
     * @throws NullPointerException if {@code address} is null
     */
    public static String format(InetAddress address) {
        byte[] b = address.getAddress();
        if (isIPv4Mapped(b)) {
            return appendIPv4(new StringBuilder(15), ((b[12] & 0xffL) << 24) | ((b[13] & 0xff) << 16)
                    | ((b[14] & 0xff) << 8) | (b[15] & 0xff)).toString();
        }
        return format(b);
    }

    /**
     * The text of a raw address: a dotted quad for 4 bytes, RFC 5952 text for 16 bytes (an IPv4-mapped address
     * in the mixed notation of RFC 5952 section 5, {@code ::ffff:192.0.2.1}).
     *
     * @param address 4 or 16 bytes, network order
     * @return its text
     * @throws NullPointerException if {@code address} is null
     * @throws IllegalArgumentException if {@code address} is neither 4 nor 16 bytes long
     */
    public static String format(byte[] address) {
        if (address.length == 4) {
            return appendIPv4(new StringBuilder(15), ((address[0] & 0xffL) << 24) | ((address[1] & 0xff) << 16)
                    | ((address[2] & 0xff) << 8) | (address[3] & 0xff)).toString();
        }
        if (address.length != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + address.length);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
        }
        return format(g);
    }

    /**
     * The RFC 5952 text of the IPv6 address with the given 128 bits.
     *
     * @param high the first 64 bits
     * @param low the last 64 bits
     * @return its text, e.g. {@code 2001:db8::1}; an IPv4-mapped address as {@code ::ffff:192.0.2.1}
     */
    public static String formatIPv6(long high, long low) {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (high >>> (48 - 16 * i)) & 0xffff;
            g[4 + i] = (int) (low >>> (48 - 16 * i)) & 0xffff;
        }
        return format(g);
    }

    private static String format(int[] g) {
        StringBuilder sb = new StringBuilder(39);
        if (isIPv4Mapped(g)) {
            return appendIPv4(sb.append("::ffff:"), ((long) g[6] << 16) | g[7]).toString();
        }
        return appendIPv6(sb, g).toString();
    }

    private static InetAddress byAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes); // no lookup: raw bytes of the right length
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    /**
     * Parses a strict dotted-quad IPv4 address in {@code s[from, to)}.
     *
     * @return the address as an int, or -1L when invalid
     */
    static long parseIPv4(CharSequence s, int from, int to) {
        int parts = 0;
        long value = 0;
        int i = from;
        while (true) {
            int start = i;
            int part = 0;
            while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                part = part * 10 + (s.charAt(i) - '0');
                i++;
                if (i - start > 3) {
                    return -1L;
                }
            }
            int len = i - start;
            if (len == 0 || part > 255 || (len > 1 && s.charAt(start) == '0')) {
                return -1L;
            }
            value = (value << 8) | part;
            parts++;
            if (parts == 4) {
                return i == to ? value : -1L;
            }
            if (i >= to || s.charAt(i) != '.') {
                return -1L;
            }
            i++;
        }
    }

    /**
     * Parses an RFC 4291 IPv6 address in {@code s[from, to)} into eight 16-bit groups.
     *
     * @param groups receives the eight groups
     * @return {@code null} when valid, else why not
     */
    static String parseIPv6(CharSequence s, int from, int to, int[] groups) {
        if (from >= to) {
            return "empty IPv6 address";
        }
        int n = 0;
        int gap = -1;
        int i = from;
        if (s.charAt(i) == ':') {
            if (i + 1 >= to || s.charAt(i + 1) != ':') {
                return "IPv6 address starts with a single ':'";
            }
            gap = 0;
            i += 2;
            if (i == to) {
                java.util.Arrays.fill(groups, 0);
                return null;
            }
        }
        while (i < to) {
            if (n == 8) {
                return "IPv6 address has more than 8 groups";
            }
            int start = i;
            int value = 0;
            while (i < to && hex(s.charAt(i)) >= 0) {
                value = (value << 4) | hex(s.charAt(i));
                i++;
                if (i - start > 4) {
                    return "IPv6 group with more than 4 hex digits";
                }
            }
            if (i < to && s.charAt(i) == '.') {
                // trailing embedded IPv4: takes two groups and must end the address
                if (n > 6) {
                    return "IPv6 address has more than 8 groups";
                }
                long v4 = parseIPv4(s, start, to);
                if (v4 < 0) {
                    return "malformed embedded IPv4 address in IPv6 literal";
                }
                groups[n++] = (int) (v4 >>> 16);
                groups[n++] = (int) (v4 & 0xffff);
                i = to;
                break;
            }
            if (i == start) {
                if (i < to && s.charAt(i) != ':') {
                    return "character not allowed in an IPv6 address at index " + i
                            + (s.charAt(i) == '%' ? " (zone identifiers are not allowed)" : "");
                }
                return "empty IPv6 group";
            }
            groups[n++] = value;
            if (i == to) {
                break;
            }
            if (s.charAt(i) != ':') {
                return "character not allowed in an IPv6 address at index " + i
                        + (s.charAt(i) == '%' ? " (zone identifiers are not allowed)" : "");
            }
            i++;
            if (i < to && s.charAt(i) == ':') {
                if (gap >= 0) {
                    return "IPv6 address has more than one '::'";
                }
                gap = n;
                i++;
                if (i == to) {
                    break;
                }
            } else if (i == to) {
                return "IPv6 address ends with a single ':'";
            }
        }
        if (gap < 0) {
            return n == 8 ? null : "IPv6 address has " + n + " groups, needs 8 (or '::')";
        }
        if (n > 7) {
            return "IPv6 address with '::' has more than 7 groups";
        }
        int tail = n - gap;
        System.arraycopy(groups, gap, groups, 8 - tail, tail);
        for (int k = gap; k < 8 - tail; k++) {
            groups[k] = 0;
        }
        return null;
    }

    /** @return whether the groups are an IPv4-mapped address {@code ::ffff:a.b.c.d} */
    static boolean isIPv4Mapped(int[] g) {
        return g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff;
    }

    /** Appends the IPv4 address {@code v} as a dotted quad. */
    static StringBuilder appendIPv4(StringBuilder sb, long v) {
        return sb.append((v >>> 24) & 0xff).append('.').append((v >>> 16) & 0xff).append('.')
                .append((v >>> 8) & 0xff).append('.').append(v & 0xff);
    }

    /** Appends the RFC 5952 text form of the eight groups: lower case, no leading zeros, longest zero run compressed. */
    static StringBuilder appendIPv6(StringBuilder sb, int[] g) {
        int bestStart = -1;
        int bestLen = 1; // a single zero group is never compressed (RFC 5952 section 4.2.2)
        for (int i = 0; i < 8;) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (i > 0 && i != bestStart + bestLen) {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
