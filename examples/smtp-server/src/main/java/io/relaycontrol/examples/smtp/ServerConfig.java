package io.relaycontrol.examples.smtp;

import io.relaycontrol.core.config.RelayProperties;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.relaycontrol.core.net.NetworkSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The example server's configuration file: a Java properties file (read as UTF-8) with the standard
 * {@code relay.*} keys of relaycontrol's policy, plus:
 * <dl>
 *   <dt>{@code server.listen}</dt><dd>required; {@code HOST:PORT} or {@code [IPv6]:PORT}, e.g.
 *       {@code 127.0.0.1:2525}, {@code [::1]:2525}; port 0 picks a free port</dd>
 *   <dt>{@code server.hostname}</dt><dd>the name in the banner and EHLO reply; default {@code localhost}</dd>
 *   <dt>{@code server.users}</dt><dd>demo accounts for AUTH PLAIN/LOGIN, {@code login:password, login:password}</dd>
 *   <dt>{@code server.spool}</dt><dd>directory for accepted messages ({@code .eml}); relative paths resolve
 *       against the configuration file's directory; without it, messages are discarded</dd>
 *   <dt>{@code server.tls.certificate}, {@code server.tls.private-key}</dt><dd>both or neither: PEM certificate
 *       chain (leaf first) and PEM unencrypted PKCS#8 key (RSA or EC); with them {@code server.listen} offers
 *       STARTTLS and AUTH only after it. Checked at start-up, reloaded when they change</dd>
 *   <dt>{@code server.tls.demo-self-signed}</dt><dd>{@code true}: if both files are missing, write a self-signed
 *       DEMO certificate there first; only with loopback listeners. Default {@code false}</dd>
 *   <dt>{@code server.listen-tls}</dt><dd>optional {@code HOST:PORT}: a second listener with implicit TLS
 *       (RFC 8314); needs the certificate</dd>
 *   <dt>{@code server.proxy-protocol.trusted}</dt><dd>optional CIDRs of trusted proxies, comma-separated:
 *       connections from them must begin with a PROXY v1/v2 header; from elsewhere none is accepted</dd>
 *   <dt>{@code server.metrics.listen}</dt><dd>optional {@code HOST:PORT}: Prometheus {@code /metrics}</dd>
 * </dl>
 * Any other {@code server.*} key, and any key outside {@code server.*} and {@code relay.*}, is an error.
 * The {@code relay.*} keys are not interpreted here; they go to the relay policy.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class ServerConfig {

    /** The keys this class understands. */
    static final Set<String> SERVER_KEYS = Set.of("server.listen", "server.hostname", "server.users", "server.spool",
            "server.tls.certificate", "server.tls.private-key", "server.tls.demo-self-signed", "server.listen-tls",
            "server.proxy-protocol.trusted", "server.metrics.listen");

    static final String TLS_CERTIFICATE = "server.tls.certificate";
    static final String TLS_KEY = "server.tls.private-key";
    static final String TLS_DEMO = "server.tls.demo-self-signed";

    private final Path file;
    private final InetSocketAddress listen;
    private final String hostName;
    private final Map<String, String> users;
    private final Path spool;
    private final Map<String, String> relayKeys;
    private final Path certificate;
    private final Path privateKey;
    private final InetSocketAddress listenTls;
    private final NetworkSet proxyTrusted;
    private final InetSocketAddress metricsListen;

    private ServerConfig(Path file, InetSocketAddress listen, String hostName, Map<String, String> users,
            Path spool, Map<String, String> relayKeys, Path[] tls, InetSocketAddress listenTls,
            NetworkSet proxyTrusted, InetSocketAddress metricsListen) {
        this.file = file;
        this.listen = listen;
        this.hostName = hostName;
        this.users = users;
        this.spool = spool;
        this.relayKeys = relayKeys;
        this.certificate = tls == null ? null : tls[0];
        this.privateKey = tls == null ? null : tls[1];
        this.listenTls = listenTls;
        this.proxyTrusted = proxyTrusted;
        this.metricsListen = metricsListen;
    }

    /**
     * Reads a configuration file.
     *
     * @param file the properties file
     * @return the configuration
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException naming the file and key if a value is invalid, a required key is
     *     missing, or a key is unknown
     */
    public static ServerConfig load(Path file) {
        return from(RelayProperties.readFile(file), file);
    }

    /**
     * Reads a configuration from key-value pairs, as if from {@code file}.
     *
     * @param properties the keys and values
     * @param file the file they came from: names it in errors, and its directory resolves relative paths
     * @return the configuration
     * @throws IllegalArgumentException naming the key if a value is invalid, a required key is missing, or a
     *     key is unknown
     */
    public static ServerConfig from(Map<String, String> properties, Path file) {
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(file, "file");
        Map<String, String> relay = new TreeMap<>();
        for (Map.Entry<String, String> e : properties.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("relay.")) {
                relay.put(k, e.getValue());
            } else if (!SERVER_KEYS.contains(k)) {
                throw error(file, k, k.startsWith("server.")
                        ? "unknown server key; known keys are " + new java.util.TreeSet<>(SERVER_KEYS)
                        : "unknown key; keys start with server. or relay.");
            }
        }
        String listenText = properties.get("server.listen");
        if (listenText == null || listenText.isBlank()) {
            throw error(file, "server.listen", "is required (HOST:PORT or [IPv6]:PORT)");
        }
        InetSocketAddress listen;
        try {
            listen = parseListen(listenText.strip());
        } catch (IllegalArgumentException e) {
            throw error(file, "server.listen", e.getMessage());
        }
        String hostName = properties.getOrDefault("server.hostname", "localhost").strip();
        if (hostName.isEmpty() || !hostName.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw error(file, "server.hostname", "must be printable ASCII without spaces: '" + hostName + "'");
        }
        Map<String, String> users = new LinkedHashMap<>();
        String usersText = properties.getOrDefault("server.users", "");
        for (String entry : usersText.split(",")) {
            String u = entry.strip();
            if (u.isEmpty()) {
                continue;
            }
            int colon = u.indexOf(':');
            if (colon <= 0 || colon == u.length() - 1) {
                throw error(file, "server.users", "expected login:password, was '" + u + "'");
            }
            String login = u.substring(0, colon).strip();
            if (users.putIfAbsent(login, u.substring(colon + 1).strip()) != null) {
                throw error(file, "server.users", "user '" + login + "' is defined twice");
            }
        }
        Path spool = null;
        String spoolText = properties.get("server.spool");
        if (spoolText != null && !spoolText.isBlank()) {
            Path dir = file.toAbsolutePath().getParent();
            spool = dir.resolve(spoolText.strip()).normalize();
        }
        InetSocketAddress listenTls = optionalAddress(properties, file, "server.listen-tls");
        InetSocketAddress metricsListen = optionalAddress(properties, file, "server.metrics.listen");
        NetworkSet proxyTrusted = null;
        String proxies = properties.get("server.proxy-protocol.trusted");
        if (proxies != null && !proxies.isBlank()) {
            List<String> cidrs = new ArrayList<>();
            for (String e : proxies.split(",")) {
                if (!e.isBlank()) {
                    cidrs.add(e.strip());
                }
            }
            try {
                proxyTrusted = NetworkSet.of(cidrs);
            } catch (RuntimeException e) {
                throw error(file, "server.proxy-protocol.trusted", e.getMessage());
            }
        }
        Path[] tls = tls(properties, file, listen, listenTls, hostName);
        return new ServerConfig(file, listen, hostName, Collections.unmodifiableMap(users), spool,
                Collections.unmodifiableMap(relay), tls, listenTls, proxyTrusted, metricsListen);
    }

    private static InetSocketAddress optionalAddress(Map<String, String> properties, Path file, String key) {
        String text = properties.get(key);
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return parseListen(text.strip());
        } catch (IllegalArgumentException e) {
            throw error(file, key, e.getMessage());
        }
    }

    /** @return the certificate and key files, checked, or null without TLS */
    private static Path[] tls(Map<String, String> properties, Path file, InetSocketAddress listen,
            InetSocketAddress listenTls, String hostName) {
        Path dir = file.toAbsolutePath().getParent();
        String certText = properties.getOrDefault(TLS_CERTIFICATE, "").strip();
        String keyText = properties.getOrDefault(TLS_KEY, "").strip();
        String demoText = properties.getOrDefault(TLS_DEMO, "false").strip();
        if (!demoText.equals("true") && !demoText.equals("false")) {
            throw error(file, TLS_DEMO, "must be true or false, was '" + demoText + "'");
        }
        if (certText.isEmpty() != keyText.isEmpty()) {
            throw error(file, certText.isEmpty() ? TLS_CERTIFICATE : TLS_KEY, "is required with "
                    + (certText.isEmpty() ? TLS_KEY : TLS_CERTIFICATE) + " (both or neither)");
        }
        if (certText.isEmpty()) {
            if (listenTls != null) {
                throw error(file, "server.listen-tls", "needs " + TLS_CERTIFICATE + " and " + TLS_KEY);
            }
            if (demoText.equals("true")) {
                throw error(file, TLS_DEMO, "needs " + TLS_CERTIFICATE + " and " + TLS_KEY + " (where to write it)");
            }
            return null;
        }
        Path cert = dir.resolve(certText).normalize();
        Path key = dir.resolve(keyText).normalize();
        if (demoText.equals("true") && !Files.exists(cert) && !Files.exists(key)) {
            if (!listen.getAddress().isLoopbackAddress() || (listenTls != null && !listenTls.getAddress().isLoopbackAddress())) {
                throw error(file, TLS_DEMO, "a self-signed demo certificate is only for loopback listeners");
            }
            SelfSignedCertificate.generate(cert, key, "CN=" + hostName
                    + ", OU=relaycontrol DEMO certificate - not for production, O=relaycontrol demo", "EC", null, 365,
                    "dns:" + hostName + ",dns:localhost,ip:127.0.0.1,ip:::1");
            org.slf4j.LoggerFactory.getLogger(ServerConfig.class).warn("generated a self-signed DEMO certificate for {}"
                    + " into {} and {} (loopback only; never use it on a real network)", hostName, cert, key);
        }
        try {
            TlsFiles.load(cert, key, java.time.Instant.now());
        } catch (TlsFiles.TlsFileException e) {
            throw error(file, e.file().equals(key) ? TLS_KEY : TLS_CERTIFICATE, e.getMessage());
        }
        return new Path[] {cert, key};
    }

    /**
     * Parses {@code HOST:PORT} or {@code [IPv6]:PORT}. A host name is resolved once (e.g. {@code localhost}).
     *
     * @param text the address
     * @return the socket address
     * @throws IllegalArgumentException if the text is not of that form, the port is not 0..65535, or the
     *     host cannot be resolved
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
        int p;
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
                || (p = Integer.parseInt(port)) > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was '" + port + "' in '" + text + "'");
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host is empty in '" + text + "'");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), p);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host '" + host + "' in '" + text + "'", e);
        }
    }

    private static IllegalArgumentException error(Path file, String key, String message) {
        return new IllegalArgumentException(file + ": " + key + ": " + message);
    }

    /** @return the file this configuration was read from */
    public Path file() {
        return file;
    }

    /** @return the address to listen on */
    public InetSocketAddress listen() {
        return listen;
    }

    /** @return the name in the banner and EHLO reply */
    public String hostName() {
        return hostName;
    }

    /** @return the demo accounts, login to password, in file order; unmodifiable */
    public Map<String, String> users() {
        return users;
    }

    /** @return the absolute spool directory, if configured */
    public Optional<Path> spool() {
        return Optional.ofNullable(spool);
    }

    /** @return the absolute certificate chain file, if TLS is configured */
    public Optional<Path> tlsCertificate() {
        return Optional.ofNullable(certificate);
    }

    /** @return the absolute private key file, if TLS is configured */
    public Optional<Path> tlsPrivateKey() {
        return Optional.ofNullable(privateKey);
    }

    /** @return the implicit-TLS listen address, if configured */
    public Optional<InetSocketAddress> listenTls() {
        return Optional.ofNullable(listenTls);
    }

    /** @return the trusted proxy networks, if configured */
    public Optional<NetworkSet> proxyTrusted() {
        return Optional.ofNullable(proxyTrusted);
    }

    /** @return the metrics endpoint's address, if configured */
    public Optional<InetSocketAddress> metricsListen() {
        return Optional.ofNullable(metricsListen);
    }

    /** @return the {@code relay.*} keys with their values, sorted; unmodifiable */
    public Map<String, String> relayKeys() {
        return relayKeys;
    }

    /**
     * A server builder with this configuration's listen address, host name, users and spool.
     *
     * @param decider the relay policy
     * @return the builder, ready to {@link RelaySmtpServer.Builder#build()}
     */
    public RelaySmtpServer.Builder serverBuilder(io.relaycontrol.api.RelayDecider decider) {
        RelaySmtpServer.Builder b = RelaySmtpServer.builder(decider).listen(listen).hostName(hostName);
        users.forEach(b::user);
        if (spool != null) {
            b.spool(spool);
        }
        if (certificate != null) {
            b.tls(certificate, privateKey);
        }
        if (listenTls != null) {
            b.listenTls(listenTls);
        }
        if (proxyTrusted != null) {
            b.proxyProtocol(proxyTrusted);
        }
        return b;
    }

    @Override
    public String toString() {
        return "ServerConfig{" + file + ", listen=" + RelaySmtpServer.format(listen) + ", hostname=" + hostName
                + ", users=" + users.keySet() + ", spool=" + spool
                + (certificate == null ? "" : ", tls=" + certificate + "+" + privateKey)
                + (listenTls == null ? "" : ", listen-tls=" + RelaySmtpServer.format(listenTls))
                + (proxyTrusted == null ? "" : ", proxy-protocol.trusted=" + proxyTrusted)
                + (metricsListen == null ? "" : ", metrics=" + RelaySmtpServer.format(metricsListen))
                + ", relay keys=" + relayKeys.keySet() + "}";
    }
}
