package io.relaycontrol.core.audit;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A client context the probes are asked in: who connects, from where, with which login and TLS state.
 *
 * @param name a name for people, e.g. {@code stranger 198.51.100.77}
 * @param kind what kind of client this is
 * @param client the client's address
 * @param login the authenticated login, if any
 * @param tls whether TLS is active
 * @param sender the envelope sender this client legitimately uses, without angle brackets
 * @param helo the HELO/EHLO name it gives
 * @param mayRelay whether a correct policy lets this client relay to foreign domains
 * @since 0.2.0
 */
public record AuditContext(String name, Kind kind, InetAddress client, Optional<String> login, boolean tls,
        String sender, String helo, boolean mayRelay) {

    /** The kinds of client. */
    public enum Kind {
        /** An unknown, unauthenticated client: must never relay. */
        STRANGER,
        /** A client inside a trusted network. */
        TRUSTED,
        /** An authenticated client (with or without TLS). */
        AUTHENTICATED,
        /** A client of a blocked network: must never relay; anything else may be refused. */
        BLOCKED
    }

    /**
     * Validates the parts.
     *
     * @param name the name
     * @param kind the kind
     * @param client the client address
     * @param login the login, if any
     * @param tls whether TLS is active
     * @param sender the legitimate sender
     * @param helo the HELO name
     * @param mayRelay whether it may relay
     * @throws NullPointerException if any part is null
     * @throws IllegalArgumentException if a stranger or blocked client may relay, or an authenticated one has no
     *     login
     */
    public AuditContext {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(login, "login");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(helo, "helo");
        if (mayRelay && (kind == Kind.STRANGER || kind == Kind.BLOCKED)) {
            throw new IllegalArgumentException("context " + name + ": a " + kind + " client never may relay");
        }
        if ((kind == Kind.AUTHENTICATED) != login.isPresent()) {
            throw new IllegalArgumentException("context " + name + ": a login belongs to AUTHENTICATED clients only");
        }
    }
}
