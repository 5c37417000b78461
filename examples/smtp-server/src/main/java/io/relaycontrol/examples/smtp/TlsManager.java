package io.relaycontrol.examples.smtp;

import io.relaycontrol.api.RelayClock;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's certificate and key, reloaded without a restart: the two PEM files are watched (a content
 * fingerprint, checked every two seconds on a daemon thread, or by {@link #checkForChanges()}); a changed pair
 * that loads and checks is used for new connections; a broken pair (unreadable, not PEM, key and certificate
 * do not match, expired) keeps the running one and is logged at ERROR with the reason, once per change. A
 * running certificate that expires is logged at ERROR once. Thread-safe.
 */
final class TlsManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TlsManager.class);

    /** The outcome of a check: whether a new pair is active, and what happened. */
    record Reload(boolean reloaded, boolean failed, String message) {
    }

    private final Path certificateFile;
    private final Path keyFile;
    private final RelayClock clock;
    private final SmtpMetrics metrics;
    private final AtomicReference<TlsFiles.Material> active = new AtomicReference<>();
    private final Object lock = new Object();
    private List<String> fingerprints;
    private boolean expiryLogged;
    private volatile ScheduledExecutorService watcher;

    /**
     * Loads the pair.
     *
     * @throws TlsFiles.TlsFileException if the pair cannot be used
     */
    TlsManager(Path certificateFile, Path keyFile, RelayClock clock, SmtpMetrics metrics) {
        this.certificateFile = certificateFile.toAbsolutePath().normalize();
        this.keyFile = keyFile.toAbsolutePath().normalize();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.fingerprints = fingerprints();
        TlsFiles.Material m = TlsFiles.load(this.certificateFile, this.keyFile, now());
        active.set(m);
        LOG.info("TLS certificate {} loaded from {}", m.describe(), this.certificateFile);
    }

    private Instant now() {
        long nanos = clock.epochNanos();
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /** Starts checking the files every {@code interval}. */
    void watch(Duration interval) {
        long ms = Math.max(1, interval.toMillis());
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relaycontrol-tls-reload " + certificateFile.getFileName());
            t.setDaemon(true);
            return t;
        });
        s.scheduleWithFixedDelay(() -> {
            try {
                checkForChanges();
            } catch (RuntimeException e) {
                LOG.error("TLS certificate check failed for {}", certificateFile, e);
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
        watcher = s;
    }

    /** @return the pair now used for new connections */
    TlsFiles.Material current() {
        return active.get();
    }

    /**
     * Reloads the pair if either file changed; logs an expired running certificate.
     *
     * @return what happened
     */
    Reload checkForChanges() {
        synchronized (lock) {
            List<String> now = fingerprints();
            if (now.equals(fingerprints)) {
                TlsFiles.Material m = active.get();
                if (!expiryLogged && m.leaf().getNotAfter().toInstant().isBefore(now())) {
                    expiryLogged = true;
                    LOG.error("the running TLS certificate {} from {} has expired; clients will refuse it. "
                            + "Replace {} and {}", m.describe(), certificateFile, certificateFile, keyFile);
                }
                return new Reload(false, false, "unchanged");
            }
            fingerprints = now;
            try {
                TlsFiles.Material m = TlsFiles.load(certificateFile, keyFile, now());
                active.set(m);
                expiryLogged = false;
                metrics.tlsReload(true);
                String msg = "TLS certificate reloaded: " + m.describe() + " from " + certificateFile;
                LOG.info(msg);
                return new Reload(true, false, msg);
            } catch (TlsFiles.TlsFileException e) {
                metrics.tlsReload(false);
                String msg = "TLS certificate reload failed, keeping the running certificate "
                        + active.get().describe() + ": " + e.getMessage();
                LOG.error(msg);
                return new Reload(false, true, msg);
            }
        }
    }

    private List<String> fingerprints() {
        return List.of(fingerprint(certificateFile), fingerprint(keyFile));
    }

    private static String fingerprint(Path p) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (IOException e) {
            return "unreadable: " + e.getClass().getSimpleName();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    /**
     * Layers a server-mode TLS socket over an accepted plain socket (the handshake starts on first use or with
     * {@link SSLSocket#startHandshake()}), offering TLS 1.3 and 1.2 only with the JDK's default cipher suites.
     *
     * @param plain the accepted socket; closed with the TLS socket
     * @return the TLS socket
     * @throws IOException if the socket cannot be layered
     */
    SSLSocket wrap(Socket plain) throws IOException {
        SSLSocket s = (SSLSocket) active.get().context().getSocketFactory()
                .createSocket(plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
        s.setUseClientMode(false);
        s.setEnabledProtocols(TlsFiles.PROTOCOLS);
        return s;
    }

    @Override
    public void close() {
        ScheduledExecutorService s = watcher;
        if (s != null) {
            s.shutdownNow();
        }
    }
}
