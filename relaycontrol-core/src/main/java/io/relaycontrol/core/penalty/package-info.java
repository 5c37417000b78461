/**
 * The penalty box: repeat offenders are refused early, for longer each time. Entry point
 * {@link io.relaycontrol.core.penalty.PenaltyBox} (a rule that refuses boxed clients, and
 * {@link io.relaycontrol.core.penalty.PenaltyBox#record} to count a violation); the bans live in a
 * {@link io.relaycontrol.core.penalty.PenaltyStore} ({@code PenaltyStore.local()}, or
 * {@code io.relaycontrol.core.limit.redis.RedisPenaltyStore} shared by every server); which refusals count is a
 * {@link io.relaycontrol.core.penalty.ViolationFilter} (ready-made in {@link io.relaycontrol.core.penalty.Violations}).
 * The standard policy builds all of it from the {@code relay.penalty.*} keys.
 *
 * <p>Null policy: no method accepts {@code null} (a {@code NullPointerException} names the parameter) except where
 * documented ({@link io.relaycontrol.core.penalty.PenaltyStore#compareAndSet}'s {@code expected}); the hot-path
 * lookups {@link io.relaycontrol.core.penalty.PenaltyStore#get} and
 * {@link io.relaycontrol.core.penalty.ViolationFilter#violation} return {@code null} for "none", so that the common
 * case allocates nothing; everything else returns values or {@code Optional}.
 *
 * @since 0.2.0
 */
package io.relaycontrol.core.penalty;
