package io.relaycontrol.core.auth;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;

/** Request shorthands for the auth tests. */
final class Requests {

    static final String OUTSIDE = "203.0.113.7";
    static final String OFFICE = "192.168.1.20";
    static final String PRINTERS = "10.9.0.5";

    private Requests() {
    }

    /** A RCPT request from {@code client}, unauthenticated, no TLS. */
    static RelayRequest.Builder rcpt(String client, String sender, String recipient) {
        return RelayRequest.builder(Stage.RCPT).client(client).sender(sender).recipient(recipient);
    }

    /** A MAIL request from {@code client}, unauthenticated, no TLS. */
    static RelayRequest.Builder mail(String client, String sender) {
        return RelayRequest.builder(Stage.MAIL).client(client).sender(sender);
    }

    /** A RCPT request authenticated as {@code login} over TLS. */
    static RelayRequest.Builder authRcpt(String login, String sender, String recipient) {
        return rcpt(OUTSIDE, sender, recipient).authenticated(login).tls(true);
    }

    /** A MAIL request authenticated as {@code login} over TLS. */
    static RelayRequest.Builder authMail(String login, String sender) {
        return mail(OUTSIDE, sender).authenticated(login).tls(true);
    }

    static RelayRequest connect(String client) {
        return RelayRequest.builder(Stage.CONNECT).client(client).build();
    }
}
