package io.relaycontrol.core.net;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A network list file that cannot be loaded: unreadable, or a line that is not a valid entry for its
 * {@link NetworkListFormat}. The message starts with the file and line, {@code drop.txt line 12: ...}, and
 * {@link #file()} / {@link #line()} give them to programs. When the cause is a bad entry,
 * {@link #invalidEntry()} gives the {@link InvalidNetworkException} with its {@link InvalidNetworkException.Reason}.
 *
 * <p>Unchecked, so that configuration code can let it propagate to where the policy is built. Instances are
 * immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class NetworkListException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    /** 1-based line, 0 for the whole file. */
    private final int line;
    /** The message without the location. */
    private final String detail;

    NetworkListException(Path file, int line, String detail, Throwable cause) {
        super(location(file, line) + ": " + detail, cause);
        this.file = Objects.requireNonNull(file, "file");
        this.line = line;
        this.detail = detail;
    }

    private static String location(Path file, int line) {
        return line > 0 ? file + " line " + line : file.toString();
    }

    /** @return the file being loaded */
    public Path file() {
        return file;
    }

    /** @return the 1-based line number of the bad line, or 0 when the error concerns the whole file (for example it cannot be read) */
    public int line() {
        return line;
    }

    /** @return the message without the file and line prefix */
    public String detail() {
        return detail;
    }

    /** @return the entry error behind this one, when a line held an invalid network */
    public Optional<InvalidNetworkException> invalidEntry() {
        return getCause() instanceof InvalidNetworkException ? Optional.of((InvalidNetworkException) getCause())
                : Optional.empty();
    }
}
