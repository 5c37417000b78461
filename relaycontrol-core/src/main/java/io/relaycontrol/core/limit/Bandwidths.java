package io.relaycontrol.core.limit;

import io.github.bucket4j.Bandwidth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Reads the configuration form of rate limits, {@code COUNT/PERIOD} lists such as {@code 100/1h, 1000/1d},
 * into Bucket4j {@link Bandwidth}s. Each entry becomes
 * {@code Bandwidth.builder().capacity(COUNT).refillGreedy(COUNT, PERIOD).build()}: a burst of up to COUNT,
 * refilled smoothly at COUNT per PERIOD.
 *
 * <p>Grammar: entries separated by commas, blanks around entries and around {@code /} allowed;
 * COUNT is a positive decimal integer without sign; PERIOD is a positive decimal integer followed by one
 * unit: {@code s} (seconds), {@code m} (minutes), {@code h} (hours) or {@code d} (days, 24 hours).
 * Examples: {@code 30/1m}, {@code 100/1h, 1000/1d}, {@code 10/30s}. The standard policy configuration uses
 * this format for keys such as {@code relay.limit.client.recipients}.
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class Bandwidths {

    private Bandwidths() {
    }

    /**
     * Parses a {@code COUNT/PERIOD} list.
     *
     * @param text e.g. {@code 100/1h, 1000/1d}
     * @return the bandwidths in the order written, unmodifiable, at least one
     * @throws NullPointerException if {@code text} is null
     * @throws IllegalArgumentException if {@code text} is empty or an entry is malformed; the message quotes
     *         the bad entry and the whole text
     */
    public static List<Bandwidth> parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) {
            throw new IllegalArgumentException("rate limit list is empty: '" + text
                    + "' (expected COUNT/PERIOD entries such as '100/1h, 1000/1d')");
        }
        List<Bandwidth> out = new ArrayList<>();
        for (String raw : text.split(",", -1)) {
            out.add(parseEntry(raw.strip(), text));
        }
        return Collections.unmodifiableList(out);
    }

    private static Bandwidth parseEntry(String entry, String text) {
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
        Duration period;
        try {
            switch (unit) {
                case 's':
                    period = Duration.ofSeconds(amount);
                    break;
                case 'm':
                    period = Duration.ofMinutes(amount);
                    break;
                case 'h':
                    period = Duration.ofHours(amount);
                    break;
                case 'd':
                    period = Duration.ofDays(amount);
                    break;
                default:
                    throw bad(entry, text, "PERIOD unit '" + unit + "' must be s, m, h or d");
            }
            period.toNanos(); // Bucket4j keeps periods in nanoseconds
        } catch (ArithmeticException e) {
            throw bad(entry, text, "PERIOD '" + periodText + "' is too long");
        }
        return Bandwidth.builder().capacity(count).refillGreedy(count, period).build();
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
        return new IllegalArgumentException("bad rate limit '" + entry + "' in '" + text + "': " + why);
    }

    /**
     * How long an empty bucket with this bandwidth takes to fill up again: after that long without use, a
     * bucket is full, so forgetting it changes nothing.
     */
    static long nanosToFill(Bandwidth b) {
        long periods = (b.getCapacity() + b.getRefillTokens() - 1) / b.getRefillTokens();
        if (periods > Long.MAX_VALUE / b.getRefillPeriodNanos()) {
            return Long.MAX_VALUE;
        }
        return periods * b.getRefillPeriodNanos();
    }

    /** For people: {@code 100 per PT1H (burst 100)}. */
    static String describe(Bandwidth b) {
        return b.getRefillTokens() + " per " + Duration.ofNanos(b.getRefillPeriodNanos())
                + " (burst " + b.getCapacity() + (b.isRefillIntervally() ? ", interval refill" : "") + ")";
    }
}
