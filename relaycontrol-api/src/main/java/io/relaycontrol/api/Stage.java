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
    /**
     * At DATA: every recipient is known. Asked at the end of the data (or BDAT LAST), where the request's
     * {@linkplain RelayRequest#declaredSize() size} is the size of the message received; a server may also ask
     * at the DATA command, before the content, and then passes no size (Postfix's {@code DATA} state).
     */
    DATA
}
