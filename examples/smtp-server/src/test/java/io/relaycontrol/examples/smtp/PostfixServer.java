package io.relaycontrol.examples.smtp;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A private Postfix instance for tests: its own {@code config_directory}, queue and data directories under a
 * fresh temporary directory, one {@code smtpd} on a free 127.0.0.1 port, every transport {@code discard}, no DNS,
 * a log file of its own ({@code maillog}, deleted with the rest on {@link #close()}); nothing system-wide is read or changed, so other private instances
 * (and a system Postfix) can run beside it. {@link #close()} stops it and waits for its master to exit.
 *
 * <p>Needs Debian's {@code postfix} package and root (Postfix's master runs as root). Without them the calling
 * test is skipped with a message, unless {@code CI=true}, where it fails.
 */
final class PostfixServer implements AutoCloseable {

    private static final Path POSTFIX = Path.of("/usr/sbin/postfix");
    private static final Path POSTCONF = Path.of("/usr/sbin/postconf");

    private final Path dir;
    private final int port;
    private final Thread stopOnExit;
    private boolean stopped;

    private PostfixServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        this.stopOnExit = new Thread(this::stopQuietly, "postfix-" + port + "-stop");
    }

    /**
     * Starts an instance, or skips the calling test (fails when {@code CI=true}) if Postfix or root is missing.
     *
     * @param mainCf extra {@code main.cf} lines, e.g. {@code mynetworks = 127.0.0.0/8}
     * @return the running instance
     * @throws IOException if its files cannot be written
     */
    static PostfixServer start(List<String> mainCf) throws IOException {
        requireUsable();
        Path dir = Files.createTempDirectory("relaycontrol-audit-postfix-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.createDirectories(dir.resolve("queue"));
        Path data = Files.createDirectories(dir.resolve("data"));
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(data, users.lookupPrincipalByName("postfix"));
        int port = freePort();
        List<String> main = new ArrayList<>(List.of(
                "compatibility_level = 3.6",
                "queue_directory = " + dir.resolve("queue"),
                "data_directory = " + data,
                "maillog_file = " + dir.resolve("maillog"),
                "maillog_file_prefixes = " + dir,
                "mail_owner = postfix",
                "setgid_group = postdrop",
                "inet_interfaces = 127.0.0.1",
                "inet_protocols = ipv4",
                "myhostname = mx.example.com",
                "mydomain = example.com",
                "myorigin = example.com",
                "mydestination = example.com",
                "relay_domains = backup.example.net",
                "local_recipient_maps =",
                "alias_maps =",
                "alias_database =",
                "default_transport = discard",
                "relay_transport = discard",
                "local_transport = discard",
                "virtual_transport = discard",
                "disable_dns_lookups = yes",
                "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination",
                "smtpd_recipient_restrictions =",
                "smtpd_banner = $myhostname ESMTP",
                "biff = no"));
        main.addAll(mainCf);
        Files.write(conf.resolve("main.cf"), main, StandardCharsets.UTF_8);
        Files.write(conf.resolve("master.cf"), List.of(
                "127.0.0.1:" + port + " inet n - n - - smtpd",
                "pickup unix n - n 60 1 pickup",
                "cleanup unix n - n - 0 cleanup",
                "qmgr unix n - n 300 1 qmgr",
                "rewrite unix - - n - - trivial-rewrite",
                "bounce unix - - n - 0 bounce",
                "defer unix - - n - 0 bounce",
                "trace unix - - n - 0 bounce",
                "verify unix - - n - 1 verify",
                "flush unix n - n 1000? 0 flush",
                "proxymap unix - - n - - proxymap",
                "smtp unix - - n - - smtp",
                "showq unix n - n - - showq",
                "error unix - - n - - error",
                "retry unix - - n - - error",
                "discard unix - - n - - discard",
                "anvil unix - - n - 1 anvil",
                "scache unix - - n - 1 scache",
                "postlog unix-dgram n - n - 1 postlogd"), StandardCharsets.UTF_8);
        PostfixServer server = new PostfixServer(dir, port);
        Runtime.getRuntime().addShutdownHook(server.stopOnExit);
        // "postfix start" returns once the master has initialised (it runs "master -w"): the port is bound
        Result r = run(POSTFIX.toString(), "-c", conf.toString(), "start");
        if (r.status() != 0) {
            String log = server.log();
            server.close();
            throw new IllegalStateException("postfix start failed (" + r.status() + "): " + r.output() + "\n" + log);
        }
        return server;
    }

    private static void requireUsable() {
        String why = null;
        if (!Files.isExecutable(POSTFIX) || !Files.isExecutable(POSTCONF)) {
            why = "postfix is not installed (apt-get install postfix): Postfix audit tests skipped";
        } else if (!"root".equals(System.getProperty("user.name"))) {
            why = "Postfix's master must run as root, and this test runs as " + System.getProperty("user.name")
                    + ": Postfix audit tests skipped";
        }
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail(why + " -- but CI=true, where Postfix must be installed and the tests run as root");
            }
            Assumptions.abort(why);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** @return the SMTP port on 127.0.0.1 */
    int port() {
        return port;
    }

    /** @return the instance's log so far, for failure messages */
    String log() {
        try {
            Path f = dir.resolve("maillog");
            return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "(no maillog yet)";
        } catch (IOException e) {
            return "(maillog unreadable: " + e + ")";
        }
    }

    /** Stops the instance (postfix stop, then abort if needed) and waits for its master to exit. Idempotent. */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running or ran
        }
    }

    private synchronized void stopQuietly() {
        if (stopped) {
            return;
        }
        stopped = true;
        Optional<ProcessHandle> master = masterProcess();
        String conf = dir.resolve("conf").toString();
        try {
            run(POSTFIX.toString(), "-c", conf, "stop");
            if (master.isPresent() && !waitFor(master.get())) {
                run(POSTFIX.toString(), "-c", conf, "abort");
                waitFor(master.get());
            }
        } catch (IOException e) {
            master.ifPresent(ProcessHandle::destroyForcibly);
        }
        if (master.map(m -> !m.isAlive()).orElse(true)) {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path root) {
        try (java.util.stream.Stream<Path> all = Files.walk(root)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // a leftover temporary directory is harmless
        }
    }

    /** The master's process, from the pid file of this instance's own queue directory. */
    private Optional<ProcessHandle> masterProcess() {
        try {
            String pid = Files.readString(dir.resolve("queue/pid/master.pid"), StandardCharsets.US_ASCII).strip();
            return ProcessHandle.of(Long.parseLong(pid));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean waitFor(ProcessHandle p) {
        try {
            p.onExit().get(20, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return !p.isAlive();
        }
    }

    private record Result(int status, String output) {
    }

    private static Result run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out + " (timed out)");
            }
            return new Result(p.exitValue(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return new Result(-1, "interrupted");
        }
    }
}
