package io.relaycontrol.api;

import java.util.Objects;

/**
 * A typed SMTP reply: a three-digit reply code, an RFC 3463 enhanced status code and a one-line text.
 *
 * <p>Validated when built: the code is 2xx, 4xx or 5xx (RFC 5321 section 4.2), its second digit is 0 to 5,
 * the enhanced status class equals the code's first digit (a {@code 554} carries {@code 5.x.x}, a
 * {@code 451} carries {@code 4.x.x}), and the text is non-empty printable text on one line (no CR, LF,
 * NUL or other control characters, at most 400 characters), so that it can never inject a second reply
 * line. Instances are immutable and thread-safe.
 *
 * @param code the reply code, e.g. 554
 * @param status the enhanced status code, e.g. 5.7.1
 * @param text the human-readable text, e.g. "Relay access denied"
 * @since 0.1.0
 */
public record SmtpReply(int code, EnhancedStatus status, String text) {

    /** Maximum length of the text. RFC 5321 limits a reply line to 512 octets including code and CRLF. */
    public static final int MAX_TEXT_LENGTH = 400;

    /** {@code 554 5.7.1 Relay access denied}: the standard refusal of a relay attempt. */
    public static final SmtpReply RELAY_ACCESS_DENIED = of(554, "5.7.1", "Relay access denied");

    /** {@code 451 4.3.0 Temporary local problem, please try again later}: what a failing rule turns into. */
    public static final SmtpReply TEMPORARY_FAILURE =
            of(451, "4.3.0", "Temporary local problem, please try again later");

    /** {@code 451 4.7.1 Rate limit exceeded, please try again later}: the default reply of a rate limit. */
    public static final SmtpReply RATE_LIMITED = of(451, "4.7.1", "Rate limit exceeded, please try again later");

    /**
     * Validates the reply.
     *
     * @param code the reply code
     * @param status the enhanced status, whose class agrees with the code
     * @param text the text
     * @throws NullPointerException if {@code status} or {@code text} is null
     * @throws IllegalArgumentException if the code, the status class or the text is invalid
     */
    public SmtpReply {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(text, "text");
        int first = code / 100;
        int second = (code / 10) % 10;
        if (code < 200 || code > 599 || first == 3 || second > 5) {
            throw new IllegalArgumentException(
                    "SMTP reply code must be 2xx, 4xx or 5xx with a second digit 0..5, was " + code);
        }
        if (status.statusClass() != first) {
            throw new IllegalArgumentException("enhanced status " + status + " does not agree with reply code "
                    + code + ": its class must be " + first);
        }
        if (text.isBlank()) {
            throw new IllegalArgumentException("SMTP reply text must not be blank");
        }
        if (text.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException(
                    "SMTP reply text longer than " + MAX_TEXT_LENGTH + " characters: " + text.length());
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(
                        "SMTP reply text contains control character 0x" + Integer.toHexString(c) + " at index " + i);
            }
        }
    }

    /**
     * Creates a reply.
     *
     * @param code the reply code, e.g. 554
     * @param status the enhanced status code as text, e.g. "5.7.1"
     * @param text the text
     * @return the reply
     * @throws NullPointerException if {@code status} or {@code text} is null
     * @throws IllegalArgumentException if any part is invalid or the parts disagree
     */
    public static SmtpReply of(int code, String status, String text) {
        return new SmtpReply(code, EnhancedStatus.parse(status), text);
    }

    /** @return {@code true} for a 5xx reply */
    public boolean isPermanentFailure() {
        return code >= 500;
    }

    /** @return {@code true} for a 4xx reply */
    public boolean isTransientFailure() {
        return code >= 400 && code < 500;
    }

    /** @return {@code true} for a 2xx reply */
    public boolean isPositive() {
        return code < 300;
    }

    /** @return the reply as sent on the wire, without CRLF: {@code 554 5.7.1 Relay access denied} */
    @Override
    public String toString() {
        return code + " " + status + " " + text;
    }
}
