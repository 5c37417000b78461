package io.relaycontrol.core.address;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link DomainSet} that can be reloaded from its source (usually a list file). A reload builds a complete
 * new set and then publishes it with one volatile write, so readers see either the whole old list or the whole
 * new one. A reload that fails (unreadable file, bad entries) keeps the old list and says why in its
 * {@link ReloadResult}; it never throws.
 *
 * <pre>{@code
 * ReloadableDomainSet relay = ReloadableDomainSet.load(Path.of("/etc/relaycontrol/relay-domains"));
 * Condition toRelayDomain = AddressConditions.recipientDomainIn(relay);
 * ReloadResult r = relay.reload();   // e.g. on SIGHUP or a file watcher
 * if (!r.succeeded()) log.warn(r.toString());
 * }</pre>
 *
 * <p>Thread-safe: {@link #current()} may be called from any thread at any time; reloads are serialised.
 *
 * @since 0.1.0
 */
public final class ReloadableDomainSet {

    /**
     * Produces a fresh {@link DomainSet}, e.g. by reading a file.
     *
     * @since 0.1.0
     */
    @FunctionalInterface
    public interface Loader {
        /**
         * @return the new set, never {@code null}
         * @throws IOException if the source cannot be read
         * @throws DomainListException if the source has bad entries
         */
        DomainSet load() throws IOException;
    }

    /**
     * The outcome of a {@link #reload()}.
     *
     * @param succeeded whether the new list was published
     * @param previousSize entries before the reload
     * @param size entries after the reload (the old size when it failed)
     * @param error why the reload failed, e.g. {@code relay-domains:12: '*.example.com': wildcard ...};
     *              empty when it succeeded
     * @param cause the exception behind a failure; empty when it succeeded
     * @since 0.1.0
     */
    public record ReloadResult(boolean succeeded, int previousSize, int size, Optional<String> error,
            Optional<Throwable> cause) {

        /**
         * Validates the fields.
         *
         * @param succeeded whether the new list was published
         * @param previousSize entries before the reload
         * @param size entries after the reload
         * @param error why the reload failed; empty when it succeeded
         * @param cause the exception behind a failure; empty when it succeeded
         * @throws NullPointerException if {@code error} or {@code cause} is null
         * @throws IllegalArgumentException if a failure has no error text, or a success has one
         */
        public ReloadResult {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(cause, "cause");
            if (succeeded == error.isPresent()) {
                throw new IllegalArgumentException("a failed reload needs an error text, a successful one none");
            }
        }

        /** @return e.g. {@code reloaded: 10 -> 12 entries} or {@code reload failed, kept 10 entries: ...} */
        @Override
        public String toString() {
            return succeeded ? "reloaded: " + previousSize + " -> " + size + " entries"
                    : "reload failed, kept " + size + " entries: " + error.orElse("");
        }
    }

    private final String description;
    private final Loader loader;
    private volatile DomainSet current;

    private ReloadableDomainSet(String description, Loader loader, DomainSet initial) {
        this.description = description;
        this.loader = loader;
        this.current = initial;
    }

    /**
     * Loads a list file now and remembers it for {@link #reload()}.
     *
     * @param file the list file (format in {@link DomainSet})
     * @return the reloadable set
     * @throws DomainListException if the file cannot be read now (line 0) or has bad entries now; before 0.2.0 an
     *     unreadable file was a checked {@code IOException}
     */
    public static ReloadableDomainSet load(Path file) {
        Objects.requireNonNull(file, "file");
        return new ReloadableDomainSet(file.toString(), () -> DomainSet.load(file), DomainSet.load(file));
    }

    /**
     * A reloadable set from any source.
     *
     * @param description what the source is, for messages, e.g. "relay domains from LDAP"
     * @param initial the set to serve until the first successful reload
     * @param loader produces the new set on each reload
     * @return the reloadable set
     * @throws IllegalArgumentException if {@code description} is blank
     */
    public static ReloadableDomainSet of(String description, DomainSet initial, Loader loader) {
        Objects.requireNonNull(description, "description");
        if (description.isBlank()) {
            throw new IllegalArgumentException("description must not be blank");
        }
        return new ReloadableDomainSet(description, Objects.requireNonNull(loader, "loader"),
                Objects.requireNonNull(initial, "initial"));
    }

    /** @return the list now in force; a consistent snapshot */
    public DomainSet current() {
        return current;
    }

    /** @return where the list comes from */
    public String description() {
        return description;
    }

    /**
     * Loads the source again. On success the new list replaces the old one atomically; on failure the old list
     * stays in force. Never throws (except {@link VirtualMachineError}s).
     *
     * @return what happened
     */
    public synchronized ReloadResult reload() {
        DomainSet old = current;
        DomainSet fresh;
        try {
            fresh = loader.load();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (IOException e) {
            return failed(old, "cannot read " + description + ": " + e, e);
        } catch (Exception e) {
            return failed(old, e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
        if (fresh == null) {
            return failed(old, "loader for " + description + " returned null", null);
        }
        current = fresh;
        return new ReloadResult(true, old.size(), fresh.size(), Optional.empty(), Optional.empty());
    }

    private static ReloadResult failed(DomainSet old, String why, Throwable cause) {
        return new ReloadResult(false, old.size(), old.size(), Optional.of(why), Optional.ofNullable(cause));
    }

    /**
     * @param domain a domain
     * @return {@code current().contains(domain)}
     */
    public boolean contains(String domain) {
        return current.contains(domain);
    }

    @Override
    public String toString() {
        return "ReloadableDomainSet{" + description + ", " + current.describe() + "}";
    }
}
