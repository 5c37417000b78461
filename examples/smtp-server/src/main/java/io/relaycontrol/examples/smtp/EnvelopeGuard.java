package io.relaycontrol.examples.smtp;

import java.nio.charset.StandardCharsets;

/**
 * The server's own syntax guard for envelope paths, applied before the relay policy is asked: a path with
 * control characters, or longer than RFC 5321's 256-octet limit, is refused by the server itself, with the
 * reason in the reply ({@code 501 5.1.3 Bad address syntax: ...}). Everything else, including source routes,
 * quoted local parts, {@code %}, {@code !} and {@code Postmaster} without a domain, goes to the relay policy.
 * Stateless.
 */
final class EnvelopeGuard {

    /** RFC 5321 section 4.5.3.1.3: a path is at most 256 octets including the angle brackets. */
    static final int MAX_PATH_LENGTH = 254;

    private EnvelopeGuard() {
    }

    /** @return why {@code path} (brackets already stripped) is refused, or {@code null} if it may be asked about */
    static String problem(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return String.format("control character 0x%02x in the address", (int) c);
            }
        }
        int octets = path.getBytes(StandardCharsets.UTF_8).length;
        if (octets > MAX_PATH_LENGTH) {
            return "address longer than " + MAX_PATH_LENGTH + " octets (" + octets + ")";
        }
        return null;
    }
}
