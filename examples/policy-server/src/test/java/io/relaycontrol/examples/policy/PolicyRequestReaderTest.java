package io.relaycontrol.examples.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The reader against a naive parse: it reuses the names it knows and the entry of a value that repeats on the
 * connection, and that must never hand out a stale value.
 */
class PolicyRequestReaderTest {

    private static final List<String> NAMES = new ArrayList<>(PolicyRequest.KNOWN_ATTRIBUTES);

    static {
        NAMES.addAll(List.of("x_future", "sende", "senderx", "Sender", "r", "client_addresS"));
    }

    /** A naive parse of well-formed requests: split lines, split at the first '='. */
    private static List<List<Map.Entry<String, String>>> naive(String wire) {
        List<List<Map.Entry<String, String>>> requests = new ArrayList<>();
        List<Map.Entry<String, String>> current = new ArrayList<>();
        for (String line : wire.split("\n", -1)) {
            if (line.isEmpty()) {
                if (!current.isEmpty()) {
                    requests.add(current);
                    current = new ArrayList<>();
                }
                continue;
            }
            int eq = line.indexOf('=');
            current.add(new AbstractMap.SimpleImmutableEntry<>(line.substring(0, eq), line.substring(eq + 1)));
        }
        return requests;
    }

    private static List<List<Map.Entry<String, String>>> read(String wire)
            throws IOException, MalformedRequestException {
        PolicyRequestReader r = new PolicyRequestReader(
                new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8)), 8192, 65536);
        List<List<Map.Entry<String, String>>> requests = new ArrayList<>();
        for (List<Map.Entry<String, String>> req = r.read(); req != null; req = r.read()) {
            requests.add(req);
        }
        return requests;
    }

    /** Values of few lengths and letters, so that the same length with other bytes comes up often. */
    private static Gen<String> values() {
        String[] pool = {"", "0", "1", "a", "b", "RCPT", "DATA", "MAIL", "ab", "ba", "unknown", "192.0.2.1",
            "192.0.2.2", "b\u00e9", "a=b", "x y"};
        return integers().between(0, pool.length - 1).map(i -> pool[i]);
    }

    @Test
    void readWhenValuesRepeatOrChangeOnOneConnectionThenEveryRequestIsReadAsSent() {
        Gen<String> line = integers().between(0, NAMES.size() - 1).zip(values(), (n, v) -> NAMES.get(n) + "=" + v);
        qt().withExamples(300).forAll(lists().of(lists().of(line).ofSizeBetween(1, 12)).ofSizeBetween(1, 8))
                .check(requests -> {
                    StringBuilder wire = new StringBuilder();
                    for (List<String> req : requests) {
                        req.forEach(l -> wire.append(l).append('\n'));
                        wire.append('\n');
                    }
                    try {
                        return read(wire.toString()).equals(naive(wire.toString()));
                    } catch (IOException | MalformedRequestException e) {
                        throw new AssertionError(e);
                    }
                });
    }

    @Test
    void readWhenTheSameNameComesBackWithAnotherValueOfTheSameLengthThenTheNewValue() throws Exception {
        List<List<Map.Entry<String, String>>> r = read("sender=aa@x\nsize=0\n\nsender=ab@x\nsize=0\n\nsender=ab@x\n\n");
        assertThat(r).hasSize(3);
        assertThat(r.get(0).get(0).getValue()).isEqualTo("aa@x");
        assertThat(r.get(1).get(0).getValue()).isEqualTo("ab@x");
        assertThat(r.get(2).get(0).getValue()).isEqualTo("ab@x");
        // known names are the constants themselves, not copies
        assertThat(r.get(1).get(0).getKey()).isSameAs(PolicyRequest.KNOWN_ATTRIBUTES.get(
                PolicyRequest.KNOWN_ATTRIBUTES.indexOf("sender")));
    }
}
