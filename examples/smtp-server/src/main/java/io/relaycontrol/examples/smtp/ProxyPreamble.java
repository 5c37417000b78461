package io.relaycontrol.examples.smtp;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.relaycontrol.core.net.NetworkSet;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.internal.proxy.ProxyHandler;
import org.subethamail.smtp.server.Session;

/**
 * What happens on a new connection before the SMTP banner, in the session's own thread (never in the accept
 * loop): it is counted; a connection from a trusted proxy network must begin with a PROXY protocol header (v1
 * text or v2 binary), whose source address then replaces the peer's for every decision; on the implicit-TLS
 * listener the TLS handshake follows.
 *
 * <p><b>The header</b>: framed here with bounded reads straight from the socket (so that not one byte of what
 * follows is consumed): v1 is at most 107 bytes up to CRLF, v2 is 16 bytes plus the length they declare
 * (at most 65,535); a header that is longer, ends early, or does not arrive within the header timeout closes the
 * connection with {@code 421 4.7.0}. The framed bytes are then parsed by Netty's maintained
 * {@link HAProxyMessageDecoder} ({@code netty-codec-haproxy}; SubEthaSMTP's own PROXY handlers have no
 * trusted-source check). A trusted peer that sends anything else is refused: whether a header is present is
 * never guessed. {@code PROXY LOCAL} (v2) and {@code PROXY UNKNOWN} (v1), a proxy's health checks, keep the
 * peer's own address as the specification says; UDP and UNIX-socket sources are refused.
 *
 * <p><b>Untrusted peers</b> (and every peer when no network is trusted) must not send a header: one that has
 * already arrived when the connection is accepted is refused here ({@code 554 5.7.0}, logged); one that arrives
 * later is a {@code PROXY} command, refused and logged by {@link SmtpCommands}; a v2 signature then ends the
 * session at its bare LF. None is ever believed. Thread-safe.
 */
final class ProxyPreamble implements ProxyHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyPreamble.class);

    /** PROXY protocol v1: the longest header, CRLF included. */
    static final int V1_MAX = 107;
    /** PROXY protocol v2: the fixed part. */
    static final int V2_FIXED = 16;
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private final String listener;
    private final NetworkSet trusted;
    private final int headerTimeoutMillis;
    private final TlsManager implicitTls;
    private final SmtpMetrics metrics;

    /**
     * @param listener the listener's name in metrics and logs
     * @param trusted the proxies' networks, or null for none
     * @param headerTimeoutMillis how long a trusted peer may take to send its header
     * @param implicitTls the certificate for an implicit-TLS listener, or null for a plain one
     */
    ProxyPreamble(String listener, NetworkSet trusted, int headerTimeoutMillis, TlsManager implicitTls,
            SmtpMetrics metrics) {
        this.listener = listener;
        this.trusted = trusted;
        this.headerTimeoutMillis = headerTimeoutMillis;
        this.implicitTls = implicitTls;
        this.metrics = metrics;
    }

    @Override
    public ProxyResult handle(InputStream in, OutputStream out, Session session) throws IOException {
        metrics.connection(listener);
        Socket socket = session.getSocket();
        InetSocketAddress peer = session.getRealRemoteAddress();
        InetSocketAddress client = null;
        if (trusted != null && trusted.contains(peer.getAddress())) {
            int timeout = socket.getSoTimeout();
            socket.setSoTimeout(headerTimeoutMillis);
            try {
                client = readHeader(socket.getInputStream(), peer);
            } catch (ProxyHeaderException e) {
                metrics.proxyRefused(e.reason);
                LOG.warn("PROXY header from trusted proxy {} refused: {}", RelaySmtpServer.format(peer), e.getMessage());
                return new ProxyResult(421, "4.7.0 " + e.getMessage() + ", closing connection");
            } catch (SocketTimeoutException e) {
                metrics.proxyRefused("timeout");
                LOG.warn("PROXY header from trusted proxy {} refused: not complete within {} ms",
                        RelaySmtpServer.format(peer), headerTimeoutMillis);
                return new ProxyResult(421, "4.7.0 PROXY header not received in time, closing connection");
            } finally {
                if (!socket.isClosed()) {
                    socket.setSoTimeout(timeout);
                }
            }
        } else if (implicitTls == null && earlyHeader(in)) {
            metrics.proxyRefused("untrusted");
            LOG.warn("PROXY header from untrusted peer {} refused (server.proxy-protocol.trusted does not cover it)",
                    RelaySmtpServer.format(peer));
            return new ProxyResult(554, "5.7.0 PROXY header not accepted from this address");
        }
        if (implicitTls != null) {
            SSLSocket tls = implicitTls.wrap(socket);
            try {
                tls.startHandshake();
            } catch (IOException e) {
                metrics.handshake(listener, false);
                LOG.info("TLS handshake with {} failed: {}", RelaySmtpServer.format(client == null ? peer : client),
                        e instanceof SSLException ? e.getMessage() : e.toString());
                tls.close();
                throw e;
            }
            metrics.handshake(listener, true);
            session.setSocket(tls);
            session.setTlsStarted(true);
        }
        return client == null ? ProxyResult.NOP : new ProxyResult(client);
    }

    /** Looks, without blocking or consuming, at bytes an untrusted peer sent before the banner. */
    private static boolean earlyHeader(InputStream in) throws IOException {
        if (!in.markSupported() || in.available() < 6) {
            return false;
        }
        in.mark(V2_SIGNATURE.length);
        byte[] head = new byte[Math.min(in.available(), V2_SIGNATURE.length)];
        int n = in.read(head);
        in.reset();
        String text = new String(head, 0, Math.max(n, 0), StandardCharsets.US_ASCII);
        return text.startsWith("PROXY ")
                || (n == V2_SIGNATURE.length && Arrays.equals(head, V2_SIGNATURE));
    }

    /** A header that cannot be believed; {@code reason} is the metric's tag. */
    static final class ProxyHeaderException extends IOException {
        private static final long serialVersionUID = 1L;
        final String reason;

        ProxyHeaderException(String reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    /**
     * Reads exactly one header and parses it.
     *
     * @return the client's address, or null for LOCAL/UNKNOWN (keep the peer's)
     */
    static InetSocketAddress readHeader(InputStream in, InetSocketAddress peer) throws IOException {
        int first = in.read();
        if (first == -1) {
            throw new ProxyHeaderException("truncated", "connection closed before a PROXY header");
        }
        byte[] header;
        if (first == 'P') {
            ByteArrayOutputStream b = new ByteArrayOutputStream(V1_MAX);
            b.write(first);
            int prev = first;
            while (true) {
                int c = in.read();
                if (c == -1) {
                    throw new ProxyHeaderException("truncated", "PROXY v1 header ends before CRLF");
                }
                b.write(c);
                if (prev == '\r' && c == '\n') {
                    break;
                }
                if (b.size() >= V1_MAX) {
                    throw new ProxyHeaderException("oversized", "PROXY v1 header longer than " + V1_MAX + " bytes");
                }
                prev = c;
            }
            header = b.toByteArray();
        } else if (first == V2_SIGNATURE[0]) {
            byte[] fixed = new byte[V2_FIXED];
            fixed[0] = (byte) first;
            readFully(in, fixed, 1, V2_FIXED - 1);
            if (!Arrays.equals(Arrays.copyOf(fixed, V2_SIGNATURE.length), V2_SIGNATURE)) {
                throw new ProxyHeaderException("malformed", "bad PROXY v2 signature");
            }
            int length = ((fixed[14] & 0xff) << 8) | (fixed[15] & 0xff);
            header = Arrays.copyOf(fixed, V2_FIXED + length);
            readFully(in, header, V2_FIXED, length);
        } else {
            throw new ProxyHeaderException("missing", "connections from a trusted proxy must begin with a PROXY header");
        }
        return parse(header, peer);
    }

    private static void readFully(InputStream in, byte[] b, int off, int len) throws IOException {
        int done = 0;
        while (done < len) {
            int n = in.read(b, off + done, len - done);
            if (n < 0) {
                throw new ProxyHeaderException("truncated", "PROXY v2 header ends after " + (off + done)
                        + " of " + (off + len) + " bytes");
            }
            done += n;
        }
    }

    /** Parses one complete header with Netty's decoder. */
    static InetSocketAddress parse(byte[] header, InetSocketAddress peer) throws ProxyHeaderException {
        EmbeddedChannel ch = new EmbeddedChannel(new HAProxyMessageDecoder());
        HAProxyMessage m;
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(header));
            m = ch.readInbound();
        } catch (RuntimeException e) {
            throw new ProxyHeaderException("malformed", "malformed PROXY header: " + e.getMessage());
        } finally {
            ch.finishAndReleaseAll();
        }
        if (m == null) {
            throw new ProxyHeaderException("malformed", "malformed PROXY header");
        }
        try {
            if (m.command() == HAProxyCommand.LOCAL || m.proxiedProtocol() == HAProxyProxiedProtocol.UNKNOWN) {
                LOG.debug("PROXY {} from {}: keeping the peer's address", m.command(), peer);
                return null;
            }
            if (m.proxiedProtocol() != HAProxyProxiedProtocol.TCP4 && m.proxiedProtocol() != HAProxyProxiedProtocol.TCP6) {
                throw new ProxyHeaderException("protocol", "PROXY header for " + m.proxiedProtocol()
                        + " is not accepted (TCP4 or TCP6 only)");
            }
            // The decoder has checked that the source is an IP literal of the family, so this does no DNS lookup.
            return new InetSocketAddress(InetAddress.getByName(m.sourceAddress()), m.sourcePort());
        } catch (IOException e) {
            throw new ProxyHeaderException("malformed", "bad source address in PROXY header: " + e.getMessage());
        } finally {
            m.release();
        }
    }
}
