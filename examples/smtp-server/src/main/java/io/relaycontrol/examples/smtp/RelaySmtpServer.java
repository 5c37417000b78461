package io.relaycontrol.examples.smtp;

import io.relaycontrol.api.RelayDecider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import io.micrometer.core.instrument.MeterRegistry;
import io.relaycontrol.api.RelayClock;
import io.relaycontrol.core.net.NetworkSet;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * An SMTP server (SubEthaSMTP 7) that asks a {@link RelayDecider} at three stages and answers refusals with
 * exactly the decision's reply ({@code code enhanced-status text}):
 * <ul>
 *   <li><b>connect</b> ({@code Stage.CONNECT}): a refusal is sent instead of the 220 banner and the
 *       connection is closed;</li>
 *   <li><b>MAIL FROM</b> ({@code Stage.MAIL}): the sender identity; a refusal rejects the command;</li>
 *   <li><b>RCPT TO</b> ({@code Stage.RCPT}): the relay decision and rate limits. Only ALLOW accepts the
 *       recipient; NO_OPINION is treated as a failure ({@code 451 4.3.0}), never as an accept.</li>
 * </ul>
 * The request carries the client address, HELO name, the login only after a successful AUTH PLAIN/LOGIN,
 * whether TLS is active (STARTTLS or the implicit-TLS listener), the sender ({@code <>} for the null sender), the recipient,
 * the number of recipients already accepted, and the size declared with {@code SIZE=}.
 *
 * <p>The wire syntax is the server's own ({@code SmtpCommands}, {@code EnvelopeSyntax}): one path in angle
 * brackets, then only the advertised parameters ({@code SIZE}, {@code BODY}, {@code SMTPUTF8}, {@code AUTH=}),
 * else {@code 501}/{@code 555 5.5.4} with the reason; a non-ASCII path needs {@code SMTPUTF8}
 * ({@code 553 5.6.7}). Paths reach the policy as sent (source routes, quoted local parts, {@code %}, {@code !},
 * {@code Postmaster} without a domain); the server itself refuses only control characters and paths over 254
 * octets ({@code 501 5.1.3} with the reason). What is spooled is each address's canonical form, the one the policy
 * decided on. A message with a bare CR or LF is refused ({@code 554 5.5.0}); lines longer than 998 characters,
 * bare CR or LF in commands and invalid UTF-8 end the session with a {@code 501} (SubEthaSMTP).
 *
 * <p>With {@link Builder#tls(Path, Path)}: STARTTLS on the listener, implicit TLS on
 * {@link Builder#listenTls(InetSocketAddress)}, TLS 1.3/1.2 only, AUTH only after TLS, certificate rotation
 * without restart ({@code TlsManager}). With {@link Builder#proxyProtocol(NetworkSet)}: PROXY v1/v2 headers from
 * trusted proxies only ({@code ProxyPreamble}).
 *
 * <pre>{@code
 * try (RelaySmtpServer server = RelaySmtpServer.builder(policy)
 *         .listen(new InetSocketAddress("127.0.0.1", 2525)).hostName("mx.example.com")
 *         .user("alice", "secret").spool(Path.of("spool")).build()) {
 *     server.start();
 *     System.out.println("listening on " + RelaySmtpServer.format(server.localAddress()));
 * }
 * }</pre>
 *
 * <p>Thread-safe: one server serves many sessions at once; the decider must be thread-safe. A server is
 * started once and cannot be restarted after {@link #close()}.
 *
 * @since 0.1.0
 */
public final class RelaySmtpServer implements AutoCloseable {

    /** The largest message accepted by default, in bytes (advertised with EHLO SIZE). */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 10 * 1024 * 1024;

    private final SMTPServer server;
    private final SMTPServer tlsServer;
    private final InetSocketAddress listen;
    private final InetSocketAddress listenTls;
    private final Spool spool;
    private final TlsManager tls;
    private final Duration tlsReloadInterval;
    private boolean started;
    private boolean closed;

    private RelaySmtpServer(Builder b) {
        this.listen = b.listen;
        this.listenTls = b.listenTls;
        this.spool = b.spool == null ? null : new Spool(b.spool, b.clock);
        SmtpMetrics metrics = b.registry == null ? SmtpMetrics.none() : new SmtpMetrics(b.registry);
        this.tls = b.certificate == null ? null : new TlsManager(b.certificate, b.privateKey, b.relayClock, metrics);
        this.tlsReloadInterval = b.tlsReloadInterval;
        DecisionLog log = new DecisionLog(b.decider);
        this.server = smtp(b, log, metrics, listen, new ProxyPreamble("smtp", b.proxyTrusted,
                b.proxyHeaderTimeoutMillis, null, metrics));
        this.tlsServer = listenTls == null ? null : smtp(b, log, metrics, listenTls, new ProxyPreamble("smtps",
                b.proxyTrusted, b.proxyHeaderTimeoutMillis, tls, metrics));
    }

    private SMTPServer smtp(Builder b, DecisionLog log, SmtpMetrics metrics, InetSocketAddress address,
            ProxyPreamble preamble) {
        int maxSize = b.maxMessageSize;
        Spool sp = this.spool;
        SMTPServer.Builder sb = SMTPServer.port(address.getPort())
                .bindAddress(address.getAddress())
                .hostName(b.hostName)
                .softwareName("relaycontrol example")
                .maxMessageSize(maxSize)
                .maxRecipients(b.maxRecipients)
                .connectionTimeoutMs(b.connectionTimeoutMillis)
                .proxyHandler(preamble)
                .sessionHandler(new RelaySessionHandler(log))
                .messageHandlerFactory(ctx -> new RelayMessageHandler(ctx, log, sp, maxSize));
        if (tls != null) {
            // STARTTLS is offered by SmtpCommands (EHLO, STARTTLS); SubEthaSMTP's flag makes nothing else happen.
            sb.enableTLS(true).startTlsSocketFactory(tls::wrap);
        }
        if (!b.users.isEmpty()) {
            Map<String, String> users = Map.copyOf(b.users);
            sb.authenticationHandlerFactory(new EasyAuthenticationHandlerFactory((login, password, ctx) -> {
                String expected = users.get(login);
                if (expected == null || !constantTimeEquals(expected, password)) {
                    throw new LoginFailedException("invalid credentials for " + DecisionLog.printable(login));
                }
            }));
        }
        SMTPServer built = sb.build();
        SmtpCommands.install(built.getCommandHandler(), tls, metrics, maxSize);
        return built;
    }

    /**
     * Starts a builder.
     *
     * @param decider the relay policy, asked at connect, MAIL FROM and RCPT TO; must be thread-safe
     * @return a builder (not thread-safe)
     * @throws NullPointerException if {@code decider} is null
     */
    public static Builder builder(RelayDecider decider) {
        return new Builder(Objects.requireNonNull(decider, "decider"));
    }

    /**
     * Binds the listening socket and starts accepting connections. When this method returns, connections
     * are accepted.
     *
     * @throws IllegalStateException if already started or closed
     * @throws UncheckedIOException if the spool directory cannot be created
     * @throws RuntimeException if the address cannot be bound (SubEthaSMTP wraps the {@code IOException})
     */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException(closed ? "server is closed" : "server is already started");
        }
        if (spool != null) {
            try {
                spool.open();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create spool directory " + spool.directory(), e);
            }
        }
        server.start();
        if (tlsServer != null) {
            try {
                tlsServer.start();
            } catch (RuntimeException e) {
                server.stop();
                throw e;
            }
        }
        if (tls != null && !tlsReloadInterval.isZero()) {
            tls.watch(tlsReloadInterval);
        }
        started = true;
    }

    /**
     * @return the bound address with the real port (useful after listening on port 0)
     * @throws IllegalStateException if not started
     */
    public synchronized InetSocketAddress localAddress() {
        if (!started) {
            throw new IllegalStateException("server is not started");
        }
        return new InetSocketAddress(listen.getAddress(), server.getPortAllocated());
    }

    /**
     * @return the bound implicit-TLS address with the real port, if that listener is configured
     * @throws IllegalStateException if not started
     * @since 0.2.0
     */
    public synchronized Optional<InetSocketAddress> tlsLocalAddress() {
        if (!started) {
            throw new IllegalStateException("server is not started");
        }
        return tlsServer == null ? Optional.empty()
                : Optional.of(new InetSocketAddress(listenTls.getAddress(), tlsServer.getPortAllocated()));
    }

    /** @return the certificate manager, if TLS is configured (tests reload through it) */
    Optional<TlsManager> tls() {
        return Optional.ofNullable(tls);
    }

    /** Stops accepting connections and closes open sessions. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (tls != null) {
            tls.close();
        }
        if (started) {
            try {
                server.stop();
            } finally {
                if (tlsServer != null) {
                    tlsServer.stop();
                }
            }
        }
    }

    /**
     * Renders an address as {@code HOST:PORT}, or {@code [IPv6]:PORT} for IPv6.
     *
     * @param address the address
     * @return the text
     */
    public static String format(InetSocketAddress address) {
        InetAddress a = address.getAddress();
        String host = a == null ? address.getHostString() : a.getHostAddress();
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return host + ":" + address.getPort();
    }

    private static boolean constantTimeEquals(String a, String b) {
        return java.security.MessageDigest.isEqual(
                a.getBytes(java.nio.charset.StandardCharsets.UTF_8), b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Builds a {@link RelaySmtpServer}. Not thread-safe; {@link #build()} copies. Bad values fail at once;
     * an option set twice keeps the last value (users add up).
     */
    public static final class Builder {
        private final RelayDecider decider;
        private InetSocketAddress listen;
        private String hostName;
        private final Map<String, String> users = new LinkedHashMap<>();
        private Path spool;
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private int maxRecipients = 1000;
        private int connectionTimeoutMillis = 60_000;
        private Clock clock = Clock.systemUTC();
        private RelayClock relayClock = RelayClock.system();
        private InetSocketAddress listenTls;
        private Path certificate;
        private Path privateKey;
        private Duration tlsReloadInterval = Duration.ofSeconds(2);
        private NetworkSet proxyTrusted;
        private int proxyHeaderTimeoutMillis = 10_000;
        private MeterRegistry registry;

        private Builder(RelayDecider decider) {
            this.decider = decider;
        }

        /**
         * @param address the address and port to bind; port 0 picks a free port. Required.
         * @return this builder
         * @throws IllegalArgumentException if the address is unresolved
         */
        public Builder listen(InetSocketAddress address) {
            Objects.requireNonNull(address, "address");
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("listen address is unresolved: " + address);
            }
            this.listen = address;
            return this;
        }

        /**
         * @param name the name in the 220 banner and the EHLO reply; defaults to {@code localhost}
         * @return this builder
         * @throws IllegalArgumentException if blank or not printable ASCII without spaces
         */
        public Builder hostName(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("host name must be printable ASCII without spaces: '" + name + "'");
            }
            this.hostName = name;
            return this;
        }

        /**
         * Adds a demo account for AUTH PLAIN and AUTH LOGIN. Without accounts, AUTH is not offered.
         *
         * @param login the login
         * @param password its password
         * @return this builder
         * @throws IllegalArgumentException if the login is blank or already added, or the password is empty
         */
        public Builder user(String login, String password) {
            Objects.requireNonNull(login, "login");
            Objects.requireNonNull(password, "password");
            if (login.isBlank()) {
                throw new IllegalArgumentException("login must not be blank");
            }
            if (password.isEmpty()) {
                throw new IllegalArgumentException("password of " + login + " must not be empty");
            }
            if (users.putIfAbsent(login, password) != null) {
                throw new IllegalArgumentException("user " + login + " is already defined");
            }
            return this;
        }

        /**
         * @param directory where accepted messages are written as {@code .eml} files (created if missing);
         *     without a spool, accepted messages are read and discarded
         * @return this builder
         */
        public Builder spool(Path directory) {
            this.spool = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * @param bytes the largest message accepted (advertised as EHLO SIZE); default 10 MiB
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxMessageSize(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("max message size must be positive, was " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /**
         * @param count the most recipients in one transaction (further RCPT get {@code 452}); default 1000
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxRecipients(int count) {
            if (count <= 0) {
                throw new IllegalArgumentException("max recipients must be positive, was " + count);
            }
            this.maxRecipients = count;
            return this;
        }

        /**
         * @param millis how long a session may be idle before it is closed; default 60 000
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder connectionTimeoutMillis(int millis) {
            if (millis <= 0) {
                throw new IllegalArgumentException("connection timeout must be positive, was " + millis);
            }
            this.connectionTimeoutMillis = millis;
            return this;
        }

        /**
         * @param clock the clock that names spooled files; default UTC system clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Offers TLS with a certificate chain and key from PEM files: STARTTLS on {@link #listen}, implicit TLS
         * on {@link #listenTls} if set; AUTH then only after TLS. The files are checked when the server is built
         * and watched while it runs (see {@link #tlsReloadInterval(Duration)}).
         *
         * @param certificateChain PEM {@code CERTIFICATE} blocks, leaf first
         * @param privateKey PEM unencrypted PKCS#8 {@code PRIVATE KEY} (RSA or EC)
         * @return this builder
         * @since 0.2.0
         */
        public Builder tls(Path certificateChain, Path privateKey) {
            this.certificate = Objects.requireNonNull(certificateChain, "certificateChain");
            this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
            return this;
        }

        /**
         * @param address a second listener with implicit TLS (RFC 8314, port 465); needs {@link #tls(Path, Path)}
         * @return this builder
         * @throws IllegalArgumentException if the address is unresolved
         * @since 0.2.0
         */
        public Builder listenTls(InetSocketAddress address) {
            Objects.requireNonNull(address, "address");
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("listen-tls address is unresolved: " + address);
            }
            this.listenTls = address;
            return this;
        }

        /**
         * @param interval how often the certificate files are checked for changes; {@link Duration#ZERO} for
         *     never. Default two seconds
         * @return this builder
         * @since 0.2.0
         */
        public Builder tlsReloadInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("interval must not be negative, was " + interval);
            }
            this.tlsReloadInterval = interval;
            return this;
        }

        /**
         * @param proxies networks of trusted proxies: connections from them must begin with a PROXY protocol
         *     header (v1 or v2) whose source address is then the client's; from elsewhere none is accepted.
         *     Without this, no PROXY header is accepted
         * @return this builder
         * @since 0.2.0
         */
        public Builder proxyProtocol(NetworkSet proxies) {
            this.proxyTrusted = Objects.requireNonNull(proxies, "proxies");
            return this;
        }

        /**
         * @param millis how long a trusted proxy may take to send its header; default 10 000
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @since 0.2.0
         */
        public Builder proxyHeaderTimeoutMillis(int millis) {
            if (millis <= 0) {
                throw new IllegalArgumentException("PROXY header timeout must be positive, was " + millis);
            }
            this.proxyHeaderTimeoutMillis = millis;
            return this;
        }

        /**
         * @param registry where the server counts connections, TLS handshakes, certificate reloads and refused
         *     PROXY headers; default: not counted
         * @return this builder
         * @since 0.2.0
         */
        public Builder metrics(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * @param clock the clock certificates are checked against; default the system clock
         * @return this builder
         * @since 0.2.0
         */
        public Builder relayClock(RelayClock clock) {
            this.relayClock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @return the server, not yet started
         * @throws IllegalStateException if no listen address was given, or an implicit-TLS listener without TLS
         * @throws IllegalArgumentException if the certificate or key file cannot be used (naming the file)
         */
        public RelaySmtpServer build() {
            if (listen == null) {
                throw new IllegalStateException("listen address is required: call listen(...)");
            }
            if (listenTls != null && certificate == null) {
                throw new IllegalStateException("an implicit-TLS listener needs a certificate: call tls(...)");
            }
            if (hostName == null) {
                hostName = "localhost";
            }
            return new RelaySmtpServer(this);
        }
    }
}
