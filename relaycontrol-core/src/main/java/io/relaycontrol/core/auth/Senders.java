package io.relaycontrol.core.auth;

import io.relaycontrol.api.address.EnvelopeAddress;

/** Renders envelope senders in reasons, independent of {@link EnvelopeAddress#toString()}. Package-private. */
final class Senders {

    private Senders() {
    }

    /** @return {@code <local@domain>} for a mailbox, {@code <>} for the null path, the raw text quoted if invalid */
    static String render(EnvelopeAddress a) {
        if (a.isNullPath()) {
            return "<>";
        }
        if (a.isMailbox()) {
            return "<" + a.canonical() + ">";
        }
        return "'" + a.raw() + "'" + a.error().map(e -> " (" + e + ")").orElse("");
    }
}
