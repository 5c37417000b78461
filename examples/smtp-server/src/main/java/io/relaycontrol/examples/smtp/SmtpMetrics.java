package io.relaycontrol.examples.smtp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's own counters, beside the policy's ({@code MicrometerRelayMetrics}): connections per listener,
 * TLS handshakes per listener and outcome, certificate reloads per outcome, and refused PROXY headers.
 * Prometheus names: {@code relaycontrol_smtp_connections_total{listener}},
 * {@code relaycontrol_smtp_tls_handshakes_total{listener,outcome}},
 * {@code relaycontrol_smtp_tls_reloads_total{outcome}}, {@code relaycontrol_smtp_proxy_refused_total{reason}}.
 * Thread-safe.
 */
final class SmtpMetrics {

    static final String CONNECTIONS = "relaycontrol.smtp.connections";
    static final String HANDSHAKES = "relaycontrol.smtp.tls.handshakes";
    static final String TLS_RELOADS = "relaycontrol.smtp.tls.reloads";
    static final String PROXY_REFUSED = "relaycontrol.smtp.proxy.refused";

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

    SmtpMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** @return counters that go nowhere */
    static SmtpMetrics none() {
        return new SmtpMetrics(new CompositeMeterRegistry());
    }

    MeterRegistry registry() {
        return registry;
    }

    void connection(String listener) {
        count(CONNECTIONS, "connections accepted", "listener", listener, null, null);
    }

    void handshake(String listener, boolean ok) {
        count(HANDSHAKES, "TLS handshakes (STARTTLS or implicit)", "listener", listener, "outcome",
                ok ? "success" : "failure");
    }

    void tlsReload(boolean ok) {
        count(TLS_RELOADS, "certificate reload attempts", "outcome", ok ? "success" : "failure", null, null);
    }

    void proxyRefused(String reason) {
        count(PROXY_REFUSED, "connections refused for their PROXY header", "reason", reason, null, null);
    }

    private void count(String name, String description, String k1, String v1, String k2, String v2) {
        counters.computeIfAbsent(name + '\0' + v1 + '\0' + v2, k -> {
            Counter.Builder b = Counter.builder(name).description(description).tag(k1, v1);
            if (k2 != null) {
                b.tag(k2, v2);
            }
            return b.register(registry);
        }).increment();
    }
}
