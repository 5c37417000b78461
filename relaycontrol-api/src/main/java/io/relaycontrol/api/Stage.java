package io.relaycontrol.api;

/**
 * The SMTP stage at which a relay request is asked.
 *
 * @since 0.1.0
 */
public enum Stage {
    /** The TCP connection was accepted; nothing has been said yet. */
    CONNECT,
    /** After HELO or EHLO. */
    HELO,
    /** After {@code MAIL FROM:}; the envelope sender is known. */
    MAIL,
    /** After {@code RCPT TO:}; the current recipient is known. */
    RCPT,
    /** At the end of DATA (or BDAT LAST); every recipient is known. */
    DATA
}
