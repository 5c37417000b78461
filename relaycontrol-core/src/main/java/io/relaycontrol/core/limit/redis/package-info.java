/**
 * The Redis store for rate limits: {@link io.relaycontrol.core.limit.redis.RedisLimitStore}, a Lettuce
 * connection with short timeouts and a Bucket4j proxy manager to pass to
 * {@code RateLimit.Builder.store(...)}. Needs the optional dependencies {@code bucket4j_jdk17-lettuce} and
 * {@code lettuce-core}.
 *
 * <p>Entry point: {@link io.relaycontrol.core.limit.redis.RedisLimitStore#builder(String)}.
 *
 * <p>Null policy: arguments must not be {@code null} ({@link java.lang.NullPointerException} naming the
 * argument).
 */
package io.relaycontrol.core.limit.redis;
