package io.relaycontrol.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The set agrees with a naive reference scan (BigInteger arithmetic, independent of the range code): for
 * membership, and for the reported entry (the longest covering prefix, the first added among equals).
 * Entries and probes are drawn from narrow windows so that overlaps, nesting, duplicates and exceptions are
 * frequent; every entry's first and last address and their neighbours are probed too.
 */
class NetworkSetPropertyTest {

    /** One entry of the reference model. */
    record Entry(boolean v6, BigInteger start, int prefix, boolean exception) {
        int bits() {
            return v6 ? 128 : 32;
        }

        BigInteger end() {
            return start.add(BigInteger.ONE.shiftLeft(bits() - prefix)).subtract(BigInteger.ONE);
        }

        boolean covers(boolean addrV6, BigInteger a) {
            return addrV6 == v6 && a.compareTo(start) >= 0 && a.compareTo(end()) <= 0;
        }

        String text() {
            return toInet(v6, start).getHostAddress() + "/" + prefix;
        }

        static Entry masked(boolean v6, BigInteger value, int prefix, boolean exception) {
            int bits = v6 ? 128 : 32;
            BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                    .xor(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
            return new Entry(v6, value.and(mask), prefix, exception);
        }
    }

    record Probe(boolean v6, BigInteger value) {

        /**
         * The address as the set documents it is looked up: an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d},
         * e.g. the last address of an entry {@code ::/80}) is the IPv4 address {@code a.b.c.d}.
         */
        Probe asLookedUp() {
            return v6 && value.shiftRight(32).equals(BigInteger.valueOf(0xFFFFL))
                    ? new Probe(false, value.and(BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE))) : this;
        }
    }

    private static final BigInteger V4_BASE = BigInteger.valueOf(0x0A000000L);
    private static final BigInteger V6_BASE = new BigInteger("20010db8000000000000000000000000", 16);

    private static Gen<BigInteger> v4Values() {
        // 10.0.0.0/14: narrow, so that entries overlap often
        return integers().between(0, (1 << 18) - 1).map(i -> V4_BASE.add(BigInteger.valueOf(i).shiftLeft(6)))
                .zip(integers().between(0, 63), (b, low) -> b.add(BigInteger.valueOf(low)));
    }

    private static Gen<BigInteger> v6Values() {
        // 2001:db8::/32, with the 16 bits after it small, and random low bits
        return integers().between(0, 3).zip(longs().all(), longs().all(), (mid, a, b) -> V6_BASE
                .add(BigInteger.valueOf(mid).shiftLeft(80))
                .add(BigInteger.valueOf(a & 0xFFFFL).shiftLeft(64))
                .add(new BigInteger(Long.toUnsignedString(b))));
    }

    private static Gen<Entry> v4Entries() {
        return v4Values().zip(integers().between(8, 32), integers().between(0, 4),
                (v, p, e) -> Entry.masked(false, v, p, e == 0));
    }

    private static Gen<Entry> v6Entries() {
        return v6Values().zip(integers().between(28, 128), integers().between(0, 4),
                (v, p, e) -> Entry.masked(true, v, p, e == 0));
    }

    private static Gen<Probe> v4Probes() {
        return v4Values().map(v -> new Probe(false, v));
    }

    private static Gen<Probe> v6Probes() {
        return v6Values().map(v -> new Probe(true, v));
    }

    @Test
    void containsWhenRandomIpv4ListsThenAgreesWithNaiveScan() {
        qt().withExamples(150).forAll(lists().of(v4Entries()).ofSizeBetween(0, 40),
                lists().of(v4Probes()).ofSizeBetween(1, 40))
                .checkAssert(NetworkSetPropertyTest::assertAgrees);
    }

    @Test
    void containsWhenRandomIpv6ListsThenAgreesWithNaiveScan() {
        qt().withExamples(150).forAll(lists().of(v6Entries()).ofSizeBetween(0, 40),
                lists().of(v6Probes()).ofSizeBetween(1, 40))
                .checkAssert(NetworkSetPropertyTest::assertAgrees);
    }

    @Test
    void containsWhenMixedListsThenAgreesWithNaiveScan() {
        qt().withExamples(150).forAll(lists().of(v4Entries().mix(v6Entries())).ofSizeBetween(0, 60),
                lists().of(v4Probes().mix(v6Probes())).ofSizeBetween(1, 40))
                .checkAssert(NetworkSetPropertyTest::assertAgrees);
    }

    @Test
    void containsWhenManyOverlappingEntriesThenAgreesWithNaiveScan() {
        // more than the small-family threshold, so that the first-level table is used
        qt().withExamples(30).forAll(lists().of(v4Entries().mix(v6Entries())).ofSizeBetween(65, 400),
                lists().of(v4Probes().mix(v6Probes())).ofSizeBetween(1, 60))
                .checkAssert(NetworkSetPropertyTest::assertAgrees);
    }

    @Test
    void containsWhenWholeSpaceIpv4ValuesThenAgreesWithNaiveScan() {
        Gen<Entry> anywhere = longs().between(0, 0xFFFFFFFFL).zip(integers().between(0, 32), booleans().all(),
                (v, p, e) -> Entry.masked(false, BigInteger.valueOf(v), p, e && p > 4));
        Gen<Probe> probes = longs().between(0, 0xFFFFFFFFL).map(v -> new Probe(false, BigInteger.valueOf(v)));
        qt().withExamples(100).forAll(lists().of(anywhere).ofSizeBetween(0, 100), lists().of(probes).ofSizeBetween(1, 30))
                .checkAssert(NetworkSetPropertyTest::assertAgrees);
    }

    @Test
    void containsWhenAdjacentBlocksTileTheWindowThenAgreesWithNaiveScan() {
        // blocks of /24 to /30 inside 10.0.0.0/22, and /120 to /128 inside one IPv6 /118: neighbours touch
        // often, so the membership structure merges adjacent ranges of different entries
        Gen<Entry> v4 = integers().between(0, 1023).zip(integers().between(24, 30), integers().between(0, 6),
                (v, p, e) -> Entry.masked(false, V4_BASE.add(BigInteger.valueOf(v)), p, e == 0));
        Gen<Entry> v6 = integers().between(0, 1023).zip(integers().between(120, 128), integers().between(0, 6),
                (v, p, e) -> Entry.masked(true, V6_BASE.add(BigInteger.valueOf(v)), p, e == 0));
        Gen<Probe> probes = integers().between(-8, 1031).zip(booleans().all(), (v, six) -> new Probe(six,
                (six ? V6_BASE : V4_BASE).add(BigInteger.valueOf(v))));
        qt().withExamples(200).forAll(lists().of(v4.mix(v6)).ofSizeBetween(0, 80), lists().of(probes).ofSizeBetween(1, 60))
                .checkAssert(NetworkSetPropertyTest::assertAgrees);
    }

    @Test
    void containsWhenProbesAnywhereInTheSpaceThenAgreesWithNaiveScan() {
        // entries in narrow windows, probes from the whole IPv4 and IPv6 spaces: the first-level table is indexed
        // below the prefix every boundary shares, and addresses outside that prefix take the short answer
        Gen<Probe> anywhere4 = longs().between(0, 0xFFFFFFFFL).map(v -> new Probe(false, BigInteger.valueOf(v)));
        Gen<Probe> anywhere6 = longs().all().zip(longs().all(), (h, l) -> new Probe(true,
                new BigInteger(Long.toUnsignedString(h)).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(l)))));
        qt().withExamples(150).forAll(lists().of(v4Entries().mix(v6Entries())).ofSizeBetween(0, 200),
                lists().of(anywhere4.mix(anywhere6).mix(v4Probes()).mix(v6Probes())).ofSizeBetween(1, 60))
                .checkAssert(NetworkSetPropertyTest::assertAgrees);
    }

    static void assertAgrees(List<Entry> entries, List<Probe> randomProbes) {
        NetworkSet.Builder b = NetworkSet.builder();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e.exception()) {
                b.except(e.text(), "e" + i);
            } else {
                b.add(e.text(), "e" + i, "label" + i);
            }
        }
        NetworkSet set = b.build();
        List<Probe> probes = new ArrayList<>(randomProbes);
        for (Entry e : entries) {
            BigInteger max = BigInteger.ONE.shiftLeft(e.bits()).subtract(BigInteger.ONE);
            for (BigInteger v : List.of(e.start().subtract(BigInteger.ONE), e.start(), e.end(), e.end().add(BigInteger.ONE))) {
                if (v.signum() >= 0 && v.compareTo(max) <= 0) {
                    probes.add(new Probe(e.v6(), v));
                }
            }
        }
        for (Probe p : probes) {
            int expected = reference(entries, p.asLookedUp());
            InetAddress address = toInet(p.v6(), p.value());
            String where = p + " " + address.getHostAddress() + " in " + entries;
            assertThat(set.contains(address)).as(where).isEqualTo(expected >= 0);
            assertThat(set.contains(address.getHostAddress())).as(where).isEqualTo(expected >= 0);
            byte[] raw = address.getAddress();
            assertThat(set.contains(raw)).as(where).isEqualTo(expected >= 0);
            if (p.v6()) {
                assertThat(set.containsIpv6(p.value().shiftRight(64).longValue(), p.value().longValue())).as(where)
                        .isEqualTo(expected >= 0);
            } else {
                assertThat(set.containsIpv4(p.value().intValue())).as(where).isEqualTo(expected >= 0);
                // the IPv4-mapped IPv6 forms, as 16 bytes and as two halves
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xFF;
                mapped[11] = (byte) 0xFF;
                System.arraycopy(raw, 0, mapped, 12, 4);
                assertThat(set.contains(mapped)).as(where).isEqualTo(expected >= 0);
                assertThat(set.containsIpv6(0, 0xFFFF_0000_0000L | p.value().longValue())).as(where)
                        .isEqualTo(expected >= 0);
            }
            if (!p.v6()) {
                // the IPv4-mapped IPv6 form answers as the IPv4 address
                assertThat(set.contains("::ffff:" + address.getHostAddress())).as(where).isEqualTo(expected >= 0);
            }
            Optional<NetworkMatch> m = set.match(address);
            assertThat(set.match(raw)).as(where).isEqualTo(m);
            if (expected < 0) {
                assertThat(m).as(where).isEmpty();
            } else {
                Entry e = entries.get(expected);
                assertThat(m).as(where).contains(new NetworkMatch(
                        NetworkSet.parseEntry(e.text(), false), "e" + expected, 0, "label" + expected));
            }
        }
        // size() counts exactly the entries reported for some address; entries() lists them
        assertThat(set.entries().stream().filter(s -> !s.startsWith("!")).count()).isEqualTo(set.size());
    }

    /** @return the index of the reported entry (longest covering include, first added among equals), or -1 */
    static int reference(List<Entry> entries, Probe p) {
        int best = -1;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (!e.covers(p.v6(), p.value())) {
                continue;
            }
            if (e.exception()) {
                return -1;
            }
            if (best < 0 || e.prefix() > entries.get(best).prefix()) {
                best = i;
            }
        }
        return best;
    }

    static InetAddress toInet(boolean v6, BigInteger value) {
        int len = v6 ? 16 : 4;
        byte[] raw = value.toByteArray();
        byte[] b = new byte[len];
        for (int i = 0; i < len && i < raw.length; i++) {
            b[len - 1 - i] = raw[raw.length - 1 - i];
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
