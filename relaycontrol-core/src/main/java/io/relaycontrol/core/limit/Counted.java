package io.relaycontrol.core.limit;

import io.relaycontrol.api.Stage;

/**
 * What a {@link RateLimit} counts, and therefore at which SMTP stage it charges tokens. At every other
 * stage the limit has no opinion.
 *
 * <p>Thread-safe (an enum).
 *
 * @since 0.1.0
 */
public enum Counted {
    /** One token per connection, charged at {@link Stage#CONNECT}. */
    CONNECTIONS(Stage.CONNECT, "connections"),
    /** One token per message (transaction), charged at {@link Stage#MAIL}. */
    MESSAGES(Stage.MAIL, "messages"),
    /** One token per recipient, charged at {@link Stage#RCPT}. */
    RECIPIENTS(Stage.RCPT, "recipients"),
    /**
     * The message size declared with {@code SIZE=}, in bytes, charged at {@link Stage#MAIL}. A MAIL
     * without a declared size (or with {@code SIZE=0}) is not counted: the limit has no opinion. It refuses
     * before the content is sent, but trusts the client: a client that declares no size, or too small a one,
     * is charged nothing or too little. See {@link #MESSAGE_BYTES} for the size actually received.
     */
    BYTES(Stage.MAIL, "bytes"),
    /**
     * The size of the message, in bytes, charged at {@link Stage#DATA} with the size the DATA request carries
     * ({@link io.relaycontrol.api.RelayRequest#declaredSize()}): at the end of the data that is the size
     * received (Postfix's END-OF-MESSAGE), which the client cannot understate. A DATA request without a size
     * (or with size 0) is not counted: the limit has no opinion. A refusal comes only after the content was
     * sent (the whole message is refused, for every recipient).
     *
     * <p>Each limit counts one kind, so no limit charges a message twice: a {@link #BYTES} limit charges the
     * declared size at MAIL and nothing at DATA; a {@code MESSAGE_BYTES} limit charges nothing at MAIL and the
     * size at DATA. Two limits, one of each kind, keep two separate buckets and each charges the message
     * once; use one kind for one budget.
     *
     * @since 0.2.0
     */
    MESSAGE_BYTES(Stage.DATA, "message bytes");

    private final Stage stage;
    private final String label;

    Counted(Stage stage, String label) {
        this.stage = stage;
        this.label = label;
    }

    /** @return the stage at which tokens are charged */
    public Stage stage() {
        return stage;
    }

    /** @return the plural noun for people, e.g. {@code recipients} */
    public String label() {
        return label;
    }
}
