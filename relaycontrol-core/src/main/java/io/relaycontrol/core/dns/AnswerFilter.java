package io.relaycontrol.core.dns;

import java.util.Objects;

/**
 * Which answers of a DNS list count as a listing: a Postfix pattern or an Exim bit mask. An answer outside
 * {@code 127.0.0.0/8}, or in the error range {@code 127.255.255.0/24}, never reaches a filter: it never counts.
 *
 * <ul>
 * <li>Postfix form (as in {@code postscreen_dnsbl_sites} and {@code reject_rbl_client}): four dot-separated
 *     octets, each a number ({@code 2}), or a bracketed list of numbers and inclusive ranges separated by
 *     {@code ;}: {@code 127.0.0.[2..11]}, {@code 127.0.[0..255].[1;3]}, {@code 127.0.0.[2;4;9..11]}.</li>
 * <li>Exim bit-mask form: {@code &0.0.0.4} matches an answer in which every bit of the mask is set (the
 *     answer AND the mask equals the mask), as Exim's {@code dnslists = zone&0.0.0.4}; used by lists that
 *     encode several reasons as bits.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe; {@link #matches(int)} allocates nothing.
 *
 * @since 0.2.0
 */
public final class AnswerFilter {

    private final String text;
    /** For the Postfix form: 4 octets x 256 bits. {@code null} for a bit mask. */
    private final long[] octetBits;
    private final int mask;

    private AnswerFilter(String text, long[] octetBits, int mask) {
        this.text = text;
        this.octetBits = octetBits;
        this.mask = mask;
    }

    /**
     * Parses a filter.
     *
     * @param text {@code 127.0.0.[2..11]}, {@code 127.0.[0..255].[1;3]}, {@code 127.0.0.2} or {@code &0.0.0.4}
     * @return the filter
     * @throws NullPointerException if {@code text} is null
     * @throws IllegalArgumentException naming the value and what is wrong with it
     */
    public static AnswerFilter parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.trim();
        if (t.startsWith("&")) {
            int[] octets = new int[4];
            String[] parts = t.substring(1).split("\\.", -1);
            if (parts.length != 4) {
                throw bad(text, "a bit mask has four octets, like &0.0.0.4");
            }
            int m = 0;
            for (int i = 0; i < 4; i++) {
                octets[i] = number(text, parts[i]);
                m = (m << 8) | octets[i];
            }
            if (m == 0) {
                throw bad(text, "the bit mask 0.0.0.0 would match every answer");
            }
            return new AnswerFilter("&" + octets[0] + "." + octets[1] + "." + octets[2] + "." + octets[3], null, m);
        }
        String[] parts = splitOctets(text, t);
        long[] bits = new long[16];
        StringBuilder canonical = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (i > 0) {
                canonical.append('.');
            }
            if (p.startsWith("[")) {
                if (!p.endsWith("]") || p.length() < 3) {
                    throw bad(text, "octet '" + p + "' opens '[' without closing it");
                }
                String[] items = p.substring(1, p.length() - 1).split(";", -1);
                canonical.append('[');
                for (int j = 0; j < items.length; j++) {
                    String item = items[j].trim();
                    int lo;
                    int hi;
                    int range = item.indexOf("..");
                    if (range >= 0) {
                        lo = number(text, item.substring(0, range));
                        hi = number(text, item.substring(range + 2));
                        if (lo > hi) {
                            throw bad(text, "range " + item + " runs backwards");
                        }
                    } else {
                        lo = number(text, item);
                        hi = lo;
                    }
                    for (int v = lo; v <= hi; v++) {
                        bits[i * 4 + (v >>> 6)] |= 1L << (v & 63);
                    }
                    canonical.append(j > 0 ? ";" : "").append(lo == hi ? String.valueOf(lo) : lo + ".." + hi);
                }
                canonical.append(']');
            } else {
                int v = number(text, p);
                bits[i * 4 + (v >>> 6)] |= 1L << (v & 63);
                canonical.append(v);
            }
        }
        return new AnswerFilter(canonical.toString(), bits, 0);
    }

    /** Splits at the dots that are outside brackets. */
    private static String[] splitOctets(String original, String t) {
        String[] out = new String[4];
        int n = 0;
        int start = 0;
        int depth = 0;
        for (int i = 0; i <= t.length(); i++) {
            char c = i < t.length() ? t.charAt(i) : '.';
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            } else if (c == '.' && depth == 0) {
                if (n == 4) {
                    throw bad(original, "more than four octets");
                }
                out[n++] = t.substring(start, i).trim();
                start = i + 1;
            }
            if (depth < 0 || depth > 1) {
                throw bad(original, "unbalanced brackets");
            }
        }
        if (n != 4 || depth != 0) {
            throw bad(original, "expected four octets like 127.0.0.[2..11]");
        }
        return out;
    }

    private static int number(String original, String s) {
        String t = s.trim();
        if (t.isEmpty() || t.length() > 3) {
            throw bad(original, "'" + t + "' is not an octet 0..255");
        }
        int v = 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                throw bad(original, "'" + t + "' is not an octet 0..255");
            }
            v = v * 10 + (c - '0');
        }
        if (v > 255 || (t.length() > 1 && t.charAt(0) == '0')) {
            throw bad(original, "'" + t + "' is not an octet 0..255 (no leading zeros)");
        }
        return v;
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("invalid DNS list filter '" + text + "': " + why);
    }

    /**
     * Whether an answer counts.
     *
     * @param ipv4 the answer, as a big-endian int ({@code 127.0.0.2} is {@code 0x7f000002})
     * @return whether the filter accepts it
     */
    public boolean matches(int ipv4) {
        if (octetBits == null) {
            return (ipv4 & mask) == mask;
        }
        for (int i = 0; i < 4; i++) {
            int v = (ipv4 >>> (24 - 8 * i)) & 0xff;
            if ((octetBits[i * 4 + (v >>> 6)] & (1L << (v & 63))) == 0) {
                return false;
            }
        }
        return true;
    }

    /** @return whether this is the Exim bit-mask form */
    public boolean isBitMask() {
        return octetBits == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AnswerFilter && ((AnswerFilter) o).text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** @return the filter in its canonical written form, e.g. {@code 127.0.0.[2..11]} or {@code &0.0.0.4} */
    @Override
    public String toString() {
        return text;
    }
}
