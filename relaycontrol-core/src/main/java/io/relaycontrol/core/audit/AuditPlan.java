package io.relaycontrol.core.audit;

import io.relaycontrol.api.Stage;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.auth.SenderLoginMap;
import io.relaycontrol.core.config.StandardRelayPolicy;
import io.relaycontrol.core.net.NetworkSet;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What an audit asks: the probes, built from the policy's own domains, and the client contexts, built from its
 * networks and logins, with the {@linkplain #expectation expected answer} of each probe in each context.
 *
 * <p>The probes are:
 * <ul>
 * <li>the 16 tests of nmap's {@code smtp-open-relay.nse} (Arturo Busleiman, Duarte Silva; in the nmap sources
 *     as {@code scripts/smtp-open-relay.nse}): sender {@code antispam}, recipient {@code relaytest}, the
 *     foreign domain, the server's name and its IP literal combined as {@code <>}, {@code a@D}, {@code a@srv},
 *     {@code a@[ip]} senders and {@code r@D}, {@code r%D@[ip]}, {@code r%D@srv}, {@code "r@D"}, {@code "r%D"},
 *     {@code r@D@[ip]}, {@code "r@D"@[ip]}, {@code r@D@srv}, {@code @[ip]:r@D}, {@code @srv:r@D},
 *     {@code D!r}, {@code D!r@[ip]}, {@code D!r@srv} recipients. Metasploit's
 *     {@code modules/auxiliary/scanner/smtp/smtp_relay.rb} ({@code EXTENDED}, tests 1 to 16) repeats them and
 *     differs only in test 4, whose recipient is {@code r@[ip]} (probe {@code msf-4}); it also sends DATA,
 *     which the audit never does;</li>
 * <li>the MAPS relay test of {@code relay-test.mail-abuse.org}: its quote test ({@code "r@D"} from the
 *     server's own domain), senders {@code localhost}, unqualified, of the local domain, foreign to foreign,
 *     and a loopback literal;</li>
 * <li>relaycontrol's own, for each configured local and relay domain (at most {@link Builder#maxDomainSamples}
 *     of each): every routing trick at that domain ({@code %}, {@code !}, unquoted and quoted {@code @},
 *     quoted {@code %} and {@code !}, one- and two-hop source routes; the fullwidth {@code ％ ＠ ！}
 *     look-alikes are asked but not judged, since a server that keeps them as they are has only a local
 *     mailbox with an odd name), suffix confusion ({@code not<domain>}, {@code <domain>.<foreign>}, {@code evil.<domain>}
 *     when only the exact domain is listed), case, trailing dots, IDN homographs (a Cyrillic letter for a Latin
 *     one) and the ideographic full stop; IP literals of every kind (the server's own IPv4 as {@code [a]} and
 *     {@code [IPv6:::ffff:a]}, its IPv6 as {@code [IPv6:...]}, foreign ones of each form, a bare numeric
 *     domain); foreign case, trailing dot and IDN forms; legitimate recipients ({@code postmaster} at each
 *     domain, in upper case, and {@code <Postmaster>} and {@code <postmaster>} without a domain, which
 *     RFC 5321 section 4.5.1 requires a server to accept); and stage checks at CONNECT, HELO, MAIL (the
 *     context's sender and the null sender) and DATA.</li>
 * </ul>
 *
 * <p>The contexts: a stranger over IPv4 and one over IPv6 (documentation addresses outside the trusted and
 * blocked networks), a client inside each trusted network (at most {@link Builder#maxNetworkSamples}), an
 * authenticated user with TLS and one without, and a client of a blocked network.
 *
 * <p>Expectations: a foreign destination must be refused for strangers and blocked clients, and for an
 * authenticated client without TLS when the policy requires TLS; a client that may relay must get the plain
 * relay probe ({@code relay-plain}) through (its other foreign probes are not judged); legitimate recipients
 * and the stage checks must be accepted (for blocked clients nothing but refusing foreign mail is judged);
 * harmless forms are never judged.
 *
 * <p>Immutable and thread-safe; the builder is not.
 *
 * @since 0.2.0
 */
public final class AuditPlan {

    /** The local part of nmap's sender. */
    static final String FROM = "antispam";
    /** The local part of nmap's recipient. */
    static final String TO = "relaytest";

    private static final String[] STRANGERS_V4 = {"198.51.100.77", "203.0.113.77", "192.0.2.77", "100.64.7.77",
        "45.33.32.156"};
    private static final String[] STRANGERS_V6 = {"2001:db8:ffff::77", "3fff:ffff::77", "2001:db8:77::77"};

    private final Builder settings;
    private final List<AuditProbe> probes;
    private final List<AuditContext> contexts;

    private AuditPlan(Builder b) {
        this.settings = b;
        this.probes = List.copyOf(buildProbes(b));
        this.contexts = List.copyOf(buildContexts(b));
    }

    /** @return a builder (not thread-safe) */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The plan for a standard policy: its local and relay domains, trusted and blocked networks, the first login
     * of its sender-login map with an address it owns (or a made-up login and a local sender without a map),
     * and whether it requires TLS for authenticated relay.
     *
     * @param policy the policy
     * @return the plan
     * @throws NullPointerException if policy is null
     */
    public static AuditPlan from(StandardRelayPolicy policy) {
        return builderFrom(policy).build();
    }

    /**
     * A builder preset from a standard policy as in {@link #from(StandardRelayPolicy)}, to adjust further.
     *
     * @param policy the policy
     * @return the builder
     * @throws NullPointerException if policy is null
     */
    public static Builder builderFrom(StandardRelayPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        Builder b = builder().localDomains(policy.localDomains()).relayDomains(policy.relayDomains())
                .trustedNetworks(policy.trustedNetworks()).blockedNetworks(policy.blockedNetworks())
                .authRequiresTls(policy.requiresTlsForAuth());
        SenderLoginMap logins = policy.senderLogins();
        for (String login : new TreeSet<>(logins.logins())) {
            for (String owned : new TreeSet<>(logins.ownedBy(login))) {
                String sender = owned.startsWith("@") ? "audit" + owned : owned;
                if (sender.indexOf('@') > 0) {
                    return b.authenticatedUser(login, sender);
                }
            }
        }
        return b;
    }

    /** @return the probes, stage checks first; unmodifiable */
    public List<AuditProbe> probes() {
        return probes;
    }

    /** @return the client contexts; unmodifiable */
    public List<AuditContext> contexts() {
        return contexts;
    }

    /** @return the foreign domain the probes try to reach */
    public String foreignDomain() {
        return settings.foreignDomain;
    }

    /** @return the server name used in the probes ({@code srv} in nmap's forms) */
    public String serverName() {
        return settings.serverName();
    }

    /**
     * A plan for the same settings with another server name and addresses (the network audit uses the name in
     * the server's banner and the address it connected to).
     *
     * @param name the server's name
     * @param addresses its addresses
     * @return the new plan
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if addresses is empty or the name is not a domain
     */
    public AuditPlan forServer(String name, List<InetAddress> addresses) {
        Builder b = settings.copy();
        b.serverName(name);
        b.serverAddresses(addresses);
        return b.build();
    }

    /**
     * The expected answer to a probe in a context (see the class comment).
     *
     * @param probe the probe
     * @param context the context
     * @return the expectation
     * @throws NullPointerException if an argument is null
     */
    public static Expectation expectation(AuditProbe probe, AuditContext context) {
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(context, "context");
        if (context.kind() == AuditContext.Kind.BLOCKED) {
            return probe.destination() == Destination.FOREIGN ? Expectation.REFUSE : Expectation.EITHER;
        }
        switch (probe.destination()) {
            case NONE:
                // an authenticated submission client has no business sending bounces: not judged
                return probe.stage() == Stage.MAIL && probe.sender().isPresent()
                        && context.kind() == AuditContext.Kind.AUTHENTICATED ? Expectation.EITHER : Expectation.ACCEPT;
            case LOCAL:
                return Expectation.ACCEPT;
            case HARMLESS:
                return Expectation.EITHER;
            default:
                if (!context.mayRelay()) {
                    return Expectation.REFUSE;
                }
                return probe.baseline() ? Expectation.ACCEPT : Expectation.EITHER;
        }
    }

    // ---------------------------------------------------------------- probes

    private static List<AuditProbe> buildProbes(Builder b) {
        Probes p = new Probes();
        String d = b.foreignDomain;
        String srv = b.serverName();
        String ip = literal(b.serverAddresses.get(0));
        String ipBare = ip.substring(1, ip.length() - 1);

        p.stage("stage-connect", Stage.CONNECT, Optional.empty(), "a client may connect");
        p.stage("stage-helo", Stage.HELO, Optional.empty(), "a client may say EHLO");
        p.stage("stage-mail", Stage.MAIL, Optional.empty(), "MAIL FROM with the client's own sender");
        p.stage("stage-mail-null", Stage.MAIL, Optional.of(""), "MAIL FROM:<> (bounces must be accepted)");
        p.stage("stage-data", Stage.DATA, Optional.empty(), "DATA after an accepted recipient");

        p.rcpt("relay-plain", Origin.RELAYCONTROL, "plain relay with the client's own sender", null,
                TO + "@" + d, Destination.FOREIGN, true);

        // nmap smtp-open-relay.nse, tests 1 to 16 (Metasploit smtp_relay EXTENDED 1 to 16 are the same but 4)
        String fromIp = FROM + "@" + ip;
        String[][] nmap = {
            {"", TO + "@" + d, "null sender to a foreign domain"},
            {FROM + "@" + d, TO + "@" + d, "foreign sender to a foreign domain"},
            {FROM + "@" + srv, TO + "@" + d, "the server's own domain as sender"},
            {fromIp, TO + "@" + d, "the server's IP literal as sender"},
            {fromIp, TO + "%" + d + "@" + ip, "percent hack at the server's IP literal"},
            {fromIp, TO + "%" + d + "@" + srv, "percent hack at the server's name"},
            {fromIp, "\"" + TO + "@" + d + "\"", "quoted address without a domain"},
            {fromIp, "\"" + TO + "%" + d + "\"", "quoted percent hack without a domain"},
            {fromIp, TO + "@" + d + "@" + ip, "double @ at the server's IP literal"},
            {fromIp, "\"" + TO + "@" + d + "\"@" + ip, "quoted @ at the server's IP literal"},
            {fromIp, TO + "@" + d + "@" + srv, "double @ at the server's name"},
            {fromIp, "@" + ip + ":" + TO + "@" + d, "source route through the server's IP literal"},
            {fromIp, "@" + srv + ":" + TO + "@" + d, "source route through the server's name"},
            {fromIp, d + "!" + TO, "bang path without a domain"},
            {fromIp, d + "!" + TO + "@" + ip, "bang path at the server's IP literal"},
            {fromIp, d + "!" + TO + "@" + srv, "bang path at the server's name"},
        };
        for (int i = 0; i < nmap.length; i++) {
            p.rcpt("nmap-" + (i + 1), Origin.NMAP, "nmap test " + (i + 1) + ": " + nmap[i][2], nmap[i][0],
                    nmap[i][1], Destination.FOREIGN, false);
        }
        p.rcpt("msf-4", Origin.METASPLOIT, "Metasploit test 4: the server's own IP literal as recipient", fromIp,
                TO + "@" + ip, Destination.HARMLESS, false);

        // the MAPS relay test (relay-test.mail-abuse.org)
        String local0 = b.localHosts().isEmpty() ? srv : b.localHosts().get(0);
        p.rcpt("maps-quote", Origin.MAPS, "MAPS quote test: quoted foreign address from the server's domain",
                FROM + "@" + srv, "\"" + TO + "@" + d + "\"", Destination.FOREIGN, false);
        p.rcpt("maps-foreign", Origin.MAPS, "MAPS test 1: the foreign recipient as its own sender", TO + "@" + d,
                TO + "@" + d, Destination.FOREIGN, false);
        p.rcpt("maps-localhost", Origin.MAPS, "MAPS: sender at localhost", FROM + "@localhost", TO + "@" + d,
                Destination.FOREIGN, false);
        p.rcpt("maps-unqualified", Origin.MAPS, "MAPS: unqualified sender", FROM, TO + "@" + d,
                Destination.FOREIGN, false);
        p.rcpt("maps-local-sender", Origin.MAPS, "MAPS: sender of the local domain", FROM + "@" + local0,
                TO + "@" + d, Destination.FOREIGN, false);
        p.rcpt("maps-loopback", Origin.MAPS, "MAPS: loopback literal as sender", FROM + "@[127.0.0.1]",
                TO + "@" + d, Destination.FOREIGN, false);

        // legitimate local recipients
        p.rcpt("postmaster", Origin.RELAYCONTROL, "<Postmaster> without a domain (RFC 5321 4.5.1)", null,
                "Postmaster", Destination.LOCAL, false);
        p.rcpt("postmaster-lower", Origin.RELAYCONTROL, "<postmaster> without a domain (RFC 5321 4.5.1)", null,
                "postmaster", Destination.LOCAL, false);

        for (String entry : b.sampled(b.localDomains)) {
            domainProbes(p, "local", entry, b.localDomains, ip, d);
        }
        for (String entry : b.sampled(b.relayDomains)) {
            domainProbes(p, "relay", entry, b.relayDomains, ip, d);
        }

        // literals of every kind
        for (InetAddress own : b.serverAddresses) {
            String lit = literal(own);
            p.rcpt("own-literal:" + lit, Origin.RELAYCONTROL, "the server's own address literal", null,
                    TO + "@" + lit, Destination.HARMLESS, false);
            if (own instanceof Inet4Address) {
                String mapped = "[IPv6:::ffff:" + own.getHostAddress() + "]";
                p.rcpt("own-literal:" + mapped, Origin.RELAYCONTROL, "the server's IPv4 as IPv4-mapped IPv6", null,
                        TO + "@" + mapped, Destination.HARMLESS, false);
                p.rcpt("percent-own-mapped", Origin.RELAYCONTROL, "percent hack at the IPv4-mapped literal", null,
                        TO + "%" + d + "@" + mapped, Destination.FOREIGN, false);
            }
        }
        p.rcpt("foreign-literal-v4", Origin.RELAYCONTROL, "a foreign IPv4 literal", null, TO + "@[45.33.32.156]",
                Destination.FOREIGN, false);
        p.rcpt("foreign-literal-v6", Origin.RELAYCONTROL, "a foreign IPv6 literal", null,
                TO + "@[IPv6:2001:db8:ffff::25]", Destination.FOREIGN, false);
        p.rcpt("foreign-literal-mapped", Origin.RELAYCONTROL, "a foreign IPv4-mapped IPv6 literal", null,
                TO + "@[IPv6:::ffff:45.33.32.156]", Destination.FOREIGN, false);
        p.rcpt("foreign-bare-ip", Origin.RELAYCONTROL, "a bare numeric domain", null, TO + "@45.33.32.156",
                Destination.FOREIGN, false);
        p.rcpt("foreign-literal-route", Origin.RELAYCONTROL, "source route through our literal to a foreign literal",
                null, "@" + ip + ":" + TO + "@[45.33.32.156]", Destination.FOREIGN, false);
        p.rcpt("percent-bare-ip", Origin.RELAYCONTROL, "percent hack at the bare server address", null,
                TO + "%" + d + "@" + ipBare, Destination.FOREIGN, false);

        // the foreign domain in other spellings
        p.rcpt("foreign-upper", Origin.RELAYCONTROL, "foreign domain in upper case", null,
                TO.toUpperCase(Locale.ROOT) + "@" + d.toUpperCase(Locale.ROOT), Destination.FOREIGN, false);
        p.rcpt("foreign-trailing-dot", Origin.RELAYCONTROL, "foreign domain with a trailing dot", null,
                TO + "@" + d + ".", Destination.FOREIGN, false);
        p.rcpt("foreign-idn", Origin.RELAYCONTROL, "foreign IDN domain (U-label)", null,
                TO + "@b\u00fccher." + d, Destination.FOREIGN, false);
        p.rcpt("foreign-idn-alabel", Origin.RELAYCONTROL, "foreign IDN domain (A-label)", null,
                TO + "@xn--bcher-kva." + d, Destination.FOREIGN, false);
        p.rcpt("foreign-ideographic-dot", Origin.RELAYCONTROL, "foreign domain with ideographic full stops", null,
                TO + "@" + d.replace('.', '\u3002'), Destination.FOREIGN, false);
        p.rcpt("localhost", Origin.RELAYCONTROL, "recipient at localhost", null, TO + "@localhost",
                Destination.HARMLESS, false);
        return p.list();
    }

    private static void domainProbes(Probes p, String kind, String entry, DomainSet set, String ip, String d) {
        String host = host(entry);
        String base = entry.startsWith(".") ? entry.substring(1) : entry;
        String at = "@" + host;
        String upper = host.toUpperCase(Locale.ROOT);
        p.rcpt("postmaster@" + host, Origin.RELAYCONTROL, "postmaster of a " + kind + " domain", null,
                "postmaster" + at, Destination.LOCAL, false);
        p.rcpt("case@" + host, Origin.RELAYCONTROL, "a " + kind + " domain in upper case", null,
                "Postmaster@" + upper, Destination.LOCAL, false);
        p.rcpt("trailing-dot@" + host, Origin.RELAYCONTROL, "a " + kind + " domain with a trailing dot", null,
                "postmaster" + at + ".", Destination.HARMLESS, false);
        String[][] routing = {
            {"percent", TO + "%" + d + at, "percent hack"},
            {"percent-upper", TO + "%" + d.toUpperCase(Locale.ROOT) + "@" + upper, "percent hack in upper case"},
            {"percent-trailing-dot", TO + "%" + d + "." + at + ".", "percent hack with trailing dots"},
            {"bang", d + "!" + TO + at, "UUCP bang path"},
            {"double-at", TO + "@" + d + at, "unquoted @ in the local part"},
            {"quoted-at", "\"" + TO + "@" + d + "\"" + at, "quoted @ in the local part"},
            {"quoted-percent", "\"" + TO + "%" + d + "\"" + at, "quoted percent hack"},
            {"quoted-bang", "\"" + d + "!" + TO + "\"" + at, "quoted bang path"},
            {"route", "@" + host + ":" + TO + "@" + d, "source route through the domain"},
            {"route-2", "@" + host + ",@" + ip + ":" + TO + "@" + d, "two-hop source route"},
            {"percent-literal-then-domain", TO + "%" + d + "%" + ip + at, "chained percent hack"},
        };
        for (String[] r : routing) {
            p.rcpt(r[0] + at, Origin.RELAYCONTROL, r[2] + " at a " + kind + " domain", null, r[1],
                    Destination.FOREIGN, false);
        }
        // Fullwidth look-alikes of % @ !: a server that reads them as what they look like (NFKC) relays; one
        // that keeps them has a local mailbox with an odd name (Postfix accepts it as local). Not judged.
        String[][] fullwidth = {
            {"fullwidth-percent", TO + "\uff05" + d + at, "fullwidth percent sign look-alike"},
            {"fullwidth-at", TO + "\uff20" + d + at, "fullwidth commercial at look-alike"},
            {"fullwidth-bang", d + "\uff01" + TO + at, "fullwidth exclamation mark look-alike"},
        };
        for (String[] r : fullwidth) {
            p.rcpt(r[0] + at, Origin.RELAYCONTROL, r[2] + " at a " + kind + " domain (a relay only where it is"
                    + " normalised to the ASCII sign)", null, r[1], Destination.HARMLESS, false);
        }
        // suffix confusion, built from the listed domain itself (host is that domain or a subdomain of it)
        p.rcpt("not-prefix@" + base, Origin.RELAYCONTROL, "suffix confusion: not" + base, null,
                TO + "@not" + base, Destination.FOREIGN, false);
        p.rcpt("dash-prefix@" + base, Origin.RELAYCONTROL, "suffix confusion: evil-" + base, null,
                TO + "@evil-" + base, Destination.FOREIGN, false);
        p.rcpt("as-prefix@" + base, Origin.RELAYCONTROL, "suffix confusion: " + base + "." + d, null,
                TO + "@" + base + "." + d, Destination.FOREIGN, false);
        p.rcpt("as-prefix-dot@" + base, Origin.RELAYCONTROL, "suffix confusion with a trailing dot", null,
                TO + "@" + base + "." + d + ".", Destination.FOREIGN, false);
        if (!set.contains("evil." + base)) {
            p.rcpt("subdomain@" + base, Origin.RELAYCONTROL, "an unlisted subdomain: evil." + base, null,
                    TO + "@evil." + base, Destination.FOREIGN, false);
        }
        if (!set.contains(base)) {
            p.rcpt("parent@" + base, Origin.RELAYCONTROL, "the parent of a subdomain entry", null, TO + "@" + base,
                    Destination.HARMLESS, false);
        }
        String homograph = homograph(base);
        if (homograph != null) {
            p.rcpt("homograph@" + base, Origin.RELAYCONTROL, "IDN homograph (Cyrillic letter): " + homograph, null,
                    TO + "@" + homograph, Destination.FOREIGN, false);
        }
        if (base.indexOf('.') > 0) {
            p.rcpt("ideographic-dot@" + host, Origin.RELAYCONTROL, "ideographic full stops (IDNA maps them to dots)",
                    null, "postmaster@" + host.replace('.', '\u3002'), Destination.HARMLESS, false);
        }
        if (host.contains("xn--")) {
            String unicode = java.net.IDN.toUnicode(host, java.net.IDN.ALLOW_UNASSIGNED);
            p.rcpt("u-label@" + host, Origin.RELAYCONTROL, "the domain as U-labels", null, "postmaster@" + unicode,
                    Destination.HARMLESS, false);
        }
    }

    /** One host per entry: the domain itself, or {@code mail.} plus it for a subdomain entry. */
    private static String host(String entry) {
        return entry.startsWith(".") ? "mail" + entry : entry;
    }

    /** Replaces the first Latin a, e, o, c or p of the first label by its Cyrillic look-alike, or null. */
    private static String homograph(String domain) {
        int dot = domain.indexOf('.');
        int end = dot < 0 ? domain.length() : dot;
        String latin = "aeocp";
        String cyrillic = "\u0430\u0435\u043e\u0441\u0440";
        for (int i = 0; i < end; i++) {
            int k = latin.indexOf(domain.charAt(i));
            if (k >= 0) {
                return domain.substring(0, i) + cyrillic.charAt(k) + domain.substring(i + 1);
            }
        }
        return null;
    }

    /**
     * Collects probes, dropping a later probe whose envelope repeats an earlier one's; a repeated id (two entries
     * with the same base domain) gets a {@code #n} suffix.
     */
    private static final class Probes {
        private final Map<String, AuditProbe> byEnvelope = new LinkedHashMap<>();
        private final java.util.Set<String> ids = new java.util.HashSet<>();

        void stage(String id, Stage stage, Optional<String> sender, String description) {
            add(new AuditProbe(id, Origin.RELAYCONTROL, description, stage, sender, "", Destination.NONE, false));
        }

        void rcpt(String id, Origin origin, String description, String sender, String recipient,
                Destination destination, boolean baseline) {
            add(new AuditProbe(id, origin, description, Stage.RCPT, Optional.ofNullable(sender), recipient,
                    destination, baseline));
        }

        private void add(AuditProbe probe) {
            String key = probe.stage() + " " + probe.sender().orElse("\u0000ctx") + " " + probe.recipient()
                    + (probe.baseline() ? " baseline" : "");
            if (byEnvelope.containsKey(key)) {
                return;
            }
            String id = probe.id();
            for (int n = 2; !ids.add(id); n++) {
                id = probe.id() + " #" + n;
            }
            if (!id.equals(probe.id())) {
                probe = new AuditProbe(id, probe.origin(), probe.description(), probe.stage(), probe.sender(),
                        probe.recipient(), probe.destination(), probe.baseline());
            }
            byEnvelope.put(key, probe);
        }

        List<AuditProbe> list() {
            return new ArrayList<>(byEnvelope.values());
        }
    }

    // ---------------------------------------------------------------- contexts

    private static List<AuditContext> buildContexts(Builder b) {
        List<AuditContext> out = new ArrayList<>();
        String d = b.foreignDomain;
        String strangerSender = "audit@" + d;
        InetAddress v4 = stranger(b, STRANGERS_V4);
        InetAddress v6 = stranger(b, STRANGERS_V6);
        out.add(new AuditContext("stranger " + v4.getHostAddress(), AuditContext.Kind.STRANGER, v4,
                Optional.empty(), false, strangerSender, "client." + d, false));
        out.add(new AuditContext("stranger " + v6.getHostAddress(), AuditContext.Kind.STRANGER, v6,
                Optional.empty(), false, strangerSender, "client6." + d, false));
        String localSender = "audit@" + (b.localHosts().isEmpty() ? b.serverName() : b.localHosts().get(0));
        int n = 0;
        for (String entry : b.trustedNetworks.entries()) {
            if (n >= b.maxNetworkSamples) {
                break;
            }
            if (entry.startsWith("!")) {
                continue;
            }
            InetAddress inside = sample(entry, b.trustedNetworks);
            if (inside != null && !b.blockedNetworks.contains(inside)) {
                out.add(new AuditContext("trusted " + inside.getHostAddress() + " (in " + entry + ")",
                        AuditContext.Kind.TRUSTED, inside, Optional.empty(), false, localSender,
                        "host." + (b.localHosts().isEmpty() ? b.serverName() : b.localHosts().get(0)), true));
                n++;
            }
        }
        if (b.login != null) {
            out.add(new AuditContext("authenticated " + b.login + " with TLS", AuditContext.Kind.AUTHENTICATED, v4,
                    Optional.of(b.login), true, b.loginSender, "laptop." + d, true));
            out.add(new AuditContext("authenticated " + b.login + " without TLS", AuditContext.Kind.AUTHENTICATED,
                    v4, Optional.of(b.login), false, b.loginSender, "laptop." + d, !b.authRequiresTls));
        }
        n = 0;
        for (String entry : b.blockedNetworks.entries()) {
            if (n >= 1) {
                break;
            }
            if (entry.startsWith("!")) {
                continue;
            }
            InetAddress inside = sample(entry, b.blockedNetworks);
            if (inside != null) {
                out.add(new AuditContext("blocked " + inside.getHostAddress() + " (in " + entry + ")",
                        AuditContext.Kind.BLOCKED, inside, Optional.empty(), false, strangerSender, "client." + d,
                        false));
                n++;
            }
        }
        return out;
    }

    /** A documentation address outside the trusted and blocked networks; the first non-blocked one if none is. */
    private static InetAddress stranger(Builder b, String[] candidates) {
        InetAddress fallback = null;
        for (String c : candidates) {
            InetAddress a = parseLiteral(c);
            if (b.blockedNetworks.contains(a)) {
                continue;
            }
            if (!b.trustedNetworks.contains(a)) {
                return a;
            }
            if (fallback == null) {
                fallback = a;
            }
        }
        // every candidate is trusted: the policy trusts (nearly) everyone, and the audit must show it
        return fallback != null ? fallback : parseLiteral(candidates[0]);
    }

    /**
     * An address inside the CIDR entry that the set really contains (exceptions may remove some): the first host,
     * the network address, the first host of the upper half, the last but one; or null.
     */
    private static InetAddress sample(String cidr, NetworkSet set) {
        int slash = cidr.indexOf('/');
        byte[] base = parseLiteral(slash < 0 ? cidr : cidr.substring(0, slash)).getAddress();
        int bits = base.length * 8;
        int prefix = slash < 0 ? bits : Integer.parseInt(cidr.substring(slash + 1));
        BigInteger network = new BigInteger(1, base);
        BigInteger size = BigInteger.ONE.shiftLeft(bits - prefix);
        BigInteger[] offsets = {BigInteger.ONE, BigInteger.ZERO, size.shiftRight(1).add(BigInteger.ONE),
            size.subtract(BigInteger.TWO)};
        for (BigInteger off : offsets) {
            if (off.signum() < 0 || off.compareTo(size) >= 0) {
                continue;
            }
            byte[] raw = network.add(off).toByteArray();
            byte[] a = new byte[base.length];
            int n = Math.min(raw.length, a.length);
            System.arraycopy(raw, raw.length - n, a, a.length - n, n);
            try {
                InetAddress addr = InetAddress.getByAddress(a);
                if (set.contains(addr)) {
                    return addr;
                }
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
        return null;
    }

    private static InetAddress parseLiteral(String ip) {
        try {
            // only literals reach here (documentation constants or canonical CIDR entries): no DNS lookup
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + ip, e);
        }
    }

    /** @return the SMTP address literal of an address: {@code [192.0.2.1]} or {@code [IPv6:2001:db8::1]} */
    static String literal(InetAddress a) {
        if (a instanceof Inet6Address) {
            String s = a.getHostAddress();
            int zone = s.indexOf('%');
            return "[IPv6:" + (zone < 0 ? s : s.substring(0, zone)) + "]";
        }
        return "[" + a.getHostAddress() + "]";
    }

    /**
     * Builds an {@link AuditPlan}. Each option may be set again (the last value wins); {@link #build()} copies.
     * Not thread-safe.
     *
     * @since 0.2.0
     */
    public static final class Builder {
        private DomainSet localDomains = DomainSet.empty();
        private DomainSet relayDomains = DomainSet.empty();
        private NetworkSet trustedNetworks = NetworkSet.empty();
        private NetworkSet blockedNetworks = NetworkSet.empty();
        private String login;
        private String loginSender;
        private boolean authRequiresTls = true;
        private String serverName;
        private List<InetAddress> serverAddresses = List.of(parseLiteral("127.0.0.1"), parseLiteral("::1"));
        private String foreignDomain = "relay-audit.example";
        private int maxDomainSamples = 8;
        private int maxNetworkSamples = 8;

        private Builder() {
        }

        Builder copy() {
            Builder c = new Builder();
            c.localDomains = localDomains;
            c.relayDomains = relayDomains;
            c.trustedNetworks = trustedNetworks;
            c.blockedNetworks = blockedNetworks;
            c.login = login;
            c.loginSender = loginSender;
            c.authRequiresTls = authRequiresTls;
            c.serverName = serverName;
            c.serverAddresses = serverAddresses;
            c.foreignDomain = foreignDomain;
            c.maxDomainSamples = maxDomainSamples;
            c.maxNetworkSamples = maxNetworkSamples;
            return c;
        }

        /**
         * @param domains the local domains (mail for them is accepted from anyone)
         * @return this builder
         * @throws NullPointerException if domains is null
         */
        public Builder localDomains(DomainSet domains) {
            this.localDomains = Objects.requireNonNull(domains, "domains");
            return this;
        }

        /**
         * @param domains the relay domains (accepted from anyone and passed on, like a backup MX)
         * @return this builder
         * @throws NullPointerException if domains is null
         */
        public Builder relayDomains(DomainSet domains) {
            this.relayDomains = Objects.requireNonNull(domains, "domains");
            return this;
        }

        /**
         * @param networks the networks whose clients may relay; one context per entry is asked
         * @return this builder
         * @throws NullPointerException if networks is null
         */
        public Builder trustedNetworks(NetworkSet networks) {
            this.trustedNetworks = Objects.requireNonNull(networks, "networks");
            return this;
        }

        /**
         * @param networks the networks whose clients are refused; one context from the first entry is asked
         * @return this builder
         * @throws NullPointerException if networks is null
         */
        public Builder blockedNetworks(NetworkSet networks) {
            this.blockedNetworks = Objects.requireNonNull(networks, "networks");
            return this;
        }

        /**
         * Adds the authenticated contexts (with and without TLS) for this login.
         *
         * @param login the login
         * @param sender an envelope sender the login may use, e.g. {@code alice@example.com}
         * @return this builder
         * @throws NullPointerException if an argument is null
         * @throws IllegalArgumentException if the login is blank or the sender has no {@code @}
         */
        public Builder authenticatedUser(String login, String sender) {
            Objects.requireNonNull(login, "login");
            Objects.requireNonNull(sender, "sender");
            if (login.isBlank()) {
                throw new IllegalArgumentException("login must not be blank");
            }
            if (sender.indexOf('@') <= 0) {
                throw new IllegalArgumentException("sender must be an address like user@domain: '" + sender + "'");
            }
            this.login = login;
            this.loginSender = sender;
            return this;
        }

        /**
         * @param required whether a correct policy lets authenticated clients relay only over TLS (default true)
         * @return this builder
         */
        public Builder authRequiresTls(boolean required) {
            this.authRequiresTls = required;
            return this;
        }

        /**
         * @param name the server's host name ({@code srv} in nmap's forms); default the first local domain
         * @return this builder
         * @throws NullPointerException if name is null
         * @throws IllegalArgumentException if name is blank or contains characters a domain cannot
         */
        public Builder serverName(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank() || !name.matches("[A-Za-z0-9.-]+")) {
                throw new IllegalArgumentException("server name must be a host name: '" + name + "'");
            }
            this.serverName = name.toLowerCase(Locale.ROOT);
            return this;
        }

        /**
         * @param addresses the server's own addresses ({@code ip} in nmap's forms); default 127.0.0.1 and ::1
         * @return this builder
         * @throws NullPointerException if addresses or an element is null
         * @throws IllegalArgumentException if addresses is empty
         */
        public Builder serverAddresses(List<InetAddress> addresses) {
            List<InetAddress> copy = List.copyOf(addresses);
            if (copy.isEmpty()) {
                throw new IllegalArgumentException("at least one server address is needed");
            }
            this.serverAddresses = copy;
            return this;
        }

        /**
         * @param domain the foreign domain probes try to reach (default {@code relay-audit.example}); it must be
         *     in neither the local nor the relay domains
         * @return this builder
         * @throws NullPointerException if domain is null
         * @throws IllegalArgumentException if it is not a plain lower-case ASCII domain with a dot
         */
        public Builder foreignDomain(String domain) {
            Objects.requireNonNull(domain, "domain");
            if (!domain.matches("[a-z0-9-]+(\\.[a-z0-9-]+)+")) {
                throw new IllegalArgumentException("foreign domain must be like relay-audit.example: '" + domain + "'");
            }
            this.foreignDomain = domain;
            return this;
        }

        /**
         * @param max how many local and how many relay domain entries get their own probes (default 8)
         * @return this builder
         * @throws IllegalArgumentException if max is below 1
         */
        public Builder maxDomainSamples(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxDomainSamples must be at least 1, was " + max);
            }
            this.maxDomainSamples = max;
            return this;
        }

        /**
         * @param max how many trusted network entries get their own context (default 8)
         * @return this builder
         * @throws IllegalArgumentException if max is below 1
         */
        public Builder maxNetworkSamples(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxNetworkSamples must be at least 1, was " + max);
            }
            this.maxNetworkSamples = max;
            return this;
        }

        String serverName() {
            if (serverName != null) {
                return serverName;
            }
            List<String> hosts = localHosts();
            return hosts.isEmpty() ? "localhost" : hosts.get(0);
        }

        List<String> localHosts() {
            List<String> out = new ArrayList<>();
            for (String e : sampled(localDomains)) {
                out.add(host(e));
            }
            return out;
        }

        List<String> sampled(DomainSet set) {
            List<String> all = set.entries();
            return all.subList(0, Math.min(all.size(), maxDomainSamples));
        }

        /**
         * @return the plan
         * @throws IllegalArgumentException if the foreign domain is a local or relay domain
         */
        public AuditPlan build() {
            if (localDomains.contains(foreignDomain) || relayDomains.contains(foreignDomain)) {
                throw new IllegalArgumentException("foreign domain " + foreignDomain
                        + " is a local or relay domain of the policy: choose another with foreignDomain(..)");
            }
            Builder frozen = copy();
            return new AuditPlan(frozen);
        }
    }
}
