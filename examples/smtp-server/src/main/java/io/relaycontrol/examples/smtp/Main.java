package io.relaycontrol.examples.smtp;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.relaycontrol.core.config.ConfigException;
import io.relaycontrol.core.config.MicrometerRelayMetrics;
import io.relaycontrol.core.config.RelayMetricsSink;
import io.relaycontrol.core.config.ReloadingRelayPolicy;
import io.relaycontrol.core.limit.LimitStore;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the example server: {@code java -jar relaycontrol-smtp-server.jar --config FILE}.
 *
 * <p>Reads {@code FILE} ({@link ServerConfig}: the {@code server.*} keys), loads the relay policy from the
 * {@code relay.*} keys of the same file with {@link ReloadingRelayPolicy#watch(Path, String, RelayMetricsSink)}
 * (which reloads it when the file or a list it includes changes), starts a {@link RelaySmtpServer}, and prints
 * {@code listening on HOST:PORT} on standard output when connections are accepted, then
 * {@code listening with implicit TLS on HOST:PORT} and {@code metrics on http://HOST:PORT/metrics} if those
 * are configured. With {@code server.metrics.listen}, the policy's decisions and reloads
 * ({@link MicrometerRelayMetrics}) and the server's connections and TLS handshakes go to one Prometheus
 * registry. On SIGTERM or Ctrl-C a
 * shutdown hook stops the server, closes the policy watcher and prints {@code stopped}. Logs go to standard
 * error (slf4j-simple; {@code -Dorg.slf4j.simpleLogger.log.io.relaycontrol=debug} shows each decision's
 * {@code explain()} tree).
 *
 * <p>Exit status: 2 for a bad command line or configuration, 1 if the server cannot start; a server stopped
 * by SIGTERM exits as the JVM does on that signal (143).
 *
 * @since 0.1.0
 */
public final class Main {

    static final String USAGE = "usage: java -jar relaycontrol-smtp-server.jar --config FILE";

    private Main() {
    }

    /**
     * Starts the server and blocks until the JVM shuts down.
     *
     * @param args {@code --config FILE}
     */
    public static void main(String[] args) {
        // Subcommands (e.g. "audit") are dispatched here, before the server's own --config FILE is read.
        Path file;
        try {
            file = parseArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        Running running;
        try {
            running = start(file);
        } catch (IllegalArgumentException | UncheckedIOException e) { // every RelayConfigException (ConfigException, list errors)
            System.err.println("relaycontrol-smtp-server: " + e.getMessage());
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            System.err.println("relaycontrol-smtp-server: cannot start: " + e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            System.out.println("stopped");
            System.out.flush();
            stopped.countDown();
        }, "relaycontrol-shutdown"));
        System.out.println("listening on " + RelaySmtpServer.format(running.server().localAddress()));
        running.server().tlsLocalAddress().ifPresent(a ->
                System.out.println("listening with implicit TLS on " + RelaySmtpServer.format(a)));
        if (running.metrics() != null) {
            System.out.println("metrics on http://" + RelaySmtpServer.format(running.metrics().address()) + "/metrics");
        }
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Reads the command line.
     *
     * @param args the arguments
     * @return the configuration file
     * @throws IllegalArgumentException if the arguments are not {@code --config FILE} (or {@code --config=FILE})
     *     or the file does not exist
     */
    static Path parseArgs(String[] args) {
        Objects.requireNonNull(args, "args");
        String value = null;
        if (args.length == 2 && args[0].equals("--config")) {
            value = args[1];
        } else if (args.length == 1 && args[0].startsWith("--config=")) {
            value = args[0].substring("--config=".length());
        }
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("expected --config FILE, got " + String.join(" ", args));
        }
        Path file = Path.of(value);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("configuration file not found: " + file);
        }
        return file;
    }

    /**
     * Loads the configuration and the relay policy and starts the server.
     *
     * @param file the configuration file
     * @return the running server and its policy; close it to stop both
     * @throws IllegalArgumentException if a {@code server.*} key is invalid or a key is unknown
     * @throws ConfigException if the {@code relay.*} keys are invalid (naming key, file and line)
     * @throws UncheckedIOException if the file cannot be read
     */
    static Running start(Path file) {
        return start(file, Duration.ofSeconds(2));
    }

    /**
     * As {@link #start(Path)}, checking the policy files for changes every {@code reloadInterval}; tests pass
     * {@link Duration#ZERO} and call {@code checkForChanges()} themselves, so no background check races them.
     *
     * @param file the configuration file
     * @param reloadInterval how often to check for changes, or zero for never
     * @return the running server and its policy; close it to stop both
     */
    static Running start(Path file, Duration reloadInterval) {
        ServerConfig config = ServerConfig.load(file);
        PrometheusMeterRegistry registry = config.metricsListen().isPresent()
                ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : null;
        RelayMetricsSink sink = registry == null ? RelayMetricsSink.NONE : new MicrometerRelayMetrics(registry);
        ReloadingRelayPolicy policy = ReloadingRelayPolicy.watch(file, "relay.", sink, LimitStore.local(),
                reloadInterval);
        RelaySmtpServer server = null;
        try {
            RelaySmtpServer.Builder b = config.serverBuilder(policy);
            if (registry != null) {
                b.metrics(registry);
            }
            server = b.build();
            server.start();
            MetricsEndpoint metrics = registry == null ? null
                    : new MetricsEndpoint(config.metricsListen().get(), registry);
            Running r = new Running(server, policy, metrics);
            LoggerFactory.getLogger(Main.class).info("started: {}", config);
            return r;
        } catch (RuntimeException e) {
            if (server != null) {
                server.close();
            }
            policy.close();
            throw e;
        }
    }

    /** A started server and its policy watcher. */
    static final class Running implements AutoCloseable {
        private static final Logger LOG = LoggerFactory.getLogger(Main.class);
        private final RelaySmtpServer server;
        private final ReloadingRelayPolicy policy;
        private final MetricsEndpoint metrics;

        Running(RelaySmtpServer server, ReloadingRelayPolicy policy, MetricsEndpoint metrics) {
            this.server = server;
            this.policy = policy;
            this.metrics = metrics;
        }

        MetricsEndpoint metrics() {
            return metrics;
        }

        RelaySmtpServer server() {
            return server;
        }

        ReloadingRelayPolicy policy() {
            return policy;
        }

        /** Stops the server, then the policy watcher. Idempotent. */
        @Override
        public void close() {
            LOG.info("stopping");
            try {
                if (metrics != null) {
                    metrics.close();
                }
                server.close();
            } finally {
                policy.close();
            }
        }
    }
}
