package io.relaycontrol.api.address;

/**
 * Why an envelope address or a domain could not be read: the typed reason behind
 * {@link EnvelopeAddress#parseError()}. Each constant has a stable {@link #code() code} for logs and metrics
 * and a short {@link #summary() summary}; the address's {@link EnvelopeAddress#error()} adds the details
 * (position, character, limit). Messages never echo control characters of the input.
 *
 * <p>Enum constants are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public enum ParseError {
    /** The path is longer than the 256 octets of RFC 5321 section 4.5.3.1.3. */
    PATH_TOO_LONG("path-too-long", "path longer than 256 octets"),
    /** The local part is longer than the 64 octets of RFC 5321 section 4.5.3.1.1. */
    LOCAL_PART_TOO_LONG("local-part-too-long", "local part longer than 64 octets"),
    /** The domain is longer than the 255 octets of RFC 5321 section 4.5.3.1.2. */
    DOMAIN_TOO_LONG("domain-too-long", "domain longer than 255 octets"),
    /** A domain label is longer than 63 octets (RFC 1035). */
    LABEL_TOO_LONG("label-too-long", "domain label longer than 63 octets"),
    /** {@code <} without the closing {@code >}. */
    MISSING_CLOSING_BRACKET("missing-closing-bracket", "'<' without closing '>'"),
    /** {@code >} without the opening {@code <}. */
    MISSING_OPENING_BRACKET("missing-opening-bracket", "'>' without opening '<'"),
    /** A stray or nested angle bracket inside the path. */
    NESTED_BRACKETS("nested-brackets", "angle bracket inside the path"),
    /** A control character: NUL, CR, LF, TAB, other C0 controls, DEL or a C1 control. */
    CONTROL_CHARACTER("control-character", "control character"),
    /** A space outside a quoted string, or a Unicode space or line separator anywhere. */
    WHITESPACE("whitespace", "space outside quotes"),
    /**
     * An invisible Unicode character, anywhere in the path: a format character ({@code Cf}: bidi controls,
     * zero-width characters, the BOM, the soft hyphen) or another {@code Default_Ignorable_Code_Point}
     * (variation selectors, the combining grapheme joiner, Hangul fillers). Refused rather than deleted by
     * IDNA mapping, so that the text decided on is the text a server stores.
     */
    FORMAT_CHARACTER("format-character", "invisible Unicode format, bidi control or default-ignorable character"),
    /** Broken UTF-16 (unpaired surrogate), a private-use or unassigned code point. */
    MALFORMED_UNICODE("malformed-unicode", "unpaired surrogate, private-use or unassigned code point"),
    /** A character that the grammar does not allow where it appears. */
    ILLEGAL_CHARACTER("illegal-character", "character not allowed here"),
    /** No {@code @} between local part and domain. */
    MISSING_AT("missing-at", "not local-part@domain"),
    /** More than one unquoted {@code @}: a routing trick such as {@code user@evil.com@local.com}. */
    UNQUOTED_AT("unquoted-at", "unquoted '@' in the local part"),
    /** Nothing before the {@code @}. */
    EMPTY_LOCAL_PART("empty-local-part", "empty local part"),
    /** Leading, trailing or doubled dot in an unquoted local part. */
    LOCAL_PART_DOT("local-part-dot", "misplaced '.' in the local part"),
    /** A quoted string without its closing quote. */
    UNTERMINATED_QUOTE("unterminated-quote", "quoted string without closing quote"),
    /** A backslash at the end of a quoted string, or escaping a character that cannot be escaped. */
    BAD_QUOTED_PAIR("bad-quoted-pair", "bad backslash escape"),
    /** Nothing after the {@code @}. */
    EMPTY_DOMAIN("empty-domain", "empty domain"),
    /** A domain that breaks the RFC 5321 / RFC 1123 rules: empty label, leading or trailing hyphen, etc. */
    DOMAIN_SYNTAX("domain-syntax", "malformed domain"),
    /** A numeric top-level label such as {@code user@1.2.3.4}: an IP address must be written as a literal. */
    BARE_NUMERIC_DOMAIN("bare-numeric-domain", "numeric domain; use an address literal"),
    /** An internationalised domain that cannot be converted to A-labels, or a malformed A-label. */
    INVALID_IDN("invalid-idn", "invalid internationalised domain name"),
    /** An IPv4 or IPv6 address literal that does not parse. */
    BAD_ADDRESS_LITERAL("bad-address-literal", "malformed address literal"),
    /** A general address literal ({@code [tag:content]}) other than IPv6. */
    UNSUPPORTED_ADDRESS_LITERAL("unsupported-address-literal", "unsupported address literal tag"),
    /** A malformed source route ({@code @a,@b:user@c}). */
    BAD_SOURCE_ROUTE("bad-source-route", "malformed source route");

    private final String code;
    private final String summary;

    ParseError(String code, String summary) {
        this.code = code;
        this.summary = summary;
    }

    /** @return a stable lower-case code such as {@code local-part-too-long}, for logs and metrics */
    public String code() {
        return code;
    }

    /** @return a short description for people, such as {@code local part longer than 64 octets} */
    public String summary() {
        return summary;
    }
}
