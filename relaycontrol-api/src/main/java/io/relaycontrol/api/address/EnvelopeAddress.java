package io.relaycontrol.api.address;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An SMTP envelope address (RFC 5321 reverse-path or forward-path) as read once from {@code MAIL FROM:}
 * or {@code RCPT TO:}, with its canonical form and the sender-specified routing it carries.
 *
 * <h2>What is read</h2>
 * <ul>
 * <li>With or without angle brackets; {@code <>} and the empty string are the {@link #NULL_PATH}.</li>
 * <li>Local parts as dot-strings or quoted strings with quoted pairs; {@link #localPart()} is unquoted.</li>
 * <li>Domains, canonicalised by {@link DomainNames}: lower case, trailing dot removed, IDN to A-labels.</li>
 * <li>Address literals {@code [192.0.2.1]} and {@code [IPv6:2001:db8::1]} (tag in any case), normalised to
 *     RFC 5952 text; IPv4-mapped IPv6 is shown as IPv4.</li>
 * <li>Source routes {@code @a,@b:user@c}: read, never followed, and marked {@link Routing#SOURCE_ROUTE}.</li>
 * <li>SMTPUTF8 (RFC 6531): UTF-8 local parts and U-label domains.</li>
 * <li>{@code <Postmaster>} without a domain, in any ASCII case: the {@link Kind#POSTMASTER} of the receiving
 *     server (RFC 5321 sections 4.1.1.3 and 4.5.1 require a server to accept it in {@code RCPT TO}). It names
 *     no domain and is routed nowhere; it is not a valid {@code MAIL FROM} reverse-path, which the core's
 *     sender-syntax rule refuses.</li>
 * <li>Length limits of RFC 5321 section 4.5.3.1 in UTF-8 octets: local part 64 (as written, with quotes),
 *     domain 255, label 63, whole path 256 including the angle brackets (added when absent), both as written
 *     and in the {@linkplain #canonical() canonical form} (A-labels can be longer than the U-labels they
 *     stand for).</li>
 * </ul>
 *
 * <h2>One canonical form</h2>
 * For every input {@code x}, {@code parse(parse(x).canonical())} has the same {@link #kind()},
 * {@link #canonical()} and {@link #routing()} as {@code parse(x)}: nothing that changes the meaning of an
 * address is mapped away (invisible characters are refused, not deleted), and the checks on a domain run on
 * the labels as written and again on the labels IDNA mapping produced.
 *
 * <h2>What is refused</h2>
 * Anything else is an {@link Kind#INVALID} value with a typed {@link #parseError()} and a message in
 * {@link #error()}: control characters (NUL, CR, LF, TAB, DEL, C1), spaces outside quotes, invisible
 * characters anywhere in the path (format and bidi controls, and every other Unicode
 * {@code Default_Ignorable_Code_Point}: variation selectors, the combining grapheme joiner, Hangul fillers;
 * refused, never mapped away), broken Unicode, missing or nested brackets, empty or badly dotted local parts,
 * unterminated quotes, more than one unquoted {@code @} ({@code user@evil.com@local.com}), bare numeric
 * domains ({@code user@1.2.3.4}: use {@code [1.2.3.4]}), invalid IDNs and address literals, oversized input.
 * {@link #parse(String)} never throws for bad input.
 *
 * <h2>Routing</h2>
 * A source route, or a local part that still contains {@code @}, {@code %} or {@code !} after unquoting
 * (or their fullwidth look-alikes), marks the address as {@linkplain #isRouted() routed}. Such an address
 * must never be treated as local or relay-domain mail for an untrusted client; the core's
 * {@code AddressConditions} enforce that.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class EnvelopeAddress {

    /** Maximum octets of a local part (RFC 5321 section 4.5.3.1.1). */
    public static final int MAX_LOCAL_PART_OCTETS = 64;

    /** Maximum octets of a path including its angle brackets (RFC 5321 section 4.5.3.1.3). */
    public static final int MAX_PATH_OCTETS = 256;

    /**
     * The kinds of envelope address.
     *
     * @since 0.1.0
     */
    public enum Kind {
        /** The null reverse-path {@code <>} used by bounces. */
        NULL_PATH,
        /** A mailbox {@code local-part@domain}. */
        MAILBOX,
        /**
         * The domain-less {@code <Postmaster>} (any ASCII case) of RFC 5321 section 4.1.1.3: the postmaster of
         * the receiving server. {@link EnvelopeAddress#domain()} is empty, it is never routed, and it is in no
         * domain set, so no rule can treat it as mail for another host.
         *
         * @since 0.2.0
         */
        POSTMASTER,
        /** Input that is not a valid path; {@link #error()} says why. */
        INVALID
    }

    /** The null path {@code <>}. */
    public static final EnvelopeAddress NULL_PATH =
            new EnvelopeAddress(Kind.NULL_PATH, "<>", "", "", null, false, Routing.NONE, null, null, null);

    /** The reserved local part of the domain-less postmaster, in its canonical (lower-case) spelling. */
    private static final String POSTMASTER_LOCAL = "postmaster";

    private final Kind kind;
    private final String raw;
    private final String localPart;
    private final String domain;
    private final String route; // canonical "@a,@b" or null
    private final boolean quoted;
    private final Routing routing;
    private final String routingReason;
    private final ParseError parseError;
    private final String error;
    private String canonical; // lazily computed; benign race, String is immutable

    private EnvelopeAddress(Kind kind, String raw, String localPart, String domain, String route, boolean quoted,
            Routing routing, String routingReason, ParseError parseError, String error) {
        this.kind = kind;
        this.raw = raw;
        this.localPart = localPart;
        this.domain = domain;
        this.route = route;
        this.quoted = quoted;
        this.routing = routing;
        this.routingReason = routingReason;
        this.parseError = parseError;
        this.error = error;
    }

    /**
     * Reads a path as it follows {@code MAIL FROM:} or {@code RCPT TO:}, with or without angle brackets.
     * Linear in the input; the input is measured before it is scanned, so oversized input costs little.
     *
     * @param raw the path text, without the ESMTP parameters that may follow it
     * @return the address; {@link Kind#INVALID} with a reason when it cannot be read; never {@code null}
     * @throws NullPointerException if {@code raw} is null
     */
    public static EnvelopeAddress parse(String raw) {
        Objects.requireNonNull(raw, "raw");
        int n = raw.length();
        if (n == 0) {
            return NULL_PATH;
        }
        if (n > MAX_PATH_OCTETS) {
            return invalid(raw, ParseError.PATH_TOO_LONG,
                    "path of " + n + " characters; at most 256 octets allowed (RFC 5321 4.5.3.1.3)");
        }
        Problem p = new Problem();
        if (!Problem.checkCharacters(raw, 0, n, p)) {
            return invalid(raw, p);
        }
        int b = 0;
        int e = n;
        if (raw.charAt(0) == '<') {
            if (n == 1 || raw.charAt(n - 1) != '>') {
                return invalid(raw, ParseError.MISSING_CLOSING_BRACKET, "path starts with '<' but does not end with '>'");
            }
            b = 1;
            e = n - 1;
        } else if (raw.charAt(n - 1) == '>') {
            return invalid(raw, ParseError.MISSING_OPENING_BRACKET, "path ends with '>' but does not start with '<'");
        }
        if (b == e) {
            return NULL_PATH;
        }
        if (isPostmaster(raw, b, e)) {
            return new EnvelopeAddress(Kind.POSTMASTER, raw, POSTMASTER_LOCAL, "", null, false, Routing.NONE,
                    null, null, null);
        }
        int octets = utf8Length(raw, b, e) + 2;
        if (octets > MAX_PATH_OCTETS) {
            return invalid(raw, ParseError.PATH_TOO_LONG, "path of " + octets
                    + " octets with angle brackets; at most 256 allowed (RFC 5321 4.5.3.1.3)");
        }
        return parseMailbox(raw, b, e, p);
    }

    /**
     * Whether {@code s[b, e)} is {@code postmaster} in any ASCII case. ASCII only: {@link String#regionMatches(
     * boolean, int, String, int, int)} would also match U+017F LATIN SMALL LETTER LONG S for {@code s}.
     */
    private static boolean isPostmaster(String s, int b, int e) {
        if (e - b != POSTMASTER_LOCAL.length()) {
            return false;
        }
        for (int i = b; i < e; i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != POSTMASTER_LOCAL.charAt(i - b)) {
                return false;
            }
        }
        return true;
    }

    private static EnvelopeAddress parseMailbox(String s, int b, int e, Problem p) {
        int pos = b;
        String route = null;
        if (s.charAt(pos) == '@') {
            int colon = s.indexOf(':', pos);
            if (colon < 0 || colon >= e) {
                return invalid(s, ParseError.EMPTY_LOCAL_PART, "nothing before '@': empty local part");
            }
            StringBuilder rb = new StringBuilder(colon - pos);
            int q = pos;
            while (true) {
                if (s.charAt(q) != '@') {
                    return invalid(s, ParseError.BAD_SOURCE_ROUTE, "each source route hop must start with '@'");
                }
                int end = q + 1;
                while (end < colon && s.charAt(end) != ',') {
                    end++;
                }
                if (end < e && s.charAt(q + 1) == '[') {
                    return invalid(s, ParseError.BAD_SOURCE_ROUTE, "address literal in a source route");
                }
                String hop = DomainNames.domain(s, q + 1, end, p);
                if (hop == null) {
                    return invalid(s, ParseError.BAD_SOURCE_ROUTE, "source route hop: " + p.message);
                }
                rb.append(rb.length() > 0 ? ",@" : "@").append(hop);
                if (end == colon) {
                    break;
                }
                q = end + 1;
            }
            route = rb.toString();
            pos = colon + 1;
            if (pos >= e) {
                return invalid(s, ParseError.BAD_SOURCE_ROUTE, "source route without a mailbox after ':'");
            }
        }

        int localStart = pos;
        String local;
        boolean quoted = false;
        if (s.charAt(pos) == '"') {
            quoted = true;
            int q = pos + 1;
            boolean escapes = false;
            while (q < e) {
                char c = s.charAt(q);
                if (c == '\\') {
                    if (q + 1 >= e) {
                        return invalid(s, ParseError.BAD_QUOTED_PAIR, "quoted string ends with a lone backslash");
                    }
                    char d = s.charAt(q + 1);
                    if (d < 0x20 || d > 0x7e) {
                        return invalid(s, ParseError.BAD_QUOTED_PAIR,
                                "backslash at index " + q + " escapes a character that is not printable ASCII");
                    }
                    escapes = true;
                    q += 2;
                    continue;
                }
                if (c == '"') {
                    break;
                }
                q++;
            }
            if (q >= e) {
                return invalid(s, ParseError.UNTERMINATED_QUOTE, "quoted local part without closing '\"'");
            }
            local = escapes ? unescape(s, pos + 1, q) : s.substring(pos + 1, q);
            pos = q + 1;
            if (pos >= e) {
                return invalid(s, ParseError.MISSING_AT, "no '@' after the quoted local part: not local-part@domain");
            }
            if (s.charAt(pos) != '@') {
                return invalid(s, ParseError.ILLEGAL_CHARACTER, "character at index " + pos
                        + " after the closing quote; expected '@'");
            }
            if (local.isEmpty()) {
                return invalid(s, ParseError.EMPTY_LOCAL_PART, "empty quoted local part \"\"");
            }
        } else {
            int q = pos;
            boolean prevDot = false;
            while (q < e) {
                char c = s.charAt(q);
                if (c == '@') {
                    break;
                }
                if (c == '.') {
                    if (q == pos) {
                        return invalid(s, ParseError.LOCAL_PART_DOT, "local part starts with '.'");
                    }
                    if (prevDot) {
                        return invalid(s, ParseError.LOCAL_PART_DOT, "'..' in the local part at index " + (q - 1));
                    }
                    prevDot = true;
                } else if (c >= 0x80 || isAtext(c)) {
                    prevDot = false;
                } else {
                    return invalid(s, badLocalChar(c), describeBadLocalChar(c, q));
                }
                q++;
            }
            if (q == pos) {
                return invalid(s, ParseError.EMPTY_LOCAL_PART, "nothing before '@': empty local part");
            }
            if (q >= e) {
                return invalid(s, ParseError.MISSING_AT, "no '@': not local-part@domain");
            }
            if (prevDot) {
                return invalid(s, ParseError.LOCAL_PART_DOT, "local part ends with '.'");
            }
            local = s.substring(pos, q);
            pos = q;
        }
        int localOctets = utf8Length(s, localStart, pos);
        if (localOctets > MAX_LOCAL_PART_OCTETS) {
            return invalid(s, ParseError.LOCAL_PART_TOO_LONG,
                    "local part of " + localOctets + " octets; at most 64 allowed (RFC 5321 4.5.3.1.1)");
        }

        pos++; // the '@'
        if (pos >= e) {
            return invalid(s, ParseError.EMPTY_DOMAIN, "nothing after '@': empty domain");
        }
        for (int i = pos; i < e; i++) {
            char c = s.charAt(i);
            if (c == '@') {
                return invalid(s, ParseError.UNQUOTED_AT, "more than one '@': an unquoted '@' in the local part"
                        + " is sender-specified routing (as in user@evil.com@local.com)");
            } else if (c == ' ') {
                return invalid(s, ParseError.WHITESPACE, "space outside quotes at index " + i);
            } else if (c == '<' || c == '>') {
                return invalid(s, ParseError.NESTED_BRACKETS, "angle bracket inside the path at index " + i);
            }
        }
        String dom = s.charAt(pos) == '['
                ? DomainNames.literal(s, pos, e, p)
                : DomainNames.domain(s, pos, e, p);
        if (dom == null) {
            return invalid(s, p);
        }

        Routing routing = Routing.NONE;
        String why = null;
        if (route != null) {
            routing = Routing.SOURCE_ROUTE;
            why = "source route '" + route + ":' in the path: sender-specified routing";
        } else {
            char found = 0;
            for (int i = 0; i < local.length(); i++) {
                Routing r = routingOf(local.charAt(i));
                if (r != Routing.NONE && (routing == Routing.NONE || r.ordinal() < routing.ordinal())) {
                    routing = r;
                    found = local.charAt(i);
                }
            }
            if (routing != Routing.NONE) {
                why = found < 0x80
                        ? "local part contains '" + found + "': sender-specified routing"
                                + (routing == Routing.PERCENT ? " (percent hack)"
                                        : routing == Routing.BANG_PATH ? " (UUCP bang path)" : "")
                        : "local part contains U+" + DomainNames.hex4(found) + ", a look-alike of '"
                                + (routing == Routing.AT_SIGN ? '@' : routing == Routing.PERCENT ? '%' : '!')
                                + "': sender-specified routing";
            }
        }
        EnvelopeAddress a = new EnvelopeAddress(Kind.MAILBOX, s, local, dom, route, quoted, routing, why, null, null);
        String c = a.canonical();
        int canonicalOctets = utf8Length(c, 0, c.length()) + 2;
        if (canonicalOctets > MAX_PATH_OCTETS) {
            return invalid(s, ParseError.PATH_TOO_LONG, "path of " + canonicalOctets + " octets in canonical form"
                    + " (A-labels, with angle brackets); at most 256 allowed (RFC 5321 4.5.3.1.3)");
        }
        return a;
    }

    private static Routing routingOf(char c) {
        switch (c) {
            case '@':
            case '\uff20': // FULLWIDTH COMMERCIAL AT
            case '\ufe6b': // SMALL COMMERCIAL AT
                return Routing.AT_SIGN;
            case '%':
            case '\uff05': // FULLWIDTH PERCENT SIGN
            case '\ufe6a': // SMALL PERCENT SIGN
                return Routing.PERCENT;
            case '!':
            case '\uff01': // FULLWIDTH EXCLAMATION MARK
            case '\ufe57': // SMALL EXCLAMATION MARK
                return Routing.BANG_PATH;
            default:
                return Routing.NONE;
        }
    }

    private static ParseError badLocalChar(char c) {
        switch (c) {
            case ' ':
                return ParseError.WHITESPACE;
            case '<':
            case '>':
                return ParseError.NESTED_BRACKETS;
            default:
                return ParseError.ILLEGAL_CHARACTER;
        }
    }

    private static String describeBadLocalChar(char c, int index) {
        switch (c) {
            case ' ':
                return "space outside quotes at index " + index;
            case '<':
            case '>':
                return "angle bracket inside the path at index " + index;
            case '"':
                return "quote at index " + index + " inside an unquoted local part";
            case '\\':
                return "backslash at index " + index + " outside a quoted string";
            default:
                return "character '" + c + "' at index " + index + " is not allowed in an unquoted local part";
        }
    }

    /** RFC 5322 atext, ASCII part. */
    static boolean isAtext(char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        switch (c) {
            case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
            case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}': case '~':
                return true;
            default:
                return false;
        }
    }

    private static boolean isDotString(String s) {
        if (s.isEmpty() || s.charAt(0) == '.' || s.charAt(s.length() - 1) == '.') {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (s.charAt(i - 1) == '.') {
                    return false;
                }
            } else if (c < 0x80 && !isAtext(c)) {
                return false;
            }
        }
        return true;
    }

    private static String unescape(String s, int from, int to) {
        StringBuilder sb = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                c = s.charAt(++i);
            }
            sb.append(c);
        }
        return sb.toString();
    }

    static int utf8Length(CharSequence s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return n;
    }

    private static EnvelopeAddress invalid(String raw, Problem p) {
        return invalid(raw, p.code, p.message);
    }

    private static EnvelopeAddress invalid(String raw, ParseError code, String reason) {
        return new EnvelopeAddress(Kind.INVALID, raw, "", "", null, false, Routing.NONE, null, code, reason);
    }

    /** @return the kind */
    public Kind kind() {
        return kind;
    }

    /** @return {@code true} for {@code <>} */
    public boolean isNullPath() {
        return kind == Kind.NULL_PATH;
    }

    /** @return {@code true} for a readable mailbox */
    public boolean isMailbox() {
        return kind == Kind.MAILBOX;
    }

    /**
     * @return {@code true} for the domain-less {@code <Postmaster>} of RFC 5321 section 4.1.1.3
     * @since 0.2.0
     */
    public boolean isPostmaster() {
        return kind == Kind.POSTMASTER;
    }

    /** @return {@code true} when the input could not be read; see {@link #error()} */
    public boolean isInvalid() {
        return kind == Kind.INVALID;
    }

    /** @return the text as received */
    public String raw() {
        return raw;
    }

    /**
     * @return why the input is invalid, with details such as the index and the limit (control characters
     *         are named, never echoed); empty unless {@link #isInvalid()}
     */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /** @return the typed reason why the input is invalid; empty unless {@link #isInvalid()} */
    public Optional<ParseError> parseError() {
        return Optional.ofNullable(parseError);
    }

    /**
     * @return the local part, unquoted; {@code postmaster} for {@link Kind#POSTMASTER}; empty string for the
     *         null path and invalid input
     */
    public String localPart() {
        return localPart;
    }

    /** @return {@code true} when the local part was written as a quoted string */
    public boolean isQuoted() {
        return quoted;
    }

    /**
     * @return the canonical domain (lower case, no trailing dot, A-labels) or address literal in normalised
     *         bracket form ({@code [192.0.2.1]}, {@code [IPv6:2001:db8::1]}); empty unless a mailbox (so empty
     *         for {@link Kind#POSTMASTER})
     */
    public String domain() {
        return domain;
    }

    /** @return the canonical hops of a source route ({@code @a,@b:}) without the {@code @}; empty if none */
    public List<String> sourceRoute() {
        if (route == null) {
            return Collections.emptyList();
        }
        return Arrays.stream(route.split(",")).map(h -> h.substring(1)).toList();
    }

    /** @return {@code true} when the sender specified routing (source route, {@code %}, {@code !}, {@code @}) */
    public boolean isRouted() {
        return routing != Routing.NONE;
    }

    /** @return the kind of sender-specified routing; {@link Routing#NONE} when not routed or not a mailbox */
    public Routing routing() {
        return routing;
    }

    /**
     * @return why the address counts as routed, e.g. {@code local part contains '%': sender-specified
     *         routing (percent hack)}; empty unless {@link #isRouted()}
     */
    public Optional<String> routingReason() {
        return Optional.ofNullable(routingReason);
    }

    /** @return {@code true} when the domain is an address literal such as {@code [192.0.2.1]} */
    public boolean isAddressLiteral() {
        return !domain.isEmpty() && domain.charAt(0) == '[';
    }

    /**
     * The canonical text: {@code [@a,@b:]local@domain} for a mailbox, with the local part quoted (only
     * {@code "} and {@code \} escaped) when it is not a dot-string; {@code <>} for the null path;
     * {@code postmaster} for {@link Kind#POSTMASTER}; the raw text if invalid. Parsing the canonical form again
     * gives the same kind, canonical form and routing.
     *
     * @return the canonical form
     */
    public String canonical() {
        String c = canonical;
        if (c == null) {
            switch (kind) {
                case NULL_PATH:
                    c = "<>";
                    break;
                case POSTMASTER:
                    c = POSTMASTER_LOCAL;
                    break;
                case MAILBOX:
                    StringBuilder sb = new StringBuilder(localPart.length() + domain.length() + 8);
                    if (route != null) {
                        sb.append(route).append(':');
                    }
                    if (isDotString(localPart)) {
                        sb.append(localPart);
                    } else {
                        sb.append('"');
                        for (int i = 0; i < localPart.length(); i++) {
                            char ch = localPart.charAt(i);
                            if (ch == '"' || ch == '\\') {
                                sb.append('\\');
                            }
                            sb.append(ch);
                        }
                        sb.append('"');
                    }
                    c = sb.append('@').append(domain).toString();
                    break;
                default:
                    c = raw;
            }
            canonical = c;
        }
        return c;
    }

    /** Equal when kind and canonical form are equal (the raw text for invalid addresses). */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EnvelopeAddress)) {
            return false;
        }
        EnvelopeAddress that = (EnvelopeAddress) o;
        return kind == that.kind && canonical().equals(that.canonical());
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + canonical().hashCode();
    }

    /** @return {@code <canonical>}, or {@code invalid(code: reason)} without echoing the raw input */
    @Override
    public String toString() {
        return kind == Kind.INVALID ? "invalid(" + parseError.code() + ": " + error + ")"
                : "<" + (isNullPath() ? "" : canonical()) + ">";
    }
}
