package io.relaycontrol.api;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Bad input to relaycontrol: a configuration key with a bad value, a list (networks, domains, sender logins) with
 * a bad line, a file that cannot be read. The one family of exceptions for bad input; its subtypes say which kind of
 * input ({@code ConfigException} for configuration keys, {@code NetworkListException}, {@code DomainListException}
 * and {@code SenderLoginMapException} for lists, {@code InvalidNetworkException} for one network entry), and every
 * one carries, where known, the configuration {@linkplain #key() key}, the {@linkplain #file() file} and the
 * 1-based {@linkplain #line() line}. The message names the bad value and where it was found.
 *
 * <p>Unchecked, so that configuration code lets it propagate to where the policy is built, and an
 * {@link IllegalArgumentException}, which bad input is: code that caught {@code IllegalArgumentException} from a
 * list parser before 0.2.0 still catches it. Thrown when a policy or a list is built or loaded, never while
 * deciding. Every {@code load(Path)} method of relaycontrol throws (a subtype of) this exception, never a checked
 * {@code IOException}: a file that cannot be read is a {@code RelayConfigException} with the file and line 0.
 *
 * <p>Instances are immutable and thread-safe. The file is not serialised ({@link Path} is not serialisable).
 *
 * @since 0.2.0
 */
public class RelayConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** The configuration key concerned, or {@code null}. */
    private final String key;
    /** The file concerned, or {@code null}. */
    private final transient Path file;
    /** The 1-based line in {@link #file}, or 0. */
    private final int line;
    /** The message without the key, file and line. */
    private final String detail;

    /**
     * An exception whose message is {@code key: file line N: detail}, leaving out what is not known.
     *
     * @param key the configuration key concerned, or {@code null}
     * @param file the file concerned, or {@code null}
     * @param line the 1-based line in {@code file}, or 0 if not known or the whole file is concerned
     * @param detail what is wrong, naming the bad value
     * @param cause the underlying exception, or {@code null}
     * @throws IllegalArgumentException if {@code line} is negative
     * @throws NullPointerException if {@code detail} is null
     */
    public RelayConfigException(String key, Path file, int line, String detail, Throwable cause) {
        this(render(key, file, line, detail), key, file, line, detail, cause);
    }

    /**
     * An exception whose message is given whole, for subtypes that keep an established message format.
     *
     * @param message the whole message
     * @param key the configuration key concerned, or {@code null}
     * @param file the file concerned, or {@code null}
     * @param line the 1-based line in {@code file}, or 0
     * @param detail what is wrong, without the location
     * @param cause the underlying exception, or {@code null}
     * @throws IllegalArgumentException if {@code line} is negative
     * @throws NullPointerException if {@code message} or {@code detail} is null
     */
    protected RelayConfigException(String message, String key, Path file, int line, String detail,
            Throwable cause) {
        super(java.util.Objects.requireNonNull(message, "message"), cause);
        if (line < 0) {
            throw new IllegalArgumentException("line must not be negative, was " + line);
        }
        this.key = key;
        this.file = file;
        this.line = line;
        this.detail = java.util.Objects.requireNonNull(detail, "detail");
    }

    /**
     * Renders a location and a detail the way this family's messages do: {@code key: file line N: detail}.
     *
     * @param key the key, or {@code null}
     * @param file the file, or {@code null}
     * @param line the line, or 0
     * @param detail what is wrong
     * @return the message
     */
    protected static String render(String key, Path file, int line, String detail) {
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
        return sb.append(java.util.Objects.requireNonNull(detail, "detail")).toString();
    }

    /** @return the configuration key concerned, if known */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }

    /** @return the file concerned, if the input came from a file */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** @return the 1-based line in {@link #file()} (or in the list given in code), or 0 when not known */
    public int line() {
        return line;
    }

    /** @return what is wrong, without the key, file and line */
    public String detail() {
        return detail;
    }
}
