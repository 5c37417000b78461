package io.relaycontrol.core.net;

import inet.ipaddr.AddressStringException;
import inet.ipaddr.AddressStringParameters.RangeParameters;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.IPAddressStringParameters;
import inet.ipaddr.ipv4.IPv4AddressStringParameters;
import inet.ipaddr.ipv6.IPv6AddressStringParameters;
import io.relaycontrol.api.address.IpAddresses;
import java.util.regex.Pattern;

/**
 * One parsed network: a 128-bit start value (IPv4 as {@code hi = 0}, {@code lo} = the unsigned 32-bit value)
 * and a prefix length counted within its family. IPv4-mapped IPv6 blocks of /96 or longer are turned into
 * IPv4 blocks; zones are dropped. Parsing is done by the IPAddress library with strict parameters.
 */
final class Cidr {

    /** Strict: no inet_aton forms, no leading zeros in IPv4, no ranges or wildcards, no masks, no empty, no single segment. */
    static final IPAddressStringParameters STRICT;

    static {
        IPAddressStringParameters.Builder b = new IPAddressStringParameters.Builder()
                .allowEmpty(false)
                .allowAll(false)
                .allowSingleSegment(false)
                .allowMask(false)
                .allowPrefixOnly(false)
                .allowWildcardedSeparator(false)
                .setRangeOptions(RangeParameters.NO_RANGE)
                .allow_inet_aton(false);
        IPv4AddressStringParameters.Builder v4 = b.getIPv4AddressParametersBuilder();
        v4.allow_inet_aton(false);
        v4.allowBinary(false);
        v4.allowLeadingZeros(false);
        v4.allowUnlimitedLeadingZeros(false);
        // IPAddress refuses "/0" when prefix-length leading zeros are off; they are checked in parseAddress.
        v4.allowPrefixLengthLeadingZeros(true);
        v4.allowPrefixesBeyondAddressSize(false);
        v4.allowWildcardedSeparator(false);
        v4.setRangeOptions(RangeParameters.NO_RANGE);
        IPv6AddressStringParameters.Builder v6 = b.getIPv6AddressParametersBuilder();
        v6.allowBinary(false);
        v6.allowBase85(false);
        v6.allowZone(true);
        v6.allowEmptyZone(false);
        v6.allow_mixed_inet_aton(false);
        v6.allowLeadingZeros(true); // 2001:0db8:: is ordinary IPv6
        v6.allowUnlimitedLeadingZeros(false);
        v6.allowPrefixLengthLeadingZeros(true);
        v6.allowPrefixesBeyondAddressSize(false);
        v6.allowWildcardedSeparator(false);
        v6.setRangeOptions(RangeParameters.NO_RANGE);
        IPv4AddressStringParameters.Builder embedded = v6.getEmbeddedIPv4AddressParametersBuilder();
        embedded.allow_inet_aton(false);
        embedded.allowBinary(false);
        embedded.allowLeadingZeros(false);
        embedded.allowUnlimitedLeadingZeros(false);
        embedded.setRangeOptions(RangeParameters.NO_RANGE);
        STRICT = b.toParams();
    }

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?");

    final boolean v4;
    final long hi;
    final long lo;
    final int prefix;

    Cidr(boolean v4, long hi, long lo, int prefix) {
        this.v4 = v4;
        this.hi = hi;
        this.lo = lo;
        this.prefix = prefix;
    }

    /** @return the last address of the block, high half */
    long endHi() {
        if (v4 || prefix >= 64) {
            return hi;
        }
        return hi | (-1L >>> prefix);
    }

    /** @return the last address of the block, low half */
    long endLo() {
        if (v4) {
            return lo | ((1L << (32 - prefix)) - 1);
        }
        if (prefix <= 64) {
            return -1L;
        }
        return prefix == 128 ? lo : lo | (-1L >>> (prefix - 64));
    }

    @Override
    public String toString() {
        return format(v4, hi, lo, prefix);
    }

    static String format(boolean v4, long hi, long lo, int prefix) {
        if (v4) {
            return formatV4((int) lo) + "/" + prefix;
        }
        return IpAddresses.formatIPv6(hi, lo) + "/" + prefix;
    }

    static String formatV4(int v) {
        return (v >>> 24) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }

    /**
     * Parses an entry.
     *
     * @param text CIDR text or a bare address
     * @param lenient whether host bits below the prefix are cleared instead of refused
     * @return the block
     * @throws InvalidNetworkException naming the text and the reason
     */
    static Cidr parse(String text, boolean lenient) {
        IPAddress a = parseAddress(text, true);
        byte[] bytes = a.getBytes();
        Integer p = a.getNetworkPrefixLength();
        int prefix = p == null ? bytes.length * 8 : p;
        Cidr exact = fromBytes(bytes, prefix);
        Cidr block = exact.masked();
        if (block.hi != exact.hi || block.lo != exact.lo) {
            if (!lenient) {
                throw new InvalidNetworkException(text, InvalidNetworkException.Reason.HOST_BITS_SET,
                        "'" + text + "' has host bits set below its /" + prefix + " prefix: the network is "
                                + block + "; write " + block + ", or build the set leniently to accept it");
            }
        }
        return block;
    }

    /**
     * Parses a single address (no prefix) for membership questions.
     *
     * @throws InvalidNetworkException if the text is not a single IP address
     */
    static Cidr parseSingle(String text) {
        IPAddress a = parseAddress(text, false);
        byte[] bytes = a.getBytes();
        return fromBytes(bytes, bytes.length * 8);
    }

    private static IPAddress parseAddress(String text, boolean prefixAllowed) {
        if (text == null) {
            throw new NullPointerException("network text is null");
        }
        if (text.isBlank()) {
            throw new InvalidNetworkException(text, InvalidNetworkException.Reason.EMPTY,
                    "empty network entry '" + text + "'");
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                throw new InvalidNetworkException(text, InvalidNetworkException.Reason.MALFORMED,
                        "'" + text + "' is not a network: it contains whitespace");
            }
        }
        if (isHostName(text)) {
            throw new InvalidNetworkException(text, InvalidNetworkException.Reason.HOST_NAME,
                    "'" + text + "' is a host name, not an IP network; host names are never resolved:"
                            + " write the address or CIDR block instead");
        }
        int slash = text.indexOf('/');
        if (slash >= 0 && text.length() > slash + 2 && text.charAt(slash + 1) == '0') {
            throw new InvalidNetworkException(text, InvalidNetworkException.Reason.MALFORMED,
                    "'" + text + "' is not a valid CIDR block: its prefix length has a leading zero");
        }
        if (!prefixAllowed && slash >= 0) {
            throw new InvalidNetworkException(text, InvalidNetworkException.Reason.MALFORMED,
                    "'" + text + "' is not a single IP address: it has a prefix length");
        }
        IPAddress a;
        try {
            a = new IPAddressString(text, STRICT).toAddress();
        } catch (AddressStringException e) {
            throw new InvalidNetworkException(text, InvalidNetworkException.Reason.MALFORMED,
                    "'" + text + "' is not a valid IP address or CIDR block (strict parsing: no leading zeros or"
                            + " octal, no ranges, masks or short forms): " + e.getMessage());
        }
        if (a == null || !(a.isIPv4() || a.isIPv6())) {
            throw new InvalidNetworkException(text, InvalidNetworkException.Reason.MALFORMED,
                    "'" + text + "' is not a valid IP address or CIDR block");
        }
        if (a.isIPv6()) {
            a = a.toIPv6().removeZone();
        }
        return a;
    }

    /** A host name: dot-separated LDH labels whose last label starts with a letter (so 0x0a.0.0.1 is not one). */
    static boolean isHostName(String text) {
        String s = text;
        int slash = s.indexOf('/');
        if (slash >= 0) {
            s = s.substring(0, slash);
        }
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty() || s.indexOf(':') >= 0) {
            return false;
        }
        String[] labels = s.split("\\.", -1);
        for (String l : labels) {
            if (!LABEL.matcher(l).matches()) {
                return false;
            }
        }
        return Character.isLetter(labels[labels.length - 1].charAt(0));
    }

    /** From raw address bytes (4 or 16) and a prefix length within that family; IPv4-mapped /96+ becomes IPv4. */
    static Cidr fromBytes(byte[] b, int prefix) {
        if (b.length == 4) {
            return new Cidr(true, 0, v4Bits(b, 0) & 0xFFFFFFFFL, prefix);
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xFF);
            lo = (lo << 8) | (b[8 + i] & 0xFF);
        }
        if (prefix >= 96 && IpAddresses.isIPv4Mapped(b)) {
            return new Cidr(true, 0, lo & 0xFFFFFFFFL, prefix - 96);
        }
        return new Cidr(false, hi, lo, prefix);
    }

    static int v4Bits(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    /** @return this block with the host bits cleared */
    Cidr masked() {
        if (v4) {
            long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
            return new Cidr(true, 0, lo & mask, prefix);
        }
        long mh;
        long ml;
        if (prefix == 0) {
            mh = 0;
            ml = 0;
        } else if (prefix < 64) {
            mh = -1L << (64 - prefix);
            ml = 0;
        } else if (prefix == 64) {
            mh = -1L;
            ml = 0;
        } else {
            mh = -1L;
            ml = -1L << (128 - prefix);
        }
        return new Cidr(false, hi & mh, lo & ml, prefix);
    }
}
