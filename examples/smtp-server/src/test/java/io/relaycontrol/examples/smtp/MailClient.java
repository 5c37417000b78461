package io.relaycontrol.examples.smtp;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/** A real SMTP client (Angus Mail) for tests, optionally bound to a local source address. */
final class MailClient implements AutoCloseable {

    private final SMTPTransport transport;

    private MailClient(SMTPTransport transport) {
        this.transport = transport;
    }

    /** Connects, says EHLO {@code client.example}, and authenticates with PLAIN if {@code user} is not null. */
    static MailClient connect(InetSocketAddress server, String localAddress, String user, String password)
            throws MessagingException {
        return connect(server, localAddress, user, password, "PLAIN");
    }

    static MailClient connect(InetSocketAddress server, String localAddress, String user, String password,
            String mechanism) throws MessagingException {
        return connect(server, localAddress, user, password, mechanism, Tls.NONE);
    }

    /** How the client uses TLS. */
    enum Tls {
        /** plaintext only */
        NONE,
        /** STARTTLS, required (the client fails if it is not offered) */
        STARTTLS,
        /** TLS from the first byte (the implicit-TLS port) */
        IMPLICIT
    }

    static MailClient connectTls(InetSocketAddress server, String user, String password, Tls tls)
            throws MessagingException {
        return connect(server, null, user, password, "PLAIN", tls);
    }

    static MailClient connect(InetSocketAddress server, String localAddress, String user, String password,
            String mechanism, Tls tls) throws MessagingException {
        Properties p = new Properties();
        if (tls == Tls.STARTTLS) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        } else if (tls == Tls.IMPLICIT) {
            p.put("mail.smtp.ssl.enable", "true");
        }
        if (tls != Tls.NONE) {
            p.put("mail.smtp.ssl.socketFactory", TestCerts.factory());
            p.put("mail.smtp.ssl.checkserveridentity", "false");
        }
        p.put("mail.smtp.host", server.getAddress().getHostAddress());
        p.put("mail.smtp.port", String.valueOf(server.getPort()));
        p.put("mail.smtp.localhost", "client.example");
        p.put("mail.smtp.connectiontimeout", "10000");
        p.put("mail.smtp.timeout", "10000");
        if (localAddress != null) {
            p.put("mail.smtp.localaddress", localAddress);
        }
        if (user != null) {
            p.put("mail.smtp.auth", "true");
            p.put("mail.smtp.auth.mechanisms", mechanism);
        }
        Session session = Session.getInstance(p);
        SMTPTransport t = (SMTPTransport) session.getTransport("smtp");
        t.connect(server.getAddress().getHostAddress(), server.getPort(), user, password);
        return new MailClient(t);
    }

    /** Sends one command and returns the server's reply line(s), trimmed. */
    String command(String line) throws MessagingException {
        transport.simpleCommand(line);
        return transport.getLastServerResponse().strip();
    }

    /** Sends a whole message through the client library's normal path. */
    void send(String from, String to, String subject, String body) throws MessagingException {
        Session s = Session.getInstance(new Properties());
        MimeMessage m = new MimeMessage(s);
        m.setFrom(new InternetAddress(from));
        m.setRecipient(jakarta.mail.Message.RecipientType.TO, new InternetAddress(to));
        m.setSubject(subject);
        m.setText(body);
        m.saveChanges();
        transport.sendMessage(m, new InternetAddress[] {new InternetAddress(to)});
    }

    String lastResponse() {
        return transport.getLastServerResponse().strip();
    }

    @Override
    public void close() throws MessagingException {
        transport.close();
    }
}
