package io.relaycontrol.core.limit.redis;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;

/**
 * A throw-away {@code redis-server} on a free loopback port, for tests and benchmarks: no persistence,
 * started with {@link #start()}, stopped with {@link #stop()} (also usable mid-test). Readiness is read from
 * the server's own log ("Ready to accept connections"), never waited for by sleeping.
 *
 * <p>When the binary is missing the caller's test is skipped (JUnit assumption), unless the environment
 * variable {@code CI} is {@code true}, where it fails: CI installs Redis.
 */
public final class RedisServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final List<String> log = new ArrayList<>();

    private RedisServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** @return the {@code redis-server} binary, or null if none is installed */
    public static File findBinary() {
        String path = System.getenv("PATH");
        List<String> dirs = new ArrayList<>();
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.add("/usr/bin");
        dirs.add("/usr/sbin");
        dirs.add("/usr/local/bin");
        for (String d : dirs) {
            File f = new File(d, "redis-server");
            if (f.canExecute()) {
                return f;
            }
        }
        return null;
    }

    /**
     * Starts a server, or skips the calling test if there is no binary (fails instead when {@code CI=true}).
     *
     * @return the running server
     */
    public static RedisServer start() {
        File binary = findBinary();
        requireBinary(binary, System.getenv("CI"));
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            try {
                RedisServer server = launch(binary, port);
                if (server != null) {
                    return server;
                }
            } catch (IOException e) {
                last = e;
            }
        }
        throw new IllegalStateException("could not start redis-server", last);
    }

    /**
     * Starts a new server on the port of a stopped one (a restart after a crash, as clients see it).
     *
     * @param stopped a server that was stopped
     * @return the new server, on the same port
     * @throws IllegalStateException if it does not start (the port was taken meanwhile)
     */
    public static RedisServer restart(RedisServer stopped) {
        if (stopped.isRunning()) {
            throw new IllegalStateException("redis-server on port " + stopped.port + " still runs");
        }
        try {
            RedisServer server = launch(findBinary(), stopped.port);
            if (server == null) {
                throw new IllegalStateException("redis-server did not restart on port " + stopped.port);
            }
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("could not restart redis-server", e);
        }
    }

    /** Kills the server at once (SIGKILL, no shutdown), as a crash would, and waits for it to exit. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Skips (JUnit assumption) when {@code binary} is null, or fails when {@code ci} is {@code true}.
     *
     * @param binary the redis-server binary, or null
     * @param ci the value of the {@code CI} environment variable, or null
     */
    static void requireBinary(File binary, String ci) {
        if (binary == null) {
            String msg = "redis-server is not installed (apt-get install redis-server): Redis tests skipped";
            if ("true".equals(ci)) {
                fail(msg + " -- but CI=true, where Redis must be installed");
            }
            Assumptions.abort(msg);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port", e);
        }
    }

    private static RedisServer launch(File binary, int port) throws IOException {
        Process p = new ProcessBuilder(binary.getPath(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true).start();
        RedisServer server = new RedisServer(p, port);
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (server.log) {
                        server.log.add(line);
                    }
                    if (line.contains("Ready to accept connections")) {
                        ready.complete(true);
                    }
                }
            } catch (IOException e) {
                // the process ended; fall through
            }
            ready.complete(false); // output ended before readiness: the server exited
        }, "redis-server-" + port + "-log");
        reader.setDaemon(true);
        reader.start();
        try {
            if (ready.get(20, TimeUnit.SECONDS)) {
                return server;
            }
        } catch (TimeoutException e) {
            server.stop();
            throw new IllegalStateException("redis-server did not become ready in 20 s: " + server.log());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.stop();
            throw new IllegalStateException("interrupted while starting redis-server", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
        server.stop();
        return null; // exited early, e.g. port taken meanwhile: the caller retries on another port
    }

    /** @return the server's process id */
    public long pid() {
        return process.pid();
    }

    /** Freezes the server (SIGSTOP): connections stay open, nothing is answered, as a hung server. */
    public void pause() {
        signal("-STOP");
    }

    /** Lets a paused server run again (SIGCONT). */
    public void resume() {
        signal("-CONT");
    }

    private void signal(String sig) {
        try {
            Process k = new ProcessBuilder("kill", sig, String.valueOf(process.pid())).inheritIO().start();
            if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
                throw new IllegalStateException("kill " + sig + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill " + sig, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** @return the port */
    public int port() {
        return port;
    }

    /** @return {@code redis://127.0.0.1:<port>} */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** @return what the server printed so far */
    public String log() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    /** @return whether the process still runs */
    public boolean isRunning() {
        return process.isAlive();
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. Idempotent. */
    public void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
