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
     * The code points refused as invisible although their general category is not {@code Cf}: every
     * {@code Default_Ignorable_Code_Point} of Unicode 16 (DerivedCoreProperties.txt) that is not a format
     * character, and U+1806 MONGOLIAN TODO SOFT HYPHEN, which IDNA2003 (and so {@link java.net.IDN}) maps to
     * nothing (RFC 3454 table B.1) although it is not default-ignorable. Pairs of inclusive bounds, sorted.
     * Refusing them instead of letting IDNA delete them keeps what a rule decided on and what a server stores
     * the same text. The JDK has no accessor for the property; a test checks this table against ICU4J for
     * every code point.
     */
    private static final int[] INVISIBLE = {
        0x00AD, 0x00AD, // SOFT HYPHEN (Cf)
        0x034F, 0x034F, // COMBINING GRAPHEME JOINER (Mn)
        0x061C, 0x061C, // ARABIC LETTER MARK (Cf)
        0x115F, 0x1160, // HANGUL CHOSEONG and JUNGSEONG FILLER (Lo)
        0x17B4, 0x17B5, // KHMER VOWEL INHERENT AQ, AA (Mn)
        0x1806, 0x1806, // MONGOLIAN TODO SOFT HYPHEN (Pd): mapped to nothing by IDNA2003
        0x180B, 0x180F, // MONGOLIAN FREE VARIATION SELECTORS, VOWEL SEPARATOR (Mn, Cf)
        0x200B, 0x200F, // ZERO WIDTH SPACE .. RIGHT-TO-LEFT MARK (Cf)
        0x202A, 0x202E, // bidi embeddings and overrides (Cf)
        0x2060, 0x206F, // WORD JOINER .. NOMINAL DIGIT SHAPES (Cf, one unassigned)
        0x3164, 0x3164, // HANGUL FILLER (Lo)
        0xFE00, 0xFE0F, // VARIATION SELECTOR-1 .. 16 (Mn)
        0xFEFF, 0xFEFF, // ZERO WIDTH NO-BREAK SPACE, BOM (Cf)
        0xFFA0, 0xFFA0, // HALFWIDTH HANGUL FILLER (Lo)
        0xFFF0, 0xFFF8, // unassigned, reserved default-ignorable
        0x1BCA0, 0x1BCA3, // SHORTHAND FORMAT controls (Cf)
        0x1D173, 0x1D17A, // MUSICAL SYMBOL BEGIN BEAM .. END PHRASE (Cf)
        0xE0000, 0xE0FFF, // TAGS, VARIATION SELECTOR-17 .. 256, reserved (Cf, Mn, Cn)
    };

    /**
     * Whether {@code cp} is refused as an invisible character: a format character ({@code Cf}), a
     * {@code Default_Ignorable_Code_Point}, or U+1806 (see {@link #INVISIBLE}).
     *
     * @param cp a code point
     * @return whether it is invisible
     */
    static boolean isInvisible(int cp) {
        if (cp < 0xAD) {
            return false;
        }
        if (Character.getType(cp) == Character.FORMAT) {
            return true;
        }
        for (int i = 0; i < INVISIBLE.length && cp >= INVISIBLE[i]; i += 2) {
            if (cp <= INVISIBLE[i + 1]) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks character hygiene in {@code s[from, to)}: no C0/C1 controls or DEL, no Unicode spaces or line
     * separators other than the ASCII space (which the grammar handles), no invisible characters (format and
     * bidi controls, default-ignorable code points such as variation selectors: see {@link #isInvisible}),
     * no unpaired surrogates, private-use or unassigned code points.
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
                    if (isInvisible(cp)) {
                        p.fail(ParseError.FORMAT_CHARACTER, "invisible character U+" + DomainNames.hex4(cp)
                                + " (default-ignorable code point) at index " + i + ": refused, never mapped away");
                        return false;
                    }
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
            if (c < 0x20 || c >= 0x7f && c <= 0x9f || isInvisible(c) || Character.isSurrogate(c)) {
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
