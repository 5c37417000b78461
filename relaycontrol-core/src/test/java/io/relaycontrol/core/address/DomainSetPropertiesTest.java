package io.relaycontrol.core.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** DomainSet agrees with a naive model that compares label lists. */
class DomainSetPropertiesTest {

    /** Few distinct labels, so that random domains often share suffixes and near-misses. */
    private static final Gen<String> LABEL = arbitrary().pick(List.of("a", "b", "ab", "ba", "example", "xample",
            "com", "co", "uk", "x-y", "1a", "notexample", "evil"));

    private static final Gen<List<String>> LABELS = lists().of(LABEL).ofSizeBetween(1, 5);

    private static String join(List<String> labels) {
        return String.join(".", labels);
    }

    /** The model: {@code .parent} matches d exactly when a proper suffix of d's labels equals parent's labels. */
    private static boolean modelSubdomainOf(List<String> domain, List<String> parent) {
        if (domain.size() <= parent.size()) {
            return false;
        }
        return domain.subList(domain.size() - parent.size(), domain.size()).equals(parent);
    }

    @Test
    void containsWhenParentEntryThenExactlyProperLabelSuffix() {
        qt().withExamples(5000).forAll(LABELS, LABELS).checkAssert((d, p) -> {
            DomainSet set = DomainSet.of("." + join(p));
            assertThat(set.contains(join(d))).as("%s in .%s", join(d), join(p)).isEqualTo(modelSubdomainOf(d, p));
            assertThat(set.contains(join(d).toUpperCase() + ".")).isEqualTo(modelSubdomainOf(d, p));
        });
    }

    @Test
    void containsWhenRandomSetThenAgreesWithNaiveScan() {
        Gen<List<String>> entry = LABELS;
        Gen<List<List<String>>> entries = lists().of(entry).ofSizeBetween(0, 12);
        Gen<List<Boolean>> kinds = lists().of(arbitrary().pick(true, false)).ofSize(12);
        qt().withExamples(2000).forAll(entries, kinds, LABELS).checkAssert((es, ks, d) -> {
            List<String> written = new ArrayList<>();
            for (int i = 0; i < es.size(); i++) {
                written.add((ks.get(i) ? "." : "") + join(es.get(i)));
            }
            DomainSet set = DomainSet.of(written.toArray(new String[0]));
            boolean naive = false;
            for (int i = 0; i < es.size(); i++) {
                naive |= ks.get(i) ? modelSubdomainOf(d, es.get(i)) : d.equals(es.get(i));
            }
            assertThat(set.contains(join(d))).as("%s in %s", join(d), written).isEqualTo(naive);
            assertThat(set.match(join(d)).isPresent()).isEqualTo(naive);
        });
    }

    @Test
    void containsWhenArbitraryStringThenNeverThrows() {
        DomainSet set = DomainSet.of("example.com", ".example.net", "[192.0.2.1]");
        qt().withExamples(3000).forAll(strings().allPossible().ofLengthBetween(0, 80))
                .checkAssert(s -> {
                    boolean in = set.contains(s);
                    assertThat(set.match(s).isPresent()).isEqualTo(in);
                });
        qt().withExamples(2000).forAll(lists().of(arbitrary().pick(Arrays.asList("example", "com", "net", ".",
                "..", "[", "]", "IPv6:", "192.0.2.1", "-", "A", "ü", "\u0000", " "))).ofSizeBetween(0, 8))
                .checkAssert(l -> {
                    String s = String.join("", l);
                    assertThat(set.match(s).isPresent()).isEqualTo(set.contains(s));
                });
    }

    @Test
    void canonicalEntryWhenAppliedTwiceThenUnchanged() {
        Gen<String> written = lists().of(arbitrary().pick(List.of("a", "B", "ü", "XN--BCHER-KVA", "-", ".", "com",
                "[", "]", "192.0.2.1", "IPv6:", "::", "FFFF", "*", "1"))).ofSizeBetween(1, 6).map(l -> String.join("", l));
        qt().withExamples(3000).forAll(written).checkAssert(w -> {
            String once;
            try {
                once = DomainSet.canonicalEntry(w);
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).isNotBlank();
                return;
            }
            assertThat(DomainSet.canonicalEntry(once)).isEqualTo(once);
            assertThat(DomainSet.of(once).entries()).containsExactly(once);
        });
    }
}
