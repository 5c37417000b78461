package io.relaycontrol.examples.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.internal.command.AuthCommand;
import org.subethamail.smtp.internal.server.BaseCommand;
import org.subethamail.smtp.internal.server.CommandHandler;
import org.subethamail.smtp.server.Session;

/**
 * The commands this server replaces in SubEthaSMTP's command table:
 * <ul>
 * <li>{@code EHLO}: advertises {@code 8BITMIME}, {@code SIZE}, {@code STARTTLS} (when a certificate is
 *     configured and TLS is not active), {@code SMTPUTF8}, and {@code AUTH} only where it may be used: after
 *     TLS when a certificate is configured (Postfix's {@code smtpd_tls_auth_only}). No {@code CHUNKING}, no
 *     {@code DSN}.</li>
 * <li>{@code AUTH}: before TLS, when a certificate is configured, {@code 530 5.7.0 Must issue a STARTTLS command
 *     first}; otherwise SubEthaSMTP's AUTH.</li>
 * <li>{@code STARTTLS}: discards whatever the client pipelined after the command (plaintext that must never be
 *     executed inside the TLS session: CVE-2011-0411), then hands over to TLS 1.3/1.2; a failed handshake
 *     closes the connection. Counted in the metrics.</li>
 * <li>{@code MAIL} and {@code RCPT}: strict syntax ({@link EnvelopeSyntax}); a non-ASCII path needs
 *     {@code SMTPUTF8} on {@code MAIL FROM} ({@code 553 5.6.7}, RFC 6531).</li>
 * <li>{@code BDAT}: not offered; the connection is closed, since the chunk that follows would otherwise be read
 *     as commands.</li>
 * <li>{@code PROXY}: a PROXY v1 header from a peer that is not a trusted proxy; refused, logged, connection
 *     closed.</li>
 * </ul>
 * Thread-safe (the commands keep no state; per-session state lives in the {@link Session}).
 */
final class SmtpCommands {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpCommands.class);

    private final TlsManager tls;
    private final SmtpMetrics metrics;
    private final int maxMessageSize;

    private SmtpCommands(TlsManager tls, SmtpMetrics metrics, int maxMessageSize) {
        this.tls = tls;
        this.metrics = metrics;
        this.maxMessageSize = maxMessageSize;
    }

    /** Replaces the commands in {@code handler}. */
    static void install(CommandHandler handler, TlsManager tls, SmtpMetrics metrics, int maxMessageSize) {
        SmtpCommands c = new SmtpCommands(tls, metrics, maxMessageSize);
        handler.addCommand(c.new Ehlo());
        handler.addCommand(c.new Auth());
        handler.addCommand(c.new StartTls());
        handler.addCommand(c.new Mail());
        handler.addCommand(c.new Rcpt());
        handler.addCommand(new Refuse("BDAT", "554 5.5.1 BDAT is not offered here (no CHUNKING), closing connection"));
        handler.addCommand(c.new Proxy());
    }

    private boolean authOffered(Session sess) {
        return sess.getServer().getAuthenticationHandlerFactory().isPresent() && (tls == null || sess.isTLSStarted());
    }

    private final class Ehlo extends BaseCommand {
        Ehlo() {
            super("EHLO", "Introduce yourself.", "<hostname>");
        }

        @Override
        public void execute(String commandString, Session sess) throws IOException {
            String[] args = getArgs(commandString);
            if (args.length != 2) {
                sess.sendResponse("501 5.5.4 Syntax: EHLO hostname");
                return;
            }
            sess.resetMailTransaction();
            sess.setHelo(args[1]);
            StringBuilder r = new StringBuilder("250-").append(sess.getServer().getHostName());
            r.append("\r\n250-8BITMIME");
            r.append("\r\n250-SIZE ").append(maxMessageSize);
            if (tls != null && !sess.isTLSStarted()) {
                r.append("\r\n250-STARTTLS");
            }
            r.append("\r\n250-SMTPUTF8");
            Optional<AuthenticationHandlerFactory> auth = sess.getServer().getAuthenticationHandlerFactory();
            if (authOffered(sess) && !auth.get().getAuthenticationMechanisms().isEmpty()) {
                r.append("\r\n250-AUTH ").append(String.join(" ", auth.get().getAuthenticationMechanisms()));
            }
            r.append("\r\n250 Ok");
            sess.sendResponse(r.toString());
        }
    }

    private final class Auth extends BaseCommand {
        private final AuthCommand delegate = new AuthCommand();

        Auth() {
            super("AUTH", "Authentication service", "AUTH <mechanism> [initial-response]");
        }

        @Override
        public void execute(String commandString, Session sess) throws IOException, DropConnectionException {
            if (tls != null && !sess.isTLSStarted() && sess.getServer().getAuthenticationHandlerFactory().isPresent()) {
                sess.sendResponse("530 5.7.0 Must issue a STARTTLS command first");
                return;
            }
            delegate.execute(commandString, sess);
        }
    }

    private final class StartTls extends BaseCommand {
        StartTls() {
            super("STARTTLS", "Start TLS (RFC 3207)");
        }

        @Override
        public void execute(String commandString, Session sess) throws IOException {
            if (!commandString.strip().toUpperCase(Locale.ROOT).equals("STARTTLS")) {
                sess.sendResponse("501 5.5.4 Syntax: STARTTLS (no parameters allowed)");
                return;
            }
            if (tls == null) {
                sess.sendResponse("502 5.5.1 STARTTLS is not offered: no certificate is configured");
                return;
            }
            Socket socket = sess.getSocket();
            if (sess.isTLSStarted() || socket instanceof SSLSocket) {
                sess.sendResponse("503 5.5.1 TLS is already active");
                return;
            }
            // Anything the client sent after STARTTLS before seeing our 220 is plaintext that an attacker may have
            // injected: drop it, so that it is never read as a command inside the TLS session.
            InputStream in = sess.getRawInput();
            long dropped = 0;
            for (int round = 0; round < 2 && in.available() > 0; round++) {
                dropped += in.skip(in.available()); // first what is buffered, then what the socket holds
            }
            if (dropped > 0) {
                LOG.info("discarded {} bytes pipelined after STARTTLS by {}", dropped,
                        RelaySmtpServer.format(sess.getRemoteAddress()));
            }
            sess.sendResponse("220 2.0.0 Ready to start TLS");
            SSLSocket s = tls.wrap(socket);
            try {
                s.startHandshake();
            } catch (IOException e) {
                metrics.handshake("smtp", false);
                LOG.info("STARTTLS handshake with {} failed: {}", RelaySmtpServer.format(sess.getRemoteAddress()),
                        e instanceof SSLException ? e.getMessage() : e.toString());
                sess.quit();
                return;
            }
            metrics.handshake("smtp", true);
            sess.setSocket(s);
            sess.resetSmtpProtocol();
            sess.setTlsStarted(true);
        }
    }

    private final class Mail extends BaseCommand {
        Mail() {
            super("MAIL", "Specifies the sender.", "FROM:<sender> [SIZE=n] [BODY=7BIT|8BITMIME] [SMTPUTF8]");
        }

        @Override
        public void execute(String commandString, Session sess) throws IOException, DropConnectionException {
            if (sess.isMailTransactionInProgress()) {
                sess.sendResponse("503 5.5.1 Sender already specified");
                return;
            }
            Set<String> allowed = new HashSet<>(List.of("SIZE", "BODY", "SMTPUTF8"));
            if (authOffered(sess)) {
                allowed.add("AUTH"); // RFC 4954 5: accepted and ignored
            }
            EnvelopeSyntax.Parsed p;
            try {
                p = EnvelopeSyntax.parse("MAIL", "FROM:", argument(commandString), allowed);
                check(p.parameters());
            } catch (EnvelopeSyntax.SyntaxError e) {
                sess.sendResponse(e.reply());
                return;
            }
            long size = p.has("SIZE") ? Long.parseLong(p.parameters().get("SIZE")) : 0;
            if (size > maxMessageSize) {
                sess.sendResponse("552 5.3.4 Message size exceeds fixed limit");
                return;
            }
            boolean utf8 = p.has("SMTPUTF8");
            if (!utf8 && EnvelopeSyntax.isNonAscii(p.path())) {
                sess.sendResponse("553 5.6.7 Non-ASCII address needs SMTPUTF8 on MAIL FROM (RFC 6531)");
                return;
            }
            sess.setDeclaredMessageSize((int) size);
            sess.startMailTransaction();
            try {
                ((RelayMessageHandler) sess.getMessageHandler()).from(p.path(), utf8);
            } catch (DropConnectionException ex) {
                sess.resetMailTransaction();
                throw ex;
            } catch (RejectException ex) {
                sess.resetMailTransaction();
                sess.sendResponse(ex.getErrorResponse());
                return;
            }
            sess.sendResponse("250 Ok");
        }

        private void check(Map<String, String> params) throws EnvelopeSyntax.SyntaxError {
            String size = params.get("SIZE");
            if (params.containsKey("SIZE") && (size == null || !size.matches("[0-9]{1,18}"))) {
                throw new EnvelopeSyntax.SyntaxError(501, "Syntax: SIZE=<number of bytes>");
            }
            if (params.containsKey("BODY") && (params.get("BODY") == null
                    || !Set.of("7BIT", "8BITMIME").contains(params.get("BODY").toUpperCase(Locale.ROOT)))) {
                throw new EnvelopeSyntax.SyntaxError(501, "Syntax: BODY=7BIT or BODY=8BITMIME");
            }
            if (params.containsKey("SMTPUTF8") && params.get("SMTPUTF8") != null) {
                throw new EnvelopeSyntax.SyntaxError(501, "Syntax: SMTPUTF8 takes no value");
            }
            if (params.containsKey("AUTH") && params.get("AUTH") == null) {
                throw new EnvelopeSyntax.SyntaxError(501, "Syntax: AUTH=<mailbox> or AUTH=<>");
            }
        }
    }

    private final class Rcpt extends BaseCommand {
        Rcpt() {
            super("RCPT", "Specifies the recipient. Can be used any number of times.", "TO:<recipient>");
        }

        @Override
        public void execute(String commandString, Session sess) throws IOException, DropConnectionException {
            if (!sess.isMailTransactionInProgress()) {
                sess.sendResponse("503 5.5.1 Error: need MAIL command");
                return;
            }
            if (sess.getRecipientCount() >= sess.getServer().getMaxRecipients()) {
                sess.sendResponse("452 4.5.3 Error: too many recipients");
                return;
            }
            EnvelopeSyntax.Parsed p;
            try {
                // No RCPT parameter is advertised (NOTIFY and ORCPT would need DSN).
                p = EnvelopeSyntax.parse("RCPT", "TO:", argument(commandString), Set.of());
            } catch (EnvelopeSyntax.SyntaxError e) {
                sess.sendResponse(e.reply());
                return;
            }
            RelayMessageHandler h = (RelayMessageHandler) sess.getMessageHandler();
            if (!h.smtpUtf8() && EnvelopeSyntax.isNonAscii(p.path())) {
                sess.sendResponse("553 5.6.7 Non-ASCII address needs SMTPUTF8 on MAIL FROM (RFC 6531)");
                return;
            }
            try {
                sess.addRecipient(h.acceptRecipient(p.path()));
                sess.sendResponse("250 Ok");
            } catch (RejectException ex) {
                sess.sendResponse(ex.getErrorResponse());
            }
        }
    }

    private final class Proxy extends BaseCommand {
        Proxy() {
            super("PROXY", "PROXY protocol header: accepted only as the first bytes from a trusted proxy");
        }

        @Override
        public void execute(String commandString, Session sess) throws DropConnectionException {
            metrics.proxyRefused("untrusted");
            LOG.warn("PROXY header from untrusted peer {} refused (server.proxy-protocol.trusted does not cover it)",
                    RelaySmtpServer.format(sess.getRealRemoteAddress()));
            throw new DropConnectionException(554, "5.7.0 PROXY header not accepted from this address");
        }
    }

    /** A command that is refused and ends the session. */
    private static final class Refuse extends BaseCommand {
        private final String reply;

        Refuse(String verb, String reply) {
            super(verb, "not offered");
            this.reply = reply;
        }

        @Override
        public void execute(String commandString, Session sess) throws DropConnectionException {
            throw new DropConnectionException(Integer.parseInt(reply.substring(0, 3)), reply.substring(4));
        }
    }

    /** @return what follows {@code VERB } ({@code MAIL FROM:...} gives {@code FROM:...}) */
    private static String argument(String commandString) {
        return commandString.length() > 5 && commandString.charAt(4) == ' ' ? commandString.substring(5) : "";
    }
}
