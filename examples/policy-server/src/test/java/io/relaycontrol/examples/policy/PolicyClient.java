package io.relaycontrol.examples.policy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A policy-protocol client for tests: sends raw bytes, reads one reply up to its empty line, or reads to the end
 * of the stream. Every read blocks with a deadline (the socket's read timeout), never by sleeping.
 */
final class PolicyClient implements AutoCloseable {

    static final int READ_TIMEOUT_MS = 20_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    PolicyClient(InetSocketAddress server) throws IOException {
        socket = new Socket();
        socket.connect(server, 10_000);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    static String request(Map<String, String> attributes) {
        StringBuilder sb = new StringBuilder();
        attributes.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.append('\n').toString();
    }

    void send(String raw) throws IOException {
        send(raw.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** Sends a request and returns the action of its reply. */
    String ask(Map<String, String> attributes) throws IOException {
        send(request(attributes));
        return readReply();
    }

    /**
     * Reads one reply, {@code action=...} and an empty line.
     *
     * @return the action
     * @throws IOException if the stream ends first, or the reply is not one action line
     */
    String readReply() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed after '" + b.toString(StandardCharsets.UTF_8) + "'");
            }
            if (c == '\n' && prev == '\n') {
                break;
            }
            b.write(c);
            prev = c;
        }
        String reply = b.toString(StandardCharsets.UTF_8);
        if (!reply.startsWith("action=") || reply.indexOf('\n') != reply.length() - 1) {
            throw new IOException("not a policy reply: '" + reply + "'");
        }
        return reply.substring("action=".length(), reply.length() - 1);
    }

    /** Reads until the server closes the stream; returns what it sent before. */
    String readToEnd() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
