package io.relaycontrol.core.penalty;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Captures what slf4j-simple (the test binding) writes to System.err while a block runs. */
final class LogCapture implements AutoCloseable {

    private final PrintStream original = System.err;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    LogCapture() {
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    }

    String text() {
        System.err.flush();
        return buffer.toString(StandardCharsets.UTF_8);
    }

    int count(String s) {
        String t = text();
        int n = 0;
        for (int i = t.indexOf(s); i >= 0; i = t.indexOf(s, i + 1)) {
            n++;
        }
        return n;
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
