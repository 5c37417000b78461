package io.relaycontrol.core.auth;

import io.relaycontrol.api.address.EnvelopeAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which envelope senders each login owns: the table behind Postfix's {@code smtpd_sender_login_maps},
 * Haraka's {@code constrain_sender} and James's {@code verifyIdentity}, used by {@link SenderLoginRule}.
 *
 * <h2>File format</h2>
 * One login a line, then a colon, then the addresses and whole domains it owns, separated by commas and/or
 * white space:
 * <pre>
 * # comment lines start with '#'; blank lines are ignored
 * alice:            alice@example.com, @alice.example
 * bob@example.com:  bob@example.com, sales@example.com
 * </pre>
 * <ul>
 *   <li>{@code user@domain} owns exactly that address; {@code @domain} owns every address at exactly that
 *       domain (not its subdomains: list {@code @sub.domain} separately).</li>
 *   <li>The login is everything before the first colon, trimmed; it must not contain white space or commas.
 *       A login that is itself an address ({@code bob@example.com:}) is fine.</li>
 *   <li>A login given on several lines (or several times to {@link Builder#add}) <b>merges</b>: it owns the
 *       union of its entries. Merging grants nothing that the file does not spell out, and it lets long lists
 *       be split over lines; the file as a whole is the grant, so review it as a whole.</li>
 *   <li>Refused with an {@link IllegalArgumentException} naming the source and line: a line without a colon,
 *       an empty login, a login that owns nothing, an unreadable or routed address ({@code a%b@x},
 *       {@code @relay:a@x}), the null sender {@code <>} (nobody owns it; {@link SenderLoginRule} decides about
 *       bounces), and anything that looks like a wildcard ({@code *}, {@code @}, {@code *@domain},
 *       {@code @*.domain}): a login that may send as anyone is one of the failures this map exists to prevent.</li>
 *   <li>Only a line whose first non-blank character is {@code #} is a comment: {@code #} is a legal character in
 *       a local part, so it does not start a comment inside a line. Quoted local parts containing commas or
 *       spaces cannot be written in this format.</li>
 * </ul>
 *
 * <h2>Matching</h2>
 * Exact, on the canonical forms of {@link EnvelopeAddress} (domains lower-case A-labels without trailing dot;
 * local parts case-preserving unless {@link Builder#caseInsensitiveLocalParts(boolean)}); logins exact unless
 * {@link Builder#caseInsensitiveLogins(boolean)}. Nothing is matched by substring or suffix. The null sender,
 * routed senders and invalid senders are owned by nobody.
 *
 * <p>Instances are immutable and thread-safe; {@link #owns} is two hash lookups and allocates only when a
 * case-insensitive option is on.
 *
 * @since 0.1.0
 */
public final class SenderLoginMap {

    private static final SenderLoginMap.Owned NOTHING = new Owned(Map.of(), Set.of());

    private final Map<String, Owned> byLogin;
    private final boolean caseInsensitiveLogins;
    private final boolean caseInsensitiveLocalParts;

    private SenderLoginMap(Map<String, Owned> byLogin, boolean caseInsensitiveLogins,
            boolean caseInsensitiveLocalParts) {
        this.byLogin = byLogin;
        this.caseInsensitiveLogins = caseInsensitiveLogins;
        this.caseInsensitiveLocalParts = caseInsensitiveLocalParts;
    }

    /**
     * Reads a map file (UTF-8) in the format described above, with exact logins and case-preserving local parts.
     *
     * @param file the file
     * @return the map
     * @throws NullPointerException if {@code file} is null
     * @throws SenderLoginMapException if a line is malformed (the message names the file and line) or the file
     *     cannot be read (not found, not UTF-8, ...; line 0); before 0.2.0 the latter was an {@code UncheckedIOException}
     */
    public static SenderLoginMap load(Path file) {
        return builder().addFile(file).build();
    }

    /**
     * Parses lines in the format described above, with exact logins and case-preserving local parts.
     *
     * @param lines the lines, without line terminators
     * @param sourceName where they come from, used in error messages (e.g. a file name)
     * @return the map
     * @throws NullPointerException if an argument or a line is null
     * @throws SenderLoginMapException if a line is malformed; the message is {@code sourceName:line: problem}
     */
    public static SenderLoginMap parse(List<String> lines, String sourceName) {
        return builder().addLines(lines, sourceName).build();
    }

    /**
     * Starts a map with options; see {@link Builder}.
     *
     * @return a builder (not thread-safe)
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether {@code login} owns {@code sender}: the sender's canonical address is listed for the login, or its
     * canonical domain is listed as {@code @domain}. The null sender, routed senders and invalid senders are
     * owned by nobody, and an unknown login owns nothing.
     *
     * @param login the authenticated identity
     * @param sender the envelope sender
     * @return whether the login owns the sender
     * @throws NullPointerException if an argument is null
     */
    public boolean owns(String login, EnvelopeAddress sender) {
        Objects.requireNonNull(login, "login");
        Objects.requireNonNull(sender, "sender");
        if (!sender.isMailbox() || sender.isRouted()) {
            return false;
        }
        Owned owned = byLogin.get(caseInsensitiveLogins ? lower(login) : login);
        if (owned == null) {
            return false;
        }
        String domain = sender.domain();
        if (owned.domains.contains(domain)) {
            return true;
        }
        Set<String> locals = owned.localsByDomain.get(domain);
        return locals != null
                && locals.contains(caseInsensitiveLocalParts ? lower(sender.localPart()) : sender.localPart());
    }

    /** @return the number of logins in the map */
    public int size() {
        return byLogin.size();
    }

    /** @return {@code true} when no login is mapped, so that every authenticated sender would be refused */
    public boolean isEmpty() {
        return byLogin.isEmpty();
    }

    /** @return the logins, in their stored (normalised) form, sorted; unmodifiable */
    public Set<String> logins() {
        return Collections.unmodifiableSet(new TreeSet<>(byLogin.keySet()));
    }

    /**
     * What a login owns, for people: addresses as {@code local@domain}, domains as {@code @domain}, sorted.
     *
     * @param login the login
     * @return the entries; empty for an unknown login; unmodifiable
     * @throws NullPointerException if {@code login} is null
     */
    public Set<String> ownedBy(String login) {
        Objects.requireNonNull(login, "login");
        Owned owned = byLogin.getOrDefault(caseInsensitiveLogins ? lower(login) : login, NOTHING);
        Set<String> out = new TreeSet<>();
        owned.localsByDomain.forEach((domain, locals) -> locals.forEach(l -> out.add(l + "@" + domain)));
        for (String d : owned.domains) {
            out.add("@" + d);
        }
        return Collections.unmodifiableSet(out);
    }

    /** @return whether logins are compared case-insensitively */
    public boolean caseInsensitiveLogins() {
        return caseInsensitiveLogins;
    }

    /** @return whether local parts are compared case-insensitively */
    public boolean caseInsensitiveLocalParts() {
        return caseInsensitiveLocalParts;
    }

    @Override
    public String toString() {
        return "SenderLoginMap{" + byLogin.size() + " logins}";
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** What one login owns, in canonical form: local parts by domain (no string is built to look one up). */
    private static final class Owned {
        final Map<String, Set<String>> localsByDomain;
        final Set<String> domains;

        Owned(Map<String, Set<String>> localsByDomain, Set<String> domains) {
            this.localsByDomain = localsByDomain;
            this.domains = domains;
        }
    }

    /** One parsed entry: an address ({@code local@domain}) or a domain ({@code local == null}). */
    private static final class Entry {
        final String login;
        final String local;
        final String domain;

        Entry(String login, String local, String domain) {
            this.login = login;
            this.local = local;
            this.domain = domain;
        }
    }

    /**
     * Builds a {@link SenderLoginMap}. Options are set at most once; entries are validated as they are added
     * (so errors name their source and line at once) and normalised by {@link #build()}, which copies.
     * Not thread-safe.
     */
    public static final class Builder {
        private final List<Entry> entries = new ArrayList<>();
        private Boolean caseInsensitiveLogins;
        private Boolean caseInsensitiveLocalParts;

        private Builder() {
        }

        /**
         * Compare logins ignoring case ({@code Alice} and {@code alice} are one login, and their entries merge).
         * Default: exact.
         *
         * @param enabled whether to ignore case
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder caseInsensitiveLogins(boolean enabled) {
            if (caseInsensitiveLogins != null) {
                throw new IllegalStateException("caseInsensitiveLogins is already set to " + caseInsensitiveLogins);
            }
            caseInsensitiveLogins = enabled;
            return this;
        }

        /**
         * Compare local parts ignoring case ({@code Alice@example.com} is owned by an entry
         * {@code alice@example.com}). Default: case-preserving, as RFC 5321 says local parts are; domains are
         * always case-insensitive.
         *
         * @param enabled whether to ignore case
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder caseInsensitiveLocalParts(boolean enabled) {
            if (caseInsensitiveLocalParts != null) {
                throw new IllegalStateException(
                        "caseInsensitiveLocalParts is already set to " + caseInsensitiveLocalParts);
            }
            caseInsensitiveLocalParts = enabled;
            return this;
        }

        /**
         * Adds entries for one login; entries for a login already added merge with it.
         *
         * @param login the login
         * @param owned addresses ({@code alice@example.com}) and domains ({@code @alice.example}); at least one
         * @return this builder
         * @throws IllegalArgumentException if the login is blank or malformed, no entry is given, or an entry is
         *         refused (see the class description)
         */
        public Builder add(String login, String... owned) {
            Objects.requireNonNull(owned, "owned");
            String where = "add(" + login + ")";
            String l = checkLogin(Objects.requireNonNull(login, "login").strip(), where);
            if (owned.length == 0) {
                throw new IllegalArgumentException(where + ": login '" + l + "' owns no address");
            }
            for (String o : owned) {
                entries.add(parseEntry(l, Objects.requireNonNull(o, "owned entry").strip(), where));
            }
            return this;
        }

        /**
         * Adds the lines of a map in the format described on {@link SenderLoginMap}.
         *
         * @param lines the lines, without line terminators
         * @param sourceName where they come from, for error messages
         * @return this builder
         * @throws SenderLoginMapException if a line is malformed; the message is {@code sourceName:line: problem}
         */
        public Builder addLines(List<String> lines, String sourceName) {
            return addLines(lines, sourceName, null);
        }

        private Builder addLines(List<String> lines, String sourceName, Path file) {
            Objects.requireNonNull(lines, "lines");
            Objects.requireNonNull(sourceName, "sourceName");
            List<Entry> parsed = new ArrayList<>();
            int lineNo = 0;
            for (String raw : lines) {
                lineNo++;
                try {
                    parseLine(raw, sourceName, lineNo, parsed);
                } catch (SenderLoginMapException e) {
                    throw e;
                } catch (IllegalArgumentException e) {
                    throw new SenderLoginMapException(e.getMessage(), file, lineNo, e);
                }
            }
            entries.addAll(parsed);
            return this;
        }

        private static void parseLine(String raw, String sourceName, int lineNo, List<Entry> parsed) {
            String where = sourceName + ":" + lineNo;
            String line = Objects.requireNonNull(raw, where + ": line is null").strip();
            if (line.isEmpty() || line.charAt(0) == '#') {
                return;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(where + ": expected 'login: address, @domain, ...', was '"
                        + line + "'");
            }
            String login = checkLogin(line.substring(0, colon).strip(), where);
            String rest = line.substring(colon + 1).strip();
            int count = 0;
            for (String token : rest.split("[,\\s]+")) {
                if (!token.isEmpty()) {
                    parsed.add(parseEntry(login, token, where));
                    count++;
                }
            }
            if (count == 0) {
                throw new IllegalArgumentException(where + ": login '" + login + "' owns no address");
            }
        }

        /**
         * Adds the lines of a map file (UTF-8).
         *
         * @param file the file
         * @return this builder
         * @throws SenderLoginMapException if a line is malformed (the message names the file and line) or the file
         *     cannot be read (line 0; before 0.2.0 an {@code UncheckedIOException})
         */
        public Builder addFile(Path file) {
            Objects.requireNonNull(file, "file");
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new SenderLoginMapException("cannot read sender login map " + file + ": " + e, file, 0, e);
            }
            return addLines(lines, file.toString(), file);
        }

        /**
         * @return the map; an empty map is allowed here (it refuses every authenticated sender) and reported
         *         by {@link AuthChecks}
         */
        public SenderLoginMap build() {
            boolean ciLogins = Boolean.TRUE.equals(caseInsensitiveLogins);
            boolean ciLocal = Boolean.TRUE.equals(caseInsensitiveLocalParts);
            Map<String, Map<String, Set<String>>> addresses = new LinkedHashMap<>();
            Map<String, Set<String>> domains = new LinkedHashMap<>();
            for (Entry e : entries) {
                String login = ciLogins ? lower(e.login) : e.login;
                addresses.computeIfAbsent(login, k -> new LinkedHashMap<>());
                domains.computeIfAbsent(login, k -> new LinkedHashSet<>());
                if (e.local == null) {
                    domains.get(login).add(e.domain);
                } else {
                    addresses.get(login).computeIfAbsent(e.domain, k -> new LinkedHashSet<>())
                            .add(ciLocal ? lower(e.local) : e.local);
                }
            }
            Map<String, Owned> byLogin = new HashMap<>();
            for (String login : addresses.keySet()) {
                Map<String, Set<String>> byDomain = new HashMap<>();
                addresses.get(login).forEach((d, locals) -> byDomain.put(d, Set.copyOf(locals)));
                byLogin.put(login, new Owned(Map.copyOf(byDomain), Set.copyOf(domains.get(login))));
            }
            return new SenderLoginMap(Map.copyOf(byLogin), ciLogins, ciLocal);
        }

        private static String checkLogin(String login, String where) {
            if (login.isEmpty()) {
                throw new IllegalArgumentException(where + ": empty login");
            }
            for (int i = 0; i < login.length(); i++) {
                char c = login.charAt(i);
                if (Character.isWhitespace(c) || c == ',' || Character.isISOControl(c)) {
                    throw new IllegalArgumentException(where + ": login '" + login
                            + "' contains white space, a comma or a control character");
                }
            }
            return login;
        }

        private static Entry parseEntry(String login, String token, String where) {
            String bad = where + ": login '" + login + "': ";
            if (token.isEmpty()) {
                throw new IllegalArgumentException(bad + "empty entry");
            }
            if (token.equals("<>")) {
                throw new IllegalArgumentException(bad + "the null sender <> is owned by nobody and cannot be listed;"
                        + " SenderLoginRule decides about bounces");
            }
            if (token.equals("*") || token.equals("@") || token.startsWith("*@") || token.startsWith("@*")
                    || token.contains("@*")) {
                throw new IllegalArgumentException(bad + "'" + token + "' looks like a wildcard; wildcards are not"
                        + " supported (a login that may send as anyone defeats the map): list addresses or @domain");
            }
            if (token.charAt(0) == '@') {
                String domain = token.substring(1);
                if (domain.indexOf('@') >= 0) {
                    throw new IllegalArgumentException(bad + "'" + token + "' is not @domain: a second '@' (write"
                            + " @domain for a whole domain or local@domain for one address)");
                }
                if (domain.indexOf(':') >= 0 || domain.indexOf(',') >= 0) {
                    throw new IllegalArgumentException(bad + "'" + token + "' is not @domain: a stray '"
                            + (domain.indexOf(':') >= 0 ? ':' : ',') + "' (one 'login:' per line, entries"
                            + " separated by commas or spaces)");
                }
                EnvelopeAddress probe = EnvelopeAddress.parse("postmaster@" + domain);
                if (!probe.isMailbox() || probe.isRouted() || probe.domain().isEmpty()) {
                    throw new IllegalArgumentException(bad + "'" + token + "' is not @domain"
                            + probe.error().map(r -> ": " + r).orElse(""));
                }
                return new Entry(login, null, probe.domain());
            }
            EnvelopeAddress a = EnvelopeAddress.parse(token);
            if (a.isInvalid()) {
                throw new IllegalArgumentException(bad + "'" + token + "' is not an address: "
                        + a.error().orElse("invalid"));
            }
            if (!a.isMailbox()) {
                throw new IllegalArgumentException(bad + "'" + token + "' is not an address");
            }
            if (a.isRouted()) {
                throw new IllegalArgumentException(bad + "'" + token + "' is a routed address (source route, %, ! or"
                        + " @ in the local part); routed senders are owned by nobody");
            }
            return new Entry(login, a.localPart(), a.domain());
        }
    }
}
