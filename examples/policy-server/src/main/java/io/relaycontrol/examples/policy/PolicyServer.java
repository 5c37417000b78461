package io.relaycontrol.examples.policy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayClock;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.examples.policy.PolicyActions.AllowAction;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Postfix SMTPD access policy delegation server ({@code check_policy_service inet:HOST:PORT}; also Exim's
 * {@code ${readsocket}}) that answers every request with a {@link RelayDecider}: the standard relay policy, or
 * any decider (DNS lists, a penalty box, an audit: anything that is a {@code RelayDecider} plugs in unchanged).
 *
 * <p>The protocol ({@code SMTPD_POLICY_README}): a request is {@code name=value} lines ended by an empty line
 * ({@link PolicyRequestReader}, {@link PolicyRequest}); the reply is one {@code action=...} line and an empty
 * line ({@link PolicyActions}). Connections are persistent: a connection carries any number of requests, one
 * after another, until the client closes it or it is idle for {@link Builder#idleTimeout(Duration)} (the next
 * request must be complete within that time of the previous reply, read from the {@link Builder#clock(RelayClock)};
 * a request that trickles in byte by byte cannot hold a connection longer). A client that sends one request and
 * half-closes (Exim's {@code ${readsocket}}) gets its reply, then the connection is closed. A request that
 * breaks the protocol (see {@link MalformedRequestException}), or that cannot be mapped to a relay request
 * (no {@code request=smtpd_access_policy}, no {@code protocol_state}, no valid {@code client_address}, a RCPT
 * without {@code recipient}, a non-numeric number, bad xtext), gets <em>no</em> reply: it is logged at WARN
 * and the connection is closed, so that Postfix applies its {@code smtpd_policy_service_default_action}. A
 * decider that throws or returns {@code null} becomes {@code 451 4.3.0} (fail closed, temporarily).
 *
 * <p>Concurrency: one thread per connection, from a bounded pool ({@link Builder#maxConnections(int)}), with
 * blocking socket I/O. The idle timeout is kept by one watchdog thread that shuts the input of a connection down
 * once its deadline has passed (the blocked read then ends), not by a socket read timeout: a read with a timeout
 * makes the JDK put the socket in non-blocking mode, and a read that finds nothing yet then costs three system
 * calls ({@code read}, {@code poll}, {@code read}) instead of one blocking {@code read}, which between two
 * requests of a persistent connection is nearly always the case. Postfix opens one persistent policy connection per {@code smtpd} process (at most
 * {@code default_process_limit}, 100 by default), so the number of connections is small and known, and a
 * blocking read is the shortest path from the socket to the decider: no selector wake-up and no hand-over
 * between threads per request. Java 17 has no virtual threads; NIO would pay off only for many thousands of
 * mostly idle connections, which a policy server does not have. A connection beyond the bound is accepted,
 * logged at WARN and closed at once, so Postfix falls back to its default action instead of waiting.
 *
 * <p>Thread-safe: {@link #start()} once, {@link #close()} from any thread.
 *
 * @since 0.2.0
 */
public final class PolicyServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyServer.class);
    private static final Logger DECISIONS = LoggerFactory.getLogger("io.relaycontrol.examples.policy.decisions");

    /** The default idle timeout: Postfix's {@code smtpd_policy_service_max_idle}. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(300);
    /** The default bound on concurrent connections. */
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    /** The default longest line, in bytes. */
    public static final int DEFAULT_MAX_LINE_LENGTH = 8192;
    /** The default largest request, in bytes. */
    public static final int DEFAULT_MAX_REQUEST_SIZE = 65536;

    private static final byte[] ACTION = "action=".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final RelayDecider decider;
    private final InetSocketAddress listen;
    private final PolicyActions actions;
    private final Duration idleTimeout;
    private final int maxConnections;
    private final int maxLineLength;
    private final int maxRequestSize;
    private final RelayClock clock;
    private final Semaphore permits;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong refusedConnections = new AtomicLong();
    private final Object lifecycle = new Object();
    private ServerSocket serverSocket;
    private Thread acceptor;
    private Thread watchdog;
    private ThreadPoolExecutor pool;
    private volatile boolean closed;

    private PolicyServer(Builder b) {
        this.decider = b.decider;
        this.listen = b.listen;
        this.actions = new PolicyActions(b.allowAction);
        this.idleTimeout = b.idleTimeout;
        this.maxConnections = b.maxConnections;
        this.maxLineLength = b.maxLineLength;
        this.maxRequestSize = b.maxRequestSize;
        this.clock = b.clock;
        this.permits = new Semaphore(b.maxConnections);
    }

    /**
     * Starts building a server that answers with {@code decider}.
     *
     * @param decider the decider; it must be thread-safe, as every {@code RelayDecider} is
     * @return a builder (not thread-safe)
     */
    public static Builder builder(RelayDecider decider) {
        return new Builder(decider);
    }

    /**
     * Binds the listen address and starts accepting connections.
     *
     * @return this server
     * @throws UncheckedIOException if the address cannot be bound
     * @throws IllegalStateException if the server was already started or closed
     */
    public PolicyServer start() {
        synchronized (lifecycle) {
            if (serverSocket != null || closed) {
                throw new IllegalStateException("policy server already started or closed");
            }
            try {
                ServerSocket ss = new ServerSocket();
                ss.setReuseAddress(true);
                ss.bind(listen, 128);
                serverSocket = ss;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on " + format(listen) + ": " + e.getMessage(), e);
            }
            AtomicInteger n = new AtomicInteger();
            pool = new ThreadPoolExecutor(0, maxConnections, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "policy-connection-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            acceptor = new Thread(this::acceptLoop, "policy-acceptor " + format(localAddress()));
            acceptor.setDaemon(true);
            acceptor.start();
            watchdog = new Thread(this::watchLoop, "policy-idle-watchdog " + format(localAddress()));
            watchdog.setDaemon(true);
            watchdog.start();
            LOG.info("policy server listening on {} (max {} connections, idle timeout {}s)",
                    format(localAddress()), maxConnections, idleTimeout.toMillis() / 1000.0);
            return this;
        }
    }

    /**
     * @return the bound address (with the port chosen when port 0 was asked for)
     * @throws IllegalStateException if the server is not started
     */
    public InetSocketAddress localAddress() {
        ServerSocket ss = serverSocket;
        if (ss == null) {
            throw new IllegalStateException("policy server not started");
        }
        return new InetSocketAddress(ss.getInetAddress(), ss.getLocalPort());
    }

    /** @return the requests answered so far */
    public long requestsAnswered() {
        return requests.get();
    }

    /** @return the malformed requests so far (each closed its connection without a reply) */
    public long malformedRequests() {
        return malformed.get();
    }

    /** @return the connections refused so far because {@code maxConnections} were open */
    public long refusedConnections() {
        return refusedConnections.get();
    }

    /** @return the connections open now */
    public int openConnections() {
        return connections.size();
    }

    private void acceptLoop() {
        ServerSocket ss = serverSocket;
        while (!closed) {
            Socket s;
            try {
                s = ss.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.error("policy server: accept failed, no longer accepting connections", e);
                }
                return;
            }
            if (!permits.tryAcquire()) {
                refusedConnections.incrementAndGet();
                LOG.warn("policy server: {} connections open (policy.max-connections), closing the connection "
                        + "from {}", maxConnections, s.getRemoteSocketAddress());
                closeQuietly(s);
                continue;
            }
            Connection c = new Connection(s, clock.epochNanos() + idleTimeout.toNanos());
            connections.add(c);
            try {
                pool.execute(() -> {
                    try {
                        serve(c);
                    } finally {
                        connections.remove(c);
                        finish(s);
                        permits.release();
                    }
                });
            } catch (RejectedExecutionException e) {
                connections.remove(c);
                closeQuietly(s);
                permits.release();
            }
            if (closed) {
                closeQuietly(s);
            }
        }
    }

    private void serve(Connection c) {
        Socket s = c.socket;
        Object peer = s.getRemoteSocketAddress();
        try {
            s.setTcpNoDelay(true);
            PolicyRequestReader reader = new PolicyRequestReader(s.getInputStream(), maxLineLength, maxRequestSize);
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1024);
            long idleNanos = idleTimeout.toNanos();
            while (!closed) {
                List<Map.Entry<String, String>> attributes;
                try {
                    attributes = reader.read();
                } catch (MalformedRequestException e) {
                    malformed.incrementAndGet();
                    if (c.timedOut) { // the watchdog ended the input inside a request
                        LOG.warn("policy client {}: request not complete within {} ms, closing without a reply",
                                peer, idleTimeout.toMillis());
                    } else {
                        LOG.warn("policy client {}: malformed request, closing without a reply: {}", peer,
                                e.getMessage());
                    }
                    return;
                }
                if (attributes != null && (c.timedOut || clock.epochNanos() > c.deadline)) {
                    // complete, but later than the deadline (it was read before the watchdog saw the deadline pass)
                    malformed.incrementAndGet();
                    LOG.warn("policy client {}: request not complete within {} ms, closing without a reply",
                            peer, idleTimeout.toMillis());
                    return;
                }
                c.suspend(); // no deadline while deciding: the request came in time
                if (attributes == null) {
                    if (c.timedOut) {
                        LOG.debug("policy client {}: idle for {} ms, closing", peer, idleTimeout.toMillis());
                    } else {
                        LOG.debug("policy client {}: closed the connection", peer);
                    }
                    return;
                }
                String action;
                try {
                    action = answer(PolicyRequest.ofReceived(attributes)); // the reader's fresh list
                } catch (IllegalArgumentException | IllegalStateException e) {
                    malformed.incrementAndGet();
                    LOG.warn("policy client {}: malformed request, closing without a reply: {}", peer, e.getMessage());
                    return;
                }
                // the next request's deadline starts now, before the client can see this reply
                c.arm(clock.epochNanos() + idleNanos);
                requests.incrementAndGet();
                out.write(ACTION);
                out.write(action.getBytes(StandardCharsets.UTF_8));
                out.write(END);
                out.flush();
            }
        } catch (SocketException e) {
            if (!closed) {
                LOG.debug("policy client {}: {}", peer, e.toString());
            }
        } catch (IOException e) {
            LOG.warn("policy client {}: {}", peer, e.toString());
        }
    }

    /**
     * Decides one request.
     *
     * @throws IllegalArgumentException if the request cannot be mapped (the caller closes without a reply)
     */
    private String answer(PolicyRequest request) {
        Optional<RelayRequest> relay = request.toRelayRequest();
        if (relay.isEmpty()) {
            DECISIONS.debug("{} asks no relay question -> DUNNO", request.protocolState().orElse("?"));
            return PolicyActions.DUNNO;
        }
        RelayRequest r = relay.get();
        Decision d;
        try {
            d = decider.decide(r);
        } catch (RuntimeException e) {
            LOG.error("decider failed on {}: answering {}", r, PolicyActions.failed(), e);
            return PolicyActions.failed();
        }
        if (d == null) {
            LOG.error("decider returned null for {}: answering {}", r, PolicyActions.failed());
            return PolicyActions.failed();
        }
        String action = actions.action(d);
        if (DECISIONS.isDebugEnabled()) {
            DECISIONS.debug("{} -> action={}\n{}", r, action, d.explain());
        }
        return action;
    }

    /**
     * Stops accepting, closes every connection (a request being decided finishes its decision, its reply is
     * lost) and waits up to five seconds for the connection threads. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            if (serverSocket == null) {
                return;
            }
            closeQuietly(serverSocket);
            for (Connection c : connections) {
                closeQuietly(c.socket);
            }
            watchdog.interrupt();
            pool.shutdown();
            try {
                acceptor.join(5000);
                if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("policy server: connection threads still running after 5 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LOG.info("policy server stopped after {} requests", requests.get());
        }
    }

    /**
     * Closes a connection with a FIN first: closing a socket with unread input sends a RST, which can make the
     * client lose what it had already received; after the FIN it reads a clean end of stream.
     */
    private static void finish(Socket s) {
        try {
            if (!s.isClosed()) {
                s.shutdownOutput();
            }
        } catch (IOException e) {
            // closing anyway
        }
        closeQuietly(s);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing anyway
        }
    }

    /**
     * Formats a socket address as {@code HOST:PORT}, or {@code [IPv6]:PORT}.
     *
     * @param address the address
     * @return e.g. {@code 127.0.0.1:10040} or {@code [::1]:10040}
     */
    public static String format(InetSocketAddress address) {
        InetAddress a = address.getAddress();
        String host = a == null ? address.getHostString() : a.getHostAddress();
        if (a instanceof Inet6Address) {
            int zone = host.indexOf('%');
            host = "[" + (zone < 0 ? host : host.substring(0, zone)) + "]";
        }
        return host + ":" + address.getPort();
    }

    /**
     * The watchdog: every tenth of the idle timeout (at least 10 ms, at most 1 s) it ends the input of each
     * connection whose deadline has passed on the {@link Builder#clock(RelayClock) clock}, or that has waited a
     * whole idle timeout on the monotonic clock (so a clock stepping backwards cannot keep a connection open
     * longer). The blocked read then sees the end of the stream, and the connection's thread closes it without a
     * reply. If the input cannot be shut down, or the connection is still there one round later, it is closed.
     */
    private void watchLoop() {
        long idleNanos = idleTimeout.toNanos();
        long period = Math.max(10_000_000L, Math.min(1_000_000_000L, idleNanos / 10));
        while (!closed) {
            LockSupport.parkNanos(period);
            long now = clock.epochNanos();
            long mono = System.nanoTime();
            for (Connection c : connections) {
                if (c.timedOut) {
                    closeQuietly(c.socket); // still there a round after its input was shut down
                } else if (now > c.deadline || mono - c.armedAt > idleNanos) {
                    c.timedOut = true;
                    try {
                        c.socket.shutdownInput();
                    } catch (IOException e) {
                        closeQuietly(c.socket);
                    }
                }
            }
        }
    }

    /** One connection and its deadline for the next complete request; the deadline is set by its own thread. */
    private static final class Connection {
        final Socket socket;
        /** On the server's clock: the next request must be complete by then. */
        volatile long deadline;
        /** {@link System#nanoTime()} when the deadline was set. */
        volatile long armedAt;
        /** Set by the watchdog when it ended the input. */
        volatile boolean timedOut;

        Connection(Socket socket, long deadline) {
            this.socket = socket;
            arm(deadline);
        }

        void arm(long newDeadline) {
            armedAt = System.nanoTime();
            deadline = newDeadline;
        }

        void suspend() {
            deadline = Long.MAX_VALUE;
            armedAt = Long.MAX_VALUE;
        }
    }

    /**
     * Builds a {@link PolicyServer}. Not thread-safe. Each setter validates at once, naming the bad value.
     */
    public static final class Builder {
        private final RelayDecider decider;
        private InetSocketAddress listen = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        private AllowAction allowAction = AllowAction.DUNNO;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxLineLength = DEFAULT_MAX_LINE_LENGTH;
        private int maxRequestSize = DEFAULT_MAX_REQUEST_SIZE;
        private RelayClock clock = RelayClock.system();

        private Builder(RelayDecider decider) {
            this.decider = Objects.requireNonNull(decider, "decider");
        }

        /**
         * @param address where to listen; port 0 picks a free port (default: loopback, port 0)
         * @return this builder
         */
        public Builder listen(InetSocketAddress address) {
            this.listen = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * @param action what ALLOW becomes: {@code DUNNO} (the default) or {@code OK}
         * @return this builder
         */
        public Builder allowAction(AllowAction action) {
            this.allowAction = Objects.requireNonNull(action, "action");
            return this;
        }

        /**
         * @param timeout how long a connection may wait for its next complete request (default 300 s)
         * @return this builder
         * @throws IllegalArgumentException if not positive or above 24 days
         */
        public Builder idleTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("idle timeout must be positive and at most 24 days, was " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * @param max the most connections open at once; one thread each (default 256)
         * @return this builder
         * @throws IllegalArgumentException if not 1..10000
         */
        public Builder maxConnections(int max) {
            if (max < 1 || max > 10_000) {
                throw new IllegalArgumentException("max connections must be 1..10000, was " + max);
            }
            this.maxConnections = max;
            return this;
        }

        /**
         * @param bytes the longest request line (default 8192)
         * @return this builder
         * @throws IllegalArgumentException if not 64..1048576
         */
        public Builder maxLineLength(int bytes) {
            if (bytes < 64 || bytes > 1 << 20) {
                throw new IllegalArgumentException("max line length must be 64..1048576 bytes, was " + bytes);
            }
            this.maxLineLength = bytes;
            return this;
        }

        /**
         * @param bytes the largest request (default 65536); at least the longest line
         * @return this builder
         * @throws IllegalArgumentException if not 64..16777216
         */
        public Builder maxRequestSize(int bytes) {
            if (bytes < 64 || bytes > 1 << 24) {
                throw new IllegalArgumentException("max request size must be 64..16777216 bytes, was " + bytes);
            }
            this.maxRequestSize = bytes;
            return this;
        }

        /**
         * @param clock the clock the idle deadline is read from (default the system clock)
         * @return this builder
         */
        public Builder clock(RelayClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @return the server, not yet started
         * @throws IllegalStateException if the longest line exceeds the largest request
         */
        public PolicyServer build() {
            if (maxLineLength > maxRequestSize) {
                throw new IllegalStateException("max line length " + maxLineLength
                        + " exceeds max request size " + maxRequestSize);
            }
            return new PolicyServer(this);
        }
    }
}
