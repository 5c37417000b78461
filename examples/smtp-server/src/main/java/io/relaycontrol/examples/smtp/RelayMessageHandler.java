package io.relaycontrol.examples.smtp;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.TooMuchDataException;
import org.subethamail.smtp.server.Session;

/**
 * One mail transaction (created by SubEthaSMTP at MAIL FROM): asks the policy at MAIL FROM and at every
 * RCPT TO, and spools the message at DATA. Confined to the session's thread.
 */
final class RelayMessageHandler implements MessageHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RelayMessageHandler.class);

    private static final SmtpReply BAD_PATH = SmtpReply.of(501, "5.1.3", "Bad address syntax");
    private static final SmtpReply NO_DECISION =
            SmtpReply.of(451, "4.3.0", "Relay policy gave no decision, please try again later");
    private static final SmtpReply TOO_BIG = SmtpReply.of(552, "5.3.4", "Message size exceeds fixed limit");

    private final MessageContext ctx;
    private final DecisionLog log;
    private final Spool spool;
    private final int maxSize;
    private String sender;
    private final List<String> recipients = new ArrayList<>();

    RelayMessageHandler(MessageContext ctx, DecisionLog log, Spool spool, int maxSize) {
        this.ctx = ctx;
        this.log = log;
        this.spool = spool;
        this.maxSize = maxSize;
    }

    @Override
    public void from(String from) throws RejectException {
        String problem = EnvelopeGuard.problem(from);
        if (problem != null) {
            LOG.info("MAIL FROM refused by the server: {}: {}", problem, DecisionLog.printable(from));
            throw reject(BAD_PATH);
        }
        Decision d = log.decide(base(Stage.MAIL).sender(from).build());
        if (d.verdict().isRefusal()) {
            throw reject(d.reply().orElse(SmtpReply.TEMPORARY_FAILURE));
        }
        sender = from;
    }

    @Override
    public void recipient(String recipient) throws RejectException {
        String problem = EnvelopeGuard.problem(recipient);
        if (problem != null) {
            LOG.info("RCPT TO refused by the server: {}: {}", problem, DecisionLog.printable(recipient));
            throw reject(BAD_PATH);
        }
        Decision d = log.decide(base(Stage.RCPT).sender(sender).recipient(recipient)
                .recipientCount(recipients.size()).build());
        if (d.verdict() == Verdict.ALLOW) {
            recipients.add(recipient);
            return;
        }
        throw reject(d.verdict().isRefusal() ? d.reply().orElse(SmtpReply.TEMPORARY_FAILURE) : NO_DECISION);
    }

    @Override
    public String data(InputStream data) throws RejectException, IOException {
        if (spool == null) {
            long n = data.transferTo(OutputStreamSink.INSTANCE);
            LOG.info("accepted a message of {} bytes from <{}> for {} recipient(s), not spooled",
                    n, DecisionLog.printable(sender), recipients.size());
            return null;
        }
        try {
            String id = spool.store(sender, recipients, data, maxSize);
            LOG.info("queued {} from <{}> for {}", id, DecisionLog.printable(sender),
                    DecisionLog.printable(recipients.toString()));
            return "2.0.0 Ok: queued as " + id;
        } catch (TooMuchDataException e) {
            data.transferTo(OutputStreamSink.INSTANCE);
            throw reject(TOO_BIG);
        }
    }

    @Override
    public void done() {
        // nothing held between commands
    }

    private RelayRequest.Builder base(Stage stage) {
        RelayRequest.Builder b = RelayRequest.builder(stage)
                .client(((java.net.InetSocketAddress) ctx.getRemoteAddress()).getAddress());
        ctx.getHelo().ifPresent(b::helo);
        ctx.getAuthenticationHandler().map(AuthenticationHandler::getIdentity).map(String::valueOf)
                .filter(s -> !s.isBlank()).ifPresent(b::authenticated);
        if (ctx instanceof Session) {
            Session s = (Session) ctx;
            b.tls(s.isTLSStarted());
            if (s.getDeclaredMessageSize() > 0) {
                b.declaredSize(s.getDeclaredMessageSize());
            }
        }
        return b;
    }

    private static RejectException reject(SmtpReply reply) {
        return new RejectException(reply.code(), reply.status() + " " + reply.text());
    }

    /** Discards bytes. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
