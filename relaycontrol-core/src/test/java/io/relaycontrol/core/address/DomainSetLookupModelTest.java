package io.relaycontrol.core.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.relaycontrol.api.address.DomainNames;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Issue 12, mutation survivors in the fast path of {@link DomainSet} (the one-pass canonical check and the
 * hashed parent walk): random sets and queries, canonical and not, are answered as a naive model answers them.
 * The model canonicalises with {@link DomainNames} and walks the parents with {@code String} operations.
 * Behaviour only: {@code contains} and {@code match}.
 */
class DomainSetLookupModelTest {

    private static final List<String> LABELS = List.of("a", "b", "mx", "mail", "example", "com", "net", "co",
            "x-y", "1", "23", "xn--bcher-kva", "l".repeat(63), "m".repeat(62));

    /** The model's answer: the entry that matches best, or empty. */
    static Optional<String> reference(Set<String> exact, Set<String> parents, String query) {
        String c;
        try {
            c = DomainNames.canonicalize(query);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (exact.contains(c)) {
            return Optional.of(c);
        }
        if (c.startsWith("[")) {
            return Optional.empty();
        }
        // the longest proper parent listed as ".parent"
        for (int dot = c.indexOf('.'); dot >= 0; dot = c.indexOf('.', dot + 1)) {
            String parent = c.substring(dot);
            if (parents.contains(parent)) {
                return Optional.of(parent);
            }
        }
        return Optional.empty();
    }

    static Gen<String> domains() {
        return lists().of(arbitrary().pick(LABELS)).ofSizeBetween(1, 4).map(l -> String.join(".", l));
    }

    /** Queries: the domains, and the same with upper case, a trailing dot, broken labels or odd characters. */
    static Gen<String> queries() {
        Gen<String> damage = arbitrary().pick(List.of("", "", "", "UPPER", ".", "-", "..", "_", " ", "ü", "１",
                "\uFE0F", "[", "n".repeat(64), "9"));
        return domains().zip(damage, integers().between(0, 3), (d, x, where) -> {
            switch (x) {
                case "":
                    return d;
                case "UPPER":
                    return d.toUpperCase(java.util.Locale.ROOT);
                case ".":
                    return where == 0 ? "." + d : d + ".";
                default:
                    int at = Math.min(d.length(), where == 0 ? 0 : where == 1 ? d.length() : d.indexOf('.') + 1);
                    return d.substring(0, at) + x + d.substring(at);
            }
        });
    }

    static void assertAgrees(List<String> exactEntries, List<String> parentEntries, List<String> queries) {
        DomainSet.Builder b = DomainSet.builder();
        Set<String> exact = new HashSet<>();
        Set<String> parents = new HashSet<>();
        for (String e : exactEntries) {
            if (DomainNames.isValid(e)) {
                b.add(e);
                exact.add(DomainNames.canonicalize(e));
            }
        }
        for (String p : parentEntries) {
            if (DomainNames.isValid(p)) {
                b.add("." + p);
                parents.add("." + DomainNames.canonicalize(p));
            }
        }
        DomainSet set = b.build();
        List<String> all = new ArrayList<>(queries);
        for (String e : exact) {
            all.add(e);
            all.add("sub." + e);
        }
        for (String p : parents) {
            all.add(p.substring(1)); // the parent itself is not its own subdomain
            all.add("a" + p);
            all.add("x.y" + p);
        }
        for (String q : all) {
            Optional<String> expected = reference(exact, parents, q);
            assertThat(set.contains(q)).as("contains(%s) in %s", q, set.entries()).isEqualTo(expected.isPresent());
            assertThat(set.match(q).map(DomainMatch::entry)).as("match(%s) in %s", q, set.entries())
                    .isEqualTo(expected);
        }
    }

    @Test
    void containsWhenRandomSetsAndQueriesThenAgreesWithModel() {
        qt().withExamples(PitExamples.of(120)).forAll(lists().of(domains()).ofSizeBetween(0, 30),
                lists().of(domains()).ofSizeBetween(0, 10), lists().of(queries()).ofSizeBetween(1, 40))
                .checkAssert(DomainSetLookupModelTest::assertAgrees);
    }

    @Test
    void containsWhenLabelOrDomainAtTheLengthLimitThenFoundLikeAnyOther() {
        String label63 = "l".repeat(63);
        String d255 = String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(59) + ".com");
        assertThat(d255).hasSize(255);
        DomainSet set = DomainSet.of(label63 + ".example", "." + label63 + ".net", d255);
        assertThat(set.contains(label63 + ".example")).isTrue();
        assertThat(set.contains("mx." + label63 + ".net")).isTrue();
        assertThat(set.contains(d255)).isTrue();
        assertThat(set.contains(d255.toUpperCase(java.util.Locale.ROOT))).isTrue();
        assertThat(set.contains(d255 + ".")).isTrue();
        assertThat(set.contains("l" + label63 + ".example")).isFalse();
        assertThat(set.contains("x" + d255)).isFalse();
    }

    @Test
    void containsWhenQueryIsNotCanonicalThenAnsweredForItsCanonicalFormOrNotAtAll() {
        DomainSet set = DomainSet.of(".example.com", "exact.example.org", "xn--bcher-kva.example");
        assertThat(set.contains("a.example.com")).isTrue();
        assertThat(set.contains("A.Example.COM")).isTrue();
        assertThat(set.contains("a.example.com.")).isTrue();
        assertThat(set.contains("bücher.example")).isTrue();
        assertThat(set.contains("BÜCHER.example")).isTrue();
        assertThat(set.contains("example.com")).isFalse(); // the parent itself is not listed
        // broken queries under a listed parent are in no set
        for (String q : List.of("-a.example.com", "a-.example.com", "a..example.com", ".a.example.com",
                "a_b.example.com", "a b.example.com", "a.example.com..", "a\uFE0F.example.com", "", ".",
                "n".repeat(64) + ".example.com", "1.2.3.4", "a.example.123")) {
            assertThat(set.contains(q)).as("'%s'", q).isFalse();
            assertThat(set.match(q)).as("'%s'", q).isEmpty();
        }
        assertThat(set.contains("exact.example.org")).isTrue();
        assertThat(set.contains("sub.exact.example.org")).isFalse();
    }

    @Test
    void matchWhenExactAndParentsListedThenMostSpecificWins() {
        DomainSet set = DomainSet.of(".com", ".example.com", ".mx.example.com", "mx.example.com");
        assertThat(set.match("mx.example.com").map(DomainMatch::entry)).contains("mx.example.com");
        assertThat(set.match("a.mx.example.com").map(DomainMatch::entry)).contains(".mx.example.com");
        assertThat(set.match("a.b.example.com").map(DomainMatch::entry)).contains(".example.com");
        assertThat(set.match("other.com").map(DomainMatch::entry)).contains(".com");
        assertThat(set.contains("a.b.example.com")).isTrue();
    }

    @Test
    void matchWhenAddressLiteralListedThenOnlyThatLiteralEntryMatches() {
        DomainSet first = DomainSet.of("[192.0.2.1]");
        assertThat(first.contains("[192.0.2.1]")).isTrue();
        assertThat(first.contains("[IPv6:::ffff:192.0.2.1]")).isTrue(); // canonicalised to the IPv4 literal
        DomainSet later = DomainSet.of("example.com", ".example.org", "[192.0.2.1]", "[IPv6:2001:db8::1]");
        assertThat(later.match("[192.0.2.1]").map(DomainMatch::entry)).contains("[192.0.2.1]");
        assertThat(later.match("[IPv6:2001:DB8:0:0:0:0:0:1]").map(DomainMatch::entry)).contains("[IPv6:2001:db8::1]");
        assertThat(later.contains("[192.0.2.2]")).isFalse();
        assertThat(later.contains("192.0.2.1")).isFalse();
        assertThat(later.contains("[example.com]")).isFalse();
    }
}
