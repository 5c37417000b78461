package io.relaycontrol.api;

/**
 * The time relaycontrol reads: every time-based part (rate limits, caches, the penalty box, DNS-list
 * answers) takes one of these instead of calling the system clock, so that tests move time forward instead
 * of sleeping, and so that no third-party clock type (Bucket4j's {@code TimeMeter}, Caffeine's
 * {@code Ticker}) appears in a public signature.
 *
 * <p>The reading is wall-clock time in nanoseconds since the epoch, because state kept in a shared store
 * (Redis) is compared across servers. It may step backwards when the system clock is corrected; users of a
 * clock must tolerate that (Bucket4j does).
 *
 * <p>Implementations must be thread-safe and cheap: a clock is read on every decision.
 *
 * @since 0.2.0
 */
@FunctionalInterface
public interface RelayClock {

    /**
     * Reads the clock.
     *
     * @return nanoseconds since 1970-01-01T00:00:00Z
     */
    long epochNanos();

    /**
     * The system clock, at millisecond precision ({@link System#currentTimeMillis()}): it allocates nothing
     * and is what Bucket4j's own {@code TimeMeter.SYSTEM_MILLISECONDS} reads.
     *
     * @return the system clock
     */
    static RelayClock system() {
        return SystemClock.INSTANCE;
    }
}

/** The system clock; a named class, so that it prints as itself. */
enum SystemClock implements RelayClock {
    INSTANCE;

    @Override
    public long epochNanos() {
        return System.currentTimeMillis() * 1_000_000L;
    }

    @Override
    public String toString() {
        return "RelayClock.system()";
    }
}
