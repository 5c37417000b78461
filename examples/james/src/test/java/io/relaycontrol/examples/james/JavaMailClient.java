package io.relaycontrol.examples.james;

import com.sun.mail.smtp.SMTPTransport;
import java.net.InetSocketAddress;
import java.util.Properties;
import javax.mail.MessagingException;
import javax.mail.Session;

/** A real SMTP client (JavaMail 1.6, on James's classpath anyway), optionally bound to a local source address. */
final class JavaMailClient implements AutoCloseable {

    private final SMTPTransport transport;

    private JavaMailClient(SMTPTransport transport) {
        this.transport = transport;
    }

    static JavaMailClient connect(InetSocketAddress server, String localAddress, String user, String password)
            throws MessagingException {
        Properties p = new Properties();
        p.put("mail.smtp.localhost", "client.example");
        p.put("mail.smtp.connectiontimeout", "10000");
        p.put("mail.smtp.timeout", "10000");
        if (localAddress != null) {
            p.put("mail.smtp.localaddress", localAddress);
        }
        if (user != null) {
            p.put("mail.smtp.auth", "true");
            p.put("mail.smtp.auth.mechanisms", "PLAIN");
        }
        SMTPTransport t = (SMTPTransport) Session.getInstance(p).getTransport("smtp");
        t.connect(server.getAddress().getHostAddress(), server.getPort(), user, password);
        return new JavaMailClient(t);
    }

    String command(String line) throws MessagingException {
        transport.simpleCommand(line);
        return transport.getLastServerResponse().strip();
    }

    @Override
    public void close() throws MessagingException {
        transport.close();
    }
}
