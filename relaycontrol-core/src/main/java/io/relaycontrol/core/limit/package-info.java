/**
 * Rate limits on Bucket4j: {@link io.relaycontrol.core.limit.RateLimit}, a rule that charges tokens per
 * key (client address with IPv6 aggregated to a /64, login, sender, domain, or any function of the request)
 * and defers ({@code 451 4.7.1}) when a bucket is empty. Buckets live in this JVM (bounded, idle buckets
 * evicted) or in any Bucket4j {@code ProxyManager}, such as Redis through
 * {@link io.relaycontrol.core.limit.redis.RedisLimitStore}.
 *
 * <p>Entry points: {@link io.relaycontrol.core.limit.RateLimit#builder(String)},
 * {@link io.relaycontrol.core.limit.LimitKeys}, {@link io.relaycontrol.core.limit.Bandwidths#parse(String)}.
 * This is the only package (with its {@code redis} sub-package) that imports Bucket4j.
 *
 * <p>Null policy: arguments must not be {@code null} ({@link java.lang.NullPointerException} naming the
 * argument); a {@link io.relaycontrol.core.limit.LimitKey} says "no key" with an empty {@code Optional};
 * rules never return {@code null} and never throw from {@code decide}.
 */
package io.relaycontrol.core.limit;
