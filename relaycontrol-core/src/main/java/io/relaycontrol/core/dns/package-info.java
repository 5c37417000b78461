/**
 * DNS block and allow lists (DNSBL, DNSWL, RHSBL) the way production MTAs ask them, without their classic
 * mistakes: {@link io.relaycontrol.core.dns.DnsListRule} is the entry point, built from
 * {@link io.relaycontrol.core.dns.DnsList}s written in Postfix postscreen's syntax
 * ({@code zone[=filter][*weight]}) with {@link io.relaycontrol.core.dns.AnswerFilter}s in Postfix's or Exim's
 * form.
 *
 * <p>This is the only package that imports dnsjava ({@code org.xbill.DNS}); no dnsjava type appears in a public
 * signature. Queries use dnsjava's asynchronous {@code Resolver.sendAsync}; answers are cached in bounded
 * Caffeine caches on a {@link io.relaycontrol.api.RelayClock}, held by a {@link io.relaycontrol.core.dns.DnsListCache}
 * that can outlive the rules (a policy reload keeps the answers).
 *
 * <p>Null policy: arguments must not be {@code null} ({@link java.lang.NullPointerException} naming the argument)
 * unless documented; methods never return {@code null} (absent values are {@link java.util.Optional}); rules
 * never return {@code null} and never throw from {@code decide}.
 */
package io.relaycontrol.core.dns;
