package io.relaycontrol.examples.smtp;

import io.relaycontrol.api.RelayDecider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
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
 * TLS (false: this server offers no STARTTLS), the sender ({@code <>} for the null sender), the recipient,
 * the number of recipients already accepted, and the size declared with {@code SIZE=}.
 *
 * <p>Paths reach the policy as the client sent them minus the angle brackets (SubEthaSMTP strips them):
 * source routes ({@code @a,@b:user@c}), quoted local parts, {@code %}, {@code !}, trailing dots and address
 * literals are all passed on. (SubEthaSMTP's default MAIL FROM validator, jakarta.mail's strict
 * {@code InternetAddress} parser, would refuse source routes and trailing dots with
 * {@code 553 <path> Invalid email address}; this server replaces it so that the policy decides. RCPT TO has
 * no validator in SubEthaSMTP.) The server itself refuses only paths with control characters or longer than
 * 254 characters ({@code 501 5.1.3}), before asking the policy. Lines longer than 998 characters, bare CR
 * or LF and invalid UTF-8 end the session with a {@code 501} (SubEthaSMTP).
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
    private final InetSocketAddress listen;
    private final Spool spool;
    private boolean started;
    private boolean closed;

    private RelaySmtpServer(Builder b) {
        this.listen = b.listen;
        this.spool = b.spool == null ? null : new Spool(b.spool, b.clock);
        DecisionLog log = new DecisionLog(b.decider);
        int maxSize = b.maxMessageSize;
        Spool sp = this.spool;
        SMTPServer.Builder sb = SMTPServer.port(listen.getPort())
                .bindAddress(listen.getAddress())
                .hostName(b.hostName)
                .softwareName("relaycontrol example")
                .maxMessageSize(maxSize)
                .maxRecipients(b.maxRecipients)
                .connectionTimeoutMs(b.connectionTimeoutMillis)
                // Every syntactically plausible path goes to the relay policy; see the class javadoc.
                .fromAddressValidator(path -> true)
                .sessionHandler(new RelaySessionHandler(log))
                .messageHandlerFactory(ctx -> new RelayMessageHandler(ctx, log, sp, maxSize));
        if (!b.users.isEmpty()) {
            Map<String, String> users = Map.copyOf(b.users);
            sb.authenticationHandlerFactory(new EasyAuthenticationHandlerFactory((login, password, ctx) -> {
                String expected = users.get(login);
                if (expected == null || !constantTimeEquals(expected, password)) {
                    throw new LoginFailedException("invalid credentials for " + DecisionLog.printable(login));
                }
            }));
        }
        this.server = sb.build();
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

    /** Stops accepting connections and closes open sessions. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (started) {
            server.stop();
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
         * @return the server, not yet started
         * @throws IllegalStateException if no listen address was given
         */
        public RelaySmtpServer build() {
            if (listen == null) {
                throw new IllegalStateException("listen address is required: call listen(...)");
            }
            if (hostName == null) {
                hostName = "localhost";
            }
            return new RelaySmtpServer(this);
        }
    }
}
