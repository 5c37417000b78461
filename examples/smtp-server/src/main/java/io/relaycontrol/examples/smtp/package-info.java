/**
 * A small, real SMTP server (SubEthaSMTP 7) guarded by relaycontrol: it asks a
 * {@link io.relaycontrol.api.RelayDecider} when a client connects, at {@code MAIL FROM} and at every
 * {@code RCPT TO}, and answers refusals with exactly the decision's SMTP reply. It offers STARTTLS and implicit
 * TLS from PEM files (AUTH only after TLS), accepts PROXY protocol headers from trusted proxies only, parses
 * {@code MAIL FROM}/{@code RCPT TO} strictly, refuses bare line endings in messages, and can serve Prometheus
 * metrics.
 *
 * <p>Entry points: {@link io.relaycontrol.examples.smtp.RelaySmtpServer#builder(io.relaycontrol.api.RelayDecider)}
 * to embed the server, {@link io.relaycontrol.examples.smtp.ServerConfig#load(java.nio.file.Path)} to read a
 * configuration file, and {@link io.relaycontrol.examples.smtp.Main} ({@code java -jar
 * relaycontrol-smtp-server.jar --config FILE}) to run it.
 *
 * <p>Null policy: arguments must not be {@code null} ({@link java.lang.NullPointerException} naming the
 * argument); optional values are {@link java.util.Optional}.
 */
package io.relaycontrol.examples.smtp;
