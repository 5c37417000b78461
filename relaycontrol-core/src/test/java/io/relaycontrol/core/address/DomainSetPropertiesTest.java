package io.relaycontrol.core.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import io.relaycontrol.api.address.DomainNames;
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

    @Test
    void containsWhenMixedCaseOrTrailingDotThenSameAsCanonicalisingFirst() {
        // the one-pass fast path folds case and a trailing dot itself; the oracle canonicalises with DomainNames
        // and asks the canonical form, which is what the set did for every non-canonical query before
        DomainSet set = DomainSet.of("example.com", ".example.com", ".co.uk", "xn--bcher-kva.example", "x-y.ab",
                ".1a.b", "[192.0.2.1]");
        Gen<String> piece = arbitrary().pick(List.of("example", "EXAMPLE", "Example", "com", "COM", "co", "UK", "uk",
                "xn--bcher-kva", "XN--BCHER-KVA", "Xn--bcher-kva", "x-y", "X-Y", "-x", "y-", "ab", "AB", "1a", "1A",
                "b", "B", "123", "ü", "Ü", "a_b"));
        Gen<String> queries = lists().of(piece).ofSizeBetween(1, 5).zip(arbitrary().pick(true, false),
                (l, dot) -> String.join(".", l) + (dot ? "." : ""));
        qt().withExamples(5000).forAll(queries).checkAssert(q -> {
            String canonical;
            try {
                canonical = DomainNames.canonicalize(q);
            } catch (IllegalArgumentException e) {
                canonical = null;
            }
            boolean expected = canonical != null && canonical.equals(canonical.toLowerCase(java.util.Locale.ROOT))
                    && set.contains(canonical);
            assertThat(set.contains(q)).as(q + " (canonical " + canonical + ")").isEqualTo(expected);
            assertThat(set.match(q).isPresent()).as(q).isEqualTo(expected);
            if (expected) {
                assertThat(set.match(q).orElseThrow().entry()).isEqualTo(set.match(canonical).orElseThrow().entry());
            }
        });
    }

    @Test
    void containsWhenRandomSetAndMixedCaseQueryThenAgreesWithNaiveScan() {
        Gen<List<List<String>>> entries = lists().of(LABELS).ofSizeBetween(0, 12);
        Gen<List<Boolean>> kinds = lists().of(arbitrary().pick(true, false)).ofSize(12);
        Gen<List<Boolean>> cases = lists().of(arbitrary().pick(true, false)).ofSize(5);
        qt().withExamples(2000).forAll(entries, kinds, LABELS, cases).checkAssert((es, ks, d, cs) -> {
            List<String> written = new ArrayList<>();
            for (int i = 0; i < es.size(); i++) {
                written.add((ks.get(i) ? "." : "") + join(es.get(i)));
            }
            DomainSet set = DomainSet.of(written.toArray(new String[0]));
            boolean naive = false;
            for (int i = 0; i < es.size(); i++) {
                naive |= ks.get(i) ? modelSubdomainOf(d, es.get(i)) : d.equals(es.get(i));
            }
            List<String> shown = new ArrayList<>();
            for (int i = 0; i < d.size(); i++) {
                shown.add(cs.get(i) ? d.get(i).toUpperCase(java.util.Locale.ROOT) : d.get(i));
            }
            String q = join(shown);
            assertThat(set.contains(q)).as("%s in %s", q, written).isEqualTo(naive);
            assertThat(set.match(q).isPresent()).isEqualTo(naive);
        });
    }
}
