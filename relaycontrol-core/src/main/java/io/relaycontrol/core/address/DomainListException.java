package io.relaycontrol.core.address;

import java.util.List;
import java.util.Objects;

/**
 * Bad entries in a domain list, each with its source (file) and line number. Thrown when a
 * {@link DomainSet} is built; all bad lines of a file are collected before it is thrown.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class DomainListException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;
    private static final int MAX_IN_MESSAGE = 10;

    /**
     * One bad entry.
     *
     * @param source the file or source name
     * @param line the 1-based line, or 0 for entries added from code
     * @param entry the entry as written (control characters escaped)
     * @param reason why it is refused
     * @since 0.1.0
     */
    public record EntryError(String source, int line, String entry, String reason) {
        /**
         * Validates the fields.
         *
         * @throws NullPointerException if a field is null
         */
        public EntryError {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(entry, "entry");
            Objects.requireNonNull(reason, "reason");
        }

        /** @return {@code source:line: 'entry': reason} */
        @Override
        public String toString() {
            return source + (line > 0 ? ":" + line : "") + ": '" + entry + "': " + reason;
        }
    }

    private final transient List<EntryError> errors;

    /**
     * @param errors one or more bad entries
     * @throws IllegalArgumentException if {@code errors} is empty
     */
    public DomainListException(List<EntryError> errors) {
        super(message(errors));
        this.errors = List.copyOf(errors);
    }

    private static String message(List<EntryError> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a DomainListException needs at least one error");
        }
        StringBuilder sb = new StringBuilder();
        sb.append(errors.size() == 1 ? "bad domain list entry: " : errors.size() + " bad domain list entries: ");
        for (int i = 0; i < errors.size() && i < MAX_IN_MESSAGE; i++) {
            sb.append(i == 0 ? "" : "; ").append(errors.get(i));
        }
        if (errors.size() > MAX_IN_MESSAGE) {
            sb.append("; and ").append(errors.size() - MAX_IN_MESSAGE).append(" more");
        }
        return sb.toString();
    }

    /** @return every bad entry, in order of appearance */
    public List<EntryError> errors() {
        return errors;
    }

    /** @return the first bad entry */
    public EntryError first() {
        return errors.get(0);
    }
}
