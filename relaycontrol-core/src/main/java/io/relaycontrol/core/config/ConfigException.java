package io.relaycontrol.core.config;

import io.relaycontrol.api.RelayConfigException;
import java.nio.file.Path;

/**
 * A relay configuration that cannot be used: an unknown key, a bad value, an unreadable or malformed file, or
 * a policy check that refuses the configuration. The message names the key, the file and the line where known
 * ({@link #key()}, {@link #file()}, {@link #line()}, inherited from {@link RelayConfigException}, the family of
 * every bad-input exception since 0.2.0). A bad list file included by a key keeps the list's exception
 * ({@code NetworkListException}, {@code DomainListException}, {@code SenderLoginMapException}) as its cause.
 *
 * <p>Thrown when a policy is built or reloaded, never while deciding. Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public class ConfigException extends RelayConfigException {

    private static final long serialVersionUID = 1L;

    /**
     * @param key the configuration key concerned, or {@code null}
     * @param file the file concerned, or {@code null}
     * @param line the 1-based line in {@code file}, or 0 if not known
     * @param message what is wrong
     * @param cause the underlying exception, or {@code null}
     */
    public ConfigException(String key, Path file, int line, String message, Throwable cause) {
        super(key, file, line, message, cause);
    }

    /**
     * @param key the configuration key concerned
     * @param message what is wrong
     */
    public ConfigException(String key, String message) {
        this(key, null, 0, message, null);
    }
}
