package io.relaycontrol.examples.policy;

import io.relaycontrol.core.config.RelayProperties;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.examples.policy.PolicyActions.AllowAction;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The policy server's configuration file: a Java properties file (UTF-8) with the standard {@code relay.*}
 * keys (read by the relay policy, not here) plus:
 * <table>
 * <caption>policy server keys</caption>
 * <tr><th>key</th><th>value</th><th>default</th></tr>
 * <tr><td>{@code policy.listen}</td><td>{@code HOST:PORT} or {@code [IPv6]:PORT}; port 0 picks a free
 *     port</td><td>required</td></tr>
 * <tr><td>{@code policy.allow-action}</td><td>{@code DUNNO} or {@code OK}: what ALLOW becomes</td>
 *     <td>{@code DUNNO}</td></tr>
 * <tr><td>{@code policy.idle-timeout}</td><td>a duration ({@code 300s}, {@code 5m}, {@code 500ms}): how long a
 *     connection may wait for its next complete request</td><td>{@code 300s}</td></tr>
 * <tr><td>{@code policy.max-connections}</td><td>1..10000</td><td>256</td></tr>
 * <tr><td>{@code policy.max-line-length}</td><td>bytes, 64..1048576</td><td>8192</td></tr>
 * <tr><td>{@code policy.max-request-size}</td><td>bytes, 64..16777216</td><td>65536</td></tr>
 * </table>
 * Any other {@code policy.*} key, and any key that is neither {@code policy.*} nor {@code relay.*}, is an error.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @since 0.2.0
 */
public final class PolicyServerConfig {

    /** The keys this class reads. */
    static final Set<String> KEYS = Set.of("policy.listen", "policy.allow-action", "policy.idle-timeout",
            "policy.max-connections", "policy.max-line-length", "policy.max-request-size");

    private final Path file;
    private final InetSocketAddress listen;
    private final AllowAction allowAction;
    private final Duration idleTimeout;
    private final int maxConnections;
    private final int maxLineLength;
    private final int maxRequestSize;

    private PolicyServerConfig(Path file, InetSocketAddress listen, AllowAction allowAction, Duration idleTimeout,
            int maxConnections, int maxLineLength, int maxRequestSize) {
        this.file = file;
        this.listen = listen;
        this.allowAction = allowAction;
        this.idleTimeout = idleTimeout;
        this.maxConnections = maxConnections;
        this.maxLineLength = maxLineLength;
        this.maxRequestSize = maxRequestSize;
    }

    /**
     * Reads a configuration file.
     *
     * @param file the properties file
     * @return the configuration
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException naming the file and the key if a value is invalid, {@code policy.listen}
     *     is missing, or a key is unknown
     */
    public static PolicyServerConfig load(Path file) {
        return from(RelayProperties.readFile(file), file);
    }

    /**
     * Reads a configuration from key-value pairs, as if from {@code file}.
     *
     * @param properties the keys and values
     * @param file the file they came from, named in errors
     * @return the configuration
     * @throws IllegalArgumentException naming the key if a value is invalid, {@code policy.listen} is missing, or
     *     a key is unknown
     */
    public static PolicyServerConfig from(Map<String, String> properties, Path file) {
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(file, "file");
        for (String k : properties.keySet()) {
            if (!k.startsWith("relay.") && !KEYS.contains(k)) {
                throw error(file, k, k.startsWith("policy.")
                        ? "unknown policy key; known keys are " + new TreeSet<>(KEYS)
                        : "unknown key; keys start with policy. or relay.");
            }
        }
        String listenText = properties.get("policy.listen");
        if (listenText == null || listenText.isBlank()) {
            throw error(file, "policy.listen", "is required (HOST:PORT or [IPv6]:PORT)");
        }
        InetSocketAddress listen;
        AllowAction allow;
        Duration idle;
        int maxConnections;
        int maxLine;
        int maxRequest;
        String key = "policy.listen";
        try {
            listen = parseListen(listenText.strip());
            key = "policy.allow-action";
            allow = AllowAction.parse(properties.getOrDefault(key, "DUNNO"));
            key = "policy.idle-timeout";
            idle = parseDuration(properties.getOrDefault(key, "300s"));
            key = "policy.max-connections";
            maxConnections = parseInt(properties.get(key), PolicyServer.DEFAULT_MAX_CONNECTIONS);
            key = "policy.max-line-length";
            maxLine = parseInt(properties.get(key), PolicyServer.DEFAULT_MAX_LINE_LENGTH);
            key = "policy.max-request-size";
            maxRequest = parseInt(properties.get(key), PolicyServer.DEFAULT_MAX_REQUEST_SIZE);
            // let the builder check the ranges, so there is one place that knows them
            key = "policy.max-connections";
            PolicyServer.Builder check = PolicyServer.builder(r -> null).maxConnections(maxConnections);
            key = "policy.idle-timeout";
            check.idleTimeout(idle);
            key = "policy.max-line-length";
            check.maxLineLength(maxLine);
            key = "policy.max-request-size";
            check.maxRequestSize(maxRequest);
            check.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw error(file, key, e.getMessage());
        }
        return new PolicyServerConfig(file, listen, allow, idle, maxConnections, maxLine, maxRequest);
    }

    private static int parseInt(String text, int dflt) {
        if (text == null || text.isBlank()) {
            return dflt;
        }
        String t = text.strip();
        if (t.length() > 9 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("expected a number, was '" + text + "'");
        }
        return Integer.parseInt(t);
    }

    /**
     * Parses a duration: a number and a unit, {@code ms}, {@code s}, {@code m} or {@code h}.
     *
     * @param text e.g. {@code 300s}
     * @return the duration
     * @throws IllegalArgumentException naming the text if it is not of that form
     */
    static Duration parseDuration(String text) {
        String t = text.strip();
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) {
            i++;
        }
        String unit = t.substring(i);
        if (i == 0 || i > 9) {
            throw new IllegalArgumentException("expected a duration such as 300s, 5m or 500ms, was '" + text + "'");
        }
        long n = Long.parseLong(t.substring(0, i));
        switch (unit) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            case "h":
                return Duration.ofHours(n);
            default:
                throw new IllegalArgumentException("expected a duration such as 300s, 5m or 500ms, was '" + text + "'");
        }
    }

    /**
     * Parses {@code HOST:PORT} or {@code [IPv6]:PORT}. A host name is resolved once (e.g. {@code localhost}).
     *
     * @param text the address
     * @return the socket address
     * @throws IllegalArgumentException if the text is not of that form, the port is not 0..65535, or the host
     *     cannot be resolved
     */
    public static InetSocketAddress parseListen(String text) {
        Objects.requireNonNull(text, "text");
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("expected [IPv6]:PORT, was '" + text + "'");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
            if (host.indexOf(':') < 0) {
                throw new IllegalArgumentException("brackets are for IPv6 addresses only, was '" + text + "'");
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("expected HOST:PORT or [IPv6]:PORT, was '" + text + "'");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("an IPv6 address needs brackets, [IPv6]:PORT, was '" + text + "'");
            }
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
                || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was '" + port + "' in '" + text + "'");
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host is empty in '" + text + "'");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(port));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host '" + host + "' in '" + text + "'", e);
        }
    }

    private static IllegalArgumentException error(Path file, String key, String message) {
        return new IllegalArgumentException(file + ": " + key + ": " + message);
    }

    /**
     * A server builder with this configuration.
     *
     * @param decider the decider to answer with
     * @return the builder, ready to {@link PolicyServer.Builder#build()}
     */
    public PolicyServer.Builder serverBuilder(RelayDecider decider) {
        return PolicyServer.builder(decider).listen(listen).allowAction(allowAction).idleTimeout(idleTimeout)
                .maxConnections(maxConnections).maxLineLength(maxLineLength).maxRequestSize(maxRequestSize);
    }

    /** @return the file this configuration was read from */
    public Path file() {
        return file;
    }

    /** @return the address to listen on */
    public InetSocketAddress listen() {
        return listen;
    }

    /** @return what ALLOW becomes */
    public AllowAction allowAction() {
        return allowAction;
    }

    /** @return the idle timeout */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** @return the bound on concurrent connections */
    public int maxConnections() {
        return maxConnections;
    }

    /** @return the longest request line, in bytes */
    public int maxLineLength() {
        return maxLineLength;
    }

    /** @return the largest request, in bytes */
    public int maxRequestSize() {
        return maxRequestSize;
    }

    @Override
    public String toString() {
        return "PolicyServerConfig{" + file + ", listen=" + PolicyServer.format(listen) + ", allow-action="
                + allowAction + ", idle-timeout=" + idleTimeout + ", max-connections=" + maxConnections
                + ", max-line-length=" + maxLineLength + ", max-request-size=" + maxRequestSize + "}";
    }
}
