package io.relaycontrol.examples.smtp;

/**
 * The server's own syntax guard for envelope paths, applied before the relay policy is asked: a path with
 * control characters, or longer than RFC 5321's 256-octet limit, is refused by the server itself.
 * Everything else, including source routes, quoted local parts, {@code %} and {@code !}, goes to the
 * relay policy unchanged. Stateless.
 */
final class EnvelopeGuard {

    /** RFC 5321 section 4.5.3.1.3: a path is at most 256 octets including the angle brackets. */
    static final int MAX_PATH_LENGTH = 254;

    private EnvelopeGuard() {
    }

    /** @return why {@code path} (brackets already stripped) is refused, or {@code null} if it may be asked about */
    static String problem(String path) {
        if (path.length() > MAX_PATH_LENGTH) {
            return "path longer than " + MAX_PATH_LENGTH + " characters";
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "control character in path";
            }
        }
        return null;
    }
}
