package io.relaycontrol.core.limit;

/**
 * A store has no room for a new bucket: every slot holds a bucket that is not full, and forgetting one would
 * hand its client a fresh budget. The limit applies its {@link FailureMode} to the new key (by default it
 * defers), and the decision says {@code store=full}.
 *
 * <p>Thrown without a stack trace, because a flood of new keys may throw it for every request.
 *
 * @since 0.2.0
 */
public final class LimitStoreFullException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message which store and limit, and its cap
     */
    public LimitStoreFullException(String message) {
        super(message, null, false, false);
    }
}
