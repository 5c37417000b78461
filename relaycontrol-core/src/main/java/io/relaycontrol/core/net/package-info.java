/**
 * IP network sets and the rules that use them: {@link io.relaycontrol.core.net.NetworkSet} (immutable,
 * thread-safe, IPv4 and IPv6, exceptions, the matching entry reported for {@code explain()}), list files in
 * the {@link io.relaycontrol.core.net.NetworkListFormat}s (plain, Spamhaus DROP/EDROP, Postfix {@code cidr}),
 * {@link io.relaycontrol.core.net.ReloadableNetworkSet} for atomic reloads that keep the old set on failure,
 * and {@link io.relaycontrol.core.net.NetworkRules} for conditions and allow/deny rules.
 *
 * <p>Entry points: {@link io.relaycontrol.core.net.NetworkSet#of(String...)},
 * {@link io.relaycontrol.core.net.NetworkSet#builder()}, {@link io.relaycontrol.core.net.NetworkSet#load(java.nio.file.Path)},
 * {@link io.relaycontrol.core.net.NetworkRules}.
 *
 * <p>This is the only package that imports the IPAddress library ({@code inet.ipaddr}), used for parsing only.
 *
 * <p>Null policy: arguments must not be {@code null} ({@link java.lang.NullPointerException} naming the argument)
 * unless documented (a label may be {@code null}); methods never return {@code null} (absent values are
 * {@link java.util.Optional}); rules never return {@code null} and never throw from {@code decide}.
 */
package io.relaycontrol.core.net;
