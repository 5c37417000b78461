package io.relaycontrol.core.net;

/**
 * The line formats of network list files. In every format a line holds one entry; blank lines and lines
 * starting with {@code #} or {@code ;} are comments; an entry starting with {@code !} is an exception
 * ("these networks except those", see {@link NetworkSet}); an entry is a CIDR block or a bare address
 * (a /32 or /128), parsed strictly unless the set is built leniently.
 *
 * <p>Note on {@code !}: in a Postfix {@code cidr} table {@code !pattern} is a negated pattern evaluated in
 * file order; here it always removes the block from the set, whatever its position (the set carries no
 * verdict and no order). Postfix {@code if}/{@code endif} blocks are refused with a clear error.
 *
 * @since 0.1.0
 */
public enum NetworkListFormat {

    /**
     * Any of the formats below, decided line by line: after the entry, nothing, a {@code #} comment, a
     * {@code ; label} (Spamhaus) or any other text (a Postfix action) taken as the label.
     * Used by {@link NetworkSet#load(java.nio.file.Path)}.
     */
    AUTO,

    /** One entry per line, optionally followed by a {@code #} or {@code ;} comment; any other trailing text is an error. */
    PLAIN,

    /**
     * Spamhaus DROP/EDROP: {@code 192.0.2.0/24 ; SBL123}; the text after {@code ;} (the SBL id) becomes the
     * entry's label. Header lines start with {@code ;}.
     */
    SPAMHAUS_DROP,

    /**
     * A Postfix {@code cidr} table: {@code CIDR  ACTION}, the action (required) kept as the entry's label.
     * A line starting with whitespace continues the previous line's action, as in Postfix.
     */
    POSTFIX_CIDR
}
