package io.relaycontrol.examples.policy;

import io.relaycontrol.core.config.ConfigException;
import io.relaycontrol.core.config.ReloadingRelayPolicy;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/**
 * Runs the policy server: {@code java -jar relaycontrol-policy-server.jar --config FILE}.
 *
 * <p>Reads {@code FILE} ({@link PolicyServerConfig}: the {@code policy.*} keys), loads the relay policy from
 * the {@code relay.*} keys of the same file with {@link ReloadingRelayPolicy#watch(Path, String)} (reloaded when
 * the file or a list it includes changes, exactly as the SMTP example does), starts a {@link PolicyServer},
 * and prints {@code listening on HOST:PORT} on standard output once connections are accepted. On SIGTERM or
 * Ctrl-C a shutdown hook stops the server, closes the policy watcher and prints {@code stopped}. Logs go to
 * standard error ({@code -Dorg.slf4j.simpleLogger.log.io.relaycontrol.examples.policy.decisions=debug} shows
 * each decision's {@code explain()} tree).
 *
 * <p>Exit status: 2 for a bad command line or configuration, 1 if the server cannot start; a server stopped by
 * SIGTERM exits as the JVM does on that signal (143).
 *
 * @since 0.2.0
 */
public final class Main {

    static final String USAGE = "usage: java -jar relaycontrol-policy-server.jar --config FILE";

    private Main() {
    }

    /**
     * Starts the server and blocks until the JVM shuts down.
     *
     * @param args {@code --config FILE}
     */
    public static void main(String[] args) {
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
        } catch (IllegalArgumentException e) { // ConfigException (every relaycontrol configuration error) is one
            System.err.println("relaycontrol-policy-server: " + e.getMessage());
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            System.err.println("relaycontrol-policy-server: cannot start: " + e.getMessage());
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
        System.out.println("listening on " + PolicyServer.format(running.server().localAddress()));
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
     * @throws IllegalArgumentException if a {@code policy.*} key is invalid or a key is unknown
     * @throws ConfigException if the {@code relay.*} keys are invalid (naming key, file and line)
     * @throws UncheckedIOException if the file cannot be read or the address cannot be bound
     */
    static Running start(Path file) {
        PolicyServerConfig config = PolicyServerConfig.load(file);
        ReloadingRelayPolicy policy = ReloadingRelayPolicy.watch(file, "relay.");
        try {
            PolicyServer server = config.serverBuilder(policy).build().start();
            LoggerFactory.getLogger(Main.class).info("started: {}", config);
            return new Running(server, policy);
        } catch (RuntimeException e) {
            policy.close();
            throw e;
        }
    }

    /** A started server and its policy watcher. */
    static final class Running implements AutoCloseable {
        private final PolicyServer server;
        private final ReloadingRelayPolicy policy;

        Running(PolicyServer server, ReloadingRelayPolicy policy) {
            this.server = server;
            this.policy = policy;
        }

        PolicyServer server() {
            return server;
        }

        ReloadingRelayPolicy policy() {
            return policy;
        }

        /** Stops the server, then the policy watcher. Idempotent. */
        @Override
        public void close() {
            try {
                server.close();
            } finally {
                policy.close();
            }
        }
    }
}
