package io.relaycontrol.api.address;

/**
 * A mutable holder for the first parse problem found, so that the parser can report a typed error without
 * exceptions or result objects on the good path. Not thread-safe; one per parse.
 */
final class Problem {
    ParseError code;
    String message;

    /** Records the problem and returns {@code null}, so that callers can {@code return p.fail(..)}. */
    String fail(ParseError c, String m) {
        this.code = c;
        this.message = m;
        return null;
    }

    /**
     * Checks character hygiene in {@code s[from, to)}: no C0/C1 controls or DEL, no Unicode spaces or line
     * separators other than the ASCII space (which the grammar handles), no format/bidi controls, no
     * unpaired surrogates, private-use or unassigned code points.
     *
     * @return whether all characters pass; else {@code p} is filled
     */
    static boolean checkCharacters(CharSequence s, int from, int to, Problem p) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                continue;
            }
            if (c < 0x20 || c >= 0x7f && c <= 0x9f) {
                p.fail(ParseError.CONTROL_CHARACTER, "control character " + describe(c) + " at index " + i);
                return false;
            }
            int cp = c;
            if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                cp = Character.toCodePoint(c, s.charAt(i + 1));
            } else if (Character.isSurrogate(c)) {
                p.fail(ParseError.MALFORMED_UNICODE, "unpaired surrogate U+" + DomainNames.hex4(c) + " at index " + i);
                return false;
            }
            switch (Character.getType(cp)) {
                case Character.SPACE_SEPARATOR:
                case Character.LINE_SEPARATOR:
                case Character.PARAGRAPH_SEPARATOR:
                    p.fail(ParseError.WHITESPACE, "Unicode space U+" + DomainNames.hex4(cp) + " at index " + i);
                    return false;
                case Character.FORMAT:
                    p.fail(ParseError.FORMAT_CHARACTER, "invisible format or bidi control character U+"
                            + DomainNames.hex4(cp) + " at index " + i);
                    return false;
                case Character.PRIVATE_USE:
                case Character.UNASSIGNED:
                    p.fail(ParseError.MALFORMED_UNICODE, "private-use or unassigned code point U+"
                            + DomainNames.hex4(cp) + " at index " + i);
                    return false;
                default:
                    break;
            }
            if (cp != c) {
                i++;
            }
        }
        return true;
    }

    /** Names a control character: {@code U+000D (CR)}. */
    static String describe(char c) {
        String name;
        switch (c) {
            case 0:
                name = " (NUL)";
                break;
            case '\t':
                name = " (TAB)";
                break;
            case '\n':
                name = " (LF)";
                break;
            case '\r':
                name = " (CR)";
                break;
            case 0x7f:
                name = " (DEL)";
                break;
            default:
                name = c >= 0x80 ? " (C1 control)" : "";
        }
        return "U+" + DomainNames.hex4(c) + name;
    }

    /** A version of {@code s} safe to put in a message: controls escaped, cut at 80 characters. */
    static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 80) + 8);
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f && c <= 0x9f || Character.getType(c) == Character.FORMAT
                    || Character.isSurrogate(c)) {
                sb.append("\\u").append(DomainNames.hex4(c));
            } else {
                sb.append(c);
            }
        }
        if (s.length() > 80) {
            sb.append("...");
        }
        return sb.toString();
    }
}
