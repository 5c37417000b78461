package io.relaycontrol.core.limit;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.address.EnvelopeAddress;
import io.relaycontrol.api.address.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;
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
        public Optional<String> key(RelayRequest request) {
            String k = function.apply(request);
            return k == null || k.isEmpty() ? Optional.empty() : Optional.of(k);
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

    private static final class ClientAddressKey implements LimitKey {
        private final String description;
        private final int v4Prefix;
        private final int v6Prefix;

        ClientAddressKey(String description, int v4Prefix, int v6Prefix) {
            this.description = description;
            this.v4Prefix = v4Prefix;
            this.v6Prefix = v6Prefix;
        }

        @Override
        public Optional<String> key(RelayRequest request) {
            return Optional.of(format(request.clientAddress()));
        }

        String format(InetAddress address) {
            byte[] b = address.getAddress();
            if (IpAddresses.isIPv4Mapped(b)) {
                byte[] v4 = new byte[4];
                System.arraycopy(b, 12, v4, 0, 4);
                b = v4;
            }
            if (b.length == 4) {
                if (v4Prefix == 32 && address instanceof Inet4Address) {
                    return address.getHostAddress();
                }
                mask(b, v4Prefix);
                String s = IpAddresses.format(b);
                return v4Prefix == 32 ? s : s + "/" + v4Prefix;
            }
            mask(b, v6Prefix);
            String s = IpAddresses.format(b);
            return v6Prefix == 128 ? s : s + "/" + v6Prefix;
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

    private static void mask(byte[] b, int prefix) {
        for (int i = 0; i < b.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
            b[i] = (byte) (b[i] & (0xff00 >>> bitsHere));
        }
    }

    /** RFC 5952 text of 16 bytes; the one implementation is {@link IpAddresses#format(byte[])}. */
    static String formatV6(byte[] b) {
        return IpAddresses.format(b);
    }
}
