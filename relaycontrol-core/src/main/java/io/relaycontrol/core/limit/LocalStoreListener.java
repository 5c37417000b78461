package io.relaycontrol.core.limit;

/**
 * Told when a limit's buckets in a {@linkplain LimitStore#local(io.relaycontrol.api.RelayClock, LocalStoreListener)
 * local store} reach the limit's {@linkplain RateLimit.Builder#maxKeys(long) key cap} (new keys then get the
 * limit's {@link FailureMode}) and when it has room again: once per state change, never once per decision. This
 * is how a metrics system learns of the full state without this package depending on one
 * ({@code io.relaycontrol.core.config.MicrometerRelayMetrics} counts the changes).
 *
 * <p>The store calls it on the deciding thread that saw the change, so it must be fast and thread-safe; it
 * should not throw (an exception is logged and ignored, it never changes a decision). The change to "room
 * again" is seen when a new key is admitted after the store was full, so it may come some time after the
 * bucket that made room was full again.
 *
 * @since 0.2.0
 */
@FunctionalInterface
public interface LocalStoreListener {

    /** A listener that does nothing. */
    LocalStoreListener NONE = (limit, full) -> {
    };

    /**
     * Called once each time a limit's local buckets become full (a new key was refused for want of room) and once
     * each time they have room again (a new key was admitted after that).
     *
     * @param limit the limit's name
     * @param full {@code true} when the store became full, {@code false} when it has room again
     */
    void fullChanged(String limit, boolean full);
}
