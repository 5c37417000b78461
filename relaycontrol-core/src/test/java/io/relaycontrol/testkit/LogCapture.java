package io.relaycontrol.testkit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Captures what slf4j-simple (the test binding) writes to {@code System.err} while a block runs, so a test can
 * check that a state change is logged once, not once per decision:
 *
 * <pre>{@code
 * try (LogCapture log = new LogCapture()) {
 *     ...
 *     assertThat(log.count("circuit breaker open")).isEqualTo(1);
 * }
 * }</pre>
 *
 * <p>Not thread-safe to open two at once (it replaces {@code System.err}); {@link #close()} restores it.
 *
 * @since 0.2.0
 */
public final class LogCapture implements AutoCloseable {

    private final PrintStream original = System.err;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    /** Starts capturing {@code System.err}. */
    public LogCapture() {
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    }

    /** @return everything written so far */
    public String text() {
        System.err.flush();
        return buffer.toString(StandardCharsets.UTF_8);
    }

    /**
     * @param s the text to look for
     * @return how often {@code s} occurs in what was written so far (overlapping occurrences counted)
     */
    public int count(String s) {
        String t = text();
        int n = 0;
        for (int i = t.indexOf(s); i >= 0; i = t.indexOf(s, i + 1)) {
            n++;
        }
        return n;
    }

    /** Restores the original {@code System.err}. */
    @Override
    public void close() {
        System.setErr(original);
    }
}
