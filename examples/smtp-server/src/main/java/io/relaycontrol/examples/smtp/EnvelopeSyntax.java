package io.relaycontrol.examples.smtp;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Strict parsing of the argument of {@code MAIL FROM:} and {@code RCPT TO:} (RFC 5321 4.1.2 and 4.1.1.11): one
 * path in angle brackets (a quoted local part may hold {@code <}, {@code >} and spaces), then nothing or
 * {@code SP} and ESMTP parameters {@code keyword[=value]} separated by spaces, each well-formed, at most once,
 * and among those the server advertises. Everything else is refused with the reason: malformed input with
 * {@code 501 5.5.4}, a well-formed but unsupported parameter with {@code 555 5.5.4} (as Postfix does).
 * SubEthaSMTP's own extraction (keep what lies between the first {@code <} and the first {@code >}, drop the
 * rest) is not used. Stateless.
 */
final class EnvelopeSyntax {

    /** A parsed command: the path without brackets and the parameters, keyword upper-cased, in order. */
    record Parsed(String path, Map<String, String> parameters) {
        boolean has(String keyword) {
            return parameters.containsKey(keyword);
        }
    }

    /** A refusal: the reply code, enhanced status and text. */
    static final class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;
        final int code;

        SyntaxError(int code, String text) {
            super(text, null, false, false);
            this.code = code;
        }

        /** @return the whole reply line */
        String reply() {
            return code + " 5.5.4 " + getMessage();
        }
    }

    private EnvelopeSyntax() {
    }

    /**
     * Parses the text after the verb.
     *
     * @param verb {@code MAIL} or {@code RCPT}, for messages
     * @param prefix {@code FROM:} or {@code TO:}
     * @param argument what follows the verb and its space, e.g. {@code FROM:<a@b> SIZE=10}
     * @param allowed the parameter keywords (upper case) accepted; others are {@code 555}
     * @return the path and parameters
     * @throws SyntaxError with the reply to send
     */
    static Parsed parse(String verb, String prefix, String argument, Set<String> allowed) throws SyntaxError {
        String usage = verb + " " + prefix + "<address>";
        if (argument.length() < prefix.length()
                || !argument.substring(0, prefix.length()).toUpperCase(Locale.ROOT).equals(prefix)) {
            throw new SyntaxError(501, "Syntax: " + usage + " [parameters]");
        }
        int i = prefix.length();
        // RFC 5321 has no space here; Postfix, Exim and common clients accept one.
        while (i < argument.length() && argument.charAt(i) == ' ') {
            i++;
        }
        if (i >= argument.length() || argument.charAt(i) != '<') {
            throw new SyntaxError(501, "Syntax: " + usage + ": the address must be in angle brackets");
        }
        int start = ++i;
        boolean quoted = false;
        int end = -1;
        for (; i < argument.length(); i++) {
            char c = argument.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '>') {
                end = i;
                break;
            } else if (c == '<') {
                throw new SyntaxError(501, "Syntax: " + usage + ": '<' inside the address");
            } else if (c == ' ') {
                throw new SyntaxError(501, "Syntax: " + usage + ": space inside the address");
            }
        }
        if (end < 0) {
            throw new SyntaxError(501, "Syntax: " + usage + ": missing '>' after the address");
        }
        String path = argument.substring(start, end);
        String rest = argument.substring(end + 1);
        Map<String, String> params = new LinkedHashMap<>();
        if (!rest.isEmpty()) {
            if (rest.charAt(0) != ' ') {
                throw new SyntaxError(501, "Syntax: " + usage + ": unexpected text after '>': '"
                        + DecisionLog.printable(clip(rest)) + "'");
            }
            for (String p : rest.strip().split(" +")) {
                if (p.isEmpty()) {
                    continue;
                }
                int eq = p.indexOf('=');
                String keyword = (eq < 0 ? p : p.substring(0, eq)).toUpperCase(Locale.ROOT);
                String value = eq < 0 ? null : p.substring(eq + 1);
                if (!keyword.matches("[A-Z0-9][A-Z0-9-]*") || (value != null && !value.matches("[\\x21-\\x3c\\x3e-\\x7e]+"))) {
                    throw new SyntaxError(501, "Syntax: " + usage + ": malformed parameter '"
                            + DecisionLog.printable(clip(p)) + "'");
                }
                if (!allowed.contains(keyword)) {
                    throw new SyntaxError(555, "Unsupported option: " + keyword);
                }
                if (params.containsKey(keyword)) {
                    throw new SyntaxError(501, "Syntax: " + usage + ": parameter " + keyword + " given twice");
                }
                params.put(keyword, value);
            }
        }
        return new Parsed(path, params);
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** @return whether the text holds a character outside US-ASCII */
    static boolean isNonAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return true;
            }
        }
        return false;
    }
}
