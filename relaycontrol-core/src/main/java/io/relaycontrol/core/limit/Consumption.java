package io.relaycontrol.core.limit;

/**
 * What a {@link LimitStore} did with a request for tokens.
 *
 * @param consumed whether the tokens were taken
 * @param tokensLeft tokens left after the request (the least over the bucket's rates)
 * @param nanosToWait when not consumed: nanoseconds until the tokens asked for are available;
 *        {@link Long#MAX_VALUE} when never (more than the burst); 0 when consumed
 * @param nanosToFull nanoseconds until the bucket is full again
 * @since 0.2.0
 */
public record Consumption(boolean consumed, long tokensLeft, long nanosToWait, long nanosToFull) {
}
