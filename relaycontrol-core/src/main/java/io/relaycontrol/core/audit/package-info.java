/**
 * The open-relay self-audit: the probes of nmap's {@code smtp-open-relay} script, Metasploit's
 * {@code auxiliary/scanner/smtp/smtp_relay} module, the MAPS relay test and relaycontrol's own routing, literal,
 * suffix-confusion, case, trailing-dot and IDN tricks, generated from a policy's own domains and networks and
 * decided in-process in every client context, with the expected outcome of each.
 *
 * <p>Entry point: {@link io.relaycontrol.core.audit.RelayAudit} ({@code RelayAudit.of(standardPolicy).run()}); the
 * probes and contexts come from an {@link io.relaycontrol.core.audit.AuditPlan}, the result is an
 * {@link io.relaycontrol.core.audit.AuditReport} (text and JSON). The same plan drives the example server's
 * {@code audit} command over real SMTP.
 *
 * <p>Null policy: no {@code null} arguments or results; absent values are {@link java.util.Optional}.
 *
 * @since 0.2.0
 */
package io.relaycontrol.core.audit;
