package io.relaycontrol.examples.smtp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A minimal SMTP client for the relay audit: connect, EHLO, optional STARTTLS and AUTH PLAIN, then MAIL, RCPT and
 * RSET. It never sends DATA. Replies are read whole (multi-line replies joined); every read and the connect run
 * under a timeout. Hand-written rather than Jakarta Mail or a library client, because the audit must send raw,
 * deliberately malformed envelopes (quotes, bang paths, source routes, fullwidth characters) that a mail library
 * refuses or rewrites before they reach the wire.
 *
 * <p>Not thread-safe: one per connection.
 *
 * @since 0.2.0
 */
final class SmtpProbeClient implements AutoCloseable {

    /** One SMTP reply: the code and the text of every line (without the code), joined by a space. */
    record Reply(int code, String text) {
        boolean positive() {
            return code >= 200 && code < 300;
        }

        @Override
        public String toString() {
            return code + " " + text;
        }
    }

    private static final int MAX_LINE = 4096;
    private static final int MAX_LINES = 100;

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final List<String> extensions = new ArrayList<>();
    private final Reply banner;

    private SmtpProbeClient(Socket socket, int timeoutMillis) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(timeoutMillis);
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.banner = read();
    }

    /**
     * Connects and reads the banner.
     *
     * @param server the server's address
     * @param timeoutMillis connect and read timeout
     * @return the client
     * @throws IOException if the server cannot be reached or sends no banner in time
     */
    static SmtpProbeClient connect(InetSocketAddress server, int timeoutMillis) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(server, timeoutMillis);
            return new SmtpProbeClient(s, timeoutMillis);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** @return the banner reply (220, or a refusal) */
    Reply banner() {
        return banner;
    }

    /** @return the local address of this connection's socket, i.e. the client address the server sees */
    java.net.InetAddress localAddress() {
        return socket.getLocalAddress();
    }

    /**
     * Sends EHLO and records the extensions.
     *
     * @param name the EHLO name
     * @return the reply
     * @throws IOException on a connection failure
     */
    Reply ehlo(String name) throws IOException {
        Reply r = command("EHLO " + name);
        extensions.clear();
        if (r.positive()) {
            for (String line : lastLines) {
                extensions.add(line.toUpperCase(Locale.ROOT));
            }
        }
        return r;
    }

    /**
     * @param keyword an EHLO keyword such as {@code STARTTLS}
     * @return whether the last EHLO reply advertised it
     */
    boolean supports(String keyword) {
        String k = keyword.toUpperCase(Locale.ROOT);
        for (String e : extensions) {
            if (e.equals(k) || e.startsWith(k + " ")) {
                return true;
            }
        }
        return false;
    }

    /**
     * STARTTLS, then EHLO again.
     *
     * @param host the name to verify the certificate against (ignored when trustAny)
     * @param ehloName the EHLO name
     * @param trustAny accept any certificate (for one's own server with a self-signed certificate)
     * @return the STARTTLS reply, or the EHLO reply after the handshake if that failed
     * @throws IOException on a connection or handshake failure
     */
    Reply startTls(String host, String ehloName, boolean trustAny) throws IOException {
        Reply r = command("STARTTLS");
        if (r.code() != 220) {
            return r;
        }
        SSLSocketFactory factory;
        try {
            if (trustAny) {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {new TrustAny()}, null);
                factory = ctx.getSocketFactory();
            } else {
                factory = (SSLSocketFactory) SSLSocketFactory.getDefault();
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
        SSLSocket tls = (SSLSocket) factory.createSocket(socket, host, socket.getPort(), true);
        if (!trustAny) {
            javax.net.ssl.SSLParameters p = tls.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(p);
        }
        tls.setUseClientMode(true);
        tls.startHandshake();
        socket = tls;
        in = new BufferedInputStream(tls.getInputStream());
        out = tls.getOutputStream();
        Reply again = ehlo(ehloName);
        return again.positive() ? r : again;
    }

    /**
     * AUTH PLAIN with the given credentials.
     *
     * @param user the login
     * @param password the password
     * @return the reply (235 on success)
     * @throws IOException on a connection failure
     */
    Reply authPlain(String user, String password) throws IOException {
        String token = Base64.getEncoder().encodeToString(
                ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        return command("AUTH PLAIN " + token);
    }

    private List<String> lastLines = List.of();

    /**
     * Sends one command line and reads the reply.
     *
     * @param line the command without CRLF; must not contain CR or LF
     * @return the reply
     * @throws IOException on a connection failure, or if the line contains CR or LF
     */
    Reply command(String line) throws IOException {
        Objects.requireNonNull(line, "line");
        if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
            throw new IOException("refusing to send a command with CR or LF: " + line);
        }
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return read();
    }

    private Reply read() throws IOException {
        List<String> lines = new ArrayList<>();
        int code = -1;
        while (true) {
            String line = readLine();
            if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                    || !Character.isDigit(line.charAt(2))) {
                throw new IOException("not an SMTP reply: " + line);
            }
            code = Integer.parseInt(line.substring(0, 3));
            boolean more = line.length() > 3 && line.charAt(3) == '-';
            lines.add(line.length() > 4 ? line.substring(4) : "");
            if (!more) {
                break;
            }
            if (lines.size() > MAX_LINES) {
                throw new IOException("reply longer than " + MAX_LINES + " lines");
            }
        }
        lastLines = lines.size() > 1 ? lines.subList(1, lines.size()) : List.of();
        return new Reply(code, String.join(" ", lines).strip());
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed by the server");
            }
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                buf.write(b);
            }
            if (buf.size() > MAX_LINE) {
                throw new IOException("reply line longer than " + MAX_LINE + " bytes");
            }
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** Sends QUIT (best effort) and closes the connection. */
    @Override
    public void close() {
        try {
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** Accepts every certificate: only with {@code --tls-trust-any}, for one's own server. */
    private static final class TrustAny implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
