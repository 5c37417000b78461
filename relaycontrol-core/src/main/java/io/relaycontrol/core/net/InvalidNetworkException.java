package io.relaycontrol.core.net;

import io.relaycontrol.api.RelayConfigException;
import java.util.Objects;

/**
 * A network entry (CIDR text such as {@code 10.0.0.0/8}, or a bare address) that cannot be used, with the
 * {@link Reason} machine-readable so that a policy linter can, for example, tell a host name apart from a
 * typo. The message names the bad text and says what to write instead.
 *
 * <p>A {@link RelayConfigException} (since 0.2.0; still an {@link IllegalArgumentException}) without file or line:
 * a list file's bad line is a {@link NetworkListException} with this as its cause. Instances are immutable and
 * thread-safe.
 *
 * @since 0.1.0
 */
public final class InvalidNetworkException extends RelayConfigException {

    private static final long serialVersionUID = 1L;

    /**
     * Why an entry was refused.
     *
     * @since 0.1.0
     */
    public enum Reason {
        /** Empty or blank text, or a lone {@code !}. */
        EMPTY,
        /** A host name such as {@code mail.example.com}; host names are never resolved. The message says "host name". */
        HOST_NAME,
        /** Bits set below the prefix length ({@code 10.1.2.3/8}) in strict mode. */
        HOST_BITS_SET,
        /** Anything else: octal or leading zeros, ranges, masks, inet_aton forms, bad prefix lengths, garbage. */
        MALFORMED
    }

    /** The refused text. */
    private final String text;
    /** Why it was refused. */
    private final Reason reason;

    /**
     * @param text the refused entry text
     * @param reason why
     * @param message the full message, naming the text
     */
    InvalidNetworkException(String text, Reason reason, String message) {
        super(message, null, null, 0, message, null);
        this.text = text;
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** @return the refused text, exactly as given */
    public String text() {
        return text;
    }

    /** @return why the entry was refused */
    public Reason reason() {
        return reason;
    }
}
