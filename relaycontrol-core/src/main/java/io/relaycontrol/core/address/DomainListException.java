package io.relaycontrol.core.address;

import io.relaycontrol.api.RelayConfigException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Bad entries in a domain list, each with its source (file) and line number, or a list file that cannot be read.
 * Thrown when a {@link DomainSet} is built or loaded; all bad lines of a file are collected before it is thrown.
 *
 * <p>A {@link RelayConfigException} (since 0.2.0; still an {@link IllegalArgumentException}): {@link #file()} is the
 * list file when the list was loaded from one, {@link #line()} the line of the first bad entry (0 when the file cannot
 * be read). Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class DomainListException extends RelayConfigException {

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
     * @param source the file or source name
     * @param line the 1-based line, or 0
     * @param entry the entry as written
     * @param reason why it is refused
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
        this(null, errors, null);
    }

    /**
     * Bad entries of a list file.
     *
     * @param file the list file, or {@code null} for a list given in code
     * @param errors one or more bad entries
     * @throws IllegalArgumentException if {@code errors} is empty
     * @since 0.2.0
     */
    public DomainListException(Path file, List<EntryError> errors) {
        this(file, errors, null);
    }

    /**
     * A list file that cannot be read (missing, not UTF-8, ...): one error at line 0.
     *
     * @param file the list file
     * @param detail what is wrong, naming the file (it is the whole message)
     * @param cause the underlying exception, or {@code null}
     * @since 0.2.0
     */
    public DomainListException(Path file, String detail, Throwable cause) {
        this(Objects.requireNonNull(file, "file"), List.of(new EntryError(file.toString(), 0, "", detail)), cause);
    }

    private DomainListException(Path file, List<EntryError> errors, Throwable cause) {
        super(message(errors), null, file, errors.get(0).line(), errors.get(0).reason(), cause);
        this.errors = List.copyOf(errors);
    }

    private static String message(List<EntryError> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a DomainListException needs at least one error");
        }
        if (errors.size() == 1 && errors.get(0).line() == 0 && errors.get(0).entry().isEmpty()) {
            return errors.get(0).reason(); // the whole file, e.g. unreadable: the reason names it
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
