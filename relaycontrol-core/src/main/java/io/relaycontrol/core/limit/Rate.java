package io.relaycontrol.core.limit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A rate: at most {@code count} per {@code period}, with a burst of {@code burst} (by default the count). A
 * bucket of this rate holds up to {@code burst} tokens and refills smoothly ("greedily") at {@code count}
 * per {@code period}, so a client that has spent nothing may send {@code burst} at once and then one every
 * {@code period / count}.
 *
 * <pre>{@code
 * Rate.perHour(100)                        // 100/1h
 * Rate.perMinute(20).withBurst(40)         // 20 a minute, 40 at once
 * Rate.parse("100/1h")
 * Rate.parseList("100/1h, 1000/1d")        // relay.limit.client.recipients
 * }</pre>
 *
 * <p>Text form: {@code COUNT/PERIOD}, where COUNT is a positive decimal integer without sign and PERIOD is a
 * positive decimal integer and one unit {@code s} (seconds), {@code m} (minutes), {@code h} (hours) or
 * {@code d} (days of 24 hours); blanks around the entry and around {@code /} are allowed. A list separates
 * entries with commas. {@link #toString()} gives this form back ({@code 100/1h}, {@code 20/1m burst 40}).
 *
 * <p>Immutable and thread-safe; equal when count, period and burst are equal.
 *
 * @since 0.2.0
 */
public final class Rate {

    private static final long MAX_PERIOD_SECONDS = Long.MAX_VALUE / 1_000_000_000L;

    private final long count;
    private final Duration period;
    private final long burst;

    private Rate(long count, Duration period, long burst) {
        this.count = count;
        this.period = period;
        this.burst = burst;
    }

    /**
     * A rate of {@code count} per {@code period}, burst {@code count}.
     *
     * @param count how many per period, positive
     * @param period the period, positive and at most about 292 years (kept in nanoseconds)
     * @return the rate
     * @throws NullPointerException if {@code period} is null
     * @throws IllegalArgumentException if {@code count} or {@code period} is not positive, or the period is too long
     */
    public static Rate of(long count, Duration period) {
        Objects.requireNonNull(period, "period");
        if (count <= 0) {
            throw new IllegalArgumentException("rate count must be positive, was " + count + " (per " + period + ")");
        }
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("rate period must be positive, was " + period + " (for " + count + ")");
        }
        if (period.getSeconds() >= MAX_PERIOD_SECONDS) {
            throw new IllegalArgumentException("rate period " + period + " is too long");
        }
        return new Rate(count, period, count);
    }

    /**
     * @param count how many per second, positive
     * @return {@code count/1s}
     * @throws IllegalArgumentException if {@code count} is not positive
     */
    public static Rate perSecond(long count) {
        return of(count, Duration.ofSeconds(1));
    }

    /**
     * @param count how many per minute, positive
     * @return {@code count/1m}
     * @throws IllegalArgumentException if {@code count} is not positive
     */
    public static Rate perMinute(long count) {
        return of(count, Duration.ofMinutes(1));
    }

    /**
     * @param count how many per hour, positive
     * @return {@code count/1h}
     * @throws IllegalArgumentException if {@code count} is not positive
     */
    public static Rate perHour(long count) {
        return of(count, Duration.ofHours(1));
    }

    /**
     * @param count how many per day (24 hours), positive
     * @return {@code count/1d}
     * @throws IllegalArgumentException if {@code count} is not positive
     */
    public static Rate perDay(long count) {
        return of(count, Duration.ofDays(1));
    }

    /**
     * The same rate with another burst: how many may be spent at once by a client that has spent nothing.
     *
     * @param burst the bucket's capacity, positive
     * @return a new rate
     * @throws IllegalArgumentException if {@code burst} is not positive
     */
    public Rate withBurst(long burst) {
        if (burst <= 0) {
            throw new IllegalArgumentException("rate burst must be positive, was " + burst + " (for " + this + ")");
        }
        return new Rate(count, period, burst);
    }

    /**
     * Parses one {@code COUNT/PERIOD} entry, e.g. {@code 100/1h}.
     *
     * @param text the entry
     * @return the rate
     * @throws NullPointerException if {@code text} is null
     * @throws IllegalArgumentException if {@code text} is malformed; the message quotes it and says why
     */
    public static Rate parse(String text) {
        Objects.requireNonNull(text, "text");
        return parseEntry(text.strip(), text);
    }

    /**
     * Parses a comma-separated list of {@code COUNT/PERIOD} entries, e.g. {@code 100/1h, 1000/1d}: a request
     * must fit every rate of the list.
     *
     * @param text the list
     * @return the rates in the order written, unmodifiable, at least one
     * @throws NullPointerException if {@code text} is null
     * @throws IllegalArgumentException if the list is empty or an entry is malformed; the message quotes the
     *         bad entry and the whole text
     */
    public static List<Rate> parseList(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) {
            throw new IllegalArgumentException("rate list is empty: '" + text
                    + "' (expected COUNT/PERIOD entries such as '100/1h, 1000/1d')");
        }
        List<Rate> out = new ArrayList<>();
        for (String raw : text.split(",", -1)) {
            out.add(parseEntry(raw.strip(), text));
        }
        return Collections.unmodifiableList(out);
    }

    private static Rate parseEntry(String entry, String text) {
        int slash = entry.indexOf('/');
        if (slash < 0 || entry.indexOf('/', slash + 1) >= 0) {
            throw bad(entry, text, "expected COUNT/PERIOD, e.g. 100/1h");
        }
        String countText = entry.substring(0, slash).strip();
        String periodText = entry.substring(slash + 1).strip();
        long count = parsePositive(countText, entry, text, "COUNT");
        if (periodText.length() < 2) {
            throw bad(entry, text, "PERIOD '" + periodText + "' must be a number and a unit s, m, h or d, e.g. 1h");
        }
        char unit = periodText.charAt(periodText.length() - 1);
        long amount = parsePositive(periodText.substring(0, periodText.length() - 1), entry, text, "PERIOD");
        long unitSeconds;
        switch (unit) {
            case 's':
                unitSeconds = 1;
                break;
            case 'm':
                unitSeconds = 60;
                break;
            case 'h':
                unitSeconds = 3600;
                break;
            case 'd':
                unitSeconds = 86400;
                break;
            default:
                throw bad(entry, text, "PERIOD unit '" + unit + "' must be s, m, h or d");
        }
        if (amount >= MAX_PERIOD_SECONDS / unitSeconds) {
            throw bad(entry, text, "PERIOD '" + periodText + "' is too long");
        }
        return new Rate(count, Duration.ofSeconds(amount * unitSeconds), count);
    }

    private static long parsePositive(String s, String entry, String text, String what) {
        if (s.isEmpty() || s.length() > 18) {
            throw bad(entry, text, what + " '" + s + "' must be a positive integer");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw bad(entry, text, what + " '" + s + "' must be a positive integer");
            }
        }
        long v = Long.parseLong(s);
        if (v == 0) {
            throw bad(entry, text, what + " '" + s + "' must be a positive integer");
        }
        return v;
    }

    private static IllegalArgumentException bad(String entry, String text, String why) {
        return new IllegalArgumentException("bad rate '" + entry + "' in '" + text + "': " + why);
    }

    /** @return how many per period */
    public long count() {
        return count;
    }

    /** @return the period */
    public Duration period() {
        return period;
    }

    /** @return the burst: the bucket's capacity */
    public long burst() {
        return burst;
    }

    /** @return the period in nanoseconds */
    long periodNanos() {
        return period.toNanos();
    }

    /**
     * @return how long a bucket of this rate takes to fill from empty, rounded up, in nanoseconds: after that
     *         long without use it is full, so forgetting it changes nothing
     */
    long nanosToFill() {
        // burst * period / count, in 128-bit arithmetic so that large bursts cannot overflow silently
        long p = periodNanos();
        long hi = Math.multiplyHigh(burst, p);
        long lo = burst * p;
        if (hi != 0 || lo < 0) {
            return Long.MAX_VALUE;
        }
        return lo / count + (lo % count == 0 ? 0 : 1);
    }

    /** @return the time one token takes to come back, rounded up, in nanoseconds */
    long nanosPerToken() {
        long p = periodNanos();
        return p / count + (p % count == 0 ? 0 : 1);
    }

    /** @return the period as written in a configuration: {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}, or ISO-8601 */
    String periodText() {
        long s = period.getSeconds();
        if (period.getNano() != 0) {
            return period.toString();
        }
        if (s % 86400 == 0) {
            return (s / 86400) + "d";
        }
        if (s % 3600 == 0) {
            return (s / 3600) + "h";
        }
        if (s % 60 == 0) {
            return (s / 60) + "m";
        }
        return s + "s";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rate && ((Rate) o).count == count && ((Rate) o).burst == burst
                && ((Rate) o).period.equals(period);
    }

    @Override
    public int hashCode() {
        return Objects.hash(count, period, burst);
    }

    /** @return the text form, {@code 100/1h}, or {@code 20/1m burst 40} when the burst differs from the count */
    @Override
    public String toString() {
        return count + "/" + periodText() + (burst == count ? "" : " burst " + burst);
    }
}
