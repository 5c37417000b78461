package io.relaycontrol.core.net;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The entry of a {@link NetworkSet} that an address matched, for {@code explain()}: its CIDR text, where it
 * came from (a file and line, or {@code "code"}), and its optional label (a Spamhaus SBL id, a Postfix
 * action). {@link #toString()} reads {@code 203.0.113.0/24 from drop.txt line 12 (SBL123)}.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class NetworkMatch {

    private final String entry;
    private final String source;
    private final int line;
    private final String label;

    NetworkMatch(String entry, String source, int line, String label) {
        this.entry = Objects.requireNonNull(entry, "entry");
        this.source = Objects.requireNonNull(source, "source");
        this.line = line;
        this.label = label;
    }

    /** @return the matching entry in canonical CIDR form, e.g. {@code 203.0.113.0/24} */
    public String entry() {
        return entry;
    }

    /** @return where the entry came from: the file as given when loading, or the source given in code ({@code "code"} by default) */
    public String source() {
        return source;
    }

    /** @return the 1-based line of the entry in its file, empty for entries added in code */
    public OptionalInt line() {
        return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
    }

    /** @return the entry's label (Spamhaus SBL id, Postfix action, or the label given in code), if any */
    public Optional<String> label() {
        return Optional.ofNullable(label);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NetworkMatch)) {
            return false;
        }
        NetworkMatch m = (NetworkMatch) o;
        return entry.equals(m.entry) && source.equals(m.source) && line == m.line && Objects.equals(label, m.label);
    }

    @Override
    public int hashCode() {
        return Objects.hash(entry, source, line, label);
    }

    /** @return {@code <entry> from <source>[ line <n>][ (<label>)]} */
    @Override
    public String toString() {
        return entry + " from " + source + (line > 0 ? " line " + line : "") + (label != null ? " (" + label + ")" : "");
    }
}
