package io.relaycontrol.api.address;

import java.net.IDN;
import java.util.Objects;

/**
 * Canonical forms of mail domains and address literals, the same ones {@link EnvelopeAddress#domain()}
 * returns, so that a domain list and a parsed address always compare equal when they name the same domain.
 *
 * <p>Canonical domain: ASCII lower case, one trailing dot removed, internationalised labels converted to
 * A-labels ({@code bücher.example} becomes {@code xn--bcher-kva.example}) with {@link IDN#toASCII(String, int)}
 * and {@link IDN#USE_STD3_ASCII_RULES}; A-labels written by hand must decode and round-trip. Refused: empty
 * labels, labels over 63 octets, domains over 255 octets, leading or trailing hyphens, characters other than
 * letters, digits and hyphens, a numeric top-level label ({@code 1.2.3.4}: write {@code [1.2.3.4]}),
 * IDNA deviation characters ({@code ß}, final sigma) on which IDNA2003 and IDNA2008 disagree, and invisible
 * characters (format and bidi controls, and every other {@code Default_Ignorable_Code_Point} such as variation
 * selectors: they are refused, never mapped away). The numeric and syntax checks run on the labels as
 * written and again on the labels IDNA mapping produced, so {@code １.２.３.４} (fullwidth digits, which map to
 * {@code 1.2.3.4}) is refused like {@code 1.2.3.4}, and a canonical domain is always canonical when read again.
 *
 * <p>Canonical address literal: {@code [192.0.2.1]} (strict dotted quad, no leading zeros) or
 * {@code [IPv6:2001:db8::1]} (RFC 5952 text, tag spelled {@code IPv6}); an IPv4-mapped IPv6 literal is
 * shown as IPv4. General address literals with other tags are refused.
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class DomainNames {

    /** Maximum octets of a domain (RFC 5321 section 4.5.3.1.2). */
    public static final int MAX_DOMAIN_OCTETS = 255;

    /** Maximum octets of one label (RFC 1035 section 2.3.4). */
    public static final int MAX_LABEL_OCTETS = 63;

    private DomainNames() {
    }

    /**
     * Canonicalises a domain name or an address literal (a value starting with {@code [}).
     *
     * @param domain a domain such as {@code Example.COM.} or a literal such as {@code [IPv6:2001:DB8::1]}
     * @return the canonical form, e.g. {@code example.com} or {@code [IPv6:2001:db8::1]}
     * @throws NullPointerException if {@code domain} is null
     * @throws IllegalArgumentException naming the value and the reason, if it is not a valid mail domain
     */
    public static String canonicalize(String domain) {
        Objects.requireNonNull(domain, "domain");
        Problem p = new Problem();
        String c = canonicalizeOrNull(domain, p);
        if (c == null) {
            throw new IllegalArgumentException("invalid domain '" + Problem.printable(domain) + "': " + p.message);
        }
        return c;
    }

    /**
     * Like {@link #canonicalize(String)} but without exceptions.
     *
     * @param domain a domain or address literal
     * @return whether it is a valid mail domain or supported address literal
     * @throws NullPointerException if {@code domain} is null
     */
    public static boolean isValid(String domain) {
        Objects.requireNonNull(domain, "domain");
        return canonicalizeOrNull(domain, new Problem()) != null;
    }

    /**
     * The typed reason why {@code domain} is not valid.
     *
     * @param domain a domain or address literal
     * @return the error, or {@code null} for a valid domain
     * @throws NullPointerException if {@code domain} is null
     */
    static Problem problem(String domain) {
        Problem p = new Problem();
        return canonicalizeOrNull(domain, p) == null ? p : null;
    }

    static String canonicalizeOrNull(String domain, Problem p) {
        if (!Problem.checkCharacters(domain, 0, domain.length(), p)) {
            return null;
        }
        int to = domain.length();
        if (to > 0 && domain.charAt(0) == '[') {
            return literal(domain, 0, to, p);
        }
        if (domain.indexOf('@') >= 0) {
            return p.fail(ParseError.ILLEGAL_CHARACTER, "'@' is not allowed in a domain");
        }
        return domain(domain, 0, to, p);
    }

    /**
     * Canonicalises the domain name in {@code s[from, to)}; characters were checked by
     * {@link Problem#checkCharacters}.
     *
     * @return the canonical domain, or {@code null} with {@code p} filled
     */
    static String domain(String s, int from, int to, Problem p) {
        if (to > from && s.charAt(to - 1) == '.') {
            to--; // one trailing dot: the root
        }
        if (to <= from) {
            return p.fail(ParseError.EMPTY_DOMAIN, "empty domain");
        }
        boolean upper = false;
        boolean nonAscii = false;
        boolean aLabel = false;
        int labelStart = from;
        int octets = 0;
        boolean topNumeric = true;
        for (int i = from; i <= to; i++) {
            char c = i < to ? s.charAt(i) : '.';
            if (c == '.') {
                if (i < to) {
                    octets++;
                }
                int len = i - labelStart;
                if (len == 0) {
                    return p.fail(ParseError.DOMAIN_SYNTAX, labelStart == from
                            ? "domain starts with '.'" : "empty label ('..') in domain");
                }
                if (len > MAX_LABEL_OCTETS && !nonAscii) {
                    return p.fail(ParseError.LABEL_TOO_LONG,
                            "domain label of " + len + " octets; at most 63 allowed");
                }
                if (s.charAt(labelStart) == '-' || s.charAt(i - 1) == '-') {
                    return p.fail(ParseError.DOMAIN_SYNTAX, "domain label starts or ends with '-'");
                }
                if (len >= 4 && s.regionMatches(true, labelStart, "xn--", 0, 4)) {
                    aLabel = true;
                }
                labelStart = i + 1;
                if (i < to) {
                    topNumeric = true;
                }
                continue;
            }
            if (c < 0x80) {
                octets++;
                if (c >= 'a' && c <= 'z' || c == '-') {
                    topNumeric = false;
                } else if (c >= 'A' && c <= 'Z') {
                    upper = true;
                    topNumeric = false;
                } else if (c < '0' || c > '9') {
                    return p.fail(ParseError.ILLEGAL_CHARACTER, "character '" + c + "' at index " + i
                            + " is not allowed in a domain (letters, digits, '-' and '.' only)");
                }
            } else {
                nonAscii = true;
                topNumeric = false;
                octets += Character.isSurrogate(c) ? 2 : c < 0x800 ? 2 : 3;
                if (c == '\u00df' || c == '\u03c2') {
                    return p.fail(ParseError.INVALID_IDN, "IDNA deviation character U+"
                            + hex4(c) + " at index " + i + ": IDNA2003 and IDNA2008 map it differently");
                }
            }
        }
        if (octets > MAX_DOMAIN_OCTETS) {
            return p.fail(ParseError.DOMAIN_TOO_LONG, "domain of " + octets + " octets; at most 255 allowed");
        }
        if (topNumeric) {
            String v4 = IpAddresses.parseIPv4(s, from, to) >= 0 ? " such as [" + s.substring(from, to) + "]" : "";
            return p.fail(ParseError.BARE_NUMERIC_DOMAIN,
                    "numeric domain: an IP address must be written as an address literal" + v4);
        }
        if (!nonAscii && !aLabel) {
            if (!upper) {
                return from == 0 && to == s.length() ? s : s.substring(from, to);
            }
            char[] cs = new char[to - from]; // lower-case straight from the region: one copy, no substring
            for (int i = from; i < to; i++) {
                char c = s.charAt(i);
                cs[i - from] = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
            }
            return new String(cs);
        }
        return idn(s, from, to, p);
    }

    /** Converts each label to its A-label and checks hand-written A-labels. */
    private static String idn(String s, int from, int to, Problem p) {
        StringBuilder sb = new StringBuilder(to - from + 16);
        int labelStart = from;
        for (int i = from; i <= to; i++) {
            if (i < to && s.charAt(i) != '.') {
                continue;
            }
            String label = s.substring(labelStart, i);
            String ascii;
            try {
                ascii = IDN.toASCII(label, IDN.USE_STD3_ASCII_RULES);
            } catch (IllegalArgumentException e) {
                return p.fail(ParseError.INVALID_IDN, "label '" + Problem.printable(label)
                        + "' cannot be converted to an A-label: " + Problem.printable(e.getMessage()));
            }
            ascii = toLowerAscii(ascii);
            if (ascii.isEmpty() || ascii.indexOf('.') >= 0 || ascii.indexOf('\u3002') >= 0) {
                return p.fail(ParseError.INVALID_IDN,
                        "label maps to '" + Problem.printable(ascii) + "', not one A-label (look-alike dot?)");
            }
            if (ascii.length() > MAX_LABEL_OCTETS) {
                return p.fail(ParseError.LABEL_TOO_LONG,
                        "A-label of " + ascii.length() + " octets; at most 63 allowed");
            }
            if (ascii.startsWith("xn--")) {
                String unicode = IDN.toUnicode(ascii, IDN.USE_STD3_ASCII_RULES);
                if (unicode.equals(ascii) || !toLowerAscii(IDN.toASCII(unicode, IDN.USE_STD3_ASCII_RULES))
                        .equals(ascii)) {
                    return p.fail(ParseError.INVALID_IDN, "'" + ascii + "' is not a valid A-label");
                }
                if (unicode.indexOf('\u00df') >= 0 || unicode.indexOf('\u03c2') >= 0) {
                    return p.fail(ParseError.INVALID_IDN,
                            "A-label '" + ascii + "' holds an IDNA deviation character (sharp s or final sigma)");
                }
            }
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(ascii);
            labelStart = i + 1;
        }
        if (sb.length() > MAX_DOMAIN_OCTETS) {
            return p.fail(ParseError.DOMAIN_TOO_LONG,
                    "domain of " + sb.length() + " octets in A-label form; at most 255 allowed");
        }
        return checkMapped(sb, p);
    }

    /**
     * Runs the checks of the raw text again on the labels that IDNA mapping produced, which can differ from
     * the raw ones: fullwidth digits become ASCII digits, compatibility characters become letters. The
     * result must be a domain that this class would accept as written (LDH labels, no leading or trailing
     * hyphen, a top-level label that is not all digits), so that parsing a canonical form gives it back.
     */
    private static String checkMapped(StringBuilder sb, Problem p) {
        int labelStart = 0;
        boolean topNumeric = true;
        int n = sb.length();
        for (int i = 0; i <= n; i++) {
            char c = i < n ? sb.charAt(i) : '.';
            if (c == '.') {
                if (i == labelStart || sb.charAt(labelStart) == '-' || sb.charAt(i - 1) == '-') {
                    return p.fail(ParseError.INVALID_IDN, "label maps to '" + Problem.printable(sb.toString())
                            + "', which is not a valid domain");
                }
                labelStart = i + 1;
                if (i < n) {
                    topNumeric = true;
                }
            } else if (c >= 'a' && c <= 'z' || c == '-') {
                topNumeric = false;
            } else if (c < '0' || c > '9') {
                return p.fail(ParseError.INVALID_IDN, "label maps to '" + Problem.printable(sb.toString())
                        + "', which holds a character other than letters, digits and '-'");
            }
        }
        if (topNumeric) {
            String v4 = IpAddresses.parseIPv4(sb, 0, n) >= 0 ? " such as [" + sb + "]" : "";
            return p.fail(ParseError.BARE_NUMERIC_DOMAIN, "numeric domain after IDNA mapping ('" + sb
                    + "'): an IP address must be written as an address literal" + v4);
        }
        return sb.toString();
    }

    /**
     * Canonicalises the address literal in {@code s[from, to)}, which starts with {@code [}.
     *
     * @return the canonical literal, or {@code null} with {@code p} filled
     */
    static String literal(String s, int from, int to, Problem p) {
        if (to - from < 2 || s.charAt(to - 1) != ']') {
            return p.fail(ParseError.BAD_ADDRESS_LITERAL, "address literal without closing ']'");
        }
        int a = from + 1;
        int b = to - 1;
        if (a == b) {
            return p.fail(ParseError.BAD_ADDRESS_LITERAL, "empty address literal '[]'");
        }
        if (b - a >= 5 && s.regionMatches(true, a, "IPv6:", 0, 5)) {
            int[] g = new int[8];
            String err = IpAddresses.parseIPv6(s, a + 5, b, g);
            if (err != null) {
                return p.fail(ParseError.BAD_ADDRESS_LITERAL, err);
            }
            StringBuilder sb = new StringBuilder(48).append('[');
            if (IpAddresses.isIPv4Mapped(g)) {
                IpAddresses.appendIPv4(sb, ((long) g[6] << 16) | g[7]);
            } else {
                IpAddresses.appendIPv6(sb.append("IPv6:"), g);
            }
            return sb.append(']').toString();
        }
        int colon = s.indexOf(':', a);
        if (colon >= 0 && colon < b) {
            for (int i = a; i < colon; i++) {
                char c = s.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
                    return p.fail(ParseError.BAD_ADDRESS_LITERAL,
                            "address literal is neither IPv4 nor [IPv6:...] (bad tag)");
                }
            }
            return p.fail(ParseError.UNSUPPORTED_ADDRESS_LITERAL, "address literal tag '"
                    + s.substring(a, colon) + "' is not supported; only IPv4 and 'IPv6:' literals are");
        }
        long v4 = IpAddresses.parseIPv4(s, a, b);
        if (v4 < 0) {
            return p.fail(ParseError.BAD_ADDRESS_LITERAL, "not a strict IPv4 address literal (four decimals 0-255,"
                    + " no leading zeros); IPv6 literals need the 'IPv6:' tag");
        }
        return from == 0 && to == s.length() ? s : s.substring(from, to);
    }

    static String toLowerAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                char[] cs = s.toCharArray();
                for (int j = i; j < cs.length; j++) {
                    if (cs[j] >= 'A' && cs[j] <= 'Z') {
                        cs[j] = (char) (cs[j] + ('a' - 'A'));
                    }
                }
                return new String(cs);
            }
        }
        return s;
    }

    static String hex4(int c) {
        String h = Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT);
        return "0000".substring(Math.min(4, h.length())) + h;
    }
}
