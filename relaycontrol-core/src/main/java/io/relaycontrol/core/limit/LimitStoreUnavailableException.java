package io.relaycontrol.core.limit;

/**
 * A shared {@link LimitStore} did not answer: it timed out, failed, or its circuit breaker is open (see
 * {@link GuardedLimitStore}). A {@link RateLimit} that gets one applies its {@link FailureMode}.
 *
 * <p>Immutable; thread-safe.
 *
 * @since 0.2.0
 */
public final class LimitStoreUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, naming the store
     * @param cause the underlying failure, or null
     */
    public LimitStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
