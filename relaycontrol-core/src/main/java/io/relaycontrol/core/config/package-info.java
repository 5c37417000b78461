/**
 * The standard relay policy and how it is operated: {@link io.relaycontrol.core.config.StandardRelayPolicy}
 * (the eight-step policy), {@link io.relaycontrol.core.config.RelayProperties} (the {@code relay.*} keys),
 * {@link io.relaycontrol.core.config.ReloadingRelayPolicy} (live reload from a properties file),
 * {@link io.relaycontrol.core.config.MonitoredPolicy} (audit log, metrics, dry run, shadow policy) and
 * {@link io.relaycontrol.core.config.PolicyChecks} (the load-time linter).
 *
 * <p>Entry points: {@link io.relaycontrol.core.config.ReloadingRelayPolicy#watch(java.nio.file.Path, String)} for a
 * server, {@link io.relaycontrol.core.config.StandardRelayPolicy#builder()} for code.
 *
 * <p>Null policy: arguments must not be {@code null}; configuration problems are
 * {@link io.relaycontrol.core.config.ConfigException}s naming the key, file and line.
 */
package io.relaycontrol.core.config;
