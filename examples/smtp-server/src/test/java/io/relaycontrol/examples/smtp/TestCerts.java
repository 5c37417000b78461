package io.relaycontrol.examples.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Test certificates, generated with the JDK's keytool ({@link SelfSignedCertificate}) so that no private key is
 * committed, and TLS client helpers that accept any server certificate (the tests check which one they got).
 */
final class TestCerts {

    /** A generated pair. */
    record Pair(Path certificate, Path key) {
    }

    private TestCerts() {
    }

    static Pair generate(Path dir, String name, String algorithm, String startDate, int days) {
        Pair p = new Pair(dir.resolve(name + "-cert.pem"), dir.resolve(name + "-key.pem"));
        SelfSignedCertificate.generate(p.certificate(), p.key(), "CN=" + name + ".test", algorithm, startDate, days,
                "dns:" + name + ".test,ip:127.0.0.1");
        return p;
    }

    /** @return a client context that trusts every server certificate (tests look at the certificate themselves) */
    static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
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
            }}, new SecureRandom());
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static SSLSocketFactory factory() {
        return trustAll().getSocketFactory();
    }

    /** Layers a client TLS socket over {@code plain} and completes the handshake. */
    static SSLSocket handshake(Socket plain, InetSocketAddress server) throws IOException {
        SSLSocket s = (SSLSocket) factory().createSocket(plain, server.getAddress().getHostAddress(), server.getPort(),
                true);
        s.setUseClientMode(true);
        s.startHandshake();
        return s;
    }

    /** The subject CN of the certificate a server presents on an implicit-TLS port. */
    static String presentedSubject(InetSocketAddress implicitTls) throws IOException {
        try (SSLSocket s = (SSLSocket) factory().createSocket(implicitTls.getAddress(), implicitTls.getPort())) {
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    /** Reads one SMTP reply (multi-line aware) from a stream. */
    static String reply(InputStream in) throws IOException {
        StringBuilder all = new StringBuilder();
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                String l = line.toString().replaceAll("\r$", "");
                line.setLength(0);
                if (all.length() > 0) {
                    all.append('\n');
                }
                all.append(l);
                if (l.length() < 4 || l.charAt(3) != '-') {
                    return all.toString();
                }
            } else {
                line.append((char) c);
            }
        }
        return all.length() == 0 && line.length() == 0 ? null : all.append(line).toString();
    }

    static String send(OutputStream out, InputStream in, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return reply(in);
    }
}
