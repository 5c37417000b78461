package io.relaycontrol.examples.policy;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** {@link PolicyRequest}'s attributes against the plain model: an ordered map, last value wins, empty removes. */
class PolicyRequestModelTest {

    private static final List<String> NAMES = new ArrayList<>(PolicyRequest.KNOWN_ATTRIBUTES);

    static {
        NAMES.remove("request");
        NAMES.addAll(List.of("x_future", "ccert_future", "Sender", "r"));
    }

    private static Map<String, String> model(List<Map.Entry<String, String>> pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : pairs) {
            m.remove(e.getKey());
            if (!e.getValue().isEmpty()) {
                m.put(e.getKey(), e.getValue().replace("+41", "A"));
            }
        }
        return m;
    }

    @Test
    void ofWhenNamesRepeatAreEmptiedOrUnknownThenAttributesAgreeWithTheOrderedMapModel() {
        String[] values = {"", "0", "7", "a", "b+41", "unknown", "192.0.2.1"};
        Gen<Map.Entry<String, String>> pair = integers().between(0, NAMES.size() - 1)
                .zip(integers().between(0, values.length - 1),
                        (n, v) -> new AbstractMap.SimpleImmutableEntry<>(NAMES.get(n), values[v]));
        qt().withExamples(500).forAll(lists().of(pair).ofSizeBetween(0, 40)).check(pairs -> {
            List<Map.Entry<String, String>> all = new ArrayList<>();
            all.add(new AbstractMap.SimpleImmutableEntry<>("request", "smtpd_access_policy"));
            for (Map.Entry<String, String> p : pairs) {
                // xtext only in ccert_*; the numeric attributes get numbers
                String v = p.getValue();
                if (!p.getKey().startsWith("ccert_")) {
                    v = v.replace("+41", "A");
                }
                boolean numeric = List.of("client_port", "server_port", "recipient_count", "size",
                        "encryption_keysize").contains(p.getKey());
                if (numeric && !v.isEmpty() && !v.chars().allMatch(Character::isDigit)) {
                    v = "1";
                }
                all.add(new AbstractMap.SimpleImmutableEntry<>(p.getKey(), v));
            }
            PolicyRequest r = PolicyRequest.of(all);
            Map<String, String> expected = model(all);
            boolean each = NAMES.stream().allMatch(n -> Objects.equals(r.attribute(n).orElse(null), expected.get(n)));
            return each && new ArrayList<>(r.attributes().entrySet()).equals(new ArrayList<>(expected.entrySet()))
                    && r.equals(PolicyRequest.of(expected)) && r.hashCode() == expected.hashCode();
        });
    }
}
