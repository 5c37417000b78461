package io.relaycontrol.examples.smtp;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.audit.AuditContext;
import io.relaycontrol.core.audit.AuditPlan;
import io.relaycontrol.core.audit.AuditProbe;
import io.relaycontrol.core.audit.AuditReport;
import io.relaycontrol.core.audit.AuditResult;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code audit} subcommand: the relay audit's probes ({@link AuditPlan}: nmap's and Metasploit's 16 forms, the
 * MAPS relay test, relaycontrol's own tricks built from the given domains) sent over real SMTP to one server,
 * each in its own transaction (RSET between, a new connection when the server drops one, and after every
 * {@value #REFUSALS_PER_SESSION} refusals so that error throttling does not slow it down), never DATA.
 *
 * <pre>
 * java -jar relaycontrol-smtp-server.jar audit --server HOST:PORT --local-domain example.com
 *     [--local-domain ...] [--relay-domain ...] [--from someone@elsewhere.example] [--auth USER:PASS]
 *     [--auth-from alice@example.com] [--tls] [--tls-trust-any] [--foreign-domain relay-audit.example]
 *     [--helo NAME] [--timeout SECONDS] [--json]
 * </pre>
 *
 * <p>It asks as this client, unauthenticated (with STARTTLS when {@code --tls}); with {@code --auth} it then asks
 * again authenticated (AUTH PLAIN). It prints the report ({@link AuditReport#describe()}, or JSON with
 * {@code --json}) on standard output and a progress line on standard error when that is a terminal. Exit status:
 * 0 when nothing that must be refused was accepted, 1 when something was (an open relay), 2 when the audit could
 * not run (the server could not be reached, AUTH or STARTTLS failed, or a bad command line).
 *
 * <p>Use it only on servers you run or are allowed to test: it talks only to the server given.
 *
 * @since 0.2.0
 */
final class AuditCommand {

    static final String USAGE = "usage: java -jar relaycontrol-smtp-server.jar audit --server HOST:PORT "
            + "--local-domain DOMAIN [--local-domain DOMAIN ...] [--relay-domain DOMAIN ...] [--from ADDRESS] "
            + "[--auth USER:PASS] [--auth-from ADDRESS] [--tls] [--tls-trust-any] [--foreign-domain DOMAIN] "
            + "[--helo NAME] [--timeout SECONDS] [--json]";

    /**
     * A new session after this many refused probes: Postfix sleeps a second per error after 10
     * ({@code smtpd_soft_error_limit}, {@code smtpd_error_sleep_time}) and Exim similarly, which would make an
     * audit of a correctly refusing server take minutes.
     */
    static final int REFUSALS_PER_SESSION = 8;

    private static final Pattern STATUS = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s+|$)");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");

    /** The parsed command line. */
    record Options(String host, int port, List<String> localDomains, List<String> relayDomains, String from,
            Optional<String> user, Optional<String> password, Optional<String> authFrom, boolean tls,
            boolean tlsTrustAny, String foreignDomain, String helo, int timeoutMillis, boolean json) {
    }

    /** The audit could not run; the message says why. */
    static final class AuditFailed extends Exception {
        private static final long serialVersionUID = 1L;

        AuditFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private AuditCommand() {
    }

    /**
     * Runs the subcommand.
     *
     * @param args the arguments after {@code audit}
     * @param out where the report goes
     * @param err where errors and the progress line go
     * @param terminal whether to draw a progress line
     * @return the exit status: 0 not an open relay, 1 open relay, 2 the audit could not run
     */
    static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("relay audit: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        AuditReport report;
        try {
            report = audit(o, terminal ? err : null);
        } catch (AuditFailed e) {
            err.println("relay audit: " + e.getMessage());
            return 2;
        }
        out.println(o.json() ? report.toJson() : report.describe());
        out.flush();
        return report.isOpenRelay() ? 1 : 0;
    }

    /**
     * Reads the command line.
     *
     * @param args the arguments after {@code audit}
     * @return the options
     * @throws IllegalArgumentException naming the bad or missing argument
     */
    static Options parse(String[] args) {
        String server = null;
        List<String> local = new ArrayList<>();
        List<String> relay = new ArrayList<>();
        String from = null;
        String auth = null;
        String authFrom = null;
        boolean tls = false;
        boolean trustAny = false;
        String foreign = "relay-audit.example";
        String helo = null;
        int timeout = 10;
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            String name = a.startsWith("--") && eq > 0 ? a.substring(0, eq) : a;
            if (eq > 0 && a.startsWith("--")) {
                value = a.substring(eq + 1);
            }
            switch (name) {
                case "--tls":
                    tls = true;
                    continue;
                case "--tls-trust-any":
                    tls = true;
                    trustAny = true;
                    continue;
                case "--json":
                    json = true;
                    continue;
                default:
                    break;
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(name.startsWith("--") ? name + " needs a value"
                            : "unexpected argument '" + a + "'");
                }
                value = args[++i];
            }
            switch (name) {
                case "--server":
                    server = value;
                    break;
                case "--local-domain":
                    addDomains(local, value, name);
                    break;
                case "--relay-domain":
                    addDomains(relay, value, name);
                    break;
                case "--from":
                    from = address(value, name);
                    break;
                case "--auth":
                    auth = value;
                    break;
                case "--auth-from":
                    authFrom = address(value, name);
                    break;
                case "--foreign-domain":
                    foreign = value.toLowerCase(Locale.ROOT);
                    break;
                case "--helo":
                    if (!HOST.matcher(value).matches()) {
                        throw new IllegalArgumentException("--helo must be a host name: '" + value + "'");
                    }
                    helo = value;
                    break;
                case "--timeout":
                    try {
                        timeout = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--timeout must be whole seconds: '" + value + "'");
                    }
                    if (timeout < 1 || timeout > 600) {
                        throw new IllegalArgumentException("--timeout must be 1..600 seconds: " + timeout);
                    }
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + name + "'");
            }
        }
        if (server == null) {
            throw new IllegalArgumentException("--server HOST:PORT is required");
        }
        if (local.isEmpty()) {
            throw new IllegalArgumentException("--local-domain is required (the domains this server receives mail for)");
        }
        String host;
        String port;
        if (server.startsWith("[")) {
            int close = server.indexOf("]:");
            if (close < 0) {
                throw new IllegalArgumentException("--server must be HOST:PORT or [IPv6]:PORT: '" + server + "'");
            }
            host = server.substring(1, close);
            port = server.substring(close + 2);
        } else {
            int colon = server.lastIndexOf(':');
            if (colon <= 0 || server.indexOf(':') != colon) {
                throw new IllegalArgumentException("--server must be HOST:PORT or [IPv6]:PORT: '" + server + "'");
            }
            host = server.substring(0, colon);
            port = server.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--server port must be a number: '" + server + "'");
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("--server port must be 1..65535: '" + server + "'");
        }
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        if (auth != null) {
            int colon = auth.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--auth must be USER:PASS");
            }
            user = Optional.of(auth.substring(0, colon));
            password = Optional.of(auth.substring(colon + 1));
        }
        if (from == null) {
            from = "audit@" + foreign;
        }
        if (helo == null) {
            helo = "client." + foreign;
        }
        String authSender = authFrom != null ? authFrom
                : user.map(u -> u.indexOf('@') > 0 ? u : u + "@" + local.get(0)).orElse(null);
        return new Options(host, p, List.copyOf(local), List.copyOf(relay), from, user, password,
                Optional.ofNullable(authSender), tls, trustAny, foreign, helo, timeout * 1000, json);
    }

    private static void addDomains(List<String> into, String value, String option) {
        for (String d : value.split(",")) {
            String t = d.strip();
            if (t.isEmpty()) {
                throw new IllegalArgumentException(option + " has an empty domain: '" + value + "'");
            }
            try {
                DomainSet.canonicalEntry(t);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + " '" + t + "': " + e.getMessage(), e);
            }
            into.add(t);
        }
    }

    private static String address(String value, String option) {
        if (value.indexOf('@') <= 0 || value.indexOf('<') >= 0 || value.indexOf('>') >= 0 || value.isBlank()
                || value.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            throw new IllegalArgumentException(option + " must be an address like someone@elsewhere.example: '"
                    + value + "'");
        }
        return value;
    }

    /**
     * Runs the audit against the server.
     *
     * @param o the options
     * @param progress where to draw a progress line, or null
     * @return the report
     * @throws AuditFailed if the server cannot be reached, or STARTTLS or AUTH fails
     */
    static AuditReport audit(Options o, PrintStream progress) throws AuditFailed {
        InetAddress address;
        try {
            address = InetAddress.getByName(o.host());
        } catch (UnknownHostException e) {
            throw new AuditFailed("cannot resolve " + o.host() + ": " + e.getMessage(), e);
        }
        InetSocketAddress server = new InetSocketAddress(address, o.port());
        String target = "smtp " + RelaySmtpServer.format(server);
        Connection first = new Connection(o, server, null);
        String bannerName = first.bannerName();
        AuditPlan plan;
        try {
            AuditPlan.Builder b = AuditPlan.builder()
                    .localDomains(DomainSet.of(o.localDomains().toArray(new String[0])))
                    .relayDomains(DomainSet.of(o.relayDomains().toArray(new String[0])))
                    .serverAddresses(List.of(address))
                    .foreignDomain(o.foreignDomain());
            if (bannerName != null) {
                b.serverName(bannerName);
            }
            plan = b.build();
        } catch (IllegalArgumentException e) {
            first.close();
            throw new AuditFailed(e.getMessage(), e);
        }
        InetAddress client = first.localAddress();
        List<AuditContext> contexts = new ArrayList<>();
        contexts.add(new AuditContext("this client " + client.getHostAddress() + (o.tls() ? " with TLS" : ""),
                AuditContext.Kind.STRANGER, client, Optional.empty(), o.tls(), o.from(), o.helo(), false));
        if (o.user().isPresent()) {
            contexts.add(new AuditContext("authenticated " + o.user().get() + (o.tls() ? " with TLS" : " without TLS"),
                    AuditContext.Kind.AUTHENTICATED, client, o.user(), o.tls(), o.authFrom().orElseThrow(), o.helo(),
                    true));
        }
        List<AuditProbe> probes = new ArrayList<>();
        for (AuditProbe p : plan.probes()) {
            if (p.stage() != Stage.DATA) {
                probes.add(p);
            }
        }
        int total = probes.size() * contexts.size();
        int done = 0;
        List<AuditResult> results = new ArrayList<>(total);
        Connection conn = first;
        try {
            for (AuditContext context : contexts) {
                if (conn == null) {
                    conn = new Connection(o, server, context);
                } else {
                    conn.setUp(context);
                }
                for (AuditProbe probe : probes) {
                    if (progress != null) {
                        progress.print("\rrelay audit: " + (++done) + "/" + total + " " + context.name() + " "
                                + probe.id() + "          ");
                        progress.flush();
                    }
                    results.add(conn.ask(probe));
                }
                conn.close();
                conn = null;
            }
        } finally {
            if (conn != null) {
                conn.close();
            }
            if (progress != null) {
                progress.print("\r" + " ".repeat(100) + "\r");
                progress.flush();
            }
        }
        return AuditReport.of(target, results);
    }

    /** One context's SMTP session, reconnected when the server drops it. */
    private static final class Connection {
        private final Options o;
        private final InetSocketAddress server;
        private AuditContext context;
        private SmtpProbeClient client;
        private SmtpProbeClient.Reply banner;
        private SmtpProbeClient.Reply ehlo;
        private boolean fresh;
        /** Refusals in this session: servers slow down after a few (Postfix: smtpd_soft_error_limit). */
        private int refusals;

        Connection(Options o, InetSocketAddress server, AuditContext context) throws AuditFailed {
            this.o = o;
            this.server = server;
            open();
            if (context != null) {
                setUp(context);
            }
        }

        private void open() throws AuditFailed {
            try {
                client = SmtpProbeClient.connect(server, o.timeoutMillis());
                banner = client.banner();
                fresh = true;
                refusals = 0;
            } catch (IOException e) {
                throw new AuditFailed("cannot reach " + RelaySmtpServer.format(server) + ": " + e.getMessage(), e);
            }
        }

        String bannerName() {
            if (banner == null || !banner.positive()) {
                return null;
            }
            String[] words = banner.text().split("\\s+");
            return words.length > 0 && HOST.matcher(words[0]).matches() && words[0].indexOf('.') > 0 ? words[0] : null;
        }

        InetAddress localAddress() {
            return client.localAddress();
        }

        /** EHLO, STARTTLS and AUTH as the context needs. */
        void setUp(AuditContext ctx) throws AuditFailed {
            this.context = ctx;
            if (!banner.positive()) {
                ehlo = null;
                return;
            }
            try {
                ehlo = client.ehlo(ctx.helo());
                if (!ehlo.positive()) {
                    return;
                }
                if (ctx.tls()) {
                    if (!client.supports("STARTTLS")) {
                        throw new AuditFailed("--tls given, but the server does not offer STARTTLS: " + ehlo, null);
                    }
                    SmtpProbeClient.Reply r = client.startTls(o.host(), ctx.helo(), o.tlsTrustAny());
                    if (r.code() != 220) {
                        throw new AuditFailed("STARTTLS failed: " + r, null);
                    }
                }
                if (ctx.login().isPresent()) {
                    SmtpProbeClient.Reply r = client.authPlain(ctx.login().get(), o.password().orElse(""));
                    if (r.code() != 235) {
                        throw new AuditFailed("AUTH PLAIN as " + ctx.login().get() + " failed: " + r, null);
                    }
                }
            } catch (IOException e) {
                throw new AuditFailed("session set-up with " + RelaySmtpServer.format(server) + " failed: "
                        + e.getMessage(), e);
            }
        }

        AuditResult ask(AuditProbe probe) throws AuditFailed {
            Pending q = new Pending(probe, context);
            if (probe.stage() == Stage.CONNECT) {
                return q.result(Stage.CONNECT, decision(banner, "connect"));
            }
            if (!banner.positive()) {
                return q.result(Stage.CONNECT, decision(banner, "connect"));
            }
            if (probe.stage() == Stage.HELO || ehlo == null || !ehlo.positive()) {
                return q.result(Stage.HELO, decision(ehlo, "EHLO " + context.helo()));
            }
            for (int attempt = 0; ; attempt++) {
                try {
                    if (client != null && refusals >= REFUSALS_PER_SESSION) {
                        close();
                        client = null;
                    }
                    if (client == null) {
                        open();
                        setUp(context);
                    }
                    return transaction(q, probe);
                } catch (IOException e) {
                    close();
                    client = null;
                    if (attempt > 0) {
                        return q.result(probe.stage(), Decision.defer("smtp-server",
                                "connection lost twice: " + clean(e.getMessage()),
                                SmtpReply.of(451, "4.4.2", "connection lost")));
                    }
                }
            }
        }

        private AuditResult transaction(Pending q, AuditProbe probe) throws IOException {
            if (!fresh) {
                SmtpProbeClient.Reply rset = client.command("RSET");
                if (!rset.positive()) {
                    throw new IOException("RSET refused: " + rset);
                }
            }
            fresh = false;
            refusals++; // counted back below when the server accepts
            String sender = probe.senderIn(context);
            String recipient = probe.recipient();
            boolean utf8 = !isAscii(sender) || !isAscii(recipient);
            String mailCmd = "MAIL FROM:<" + sender + ">" + (utf8 && client.supports("SMTPUTF8") ? " SMTPUTF8" : "");
            SmtpProbeClient.Reply mail = client.command(mailCmd);
            dropIfClosing(mail);
            if (!mail.positive() || probe.stage() == Stage.MAIL) {
                if (mail.positive()) {
                    refusals--;
                }
                return q.result(Stage.MAIL, decision(mail, mailCmd));
            }
            String rcptCmd = "RCPT TO:<" + recipient + ">";
            SmtpProbeClient.Reply rcpt = client.command(rcptCmd);
            dropIfClosing(rcpt);
            if (rcpt.positive()) {
                refusals--;
            }
            return q.result(Stage.RCPT, decision(rcpt, rcptCmd));
        }

        /** A 421 reply closes the session: the next probe reconnects. */
        private void dropIfClosing(SmtpProbeClient.Reply r) {
            if (r.code() == 421) {
                fresh = true;
                client.close();
                client = null;
            }
        }

        void close() {
            if (client != null) {
                client.close();
            }
        }
    }

    /** A probe in a context, waiting for its answer. */
    private record Pending(AuditProbe probe, AuditContext context) {
        AuditResult result(Stage stage, Decision decision) {
            return new AuditResult(probe, context, AuditPlan.expectation(probe, context), stage, decision);
        }
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }

    /**
     * The server's reply as a decision: 2xx ALLOW, 4xx DEFER, 5xx DENY, with the reply (a status class.0.0 when
     * the server gives no enhanced status); anything else is an unexpected reply, recorded as a temporary refusal.
     *
     * @param reply the reply (null: none was received)
     * @param command what was sent
     * @return the decision
     */
    static Decision decision(SmtpProbeClient.Reply reply, String command) {
        String what = "replied to " + clean(command);
        if (reply == null) {
            return Decision.defer("smtp-server", what + ": no reply", SmtpReply.of(451, "4.4.2", "no reply"));
        }
        int code = reply.code();
        int cls = code / 100;
        if ((cls != 2 && cls != 4 && cls != 5) || (code / 10) % 10 > 5) {
            return Decision.defer("smtp-server", what + ": unexpected reply " + clean(reply.toString()),
                    SmtpReply.of(451, "4.0.0", "unexpected reply"));
        }
        String text = reply.text();
        String status = cls + ".0.0";
        Matcher m = STATUS.matcher(text);
        if (m.find() && Integer.parseInt(m.group(1)) == cls) {
            status = m.group(1) + "." + m.group(2) + "." + m.group(3);
            text = text.substring(m.end());
        }
        text = clean(text);
        if (text.isBlank()) {
            text = "(no text)";
        }
        if (text.length() > SmtpReply.MAX_TEXT_LENGTH) {
            text = text.substring(0, SmtpReply.MAX_TEXT_LENGTH);
        }
        SmtpReply r = SmtpReply.of(code, status, text);
        Verdict v = cls == 2 ? Verdict.ALLOW : cls == 4 ? Verdict.DEFER : Verdict.DENY;
        return Decision.builder(v, "smtp-server", what + ": " + r).reply(r).build();
    }

    private static String clean(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(c -> sb.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
        return sb.toString();
    }
}
