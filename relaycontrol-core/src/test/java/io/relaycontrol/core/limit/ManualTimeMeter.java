package io.relaycontrol.core.limit;

import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when a test says so. Thread-safe. */
public final class ManualTimeMeter implements TimeMeter {

    private final AtomicLong nanos;

    /** Starts at an arbitrary non-zero instant, so that nothing relies on time zero. */
    public ManualTimeMeter() {
        this(1_000_000_000_000L);
    }

    /** @param startNanos the first reading */
    public ManualTimeMeter(long startNanos) {
        this.nanos = new AtomicLong(startNanos);
    }

    /** @param d how far to move forward */
    public void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Override
    public long currentTimeNanos() {
        return nanos.get();
    }

    @Override
    public boolean isWallClockBased() {
        return true;
    }
}
