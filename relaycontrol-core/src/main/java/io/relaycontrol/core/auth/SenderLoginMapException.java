package io.relaycontrol.core.auth;

import io.relaycontrol.api.RelayConfigException;
import java.nio.file.Path;

/**
 * A sender login map that cannot be used: a malformed line (the message is {@code source:line: problem}, as in 0.1), or
 * a map file that cannot be read (line 0). {@link #file()} is the map file when the lines came from one, and
 * {@link #line()} the 1-based line.
 *
 * <p>A {@link RelayConfigException}, so still an {@link IllegalArgumentException} as the errors of 0.1 were; a file that
 * cannot be read was an {@code UncheckedIOException} in 0.1. Immutable and thread-safe.
 *
 * @since 0.2.0
 */
public final class SenderLoginMapException extends RelayConfigException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message the whole message, naming the source and line
     * @param file the map file, or {@code null} for lines given in code
     * @param line the 1-based line, or 0 for the whole file
     * @param cause the underlying exception, or {@code null}
     */
    SenderLoginMapException(String message, Path file, int line, Throwable cause) {
        super(message, null, file, line, message, cause);
    }
}
