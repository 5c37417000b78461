package io.relaycontrol.api.address;

/**
 * The kind of sender-specified routing an envelope address carries, detected and never resolved. A routed
 * address asks the receiving server to pass the mail on to another host; an open relay is what follows when
 * such an address is treated as local (see Postfix's {@code allow_untrusted_routing} and Exim's default ACL
 * {@code deny local_parts = ^.*[@%!/|]}).
 *
 * <p>Enum constants are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public enum Routing {
    /** No sender-specified routing. */
    NONE("no sender-specified routing"),
    /** An RFC 821 source route: {@code @a,@b:user@c}. */
    SOURCE_ROUTE("source route"),
    /** An {@code @} left in the local part after unquoting: {@code "user@evil.com"@local.com}. */
    AT_SIGN("'@' in the local part"),
    /** The percent hack: {@code user%evil.com@local.com}. */
    PERCENT("'%' in the local part (percent hack)"),
    /** A UUCP bang path: {@code evil.com!user@local.com}. */
    BANG_PATH("'!' in the local part (UUCP bang path)");

    private final String summary;

    Routing(String summary) {
        this.summary = summary;
    }

    /** @return a short description for people */
    public String summary() {
        return summary;
    }
}
