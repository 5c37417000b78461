/**
 * The Redis store for rate limits: {@link io.relaycontrol.core.limit.redis.RedisLimitStore}, a
 * {@link io.relaycontrol.core.limit.LimitStore} on a Lettuce connection with short timeouts and a bounded
 * reconnect delay, to pass to {@code RateLimit.Builder.store(...)}. Needs the optional dependencies
 * {@code com.bucket4j:bucket4j_jdk17-lettuce} and {@code io.lettuce:lettuce-core}; without them building the
 * store fails with one message naming both.
 *
 * <p>Entry point: {@link io.relaycontrol.core.limit.redis.RedisLimitStore#builder(String)}.
 *
 * <p>Null policy: arguments must not be {@code null} ({@link java.lang.NullPointerException} naming the
 * argument).
 */
package io.relaycontrol.core.limit.redis;
