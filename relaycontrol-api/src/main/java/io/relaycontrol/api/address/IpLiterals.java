package io.relaycontrol.api.address;

/**
 * Strict IPv4 and IPv6 text parsing for address literals, written for the JDK-only API module (no DNS is
 * ever consulted; {@link java.net.InetAddress#getByName} is avoided because it accepts forms we refuse).
 *
 * <p>IPv4: exactly four dotted decimals 0..255, no leading zeros (so no octal), no other inet_aton form.
 * IPv6: the RFC 4291 section 2.2 text forms, including {@code ::} and a trailing embedded IPv4 address;
 * no zone identifiers, no prefix lengths. Output: RFC 5952 lower-case compressed text.
 *
 * <p>Stateless and thread-safe. Methods return an error message instead of throwing.
 */
final class IpLiterals {

    private IpLiterals() {
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
