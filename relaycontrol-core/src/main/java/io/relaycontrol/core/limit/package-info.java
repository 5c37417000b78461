/**
 * Rate limits: {@link io.relaycontrol.core.limit.RateLimit}, a rule that charges tokens per key (client
 * address with IPv6 aggregated to a /64, login, sender, domain, or any function of the request) and defers
 * ({@code 451 4.7.1}) when a bucket is empty. Rates are relaycontrol's own
 * {@link io.relaycontrol.core.limit.Rate} ({@code 100/1h}); buckets live in a
 * {@link io.relaycontrol.core.limit.LimitStore} that outlives the limits using it: in this JVM
 * ({@link io.relaycontrol.core.limit.LimitStore#local()}, bounded without ever forgetting a bucket that is not
 * full) or shared through Redis ({@link io.relaycontrol.core.limit.redis.RedisLimitStore}). Time is an
 * {@link io.relaycontrol.api.RelayClock}.
 *
 * <p>Entry points: {@link io.relaycontrol.core.limit.RateLimit#builder(String)},
 * {@link io.relaycontrol.core.limit.LimitKeys}, {@link io.relaycontrol.core.limit.Rate#parseList(String)}.
 * Bucket4j is used inside this package (and Lettuce inside its {@code redis} sub-package); no public
 * signature has a Bucket4j or Lettuce type.
 *
 * <p>Null policy: arguments must not be {@code null} ({@link java.lang.NullPointerException} naming the
 * argument); {@link io.relaycontrol.core.limit.LimitKey#keyOf} says "no key" with {@code null} (on the hot
 * path, documented there); rules never return {@code null} and never throw from {@code decide}.
 */
package io.relaycontrol.core.limit;
