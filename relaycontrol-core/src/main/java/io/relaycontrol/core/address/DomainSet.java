package io.relaycontrol.core.address;

import com.google.common.net.InternetDomainName;
import io.relaycontrol.api.address.DomainNames;
import java.io.IOException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable set of mail domains, such as the local domains or the relay domains of a policy. It carries
 * no verdict; the rule that uses it does.
 *
 * <h2>Entries</h2>
 * Two kinds, and no third:
 * <ul>
 * <li>{@code example.com} matches exactly that domain;</li>
 * <li>{@code .example.com} matches any proper subdomain of it ({@code a.example.com}, {@code a.b.example.com})
 *     but not {@code example.com} itself: list both to get both.</li>
 * </ul>
 * Address literals such as {@code [192.0.2.1]} or {@code [IPv6:2001:db8::1]} may be listed, written as
 * literals, and match exactly. Entries are canonicalised like {@link io.relaycontrol.api.address.EnvelopeAddress#domain()}
 * (lower case, trailing dot removed, IDN to A-labels, literals normalised) by {@link DomainNames}. Refused with
 * a reason: wildcards ({@code *.example.com}: write {@code .example.com}), bare IP addresses (write
 * {@code [192.0.2.1]}), addresses ({@code user@example.com}), empty labels, and anything
 * {@link DomainNames#canonicalize} refuses.
 *
 * <h2>Matching</h2>
 * On the canonical form, label by label: {@code notexample.com} and {@code example.com.evil.test} never match
 * {@code example.com} or {@code .example.com}. A query that is not canonical (upper case, trailing dot, U-labels)
 * is canonicalised first; an invalid query matches nothing.
 *
 * <h2>Cost</h2>
 * Membership is one hash table (exact entries under their domain, subdomain entries under their parent)
 * probed at the label boundaries of the query, all found by one right-to-left pass that also checks the query
 * is canonical; a canonical query allocates nothing, and neither does one that differs from it only in ASCII
 * letter case or a trailing dot. A query with an A-label ({@code xn--}) is canonicalised first (allocating), which
 * checks that the label is valid punycode: an invalid A-label matches nothing, like any invalid query. The cost
 * hardly depends on the number of entries (see {@code DomainSetBenchmark}).
 *
 * <h2>List files</h2>
 * {@link #load(Path)} and {@link #parse(List, String)} read one entry per line; blank lines are skipped; text
 * from {@code #} or {@code ;} to the end of the line is a comment; surrounding whitespace is ignored. Every
 * bad line is reported, with its line number, in one {@link DomainListException}. Duplicates are ignored
 * (the first occurrence is kept).
 *
 * <pre>{@code
 * DomainSet local = DomainSet.of("example.com", ".example.com");
 * local.contains("mail.example.com");          // true
 * local.contains("notexample.com");            // false
 * DomainSet relay = DomainSet.load(Path.of("/etc/relaycontrol/relay-domains"));
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe; {@link Builder}s are not. For a list that can be reloaded,
 * see {@link ReloadableDomainSet}.
 *
 * @since 0.1.0
 */
public final class DomainSet {

    private static final String CODE = "code";
    private static final DomainSet EMPTY = new Builder().name("empty").build();

    private final String name;
    private final String[] entries;
    private final String[] sources;
    private final int[] lines;
    /** Domain entries: exact ones under their domain, subdomain entries under their parent. */
    private final SuffixTable table;
    /** Address-literal entries ({@code [192.0.2.1]}), rare: matched exactly, case-sensitively. */
    private final Map<String, Integer> literals;

    private DomainSet(String name, String[] entries, String[] sources, int[] lines, SuffixTable table,
            Map<String, Integer> literals) {
        this.name = name;
        this.entries = entries;
        this.sources = sources;
        this.lines = lines;
        this.table = table;
        this.literals = literals;
    }

    /** @return the empty set, which contains nothing */
    public static DomainSet empty() {
        return EMPTY;
    }

    /**
     * A set from entries written in code.
     *
     * @param entries entries such as {@code example.com}, {@code .example.com}, {@code [192.0.2.1]}
     * @return the set, named "inline list"
     * @throws NullPointerException if an entry is null
     * @throws DomainListException listing every bad entry
     */
    public static DomainSet of(String... entries) {
        Builder b = builder().name("inline list");
        List<DomainListException.EntryError> errors = new ArrayList<>();
        for (int i = 0; i < entries.length; i++) {
            b.addCollecting(Objects.requireNonNull(entries[i], "entry " + i), CODE, 0, errors);
        }
        if (!errors.isEmpty()) {
            throw new DomainListException(errors);
        }
        return b.build();
    }

    /** @return a builder; builders are not thread-safe */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a list file (UTF-8; see the class comment for the format). The set is named after the file.
     *
     * @param file the list file
     * @return the set
     * @throws DomainListException naming the file and the line of every bad entry, or (line 0) saying why the file
     *     cannot be read or is not valid UTF-8; before 0.2.0 an unreadable file was a checked {@code IOException}
     */
    public static DomainSet load(Path file) {
        Objects.requireNonNull(file, "file");
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DomainListException(file, "cannot read " + file + ": no such file", e);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new DomainListException(file, "cannot read " + file + ": not valid UTF-8", e);
        } catch (IOException e) {
            throw new DomainListException(file, "cannot read " + file + ": " + e, e);
        }
        try {
            return parse(lines, file.toString());
        } catch (DomainListException e) {
            throw new DomainListException(file, e.errors());
        }
    }

    /**
     * Parses the lines of a list (see the class comment for the format).
     *
     * @param lines the lines, without line terminators
     * @param sourceName the name used in errors and matches, e.g. a file name; also the set's name
     * @return the set
     * @throws NullPointerException if an argument or a line is null
     * @throws DomainListException naming the source and the line of every bad entry
     */
    public static DomainSet parse(List<String> lines, String sourceName) {
        Objects.requireNonNull(lines, "lines");
        Objects.requireNonNull(sourceName, "sourceName");
        Builder b = builder().name(sourceName);
        List<DomainListException.EntryError> errors = new ArrayList<>();
        int lineNo = 0;
        for (String line : lines) {
            lineNo++;
            Objects.requireNonNull(line, "line " + lineNo);
            String s = line;
            if (lineNo == 1 && !s.isEmpty() && s.charAt(0) == '\uFEFF') {
                s = s.substring(1); // byte order mark
            }
            int comment = indexOfComment(s);
            if (comment >= 0) {
                s = s.substring(0, comment);
            }
            s = s.strip();
            if (s.isEmpty()) {
                continue;
            }
            if (containsWhitespace(s)) {
                errors.add(new DomainListException.EntryError(sourceName, lineNo, printable(s),
                        "one entry per line (found whitespace inside the entry)"));
                continue;
            }
            b.addCollecting(s, sourceName, lineNo, errors);
        }
        if (!errors.isEmpty()) {
            throw new DomainListException(errors);
        }
        return b.build();
    }

    private static int indexOfComment(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '#' || c == ';') {
                return i;
            }
        }
        return -1;
    }

    private static boolean containsWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Canonicalises one entry.
     *
     * @param entry an entry as written
     * @return the canonical entry, {@code .example.com} for a subdomain entry
     * @throws NullPointerException if {@code entry} is null
     * @throws IllegalArgumentException saying why the entry is refused
     */
    public static String canonicalEntry(String entry) {
        Objects.requireNonNull(entry, "entry");
        if (entry.isEmpty()) {
            throw new IllegalArgumentException("empty entry");
        }
        if (entry.startsWith("*.")) {
            throw new IllegalArgumentException("wildcard '" + printable(entry) + "' is not supported: write '"
                    + printable(entry.substring(1)) + "' to match subdomains (and '" + printable(entry.substring(2))
                    + "' for the domain itself)");
        }
        if (entry.indexOf('*') >= 0) {
            throw new IllegalArgumentException("wildcards are not supported; an entry is 'example.com' (exactly"
                    + " that domain) or '.example.com' (any subdomain)");
        }
        if (entry.indexOf('@') >= 0 && entry.charAt(0) != '[') {
            throw new IllegalArgumentException("an entry is a domain, not an address");
        }
        boolean subdomains = entry.charAt(0) == '.';
        String body = subdomains ? entry.substring(1) : entry;
        if (subdomains && (body.isEmpty() || body.charAt(0) == '.')) {
            throw new IllegalArgumentException("a subdomain entry is '.' followed by a domain, like '.example.com'");
        }
        if (subdomains && body.charAt(0) == '[') {
            throw new IllegalArgumentException("an address literal has no subdomains; list it as '" + printable(body)
                    + "'");
        }
        if (body.endsWith("..")) {
            throw new IllegalArgumentException("empty label ('..') in domain");
        }
        String canonical;
        try {
            canonical = DomainNames.canonicalize(body);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            int colon = m.indexOf("': ");
            throw new IllegalArgumentException(colon >= 0 ? m.substring(colon + 3) : m, e);
        }
        return subdomains ? "." + canonical : canonical;
    }

    /**
     * Whether the set contains {@code domain}: an exact entry equals it, or a subdomain entry {@code .parent}
     * names one of its proper parent domains. Address literals match only literal entries.
     *
     * @param domain a canonical domain as returned by {@link io.relaycontrol.api.address.EnvelopeAddress#domain()};
     *               other forms are canonicalised first, invalid ones match nothing
     * @return whether the set contains it
     * @throws NullPointerException if {@code domain} is null
     */
    public boolean contains(String domain) {
        return find(domain, false, false) >= 0;
    }

    /**
     * Like {@link #contains(String)} but says which entry matched and where it came from. When several entries
     * match, the most specific wins: an exact entry, else the longest parent.
     *
     * @param domain a domain, canonical or not
     * @return the match, or empty
     * @throws NullPointerException if {@code domain} is null
     */
    public Optional<DomainMatch> match(String domain) {
        Objects.requireNonNull(domain, "domain");
        int idx = find(domain, true, false);
        if (idx < 0) {
            return Optional.empty();
        }
        String entry = entries[idx];
        String canonical = isCanonicalQuery(domain) ? domain : canonicalOrNull(domain);
        return Optional.of(new DomainMatch(canonical == null ? domain : canonical, entry,
                entry.charAt(0) == '.' ? DomainMatch.Kind.SUBDOMAIN : DomainMatch.Kind.EXACT, sources[idx],
                lines[idx]));
    }

    /**
     * The entry index of the best match (with {@code best}; without it, of some match), or -1. The fast path is one
     * right-to-left pass over the query that checks it is a canonical ASCII domain up to letter case and one
     * trailing dot ({@link #isCanonicalQuery}'s rules), reading one {@link #QUERY_CLASS} entry per character (the
     * folded character and its class), hashes every suffix and probes the one table at the label boundaries whose
     * label count some key has; a probe compares the stored hash before the key, and the key without folding
     * where the region has no upper case. Anything else (U-labels, empty labels, a numeric top label, and A-labels
     * unless {@code aLabelsChecked}) is canonicalised first, allocating, which also checks the A-labels.
     */
    private int find(String q, boolean best, boolean aLabelsChecked) {
        int len = q.length(); // null: the NullPointerException the methods document, empty set or not
        if (len == 0 || entries.length == 0) {
            return -1; // an empty set (the standard policy's relay domains, often) matches nothing, valid or not
        }
        if (q.charAt(0) == '[') {
            return findLiteral(q);
        }
        int end = q.charAt(len - 1) == '.' ? len - 1 : len;
        if (end == 0 || end > DomainNames.MAX_DOMAIN_OCTETS) {
            return findSlow(q, best);
        }
        SuffixTable t = table;
        long parentLabels = t.parentLabels;
        int found = -1;
        int h = 0;
        int labels = 1;
        int labelEnd = end; // the end of the label being read
        int right = '.'; // the (folded) character right of the one being read, read just before it
        int seen = 0; // the classes of the characters read, or-ed (QUERY_CLASS flags), and A_LABEL
        for (int i = end - 1; i >= 0; i--) {
            char c = q.charAt(i);
            if (c >= QUERY_CLASS.length) {
                return findSlow(q, best);
            }
            int v = QUERY_CLASS[c];
            int f = v & 0x7F; // the character, ASCII upper case folded; 0 if not allowed in the fast path
            if (f == '.') {
                // the label [i + 1, labelEnd) is complete; the suffix [i + 1, end) has `labels` labels
                int l = labelEnd - i - 1;
                if (l == 0 || l > DomainNames.MAX_LABEL_OCTETS || right == '-' || q.charAt(labelEnd - 1) == '-'
                        || labels == 1 && (seen & LETTER_OR_HYPHEN) == 0) {
                    return findSlow(q, best);
                }
                if (l > 4 && right == 'x' && isALabelStart(q, i + 1)) {
                    seen |= A_LABEL;
                }
                if ((found < 0 || best) && ((parentLabels >>> Math.min(labels, 63)) & 1) != 0) {
                    int idx = t.findParent(q, i + 1, end, SuffixTable.mix(h), (seen & UPPER) != 0);
                    if (idx >= 0) {
                        found = idx;
                    }
                }
                labels++;
                labelEnd = i;
            } else if (f == 0) {
                return findSlow(q, best);
            }
            seen |= v; // LETTER_OR_HYPHEN is read only while every character read is in the top label
            h = 31 * h + f;
            right = f;
        }
        if (labelEnd == 0 || labelEnd > DomainNames.MAX_LABEL_OCTETS || right == '-'
                || q.charAt(labelEnd - 1) == '-' || labels == 1 && (seen & LETTER_OR_HYPHEN) == 0) {
            return findSlow(q, best);
        }
        if (!aLabelsChecked && ((seen & A_LABEL) != 0 || labelEnd > 4 && isALabelStart(q, 0))) {
            return findSlow(q, best); // an A-label (rare): canonicalisation checks it is valid punycode
        }
        if (found >= 0 && !best) {
            return found; // the query is canonical up to case: the exact entry would change nothing
        }
        if (((t.exactLabels >>> Math.min(labels, 63)) & 1) != 0) {
            int idx = t.findExact(q, 0, end, SuffixTable.mix(h), (seen & UPPER) != 0);
            if (idx >= 0) {
                return idx;
            }
        }
        return found;
    }

    /** An address literal ({@code [192.0.2.1]}): listed as it is, or in its canonical form. */
    private int findLiteral(String q) {
        Integer idx = literals.get(q);
        if (idx != null) {
            return idx;
        }
        String c = canonicalOrNull(q);
        if (c == null || c.equals(q)) {
            return -1;
        }
        idx = literals.get(c);
        return idx == null ? -1 : idx;
    }

    /** {@link #QUERY_CLASS} flag: an upper-case ASCII letter. */
    private static final int UPPER = 0x100;
    /** {@link #QUERY_CLASS} flag: a letter or a hyphen (a top label without one is numeric). */
    private static final int LETTER_OR_HYPHEN = 0x200;
    /** Not a class: set in {@link #find}'s {@code seen} when a label other than the first starts with xn--. */
    private static final int A_LABEL = 0x400;
    /**
     * Per ASCII character, for {@link #find}'s fast path: the character with upper case folded (low 7 bits; 0 for
     * a character the fast path does not take, sent to {@link #findSlow}), and the flags {@link #UPPER} and
     * {@link #LETTER_OR_HYPHEN}. One table read per character instead of a chain of range tests, and no branch on
     * letter case (mixed case would mispredict it).
     */
    private static final int[] QUERY_CLASS = new int[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            QUERY_CLASS[c] = c | LETTER_OR_HYPHEN;
            QUERY_CLASS[c - 32] = c | LETTER_OR_HYPHEN | UPPER;
        }
        for (char c = '0'; c <= '9'; c++) {
            QUERY_CLASS[c] = c;
        }
        QUERY_CLASS['-'] = '-' | LETTER_OR_HYPHEN;
        QUERY_CLASS['.'] = '.';
    }

    /** @return whether the label at {@code i} starts with {@code xn--}, in any case */
    private static boolean isALabelStart(String q, int i) {
        return (q.charAt(i) | 0x20) == 'x' && (q.charAt(i + 1) | 0x20) == 'n' && q.charAt(i + 2) == '-'
                && q.charAt(i + 3) == '-';
    }

    /**
     * Whether {@code q} is a canonical ASCII domain: {@code [a-z0-9-]} labels of 1..63 octets separated by
     * single dots, no leading or trailing dot or hyphen, at most 255 octets, a non-numeric top label. One pass,
     * no allocation. A-labels are taken as they are (they were checked when the domain was canonicalised).
     */
    static boolean isCanonicalQuery(String q) {
        int len = q.length();
        if (len == 0 || len > DomainNames.MAX_DOMAIN_OCTETS) {
            return false;
        }
        int labelStart = 0;
        boolean numeric = true;
        for (int i = 0; i <= len; i++) {
            char c = i < len ? q.charAt(i) : '.';
            if (c == '.') {
                int l = i - labelStart;
                if (l == 0 || l > DomainNames.MAX_LABEL_OCTETS || q.charAt(labelStart) == '-'
                        || q.charAt(i - 1) == '-') {
                    return false;
                }
                if (i < len) {
                    labelStart = i + 1;
                    numeric = true;
                }
            } else if (c >= 'a' && c <= 'z' || c == '-') {
                numeric = false;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        return !numeric;
    }

    /** Non-canonical query: canonicalise (allocating), then look up the canonical form. */
    private int findSlow(String q, boolean best) {
        String c = canonicalOrNull(q);
        if (c == null || c.charAt(0) == '[' || !isCanonicalQuery(c)) {
            return -1;
        }
        return find(c, best, true);
    }

    private static String canonicalOrNull(String q) {
        try {
            return DomainNames.canonicalize(q);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** @return the number of distinct entries */
    public int size() {
        return entries.length;
    }

    /** @return whether the set has no entry */
    public boolean isEmpty() {
        return entries.length == 0;
    }

    /** @return the canonical entries in the order they were added ({@code .example.com} for subdomain entries) */
    public List<String> entries() {
        return Collections.unmodifiableList(Arrays.asList(entries));
    }

    /** @return the set's name: the file or source name, "inline list", or one given to the builder */
    public String name() {
        return name;
    }

    /**
     * @param newName the name to show in descriptions
     * @return this set under another name (the tables are shared, nothing is copied)
     * @throws IllegalArgumentException if {@code newName} is blank
     */
    public DomainSet withName(String newName) {
        return new DomainSet(requireName(newName), entries, sources, lines, table, literals);
    }

    /**
     * Entries that name a public suffix ({@code com}, {@code co.uk}, {@code github.io}) or all subdomains of
     * one ({@code .com}), per Guava's {@link InternetDomainName#isPublicSuffix()}. Listing them as local or relay
     * domains is almost always a mistake that turns a relay open for a whole registry; a linter should flag them.
     *
     * @return the offending entries, in order; empty if none
     */
    public List<String> publicSuffixEntries() {
        List<String> out = new ArrayList<>();
        for (String e : entries) {
            if (e.charAt(0) == '[') {
                continue;
            }
            String d = e.charAt(0) == '.' ? e.substring(1) : e;
            if (isPublicSuffix(d) || isPublicSuffix(IDN.toUnicode(d, IDN.USE_STD3_ASCII_RULES))) {
                out.add(e);
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static boolean isPublicSuffix(String d) {
        return InternetDomainName.isValid(d) && InternetDomainName.from(d).isPublicSuffix();
    }

    /** @return e.g. {@code local-domains.txt (1200 entries)} */
    public String describe() {
        return name + " (" + entries.length + (entries.length == 1 ? " entry)" : " entries)");
    }

    @Override
    public String toString() {
        return "DomainSet{" + describe() + "}";
    }

    static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 100));
        for (int i = 0; i < s.length() && i < 100; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f && c <= 0x9f || Character.getType(c) == Character.FORMAT) {
                sb.append(String.format("\\u%04X", (int) c));
            } else {
                sb.append(c);
            }
        }
        return s.length() > 100 ? sb.append("...").toString() : sb.toString();
    }

    private static String requireName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("domain set name must not be blank");
        }
        return name;
    }

    /**
     * Builds a {@link DomainSet}. Not thread-safe. Each entry is checked when added; {@link #build()} copies,
     * so a built set never changes.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private String name = "inline list";
        private final Map<String, Integer> index = new HashMap<>();
        private final List<String> entries = new ArrayList<>();
        private final List<String> sources = new ArrayList<>();
        private final List<Integer> lines = new ArrayList<>();

        private Builder() {
        }

        /**
         * @param setName the name shown in descriptions, e.g. "local domains"
         * @return this builder
         * @throws IllegalArgumentException if blank
         */
        public Builder name(String setName) {
            this.name = requireName(setName);
            return this;
        }

        /**
         * Adds an entry written in code.
         *
         * @param entry {@code example.com}, {@code .example.com} or a literal such as {@code [192.0.2.1]}
         * @return this builder
         * @throws NullPointerException if {@code entry} is null
         * @throws DomainListException if the entry is refused, with the reason
         */
        public Builder add(String entry) {
            return add(entry, CODE, 0);
        }

        /**
         * Adds an entry with its origin.
         *
         * @param entry the entry
         * @param source where it came from, e.g. a file name
         * @param line its 1-based line, or 0
         * @return this builder
         * @throws DomainListException if the entry is refused, with source, line and reason
         */
        public Builder add(String entry, String source, int line) {
            Objects.requireNonNull(entry, "entry");
            Objects.requireNonNull(source, "source");
            if (line < 0) {
                throw new IllegalArgumentException("line must not be negative, was " + line);
            }
            List<DomainListException.EntryError> errors = new ArrayList<>(1);
            addCollecting(entry, source, line, errors);
            if (!errors.isEmpty()) {
                throw new DomainListException(errors);
            }
            return this;
        }

        /**
         * Adds entries written in code.
         *
         * @param more the entries
         * @return this builder
         * @throws DomainListException listing every refused entry (none of them is added)
         */
        public Builder addAll(Iterable<String> more) {
            List<DomainListException.EntryError> errors = new ArrayList<>();
            List<String> ok = new ArrayList<>();
            for (String e : more) {
                try {
                    canonicalEntry(Objects.requireNonNull(e, "entry"));
                    ok.add(e);
                } catch (IllegalArgumentException ex) {
                    errors.add(new DomainListException.EntryError(CODE, 0, printable(e), ex.getMessage()));
                }
            }
            if (!errors.isEmpty()) {
                throw new DomainListException(errors);
            }
            for (String e : ok) {
                add(e);
            }
            return this;
        }

        void addCollecting(String entry, String source, int line, List<DomainListException.EntryError> errors) {
            String c;
            try {
                c = canonicalEntry(entry);
            } catch (IllegalArgumentException e) {
                errors.add(new DomainListException.EntryError(source, line, printable(entry), e.getMessage()));
                return;
            }
            if (index.putIfAbsent(c, entries.size()) == null) {
                entries.add(c);
                sources.add(source);
                lines.add(line);
            }
        }

        /** @return the set; the builder may be reused, later additions do not affect it */
        public DomainSet build() {
            int n = entries.size();
            String[] es = entries.toArray(new String[0]);
            String[] src = sources.toArray(new String[0]);
            int[] ln = new int[n];
            Map<String, int[]> byKey = new HashMap<>(n * 2);
            List<String> keys = new ArrayList<>(n);
            Map<String, Integer> lits = new HashMap<>();
            for (int i = 0; i < n; i++) {
                ln[i] = lines.get(i);
                String e = es[i];
                if (e.charAt(0) == '[') {
                    lits.put(e, i);
                    continue;
                }
                boolean sub = e.charAt(0) == '.';
                String key = sub ? e.substring(1) : e;
                int[] v = byKey.get(key);
                if (v == null) {
                    v = new int[] {-1, -1};
                    byKey.put(key, v);
                    keys.add(key);
                }
                v[sub ? 1 : 0] = i;
            }
            int m = keys.size();
            String[] ks = keys.toArray(new String[0]);
            int[] exact = new int[m];
            int[] parent = new int[m];
            for (int k = 0; k < m; k++) {
                int[] v = byKey.get(ks[k]);
                exact[k] = v[0];
                parent[k] = v[1];
            }
            return new DomainSet(name, es, src, ln, new SuffixTable(ks, exact, parent, m),
                    lits.isEmpty() ? Map.of() : Map.copyOf(lits));
        }
    }
}
