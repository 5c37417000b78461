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
     * without a declared size (or with {@code SIZE=0}) is not counted: the limit has no opinion.
     */
    BYTES(Stage.MAIL, "bytes");

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
