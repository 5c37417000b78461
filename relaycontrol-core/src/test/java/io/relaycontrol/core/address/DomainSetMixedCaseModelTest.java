package io.relaycontrol.core.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fast path of {@link DomainSet} reads one class per character and compares a key without folding case when
 * the query's region holds no upper case, and with folding when it does; {@code contains} stops probing once a
 * parent entry matched. Random sets and queries whose letters are upper-case one by one (so that some regions are
 * mixed and others not), with A-labels, hyphens, digits and trailing dots, are answered as the naive model of
 * {@link DomainSetLookupModelTest} answers them, and as their lower-case form is answered.
 */
class DomainSetMixedCaseModelTest {

    private static final List<String> LABELS = List.of("a", "mx", "mail", "example", "com", "net", "co", "x-y",
            "1", "23", "xn--bcher-kva", "xn--a-ecp", "exa-mple", "l".repeat(63));

    private static String domain(SplittableRandom r) {
        int n = 1 + r.nextInt(4);
        List<String> ls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ls.add(LABELS.get(r.nextInt(LABELS.size())));
        }
        return String.join(".", ls);
    }

    /** Each letter upper-case with probability {@code percent}%, sometimes a trailing dot. */
    private static String mixed(String d, SplittableRandom r, int percent) {
        StringBuilder sb = new StringBuilder(d.length() + 1);
        for (int i = 0; i < d.length(); i++) {
            char c = d.charAt(i);
            sb.append(c >= 'a' && c <= 'z' && r.nextInt(100) < percent ? (char) (c - 32) : c);
        }
        if (r.nextInt(5) == 0) {
            sb.append('.');
        }
        return sb.toString();
    }

    @Test
    void containsWhenLettersUpperCaseOneByOneThenAgreesWithModelAndWithTheLowerCaseQuery() {
        qt().withExamples(PitExamples.of(200)).forAll(longs().all(), integers().between(0, 100),
                lists().of(integers().between(0, 2)).ofSizeBetween(1, 30)).checkAssert((seed, percent, kinds) -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    DomainSet.Builder b = DomainSet.builder();
                    Set<String> exact = new HashSet<>();
                    Set<String> parents = new HashSet<>();
                    List<String> listed = new ArrayList<>();
                    for (int kind : kinds) {
                        String d = domain(r);
                        if (!io.relaycontrol.api.address.DomainNames.isValid(d)) {
                            continue;
                        }
                        listed.add(d);
                        if (kind != 1) {
                            b.add(d);
                            exact.add(d);
                        }
                        if (kind != 0) {
                            b.add("." + d);
                            parents.add("." + d);
                        }
                    }
                    DomainSet set = b.build();
                    List<String> queries = new ArrayList<>();
                    for (int i = 0; i < 40; i++) {
                        String base = !listed.isEmpty() && r.nextBoolean() ? listed.get(r.nextInt(listed.size()))
                                : domain(r);
                        String q = r.nextInt(3) == 0 ? domain(r) + "." + base : base;
                        queries.add(mixed(q, r, percent));
                    }
                    for (String q : queries) {
                        Optional<String> expected = DomainSetLookupModelTest.reference(exact, parents, q);
                        assertThat(set.contains(q)).as("contains(%s) in %s", q, set.entries())
                                .isEqualTo(expected.isPresent());
                        assertThat(set.match(q).map(DomainMatch::entry)).as("match(%s) in %s", q, set.entries())
                                .isEqualTo(expected);
                        String lower = q.toLowerCase(java.util.Locale.ROOT);
                        assertThat(set.contains(q)).as("contains(%s) and contains(%s)", q, lower)
                                .isEqualTo(set.contains(lower));
                    }
                });
    }

    @Test
    void containsWhenOnlySomeRegionsHoldUpperCaseThenEachKeyIsComparedRightly() {
        DomainSet set = DomainSet.of(".example.com", "mail.example.net", ".xn--bcher-kva.example", "co.uk");
        // upper case only left of the parent: the parent region is compared as it is
        assertThat(set.contains("MAIL.example.com")).isTrue();
        assertThat(set.contains("MAIL.examplE.com")).isTrue();
        assertThat(set.contains("mail.EXAMPLE.com")).isTrue();
        assertThat(set.contains("Mail.Example.Net")).isTrue();
        assertThat(set.contains("mail.example.Net.")).isTrue();
        assertThat(set.contains("MAIL.example.nett")).isFalse();
        assertThat(set.contains("CO.UK")).isTrue();
        assertThat(set.contains("CO.UK.")).isTrue();
        // an A-label in upper case (anywhere) goes through canonicalisation, which accepts a valid one
        assertThat(set.contains("a.XN--BCHER-KVA.example")).isTrue();
        assertThat(set.contains("A.xn--bcher-kva.example")).isTrue();
        assertThat(set.contains("a.Xn--bcher-kva.example")).isTrue();
        assertThat(set.match("a.XN--BCHER-KVA.example").map(DomainMatch::entry)).contains(".xn--bcher-kva.example");
        // look-alikes stay out whatever the case
        assertThat(set.contains("MAIL.EXAMPLE.COM.EVIL.TEST")).isFalse();
        assertThat(set.contains("NOTEXAMPLE.COM")).isFalse();
        assertThat(set.contains("Mail.Example.Net\u200B")).isFalse();
        assertThat(set.contains("MAIL-.example.com")).isFalse();
        assertThat(set.contains("-MAIL.example.com")).isFalse();
        assertThat(set.contains("123")).isFalse();
        assertThat(set.contains("a.123")).isFalse();
        assertThat(set.contains("A.EXAMPLE.123")).isFalse();
    }

    @Test
    void containsWhenAParentAndTheExactEntryBothMatchThenTrueAndMatchNamesTheExactOne() {
        DomainSet set = DomainSet.of(".example.com", "mx.example.com", ".mx.example.com");
        assertThat(set.contains("mx.example.com")).isTrue();
        assertThat(set.contains("MX.example.com")).isTrue();
        assertThat(set.match("mx.example.com").map(DomainMatch::entry)).contains("mx.example.com");
        assertThat(set.match("Mx.Example.com").map(DomainMatch::entry)).contains("mx.example.com");
        assertThat(set.match("a.mx.example.com").map(DomainMatch::entry)).contains(".mx.example.com");
        // the query is checked to its first character even after a parent matched
        assertThat(set.contains("a_b.mx.example.com")).isFalse();
        assertThat(set.contains("a\u200B.mx.example.com")).isFalse();
        assertThat(set.contains("-a.mx.example.com")).isFalse();
    }

    @Test
    void containsWhenAnA_LabelIsNotValidPunycodeThenNothingMatchesInAnyCase() {
        DomainSet set = DomainSet.of(".mail.example", "xn--bcher-kva.example", ".xn--bcher-kva.net");
        assertThat(io.relaycontrol.api.address.DomainNames.isValid("xn--a-ecp.mail.example")).isFalse();
        for (String q : List.of("xn--a-ecp.mail.example", "XN--A-ECP.mail.example", "a.xn--a-ecp.mail.example",
                "xn--a-ecp.mail.example.", "mx.xn--bcher-kv.net", "xn--bcher-kv.example")) {
            assertThat(set.contains(q)).as("'%s'", q).isFalse();
            assertThat(set.match(q)).as("'%s'", q).isEmpty();
        }
        // valid A-labels, in any case, still match
        assertThat(set.contains("xn--bcher-kva.example")).isTrue();
        assertThat(set.contains("XN--BCHER-KVA.example")).isTrue();
        assertThat(set.contains("mx.xn--bcher-kva.net")).isTrue();
        assertThat(set.contains("xn--bcher-kva.mail.example")).isTrue();
        assertThat(set.match("xn--bcher-kva.mail.example").map(DomainMatch::entry)).contains(".mail.example");
    }
}
