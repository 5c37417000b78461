package io.relaycontrol.examples.policy;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A private, throw-away Postfix (Debian's {@code postfix} package) for tests: its own {@code config_directory},
 * {@code queue_directory} and {@code data_directory} in a fresh temporary directory, one {@code smtpd} on a free
 * loopback port, everything delivered to the {@code discard} transport, no DNS, logs on the master's standard
 * output ({@code maillog_file = /dev/stdout}). It runs in the foreground ({@code postfix -c DIR start-fg}) below
 * the test JVM, so that {@link #close()} (and a shutdown hook, should the JVM exit first) stops it and every
 * process it started.
 * Nothing outside its directory is written: two instances (say, two modules' tests in parallel) never share a
 * port, a directory, a pid file or a log.
 *
 * <p>Readiness is read from the master's own log line ({@code daemon started}), which Postfix writes after it
 * has bound its listeners; nothing waits by sleeping. When Postfix is missing, or the JVM is not root (Postfix's
 * master must be), the calling test is skipped, unless {@code CI=true}, where it fails: CI installs Postfix and
 * runs as root.
 */
final class PostfixInstance implements AutoCloseable {

    private static final String POSTFIX = "/usr/sbin/postfix";

    private final Process process;
    private final Path dir;
    private final int smtpPort;
    private final List<String> log = new ArrayList<>();
    private final Thread shutdownHook;

    private PostfixInstance(Process process, Path dir, int smtpPort) {
        this.process = process;
        this.dir = dir;
        this.smtpPort = smtpPort;
        this.shutdownHook = new Thread(this::stopProcess, "postfix-test-stop " + dir);
    }

    /**
     * Skips (JUnit assumption) when Postfix cannot run here, or fails when {@code ci} is {@code true}.
     *
     * @param binary the postfix command
     * @param root whether the JVM runs as root
     * @param ci the value of the {@code CI} environment variable, or null
     */
    static void requirePostfix(File binary, boolean root, String ci) {
        String why = null;
        if (!binary.canExecute()) {
            why = "postfix is not installed (apt-get install postfix): Postfix integration tests skipped";
        } else if (!root) {
            why = "not running as root, and Postfix's master must: Postfix integration tests skipped";
        }
        if (why != null) {
            if ("true".equals(ci)) {
                fail(why + " -- but CI=true, where Postfix must run");
            }
            Assumptions.abort(why);
        }
    }

    /**
     * Starts an instance whose {@code smtpd} asks the policy service on {@code policyPort}.
     *
     * @param mainCf extra {@code main.cf} lines, {@code name = value}, e.g. the restrictions
     * @return the running instance
     */
    static PostfixInstance start(Map<String, String> mainCf) {
        requirePostfix(new File(POSTFIX), "root".equals(System.getProperty("user.name")), System.getenv("CI"));
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            PostfixInstance p = null;
            try {
                p = launch(freePort(), mainCf);
                p.awaitReady();
                return p;
            } catch (IllegalStateException e) {
                last = e;
                if (p != null) {
                    p.close();
                }
            }
        }
        throw last;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PostfixInstance launch(int port, Map<String, String> extra) {
        try {
            Path dir = Files.createTempDirectory("relaycontrol-postfix-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path conf = Files.createDirectory(dir.resolve("conf"));
            Path queue = Files.createDirectory(dir.resolve("queue"));
            Path data = Files.createDirectory(dir.resolve("data"));
            UserPrincipal postfix = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postfix");
            Files.setOwner(data, postfix);
            StringBuilder main = new StringBuilder()
                    .append("compatibility_level = 3.6\n")
                    .append("queue_directory = ").append(queue).append('\n')
                    .append("data_directory = ").append(data).append('\n')
                    .append("mail_owner = postfix\n")
                    .append("syslog_name = postfix-relaycontrol-test-").append(port).append('\n')
                    .append("maillog_file = /dev/stdout\n")
                    .append("myhostname = mx.example.com\nmydomain = example.com\nmyorigin = example.com\n")
                    .append("mydestination = example.com\n")
                    .append("mynetworks = 192.0.2.0/24\n") // not loopback: the test client is a stranger
                    .append("inet_interfaces = loopback-only\ninet_protocols = ipv4\n")
                    .append("local_recipient_maps =\nalias_maps =\nalias_database =\n")
                    .append("local_transport = discard\ndefault_transport = discard\nrelay_transport = discard\n")
                    .append("disable_dns_lookups = yes\nsmtp_dns_support_level = disabled\n")
                    .append("smtpd_peername_lookup = no\nbiff = no\n")
                    .append("smtpd_policy_service_timeout = 20s\n");
            extra.forEach((k, v) -> main.append(k).append(" = ").append(v).append('\n'));
            Files.writeString(conf.resolve("main.cf"), main.toString());
            Files.writeString(conf.resolve("master.cf"), String.join("\n",
                    "127.0.0.1:" + port + " inet n - n - - smtpd",
                    "cleanup   unix  n - n - 0 cleanup",
                    "qmgr      unix  n - n 300 1 qmgr",
                    "rewrite   unix  - - n - - trivial-rewrite",
                    "bounce    unix  - - n - 0 bounce",
                    "defer     unix  - - n - 0 bounce",
                    "trace     unix  - - n - 0 bounce",
                    "verify    unix  - - n - 1 verify",
                    "flush     unix  n - n 1000? 0 flush",
                    "proxymap  unix  - - n - - proxymap",
                    "showq     unix  n - n - - showq",
                    "error     unix  - - n - - error",
                    "retry     unix  - - n - - error",
                    "discard   unix  - - n - - discard",
                    "anvil     unix  - - n - 1 anvil",
                    "scache    unix  - - n - 1 scache",
                    "postlog   unix-dgram n - n - 1 postlogd", ""));
            Process p = new ProcessBuilder(POSTFIX, "-c", conf.toString(), "start-fg")
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            PostfixInstance instance = new PostfixInstance(p, dir, port);
            Runtime.getRuntime().addShutdownHook(instance.shutdownHook);
            return instance;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a private Postfix", e);
        }
    }

    private void awaitReady() {
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (log) {
                        log.add(line);
                    }
                    if (line.contains("daemon started")) {
                        ready.complete(true);
                    } else if (line.contains("fatal:")) {
                        ready.complete(false);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            ready.complete(false);
        }, "postfix-log " + smtpPort);
        reader.setDaemon(true);
        reader.start();
        boolean ok;
        try {
            ok = ready.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ok = false;
        } catch (ExecutionException | TimeoutException e) {
            ok = false;
        }
        if (!ok) {
            throw new IllegalStateException("postfix did not start on port " + smtpPort + ":\n" + log());
        }
    }

    /** @return the loopback port of the {@code smtpd} */
    int smtpPort() {
        return smtpPort;
    }

    /** @return everything Postfix logged so far */
    String log() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    /**
     * {@code postfix -c DIR stop} (the master stops its children and exits; {@code start-fg} runs the master as a
     * child of the {@code postfix-script} shell, so signalling our child alone would orphan it), then, if anything
     * is still alive, every process below ours is killed.
     */
    private void stopProcess() {
        if (!process.isAlive()) {
            return;
        }
        try {
            Process stop = new ProcessBuilder(POSTFIX, "-c", dir.resolve("conf").toString(), "stop")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            stop.waitFor(30, TimeUnit.SECONDS);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /** @return the processes of this instance now: the script, the master and its children */
    List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process.toHandle());
        process.descendants().forEach(all::add);
        return all;
    }

    /** @return this instance's directory (configuration, queue, data) */
    Path directory() {
        return dir;
    }

    /** @return whether any process of this instance is still running */
    boolean isAlive() {
        return running(process.toHandle()) || process.descendants().anyMatch(PostfixInstance::running);
    }

    /**
     * Whether a process runs: alive and not a zombie. (A container whose PID 1 does not reap orphans keeps a
     * stopped Postfix daemon as a zombie, which {@link ProcessHandle#isAlive()} still reports.)
     *
     * @param p the process
     * @return {@code true} if it is running
     */
    static boolean running(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(p.pid()), "stat"));
            int close = stat.lastIndexOf(')');
            return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false; // gone between the two checks
        }
    }

    /** Stops Postfix and deletes its directory. Idempotent. */
    @Override
    public void close() {
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
