package io.relaycontrol.api.address;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * An SMTP envelope address (RFC 5321 reverse-path or forward-path) as read once from {@code MAIL FROM:}
 * or {@code RCPT TO:}, with its canonical form.
 *
 * <p>Parsing never throws for bad input: an address that cannot be read is an {@link Kind#INVALID} value
 * with a reason, so that a rule can refuse it with an explanation. Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class EnvelopeAddress {

    /** The three kinds of envelope address. */
    public enum Kind {
        /** The null reverse-path {@code <>} used by bounces. */
        NULL_PATH,
        /** A mailbox {@code local-part@domain}. */
        MAILBOX,
        /** Input that is not a valid path; {@link #error()} says why. */
        INVALID
    }

    /** The null path {@code <>}. */
    public static final EnvelopeAddress NULL_PATH =
            new EnvelopeAddress(Kind.NULL_PATH, "<>", "", "", false, false, null);

    private final Kind kind;
    private final String raw;
    private final String localPart;
    private final String domain;
    private final boolean routed;
    private final boolean addressLiteral;
    private final String error;

    private EnvelopeAddress(Kind kind, String raw, String localPart, String domain, boolean routed,
            boolean addressLiteral, String error) {
        this.kind = kind;
        this.raw = raw;
        this.localPart = localPart;
        this.domain = domain;
        this.routed = routed;
        this.addressLiteral = addressLiteral;
        this.error = error;
    }

    /**
     * Reads a path as it follows {@code MAIL FROM:} or {@code RCPT TO:}, with or without angle brackets.
     *
     * @param raw the path text
     * @return the address; {@link Kind#INVALID} with a reason when it cannot be read
     * @throws NullPointerException if {@code raw} is null
     */
    public static EnvelopeAddress parse(String raw) {
        Objects.requireNonNull(raw, "raw");
        String s = raw;
        if (s.startsWith("<") && s.endsWith(">") && s.length() >= 2) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.isEmpty()) {
            return NULL_PATH;
        }
        int at = s.lastIndexOf('@');
        if (at <= 0 || at == s.length() - 1) {
            return invalid(raw, "not local-part@domain");
        }
        String local = s.substring(0, at);
        String dom = s.substring(at + 1).toLowerCase(Locale.ROOT);
        if (dom.endsWith(".")) {
            dom = dom.substring(0, dom.length() - 1);
        }
        boolean routed = local.indexOf('@') >= 0 || local.indexOf('%') >= 0 || local.indexOf('!') >= 0;
        boolean literal = dom.startsWith("[");
        return new EnvelopeAddress(Kind.MAILBOX, raw, local, dom, routed, literal, null);
    }

    private static EnvelopeAddress invalid(String raw, String reason) {
        return new EnvelopeAddress(Kind.INVALID, raw, "", "", false, false, reason);
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

    /** @return {@code true} when the input could not be read; see {@link #error()} */
    public boolean isInvalid() {
        return kind == Kind.INVALID;
    }

    /** @return the text as received */
    public String raw() {
        return raw;
    }

    /** @return why the input is invalid; empty unless {@link #isInvalid()} */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /** @return the local part, unquoted; empty string unless a mailbox */
    public String localPart() {
        return localPart;
    }

    /** @return the canonical domain (lower case, no trailing dot) or address literal; empty unless a mailbox */
    public String domain() {
        return domain;
    }

    /** @return {@code true} when the sender specified routing (source route, {@code %}, {@code !}, {@code @}) */
    public boolean isRouted() {
        return routed;
    }

    /** @return {@code true} when the domain is an address literal such as {@code [192.0.2.1]} */
    public boolean isAddressLiteral() {
        return addressLiteral;
    }

    /** @return {@code local@domain} for a mailbox, {@code <>} for the null path, the raw text if invalid */
    public String canonical() {
        switch (kind) {
            case NULL_PATH:
                return "<>";
            case MAILBOX:
                return localPart + "@" + domain;
            default:
                return raw;
        }
    }

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

    @Override
    public String toString() {
        return kind == Kind.INVALID ? "invalid(" + raw + ": " + error + ")" : "<" + (isNullPath() ? "" : canonical()) + ">";
    }
}
