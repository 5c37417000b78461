package io.relaycontrol.core.address;

import java.util.Objects;

/**
 * Which entry of a {@link DomainSet} matched a domain, and where that entry came from, so that a decision
 * can say "bob@a.example.com is local: matched '.example.com' (local-domains.txt:12)".
 *
 * <p>Immutable and thread-safe.
 *
 * @param domain the canonical domain that was looked up
 * @param entry the matching entry in canonical form: {@code example.com} or {@code .example.com}
 * @param kind whether the entry matched exactly or as a parent domain
 * @param source where the entry came from: a file name, a source name given to
 *               {@link DomainSet#parse(java.util.List, String)}, or {@code "code"}
 * @param line the entry's 1-based line in {@code source}, or 0 when it has no line
 * @since 0.1.0
 */
public record DomainMatch(String domain, String entry, Kind kind, String source, int line) {

    /**
     * How an entry matched.
     *
     * @since 0.1.0
     */
    public enum Kind {
        /** An entry {@code example.com} matched the domain {@code example.com} itself. */
        EXACT,
        /** An entry {@code .example.com} matched a proper subdomain such as {@code a.example.com}. */
        SUBDOMAIN
    }

    /**
     * Validates the fields.
     *
     * @param domain the canonical domain that was looked up
     * @param entry the matching entry in canonical form
     * @param kind whether the entry matched exactly or as a parent domain
     * @param source where the entry came from
     * @param line the entry's 1-based line in {@code source}, or 0
     * @throws NullPointerException if a field is null
     * @throws IllegalArgumentException if {@code line} is negative
     */
    public DomainMatch {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(source, "source");
        if (line < 0) {
            throw new IllegalArgumentException("line must not be negative, was " + line);
        }
    }

    /** @return {@code source:line}, or just the source when there is no line */
    public String origin() {
        return line > 0 ? source + ":" + line : source;
    }

    /** @return e.g. {@code a.example.com matched '.example.com' (local-domains.txt:12)} */
    @Override
    public String toString() {
        return domain + " matched '" + entry + "' (" + origin() + ")";
    }
}
