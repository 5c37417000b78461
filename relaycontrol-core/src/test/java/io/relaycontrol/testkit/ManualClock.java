package io.relaycontrol.testkit;

import io.relaycontrol.api.RelayClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link RelayClock} that moves only when a test says so: give it to a rate limit, a cache or any other
 * time-based part and call {@link #advance(Duration)} instead of sleeping. Thread-safe.
 *
 * @since 0.2.0
 */
public final class ManualClock implements RelayClock {

    /** Where a clock made with {@link #ManualClock()} starts: 2026-01-01T00:00:00Z, not time zero. */
    public static final long DEFAULT_START_NANOS = 1_767_225_600_000_000_000L;

    private final AtomicLong nanos;

    /** A clock at {@link #DEFAULT_START_NANOS}, so that nothing relies on time zero. */
    public ManualClock() {
        this(DEFAULT_START_NANOS);
    }

    /**
     * A clock at a given reading.
     *
     * @param startEpochNanos the first reading, nanoseconds since the epoch
     */
    public ManualClock(long startEpochNanos) {
        this.nanos = new AtomicLong(startEpochNanos);
    }

    /**
     * Moves the clock forward.
     *
     * @param d how far; must not be negative
     * @return this clock
     * @throws IllegalArgumentException if {@code d} is negative
     */
    public ManualClock advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a manual clock only moves forward, not by " + d);
        }
        nanos.addAndGet(d.toNanos());
        return this;
    }

    /**
     * Sets the clock back, as a corrected system clock may do; for testing that a part tolerates it.
     *
     * @param d how far back; must not be negative
     * @return this clock
     * @throws IllegalArgumentException if {@code d} is negative
     */
    public ManualClock stepBack(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("step back by a positive duration, not " + d);
        }
        nanos.addAndGet(-d.toNanos());
        return this;
    }

    @Override
    public long epochNanos() {
        return nanos.get();
    }

    @Override
    public String toString() {
        return "ManualClock[" + nanos.get() + "]";
    }
}
