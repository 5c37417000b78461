package io.relaycontrol.examples.policy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * RFC 3461 xtext, as Postfix writes the {@code ccert_*} attributes of a policy request: every {@code +},
 * every byte below 33 and above 126 is written {@code +XX} with two hexadecimal digits. Postfix's own
 * {@code xtext_unquote} accepts upper, lower and mixed case digits, and so does {@link #decode(String)}; the
 * decoded bytes are UTF-8 (Postfix 2.6 and later).
 *
 * <p>Hand-written because it is twenty lines and no library on the classpath decodes xtext. Thread-safe (no
 * state).
 *
 * @since 0.2.0
 */
public final class XText {

    private XText() {
    }

    /**
     * Decodes xtext.
     *
     * @param text the xtext, e.g. {@code Wietse+20Venema}
     * @return the decoded text, e.g. {@code Wietse Venema}
     * @throws IllegalArgumentException if a {@code +} is not followed by two hexadecimal digits, or the decoded
     *     bytes are not UTF-8, naming the offending position
     */
    public static String decode(String text) {
        Objects.requireNonNull(text, "text");
        if (text.indexOf('+') < 0) {
            return text;
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(utf8.length);
        for (int i = 0; i < utf8.length; i++) {
            byte b = utf8[i];
            if (b != '+') {
                out.write(b);
                continue;
            }
            int hi = i + 1 < utf8.length ? Character.digit(utf8[i + 1], 16) : -1;
            int lo = i + 2 < utf8.length ? Character.digit(utf8[i + 2], 16) : -1;
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("bad xtext: '+' at offset " + i
                        + " is not followed by two hexadecimal digits in '" + text + "'");
            }
            out.write(hi * 16 + lo);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("bad xtext: the decoded bytes are not UTF-8 in '" + text + "'", e);
        }
    }

    /**
     * Encodes text as xtext, as Postfix does (upper-case digits); the inverse of {@link #decode(String)}.
     *
     * @param text the text
     * @return its xtext form
     */
    public static String encode(String text) {
        Objects.requireNonNull(text, "text");
        StringBuilder sb = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == '+' || c < 33 || c > 126) {
                sb.append('+').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
