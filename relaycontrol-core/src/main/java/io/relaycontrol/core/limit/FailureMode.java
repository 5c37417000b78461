package io.relaycontrol.core.limit;

/**
 * What a {@link RateLimit} does when its bucket store fails (Redis down, a timeout, any exception from
 * the {@link LimitStore}), and for a new key when the store is full ({@link LimitStoreFullException}). Every decision made under a failure carries
 * the details {@code store=failed} and {@code mode=<this mode>}, and keeps the exception.
 *
 * <p>Thread-safe (an enum).
 *
 * @since 0.1.0
 */
public enum FailureMode {
    /**
     * Refuse temporarily: DEFER with {@code 451 4.3.0} and the reason "rate-limit store unavailable". Fail
     * closed, but only temporarily. The default.
     */
    DEFER,
    /**
     * Abstain: NO_OPINION, so the rest of the policy decides as if the limit were not there ("allow" in the
     * sense of not refusing; a limit never grants relay by itself). Fail open for this limit only.
     */
    NO_OPINION,
    /**
     * Charge a local, per-server bucket instead (the limit's local store, bounded like
     * {@link RateLimit.Builder#maxKeys(long)}). While the store is down each server enforces the limit on
     * its own, so the cluster-wide budget is at most multiplied by the number of servers; local buckets
     * start full, belong to the limit instance (a reload starts them again) and are not written back to the
     * shared store when it returns.
     */
    LOCAL_FALLBACK
}
