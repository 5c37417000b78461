package io.relaycontrol.core.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;

/** Reads network list files in the {@link NetworkListFormat}s; every error names the file and line. */
final class NetworkListParser {

    /** One entry line. */
    static final class Line {
        final Cidr cidr;
        final boolean exception;
        final int number;
        String label;

        Line(Cidr cidr, boolean exception, int number, String label) {
            this.cidr = cidr;
            this.exception = exception;
            this.number = number;
            this.label = label;
        }
    }

    private NetworkListParser() {
    }

    static List<Line> parse(Path file, NetworkListFormat format, boolean lenient) {
        List<Line> out = new ArrayList<>();
        int number = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)))) {
            String raw;
            while ((raw = r.readLine()) != null) {
                number++;
                if (number == 1 && raw.startsWith("\uFEFF")) {
                    raw = raw.substring(1);
                }
                Line l = parseLine(file, format, lenient, raw, number, out.isEmpty() ? null : out.get(out.size() - 1));
                if (l != null) {
                    out.add(l);
                }
            }
        } catch (NoSuchFileException e) {
            throw new NetworkListException(file, 0, "no such file", e);
        } catch (CharacterCodingException e) {
            throw new NetworkListException(file, number + 1, "not valid UTF-8", e);
        } catch (IOException e) {
            throw new NetworkListException(file, 0, "cannot read: " + e, e);
        }
        return out;
    }

    private static Line parseLine(Path file, NetworkListFormat format, boolean lenient, String raw, int number,
            Line previous) {
        String t = raw.strip();
        if (t.isEmpty() || t.startsWith("#") || t.startsWith(";")) {
            return null;
        }
        if (format == NetworkListFormat.POSTFIX_CIDR && Character.isWhitespace(raw.charAt(0))) {
            if (previous == null) {
                throw new NetworkListException(file, number, "continuation line '" + t + "' without an entry before it",
                        null);
            }
            previous.label = previous.label + " " + t;
            return null;
        }
        int end = 0;
        while (end < t.length() && !Character.isWhitespace(t.charAt(end)) && t.charAt(end) != ';'
                && t.charAt(end) != '#') {
            end++;
        }
        String token = t.substring(0, end);
        String rest = t.substring(end).strip();
        if (format == NetworkListFormat.POSTFIX_CIDR || format == NetworkListFormat.AUTO) {
            String lower = token.toLowerCase(java.util.Locale.ROOT);
            if (lower.equals("if") || lower.equals("endif")) {
                throw new NetworkListException(file, number,
                        "Postfix '" + token + "' blocks are not supported; write one entry per line", null);
            }
        }
        boolean exception = token.startsWith("!");
        String cidrText = exception ? token.substring(1) : token;
        String label;
        switch (format) {
            case PLAIN:
                if (!rest.isEmpty() && !rest.startsWith("#") && !rest.startsWith(";")) {
                    throw new NetworkListException(file, number, "unexpected text '" + rest + "' after the network '"
                            + token + "' (a plain list holds one network per line, then an optional # comment)", null);
                }
                label = null;
                break;
            case SPAMHAUS_DROP:
                if (rest.isEmpty() || rest.startsWith("#")) {
                    label = null;
                } else if (rest.startsWith(";")) {
                    label = rest.substring(1).strip();
                } else {
                    throw new NetworkListException(file, number, "unexpected text '" + rest + "' after the network '"
                            + token + "' (a DROP list line reads 'CIDR ; SBLnnn')", null);
                }
                break;
            case POSTFIX_CIDR:
                if (rest.isEmpty()) {
                    throw new NetworkListException(file, number, "the network '" + token
                            + "' has no action (a Postfix cidr table line reads 'CIDR  ACTION')", null);
                }
                label = rest;
                break;
            case AUTO:
                if (rest.isEmpty() || rest.startsWith("#")) {
                    label = null;
                } else if (rest.startsWith(";")) {
                    label = rest.substring(1).strip();
                } else {
                    label = rest;
                }
                break;
            default:
                throw new AssertionError(format);
        }
        Cidr cidr;
        try {
            if (exception && cidrText.isEmpty()) {
                throw new InvalidNetworkException(token, InvalidNetworkException.Reason.EMPTY,
                        "'!' without a network after it");
            }
            cidr = Cidr.parse(cidrText, lenient);
        } catch (InvalidNetworkException e) {
            throw new NetworkListException(file, number, e.getMessage(), e);
        }
        return new Line(cidr, exception, number, label == null || label.isEmpty() ? null : label);
    }
}
