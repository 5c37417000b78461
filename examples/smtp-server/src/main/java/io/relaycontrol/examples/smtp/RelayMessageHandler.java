package io.relaycontrol.examples.smtp;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.api.address.EnvelopeAddress;
import java.io.FilterInputStream;
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
 * RCPT TO, and spools the message at DATA. What is spooled (and would be handed on) is the canonical form of
 * each address, the one the policy decided on, never the client's raw text. A message with a bare LF or bare
 * CR is refused ({@code 554 5.5.0}, as Postfix 3.9's {@code smtpd_forbid_bare_newline}). Confined to the
 * session's thread.
 */
final class RelayMessageHandler implements MessageHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RelayMessageHandler.class);

    private static final SmtpReply NO_DECISION =
            SmtpReply.of(451, "4.3.0", "Relay policy gave no decision, please try again later");
    private static final SmtpReply TOO_BIG = SmtpReply.of(552, "5.3.4", "Message size exceeds fixed limit");
    static final SmtpReply BARE_LINE_ENDING = SmtpReply.of(554, "5.5.0",
            "Message refused: bare <LF> or bare <CR> in the message; lines must end with <CR><LF> (RFC 5321 2.3.8)");

    private final MessageContext ctx;
    private final DecisionLog log;
    private final Spool spool;
    private final int maxSize;
    private String sender;
    private boolean smtpUtf8;
    private final List<String> recipients = new ArrayList<>();

    RelayMessageHandler(MessageContext ctx, DecisionLog log, Spool spool, int maxSize) {
        this.ctx = ctx;
        this.log = log;
        this.spool = spool;
        this.maxSize = maxSize;
    }

    @Override
    public void from(String from) throws RejectException {
        from(from, false);
    }

    /**
     * MAIL FROM.
     *
     * @param from the path without brackets
     * @param utf8 whether {@code SMTPUTF8} was given
     */
    void from(String from, boolean utf8) throws RejectException {
        String problem = EnvelopeGuard.problem(from);
        if (problem != null) {
            LOG.info("MAIL FROM refused by the server: {}: {}", problem, DecisionLog.printable(from));
            throw reject(badPath(problem));
        }
        RelayRequest r = base(Stage.MAIL).sender(from).build();
        Decision d = log.decide(r);
        if (d.verdict().isRefusal()) {
            throw reject(d.reply().orElse(SmtpReply.TEMPORARY_FAILURE));
        }
        sender = canonical(r.senderOrNull(), from);
        smtpUtf8 = utf8;
    }

    /** @return whether MAIL FROM carried {@code SMTPUTF8} */
    boolean smtpUtf8() {
        return smtpUtf8;
    }

    @Override
    public void recipient(String recipient) throws RejectException {
        acceptRecipient(recipient);
    }

    /**
     * RCPT TO.
     *
     * @param recipient the path without brackets
     * @return the canonical form that was decided on and is kept
     */
    String acceptRecipient(String recipient) throws RejectException {
        String problem = EnvelopeGuard.problem(recipient);
        if (problem != null) {
            LOG.info("RCPT TO refused by the server: {}: {}", problem, DecisionLog.printable(recipient));
            throw reject(badPath(problem));
        }
        RelayRequest r = base(Stage.RCPT).sender(sender).recipient(recipient).recipientCount(recipients.size()).build();
        Decision d = log.decide(r);
        if (d.verdict() == Verdict.ALLOW) {
            String c = canonical(r.recipientOrNull(), recipient);
            recipients.add(c);
            return c;
        }
        throw reject(d.verdict().isRefusal() ? d.reply().orElse(SmtpReply.TEMPORARY_FAILURE) : NO_DECISION);
    }

    private static SmtpReply badPath(String problem) {
        return SmtpReply.of(501, "5.1.3", "Bad address syntax: " + problem);
    }

    /** The canonical form of a parsed address; an address the policy allowed though it did not parse stays raw. */
    private static String canonical(EnvelopeAddress a, String raw) {
        if (a == null || a.isInvalid()) {
            return raw;
        }
        return a.isNullPath() ? "" : a.canonical();
    }

    @Override
    public String data(InputStream raw) throws RejectException, IOException {
        BareLineEndings data = new BareLineEndings(raw);
        try {
            if (spool == null) {
                long n = data.transferTo(OutputStreamSink.INSTANCE);
                data.check();
                LOG.info("accepted a message of {} bytes from <{}> for {} recipient(s), not spooled",
                        n, DecisionLog.printable(sender), recipients.size());
                return null;
            }
            String id = spool.store(sender, recipients, data, maxSize);
            LOG.info("queued {} from <{}> for {}", id, DecisionLog.printable(sender),
                    DecisionLog.printable(recipients.toString()));
            return "2.0.0 Ok: queued as " + id;
        } catch (TooMuchDataException e) {
            drain(data);
            endTransaction();
            throw reject(TOO_BIG);
        } catch (BareLineEndings.Found e) {
            drain(data);
            LOG.info("message from <{}> refused: {}", DecisionLog.printable(String.valueOf(sender)), e.getMessage());
            endTransaction();
            throw reject(BARE_LINE_ENDING);
        }
    }

    /** Reads the rest of a refused message, so that none of it is taken for commands. */
    private static void drain(InputStream data) throws IOException {
        try {
            data.transferTo(OutputStreamSink.INSTANCE);
        } catch (BareLineEndings.Found e) {
            // already refusing this message
        }
    }

    /** A refused message ends the transaction, as in Postfix: the client starts again with MAIL FROM. */
    private void endTransaction() {
        if (ctx instanceof Session) {
            ((Session) ctx).resetMailTransaction();
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

    /**
     * Passes the message through and notices a bare LF (not after CR) or a bare CR (not before LF); at the end
     * of the message, if it saw one, it throws {@link Found}, so the whole message has been read (nothing of it
     * is left to be taken for commands) and nothing of it is kept.
     */
    static final class BareLineEndings extends FilterInputStream {
        /** A bare CR or LF was found. */
        static final class Found extends IOException {
            private static final long serialVersionUID = 1L;

            Found(String message) {
                super(message);
            }
        }

        private int prev = '\n';
        private long offset;
        private String found;

        BareLineEndings(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int c = in.read();
            if (c < 0) {
                end();
                return -1;
            }
            see(c);
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n < 0) {
                end();
                return -1;
            }
            for (int i = 0; i < n; i++) {
                see(b[off + i] & 0xff);
            }
            return n;
        }

        private void see(int c) {
            if (found == null) {
                if (c == '\n' && prev != '\r') {
                    found = "bare <LF> at byte " + offset;
                } else if (prev == '\r' && c != '\n') {
                    found = "bare <CR> at byte " + (offset - 1);
                }
            }
            prev = c;
            offset++;
        }

        private void end() throws Found {
            if (found == null && prev == '\r') {
                found = "bare <CR> at byte " + (offset - 1);
            }
            check();
        }

        /** @throws Found if a bare line ending was seen */
        void check() throws Found {
            if (found != null) {
                String f = found;
                found = null; // reported once; draining afterwards must not throw again
                prev = '\n';
                throw new Found(f);
            }
        }
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
