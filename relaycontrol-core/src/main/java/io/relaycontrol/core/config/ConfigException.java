package io.relaycontrol.core.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A relay configuration that cannot be used: an unknown key, a bad value, an unreadable or malformed file, or
 * a policy check that refuses the configuration. The message names the key, the file and the line where known.
 *
 * <p>Thrown when a policy is built or reloaded, never while deciding.
 *
 * @since 0.1.0
 */
public class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The configuration key concerned, or {@code null}. */
    private final String key;
    /** The file concerned, or {@code null}; not serialised ({@link Path} is not serialisable). */
    private final transient Path file;
    /** The 1-based line in {@link #file}, or 0. */
    private final int line;

    /**
     * @param key the configuration key concerned, or {@code null}
     * @param file the file concerned, or {@code null}
     * @param line the 1-based line in {@code file}, or 0 if not known
     * @param message what is wrong
     * @param cause the underlying exception, or {@code null}
     */
    public ConfigException(String key, Path file, int line, String message, Throwable cause) {
        super(render(key, file, line, message), cause);
        this.key = key;
        this.file = file;
        this.line = line;
    }

    /**
     * @param key the configuration key concerned
     * @param message what is wrong
     */
    public ConfigException(String key, String message) {
        this(key, null, 0, message, null);
    }

    private static String render(String key, Path file, int line, String message) {
        StringBuilder sb = new StringBuilder();
        if (key != null) {
            sb.append(key).append(": ");
        }
        if (file != null) {
            sb.append(file);
            if (line > 0) {
                sb.append(" line ").append(line);
            }
            sb.append(": ");
        }
        return sb.append(message).toString();
    }

    /** @return the configuration key concerned, if known */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }

    /** @return the file concerned, if any */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** @return the 1-based line in {@link #file()}, or 0 when not known */
    public int line() {
        return line;
    }
}
