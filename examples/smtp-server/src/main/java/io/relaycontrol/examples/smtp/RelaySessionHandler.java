package io.relaycontrol.examples.smtp;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

/**
 * Asks the policy when a client connects, before the banner: a refusal (DENY or DEFER) is sent instead of
 * the 220 banner, with the decision's code, enhanced status and text, and the connection is closed.
 * Thread-safe.
 */
final class RelaySessionHandler implements SessionHandler {

    private final DecisionLog log;

    RelaySessionHandler(DecisionLog log) {
        this.log = log;
    }

    @Override
    public SessionAcceptance accept(Session session) {
        RelayRequest request;
        try {
            request = RelayRequest.builder(Stage.CONNECT).client(session.getRemoteAddress().getAddress())
                    .tls(session.isTLSStarted()).build();
        } catch (RuntimeException e) {
            SmtpReply r = SmtpReply.TEMPORARY_FAILURE;
            return SessionAcceptance.failure(r.code(), r.status() + " " + r.text());
        }
        Decision d = log.decide(request);
        if (d.verdict().isRefusal()) {
            SmtpReply r = d.reply().orElse(SmtpReply.TEMPORARY_FAILURE);
            return SessionAcceptance.failure(r.code(), r.status() + " " + r.text());
        }
        return SessionAcceptance.success();
    }

    @Override
    public void onSessionEnd(Session session) {
        // nothing to release: the policy keeps no per-session state here
    }
}
