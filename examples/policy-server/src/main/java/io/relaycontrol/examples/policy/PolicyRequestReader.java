package io.relaycontrol.examples.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads policy requests from a stream: {@code name=value} lines ended by {@code LF} (a {@code CR} before it is
 * dropped), the request ended by an empty line, within two bounds, the longest line and the largest request.
 *
 * <p>Reads bytes, not characters, so that a bound is checked before anything is decoded and a NUL is seen as
 * such; each line is decoded as strict UTF-8 (Postfix sends UTF-8 with SMTPUTF8, ASCII otherwise).
 *
 * <p>Not thread-safe: one reader per connection.
 *
 * @since 0.2.0
 */
public final class PolicyRequestReader {

    private final InputStream in;
    private final int maxLine;
    private final int maxRequest;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int limit;
    private byte[] line = new byte[256];
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private boolean inRequest;
    /**
     * Per known attribute name (by its index in {@link #NAMES}): the last entry read on this connection, so that
     * a value that repeats (the protocol state, the server's address, {@code unknown}, {@code 0}: most of a
     * request) is not allocated again. Postfix sends the same 30-odd attributes with every request, so without
     * this a request costs about 70 small objects before anything is decided; see the README's benchmark.
     */
    private final Map.Entry<String, String>[] last;

    /** The known attribute names, hashed ({@link #slot}) with linear probing; {@code null} marks a free slot. */
    private static final String[] NAMES = new String[128];
    /** For each slot of {@link #NAMES}, the index of the name in {@link PolicyRequest#KNOWN_ATTRIBUTES}. */
    private static final int[] NAME_INDEX = new int[128];

    static {
        List<String> known = PolicyRequest.KNOWN_ATTRIBUTES;
        for (int i = 0; i < known.size(); i++) {
            String n = known.get(i);
            byte[] b = n.getBytes(StandardCharsets.US_ASCII);
            int k = slot(b, b.length);
            while (NAMES[k] != null) {
                k = (k + 1) & (NAMES.length - 1);
            }
            NAMES[k] = n;
            NAME_INDEX[k] = i;
        }
    }

    private static int slot(byte[] b, int len) {
        int h = len;
        h = h * 31 + b[0];
        h = h * 31 + b[len - 1];
        h = h * 31 + b[len >>> 1];
        return (h ^ (h >>> 7)) & (NAMES.length - 1);
    }

    /**
     * @param in the stream (a socket's input)
     * @param maxLineLength the longest line in bytes, without its LF
     * @param maxRequestSize the largest request in bytes, every line and LF included
     * @throws IllegalArgumentException if a bound is not positive or the line bound exceeds the request bound
     */
    public PolicyRequestReader(InputStream in, int maxLineLength, int maxRequestSize) {
        this.in = Objects.requireNonNull(in, "in");
        if (maxLineLength <= 0 || maxRequestSize <= 0 || maxLineLength > maxRequestSize) {
            throw new IllegalArgumentException("need 0 < max line length <= max request size, was "
                    + maxLineLength + " and " + maxRequestSize);
        }
        this.maxLine = maxLineLength;
        this.maxRequest = maxRequestSize;
        @SuppressWarnings("unchecked")
        Map.Entry<String, String>[] entries = new Map.Entry[PolicyRequest.KNOWN_ATTRIBUTES.size()];
        this.last = entries;
    }

    /**
     * @return {@code true} while a request has begun (some of its bytes were read) and has not ended: a timeout
     *     or end of stream then falls inside a request
     */
    public boolean inRequest() {
        return inRequest;
    }

    /**
     * Reads the next request.
     *
     * @return its attributes in the order received, or {@code null} when the stream ended cleanly before a new
     *     request began
     * @throws MalformedRequestException if the request breaks the protocol (see the class documentation of
     *     {@link MalformedRequestException})
     * @throws IOException if reading fails, including {@link java.net.SocketTimeoutException}
     */
    public List<Map.Entry<String, String>> read() throws MalformedRequestException, IOException {
        List<Map.Entry<String, String>> attributes = new ArrayList<>(36);
        int total = 0;
        inRequest = false;
        while (true) {
            int len = 0;
            boolean ended = false;
            while (!ended) {
                if (pos == limit) {
                    int n = in.read(buf, 0, buf.length);
                    if (n < 0) {
                        if (!inRequest && len == 0) {
                            return null;
                        }
                        throw new MalformedRequestException("connection closed inside a request, after "
                                + attributes.size() + " attributes and no empty line");
                    }
                    pos = 0;
                    limit = n;
                }
                inRequest = true;
                // scan the buffer for LF
                int start = pos;
                int end = start;
                while (end < limit && buf[end] != '\n') {
                    end++;
                }
                int chunk = end - start;
                if (len + chunk > maxLine) {
                    throw new MalformedRequestException("line " + (attributes.size() + 1) + " is longer than "
                            + maxLine + " bytes");
                }
                if (total + chunk + 1 > maxRequest) {
                    throw new MalformedRequestException("request is larger than " + maxRequest
                            + " bytes without an empty line");
                }
                if (line.length < len + chunk) {
                    line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, len + chunk));
                }
                System.arraycopy(buf, start, line, len, chunk);
                len += chunk;
                total += chunk;
                if (end < limit) {
                    ended = true;
                    total++;
                    pos = end + 1;
                } else {
                    pos = limit;
                }
            }
            if (len > 0 && line[len - 1] == '\r') {
                len--;
            }
            if (len == 0) {
                inRequest = false;
                return attributes;
            }
            attributes.add(parseLine(attributes.size() + 1, len));
        }
    }

    private Map.Entry<String, String> parseLine(int number, int len) throws MalformedRequestException {
        int eq = -1;
        boolean ascii = true;
        for (int i = 0; i < len; i++) {
            byte b = line[i];
            if (b == 0) {
                throw new MalformedRequestException("line " + number + " contains a NUL byte");
            }
            if (b == '=' && eq < 0) {
                eq = i;
            }
            if (b < 0) {
                ascii = false;
            }
        }
        if (eq < 0) {
            throw new MalformedRequestException("line " + number + " has no '=': '" + printable(len) + "'");
        }
        if (eq == 0) {
            throw new MalformedRequestException("line " + number + " has an empty attribute name");
        }
        String name;
        String value;
        if (ascii) {
            int known = known(eq);
            if (known >= 0) {
                // a known name: reuse its String, and its last entry if the value is the same bytes again
                Map.Entry<String, String> previous = last[known];
                if (previous != null && sameAscii(previous.getValue(), eq + 1, len - eq - 1)) {
                    return previous;
                }
                Map.Entry<String, String> e = new AbstractMap.SimpleImmutableEntry<>(
                        PolicyRequest.KNOWN_ATTRIBUTES.get(known), len == eq + 1 ? ""
                                : new String(line, eq + 1, len - eq - 1, StandardCharsets.ISO_8859_1));
                last[known] = e;
                return e;
            }
            name = new String(line, 0, eq, StandardCharsets.ISO_8859_1);
            value = new String(line, eq + 1, len - eq - 1, StandardCharsets.ISO_8859_1);
        } else {
            try {
                name = utf8.decode(ByteBuffer.wrap(line, 0, eq)).toString();
                value = utf8.decode(ByteBuffer.wrap(line, eq + 1, len - eq - 1)).toString();
            } catch (CharacterCodingException e) {
                throw new MalformedRequestException("line " + number + " is not UTF-8");
            }
        }
        return new AbstractMap.SimpleImmutableEntry<>(name, value);
    }

    /** @return the index of the known attribute name {@code line[0, len)}, or -1 */
    private int known(int len) {
        for (int k = slot(line, len); NAMES[k] != null; k = (k + 1) & (NAMES.length - 1)) {
            if (sameAscii(NAMES[k], 0, len)) {
                return NAME_INDEX[k];
            }
        }
        return -1;
    }

    /** @return whether {@code s} is exactly the ASCII bytes {@code line[off, off + len)} */
    private boolean sameAscii(String s, int off, int len) {
        if (s.length() != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (s.charAt(i) != line[off + i]) {
                return false;
            }
        }
        return true;
    }

    /** The line for a log message: at most 80 characters, control and non-ASCII bytes as {@code \xNN}. */
    private String printable(int len) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len && sb.length() < 80; i++) {
            int c = line[i] & 0xff;
            if (c < 0x20 || c >= 0x7f) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
