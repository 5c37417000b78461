package io.relaycontrol.core.limit;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.address.EnvelopeAddress;
import io.relaycontrol.api.address.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import io.relaycontrol.api.Stage;
import java.net.Inet6Address;
import java.util.Objects;
import java.util.function.Function;

/**
 * Ready-made {@link LimitKey}s: client address (with IPv6 aggregated to a prefix), authenticated identity,
 * sender address, sender domain, recipient domain, or any function of the request.
 *
 * <p>Key formats (stable, because they name buckets in a shared store such as Redis):
 * <ul>
 * <li>client address: an IPv4 address in dotted quad ({@code 192.0.2.7}), or the network with its prefix
 *     length when aggregated ({@code 192.0.2.0/24}); an IPv6 address aggregated to its prefix, zero-compressed
 *     as in RFC 5952 ({@code 2001:db8:1:2::/64}). An IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.7}) is
 *     treated as the IPv4 address;</li>
 * <li>authenticated identity: the login as verified, unchanged;</li>
 * <li>sender address: the canonical mailbox {@code local@domain} (domain lower-cased);</li>
 * <li>sender and recipient domain: the canonical domain (lower case, no trailing dot).</li>
 * </ul>
 * A null sender {@code <>} or an invalid address has no address or domain key.
 *
 * <p>Keys are compact values ({@link LimitKey}): a client address key holds the address or prefix as
 * numbers and renders the text above only when read, so charging a limit builds no string. Login, sender and
 * domain keys are the canonical strings the request already holds.
 *
 * <p>All keys returned are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class LimitKeys {

    /** The IPv6 prefix length used by {@link #clientAddress()}: one host commonly owns a whole /64. */
    public static final int DEFAULT_IPV6_PREFIX_LENGTH = 64;

    private static final LimitKey CLIENT_ADDRESS = clientAddress(32, DEFAULT_IPV6_PREFIX_LENGTH);

    private static final LimitKey AUTHENTICATED_IDENTITY = of("authenticated identity",
            r -> r.authenticatedIdentity().orElse(null));

    private static final LimitKey SENDER_ADDRESS = of("sender address", r -> {
        EnvelopeAddress s = r.senderOrNull();
        return s != null && s.isMailbox() ? s.canonical() : null;
    });

    private static final LimitKey SENDER_DOMAIN = of("sender domain", r -> {
        EnvelopeAddress s = r.senderOrNull();
        return s != null && s.isMailbox() ? s.domain() : null;
    });

    private static final LimitKey RECIPIENT_DOMAIN = of("recipient domain", r -> {
        EnvelopeAddress s = r.recipientOrNull();
        return s != null && s.isMailbox() ? s.domain() : null;
    });

    private LimitKeys() {
    }

    /**
     * The client address: each IPv4 address on its own, IPv6 aggregated to its /64.
     *
     * @return the key
     */
    public static LimitKey clientAddress() {
        return CLIENT_ADDRESS;
    }

    /**
     * The client address: each IPv4 address on its own, IPv6 aggregated to its first
     * {@code ipv6PrefixLength} bits.
     *
     * @param ipv6PrefixLength 0 to 128; 128 keys each IPv6 address on its own
     * @return the key
     * @throws IllegalArgumentException if {@code ipv6PrefixLength} is out of range
     */
    public static LimitKey clientAddress(int ipv6PrefixLength) {
        return clientAddress(32, ipv6PrefixLength);
    }

    /**
     * The client address, IPv4 aggregated to its first {@code ipv4PrefixLength} bits and IPv6 to its first
     * {@code ipv6PrefixLength} bits.
     *
     * @param ipv4PrefixLength 0 to 32; 32 keys each IPv4 address on its own
     * @param ipv6PrefixLength 0 to 128; 128 keys each IPv6 address on its own
     * @return the key
     * @throws IllegalArgumentException if a prefix length is out of range
     */
    public static LimitKey clientAddress(int ipv4PrefixLength, int ipv6PrefixLength) {
        if (ipv4PrefixLength < 0 || ipv4PrefixLength > 32) {
            throw new IllegalArgumentException("IPv4 prefix length must be 0..32, was " + ipv4PrefixLength);
        }
        if (ipv6PrefixLength < 0 || ipv6PrefixLength > 128) {
            throw new IllegalArgumentException("IPv6 prefix length must be 0..128, was " + ipv6PrefixLength);
        }
        String description = "client address (IPv4 " + (ipv4PrefixLength == 32 ? "per address" : "/" + ipv4PrefixLength)
                + ", IPv6 " + (ipv6PrefixLength == 128 ? "per address" : "/" + ipv6PrefixLength) + ")";
        return new ClientAddressKey(description, ipv4PrefixLength, ipv6PrefixLength);
    }

    /**
     * The login verified by a successful AUTH; unauthenticated clients have no key.
     *
     * @return the key
     */
    public static LimitKey authenticatedIdentity() {
        return AUTHENTICATED_IDENTITY;
    }

    /**
     * The canonical envelope sender {@code local@domain}; no key for {@code <>}, an invalid sender or before MAIL.
     *
     * @return the key
     */
    public static LimitKey senderAddress() {
        return SENDER_ADDRESS;
    }

    /**
     * The envelope sender's canonical domain; no key for {@code <>}, an invalid sender or before MAIL.
     *
     * @return the key
     */
    public static LimitKey senderDomain() {
        return SENDER_DOMAIN;
    }

    /**
     * The current recipient's canonical domain; no key outside RCPT or for an invalid recipient.
     *
     * @return the key
     */
    public static LimitKey recipientDomain() {
        return RECIPIENT_DOMAIN;
    }

    /**
     * A key from a function of the request.
     *
     * @param description what the key is, for people
     * @param function the key of a request; {@code null} or an empty string means "no key"; must be thread-safe
     * @return the key
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code description} is blank
     */
    public static LimitKey of(String description, Function<RelayRequest, String> function) {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(function, "function");
        if (description.isBlank()) {
            throw new IllegalArgumentException("limit key description must not be blank");
        }
        return new FunctionKey(description, function);
    }

    private static final class FunctionKey implements LimitKey {
        private final String description;
        private final Function<RelayRequest, String> function;

        FunctionKey(String description, Function<RelayRequest, String> function) {
            this.description = description;
            this.function = function;
        }

        @Override
        public Object keyOf(RelayRequest request) {
            String k = function.apply(request);
            return k == null || k.isEmpty() ? null : k;
        }

        @Override
        public String description() {
            return description;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /** The client address as numbers: IPv4 in an {@code int}, IPv6 prefixes in two {@code long}s. */
    private static final class ClientAddressKey implements LimitKey {
        private final String description;
        private final int v4Prefix;
        private final int v6Prefix;
        private final int v4Mask;
        private final long v6MaskHi;
        private final long v6MaskLo;

        ClientAddressKey(String description, int v4Prefix, int v6Prefix) {
            this.description = description;
            this.v4Prefix = v4Prefix;
            this.v6Prefix = v6Prefix;
            this.v4Mask = v4Prefix == 0 ? 0 : -1 << (32 - v4Prefix);
            this.v6MaskHi = v6Prefix == 0 ? 0 : v6Prefix >= 64 ? -1L : -1L << (64 - v6Prefix);
            this.v6MaskLo = v6Prefix <= 64 ? 0 : v6Prefix == 128 ? -1L : -1L << (128 - v6Prefix);
        }

        @Override
        public Object keyOf(RelayRequest request) {
            return keyOf(request.clientAddress());
        }

        Object keyOf(InetAddress address) {
            if (address instanceof Inet4Address) {
                // Inet4Address.hashCode() is the address itself (OpenJDK since 1.0; LimitKeysTest checks it
                // against getAddress() for random addresses): no byte[] copy per decision.
                int ip = address.hashCode();
                return v4Prefix == 32 ? new V4Key(ip) : new V4PrefixKey(ip & v4Mask, v4Prefix);
            }
            byte[] b = address.getAddress();
            if (IpAddresses.isIPv4Mapped(b)) { // RelayRequest unwraps these; an Inet6Address made by hand may still be one
                int ip = ((b[12] & 0xff) << 24) | ((b[13] & 0xff) << 16) | ((b[14] & 0xff) << 8) | (b[15] & 0xff);
                return v4Prefix == 32 ? new V4Key(ip) : new V4PrefixKey(ip & v4Mask, v4Prefix);
            }
            long hi = 0;
            long lo = 0;
            for (int i = 0; i < 8; i++) {
                hi = (hi << 8) | (b[i] & 0xff);
                lo = (lo << 8) | (b[i + 8] & 0xff);
            }
            return new V6Key(hi & v6MaskHi, lo & v6MaskLo, v6Prefix);
        }

        /**
         * Reads {@code 192.0.2.25}, {@code 192.0.2.0/24} or {@code 2001:db8::/64}: the address or network must be
         * one this key produces (an IPv6 override names a whole prefix of this key's length, an address inside
         * it names the same prefix).
         */
        @Override
        public Object parseKey(String text) {
            Objects.requireNonNull(text, "text");
            String addr = text.strip();
            int slash = addr.indexOf('/');
            int len = -1;
            if (slash >= 0) {
                try {
                    len = Integer.parseInt(addr.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad prefix length in limit key '" + text + "'");
                }
                addr = addr.substring(0, slash);
            }
            InetAddress a;
            try {
                a = RelayRequest.builder(Stage.CONNECT).client(addr).build().clientAddress();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not an IP address or network for limit key '" + text + "'", e);
            }
            int expected = a instanceof Inet4Address ? v4Prefix : v6Prefix;
            if (len >= 0 && len != expected) {
                throw new IllegalArgumentException("limit key '" + text + "' has prefix length /" + len
                        + ", but this key counts " + (a instanceof Inet4Address ? "IPv4" : "IPv6") + " per /"
                        + expected);
            }
            return keyOf(a);
        }

        @Override
        public String description() {
            return description;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /** An IPv4 address. 16 bytes. */
    private static final class V4Key {
        private final int ip;

        V4Key(int ip) {
            this.ip = ip;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof V4Key && ((V4Key) o).ip == ip;
        }

        @Override
        public int hashCode() {
            return ip * 0x9E3779B9;
        }

        @Override
        public String toString() {
            return v4Text(ip);
        }
    }

    /** An IPv4 network. */
    private static final class V4PrefixKey {
        private final int ip;
        private final int prefix;

        V4PrefixKey(int ip, int prefix) {
            this.ip = ip;
            this.prefix = prefix;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof V4PrefixKey && ((V4PrefixKey) o).ip == ip && ((V4PrefixKey) o).prefix == prefix;
        }

        @Override
        public int hashCode() {
            return ip * 0x9E3779B9 + prefix;
        }

        @Override
        public String toString() {
            return v4Text(ip) + "/" + prefix;
        }
    }

    /** An IPv6 address or prefix (the bits past the prefix are zero). 32 bytes. */
    private static final class V6Key {
        private final long hi;
        private final long lo;
        private final int prefix;

        V6Key(long hi, long lo, int prefix) {
            this.hi = hi;
            this.lo = lo;
            this.prefix = prefix;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof V6Key)) {
                return false;
            }
            V6Key k = (V6Key) o;
            return k.hi == hi && k.lo == lo && k.prefix == prefix;
        }

        @Override
        public int hashCode() {
            long h = (hi * 0x9E3779B97F4A7C15L) ^ lo ^ prefix;
            return (int) (h ^ (h >>> 32));
        }

        @Override
        public String toString() {
            String s = IpAddresses.formatIPv6(hi, lo);
            return prefix == 128 ? s : s + "/" + prefix;
        }
    }

    private static String v4Text(int ip) {
        return (ip >>> 24) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff);
    }

    /** RFC 5952 text of 16 bytes; the one implementation is {@link IpAddresses#format(byte[])}. */
    static String formatV6(byte[] b) {
        return IpAddresses.format(b);
    }
}
