package io.relaycontrol.core.net;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A {@link NetworkSet} loaded from a file that can be reloaded while in use: {@link #reload()} reads the file
 * again and swaps the new set in atomically; if the file cannot be read or a line is invalid, the previous set
 * stays in place and the {@link Result} says why. Readers call {@link #current()} (or pass this object, a
 * {@code Supplier<NetworkSet>}, to {@link NetworkRules}) and always see a whole set, old or new.
 *
 * <pre>{@code
 * ReloadableNetworkSet drop = ReloadableNetworkSet.load(Path.of("drop.txt"), NetworkListFormat.SPAMHAUS_DROP);
 * Rule rule = NetworkRules.denyClientsIn("spamhaus-drop", drop, SmtpReply.of(554, "5.7.1", "Listed in DROP"));
 * ReloadableNetworkSet.Result r = drop.reload();   // e.g. from a scheduled task or a file watcher
 * if (!r.succeeded()) log.warn("{}", r);
 * }</pre>
 *
 * <p>Thread-safe: {@link #current()} is a volatile read; reloads are serialised.
 *
 * @since 0.1.0
 */
public final class ReloadableNetworkSet implements Supplier<NetworkSet> {

    private final Path file;
    private final NetworkListFormat format;
    private final boolean lenient;
    private volatile NetworkSet current;

    private ReloadableNetworkSet(Path file, NetworkListFormat format, boolean lenient, NetworkSet initial) {
        this.file = file;
        this.format = format;
        this.lenient = lenient;
        this.current = initial;
    }

    /**
     * Loads the file for the first time, detecting the format, strictly.
     *
     * @param file the list file
     * @return the holder
     * @throws NetworkListException if the first load fails (there is no previous set to keep)
     */
    public static ReloadableNetworkSet load(Path file) {
        return load(file, NetworkListFormat.AUTO, false);
    }

    /**
     * Loads the file for the first time, strictly.
     *
     * @param file the list file
     * @param format its format
     * @return the holder
     * @throws NetworkListException if the first load fails
     */
    public static ReloadableNetworkSet load(Path file, NetworkListFormat format) {
        return load(file, format, false);
    }

    /**
     * Loads the file for the first time.
     *
     * @param file the list file
     * @param format its format
     * @param lenient whether entries with host bits set are accepted (see {@link NetworkSet.Builder#lenient})
     * @return the holder
     * @throws NetworkListException if the first load fails
     */
    public static ReloadableNetworkSet load(Path file, NetworkListFormat format, boolean lenient) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(format, "format");
        return new ReloadableNetworkSet(file, format, lenient, read(file, format, lenient));
    }

    private static NetworkSet read(Path file, NetworkListFormat format, boolean lenient) {
        return NetworkSet.builder().lenient(lenient).addFile(file, format).build();
    }

    /** @return the set now in use; never null */
    public NetworkSet current() {
        return current;
    }

    /** @return {@link #current()} */
    @Override
    public NetworkSet get() {
        return current;
    }

    /** @return the file this set is loaded from */
    public Path file() {
        return file;
    }

    /**
     * Reads the file again. On success the new set replaces the old one atomically; on failure the old one is
     * kept. Never throws for a bad or missing file.
     *
     * @return what happened
     */
    public synchronized Result reload() {
        NetworkSet previous = current;
        try {
            NetworkSet next = read(file, format, lenient);
            current = next;
            return new Result(true, next, previous, null);
        } catch (NetworkListException e) {
            return new Result(false, previous, previous, e);
        } catch (RuntimeException e) {
            return new Result(false, previous, previous,
                    new NetworkListException(file, 0, "unexpected error: " + e, e));
        }
    }

    @Override
    public String toString() {
        return "ReloadableNetworkSet{" + file + ", " + current + "}";
    }

    /**
     * The outcome of a {@link #reload()}. Immutable and thread-safe.
     *
     * @since 0.1.0
     */
    public static final class Result {
        private final boolean succeeded;
        private final NetworkSet current;
        private final NetworkSet previous;
        private final NetworkListException failure;

        Result(boolean succeeded, NetworkSet current, NetworkSet previous, NetworkListException failure) {
            this.succeeded = succeeded;
            this.current = current;
            this.previous = previous;
            this.failure = failure;
        }

        /** @return whether the file was read and the new set is in use */
        public boolean succeeded() {
            return succeeded;
        }

        /** @return the set in use after the reload: the new one, or the kept old one */
        public NetworkSet current() {
            return current;
        }

        /** @return the set in use before the reload */
        public NetworkSet previous() {
            return previous;
        }

        /** @return why the reload failed (file and line in the exception), empty on success */
        public Optional<NetworkListException> failure() {
            return Optional.ofNullable(failure);
        }

        @Override
        public String toString() {
            return succeeded ? "reloaded: " + current.size() + " networks (was " + previous.size() + ")"
                    : "reload failed, keeping the previous " + current.size() + " networks: " + failure.getMessage();
        }
    }
}
