package io.relaycontrol.core.auth;

import io.relaycontrol.api.address.EnvelopeAddress;

/** Renders envelope senders in reasons, independent of {@link EnvelopeAddress#toString()}. Package-private. */
final class Senders {

    private Senders() {
    }

    /**
     * @return {@code <local@domain>} for a mailbox, {@code <>} for the null path, and for an invalid address only
     *         the parser's reason: raw client input (which may hold control characters) is never copied into a
     *         reason that ends up in logs
     */
    static String render(EnvelopeAddress a) {
        if (a.isNullPath()) {
            return "<>";
        }
        if (a.isMailbox() || a.isPostmaster()) {
            return "<" + a.canonical() + ">";
        }
        return "unreadable address (" + a.error().orElse("invalid") + ")";
    }
}
