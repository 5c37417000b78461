package io.relaycontrol.benchmarks;

import io.relaycontrol.api.address.EnvelopeAddress;
import io.relaycontrol.core.address.DomainSet;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link DomainSet} membership at 10, 10,000 and 1,000,000 entries, with the cost of canonicalisation
 * ({@link EnvelopeAddress#parse}) measured separately, and the hand-written suffix table compared with the
 * obvious alternative: two {@code HashSet<String>}s probed with a {@code substring} per label boundary.
 *
 * <p>Half the entries are exact ({@code dN.example}), half subdomain entries ({@code .dN.example}). Queries
 * rotate over 1024 precomputed domains so that no single key stays hot: subdomain hits
 * ({@code mail.dK.example}), exact hits ({@code dK.example}) and misses ({@code mail.nomatchK.example.org}).
 *
 * <p>Run: {@code java -jar examples/benchmarks/target/benchmarks.jar DomainSet -f 1 -wi 2 -i 3}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class DomainSetBenchmark {

    private static final int QUERIES = 1024;

    /** Number of entries in the set. */
    @Param({"10", "10000", "1000000"})
    public int entries;

    private DomainSet set;
    private Set<String> exactBaseline;
    private Set<String> parentBaseline;
    private String[] subdomainHits;
    private String[] exactHits;
    private String[] misses;
    private String[] rawAddresses;
    private int next;

    /** Builds the set and the baseline from the same entries, and the query arrays. */
    @Setup(Level.Trial)
    public void setUp() {
        DomainSet.Builder b = DomainSet.builder().name("bench");
        exactBaseline = new HashSet<>(entries * 2);
        parentBaseline = new HashSet<>(entries * 2);
        for (int i = 0; i < entries; i++) {
            String d = "d" + i + ".example";
            if (i % 2 == 0) {
                b.add("." + d);
                parentBaseline.add(d);
            } else {
                b.add(d);
                exactBaseline.add(d);
            }
        }
        set = b.build();
        subdomainHits = new String[QUERIES];
        exactHits = new String[QUERIES];
        misses = new String[QUERIES];
        rawAddresses = new String[QUERIES];
        for (int q = 0; q < QUERIES; q++) {
            int even = (int) ((q * 7919L) % entries) & ~1;
            int odd = Math.min(entries - 1, even | 1);
            subdomainHits[q] = "mail.d" + even + ".example";
            exactHits[q] = "d" + odd + ".example";
            misses[q] = "mail.nomatch" + q + ".example.org";
            rawAddresses[q] = "<User.Name+" + q + "@Mail.D" + even + ".Example.>";
        }
        if (!set.contains(subdomainHits[1]) || !set.contains(exactHits[1]) || set.contains(misses[1])) {
            throw new IllegalStateException("benchmark data does not match as intended");
        }
    }

    private int nextIndex() {
        next = (next + 1) & (QUERIES - 1);
        return next;
    }

    /** @return membership of a subdomain that a {@code .dN.example} entry covers */
    @Benchmark
    public boolean containsSubdomainHit() {
        return set.contains(subdomainHits[nextIndex()]);
    }

    /** @return membership of a domain listed exactly */
    @Benchmark
    public boolean containsExactHit() {
        return set.contains(exactHits[nextIndex()]);
    }

    /** @return membership of a domain that no entry covers (three label boundaries probed) */
    @Benchmark
    public boolean containsMiss() {
        return set.contains(misses[nextIndex()]);
    }

    /** @return the same subdomain hit against two HashSets probed with a substring per label boundary */
    @Benchmark
    public boolean baselineHashSetSubstringSubdomainHit() {
        return baselineContains(subdomainHits[nextIndex()]);
    }

    /** @return the same miss against the HashSet baseline */
    @Benchmark
    public boolean baselineHashSetSubstringMiss() {
        return baselineContains(misses[nextIndex()]);
    }

    private boolean baselineContains(String d) {
        if (exactBaseline.contains(d)) {
            return true;
        }
        for (int i = d.indexOf('.'); i >= 0; i = d.indexOf('.', i + 1)) {
            if (parentBaseline.contains(d.substring(i + 1))) {
                return true;
            }
        }
        return false;
    }

    /** @return canonicalisation alone: parsing {@code <User.Name+K@Mail.Dn.Example.>} (upper case, trailing dot) */
    @Benchmark
    public EnvelopeAddress parseAddress() {
        return EnvelopeAddress.parse(rawAddresses[nextIndex()]);
    }

    /** @return what a rule pays per RCPT: parse, then look the canonical domain up */
    @Benchmark
    public boolean parseThenContains() {
        EnvelopeAddress a = EnvelopeAddress.parse(rawAddresses[nextIndex()]);
        return a.isMailbox() && !a.isRouted() && set.contains(a.domain());
    }
}
