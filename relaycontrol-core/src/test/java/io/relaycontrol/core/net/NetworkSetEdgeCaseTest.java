package io.relaycontrol.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class NetworkSetEdgeCaseTest {

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // literals only: no DNS
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void containsWhenSlashZeroIpv4ThenEveryIpv4AddressAndNoIpv6() {
        NetworkSet all = NetworkSet.of("0.0.0.0/0");
        assertThat(all.contains("0.0.0.0")).isTrue();
        assertThat(all.contains("255.255.255.255")).isTrue();
        assertThat(all.contains("192.0.2.1")).isTrue();
        assertThat(all.contains("::")).isFalse();
        assertThat(all.contains("2001:db8::1")).isFalse();
        assertThat(all.containsAllOfIpv4()).isTrue();
        assertThat(all.containsAllOfIpv6()).isFalse();
        assertThat(all.coversAllOfAFamily()).isTrue();
    }

    @Test
    void containsWhenSlashZeroIpv6ThenEveryIpv6AddressAndNoIpv4() {
        NetworkSet all = NetworkSet.of("::/0");
        assertThat(all.contains("::")).isTrue();
        assertThat(all.contains("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).isTrue();
        assertThat(all.contains("::192.0.2.1")).isTrue();
        assertThat(all.contains("192.0.2.1")).isFalse();
        assertThat(all.contains("::ffff:192.0.2.1")).as("mapped is looked up as IPv4").isFalse();
        assertThat(all.containsAllOfIpv6()).isTrue();
        assertThat(all.containsAllOfIpv4()).isFalse();
    }

    @Test
    void containsAllWhenHalvesCoverTheSpaceThenDetected() {
        assertThat(NetworkSet.of("0.0.0.0/1", "128.0.0.0/1").containsAllOfIpv4()).isTrue();
        assertThat(NetworkSet.of("::/1", "8000::/1").containsAllOfIpv6()).isTrue();
        assertThat(NetworkSet.builder().add("0.0.0.0/0").except("10.0.0.0/8").build().containsAllOfIpv4()).isFalse();
        assertThat(NetworkSet.of("0.0.0.0/1").containsAllOfIpv4()).isFalse();
    }

    @Test
    void containsWhenSlash32ThenOnlyThatAddress() {
        NetworkSet s = NetworkSet.of("192.0.2.7/32");
        assertThat(s.contains("192.0.2.7")).isTrue();
        assertThat(s.contains("192.0.2.6")).isFalse();
        assertThat(s.contains("192.0.2.8")).isFalse();
        assertThat(s.entries()).containsExactly("192.0.2.7/32");
    }

    @Test
    void containsWhenBareAddressThenHostRouteNeverSlashZero() {
        assertThat(NetworkSet.of("192.0.2.7").entries()).containsExactly("192.0.2.7/32");
        assertThat(NetworkSet.of("192.0.2.7").contains("192.0.2.8")).isFalse();
        assertThat(NetworkSet.of("2001:db8::7").entries()).containsExactly("2001:db8::7/128");
        assertThat(NetworkSet.of("0.0.0.0").contains("0.0.0.1")).isFalse();
        assertThat(NetworkSet.of("::").contains("::1")).isFalse();
    }

    @Test
    void containsWhenSlash128ThenOnlyThatAddress() {
        NetworkSet s = NetworkSet.of("2001:db8::7/128");
        assertThat(s.contains("2001:db8::7")).isTrue();
        assertThat(s.contains("2001:db8::6")).isFalse();
        assertThat(s.contains("2001:db8::8")).isFalse();
    }

    @Test
    void containsWhenExtremeAddressesThenExact() {
        NetworkSet s = NetworkSet.of("0.0.0.0", "255.255.255.255", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
        assertThat(s.contains("0.0.0.0")).isTrue();
        assertThat(s.contains("0.0.0.1")).isFalse();
        assertThat(s.contains("255.255.255.255")).isTrue();
        assertThat(s.contains("255.255.255.254")).isFalse();
        assertThat(s.contains("::")).isTrue();
        assertThat(s.contains("::1")).isFalse();
        assertThat(s.contains("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).isTrue();
        assertThat(s.contains("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe")).isFalse();
    }

    @Test
    void containsWhenFirstAndLastAddressOfPrefixThenInAndNeighboursOut() {
        NetworkSet s = NetworkSet.of("10.1.0.0/16", "2001:db8:1::/48");
        assertThat(s.contains("10.1.0.0")).isTrue();
        assertThat(s.contains("10.1.255.255")).isTrue();
        assertThat(s.contains("10.0.255.255")).isFalse();
        assertThat(s.contains("10.2.0.0")).isFalse();
        assertThat(s.contains("2001:db8:1::")).isTrue();
        assertThat(s.contains("2001:db8:1:ffff:ffff:ffff:ffff:ffff")).isTrue();
        assertThat(s.contains("2001:db8:0:ffff:ffff:ffff:ffff:ffff")).isFalse();
        assertThat(s.contains("2001:db8:2::")).isFalse();
    }

    @Test
    void containsWhenIpv4MappedIpv6ThenMatchedAsIpv4() {
        NetworkSet s = NetworkSet.of("192.0.2.0/24");
        assertThat(s.contains("::ffff:192.0.2.1")).isTrue();
        assertThat(s.containsIpv6(0, 0xFFFF_C000_0201L)).isTrue();
        assertThat(s.containsIpv6(0, 0xFFFE_C000_0201L)).isFalse();
        assertThat(s.match("::ffff:192.0.2.1")).map(NetworkMatch::entry).contains("192.0.2.0/24");
        // an Inet6Address holding the mapped form (the JDK's getByName would already unwrap it)
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        mapped[12] = (byte) 192;
        mapped[14] = 2;
        mapped[15] = 1;
        assertThat(s.contains(mappedInet6(mapped))).isTrue();
    }

    @Test
    void containsWhenIpv4MappedInet6AddressOutsideTheSetThenFalse() {
        // PIT: contains(InetAddress) answering true for every mapped Inet6Address survived; a spoofed-looking
        // ::ffff:198.51.100.1 must not be trusted by a set that holds only 192.0.2.0/24, nor by an IPv6-only set
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        mapped[12] = (byte) 198;
        mapped[13] = 51;
        mapped[14] = 100;
        mapped[15] = 1;
        InetAddress outside = mappedInet6(mapped);
        assertThat(outside).isInstanceOf(Inet6Address.class);
        assertThat(NetworkSet.of("192.0.2.0/24").contains(outside)).isFalse();
        assertThat(NetworkSet.of("::/0").contains(outside)).as("mapped is looked up as IPv4").isFalse();
        assertThat(NetworkSet.of("198.51.100.0/24").contains(outside)).isTrue();
    }

    @Test
    void isEmptyAndCoversAllWhenOrdinarySetThenFalse() {
        NetworkSet s = NetworkSet.of("192.0.2.0/24", "2001:db8::/32");
        assertThat(s.isEmpty()).isFalse();
        assertThat(s.coversAllOfAFamily()).isFalse();
        assertThat(s.containsAllOfIpv4()).isFalse();
        assertThat(s.containsAllOfIpv6()).isFalse();
        assertThat(NetworkSet.of("2001:db8::/32").isEmpty()).isFalse();
    }

    private static InetAddress mappedInet6(byte[] b) {
        try {
            return Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void containsWhenMappedEntryThenStoredAsIpv4() {
        NetworkSet s = NetworkSet.of("::ffff:192.0.2.0/120");
        assertThat(s.entries()).containsExactly("192.0.2.0/24");
        assertThat(s.contains("192.0.2.9")).isTrue();
        // a mapped-range block shorter than /96 stays IPv6 and matches no IPv4 address
        assertThat(NetworkSet.of("::/80").contains("192.0.2.9")).isFalse();
    }

    @Test
    void containsWhenIpv4CompatibleIpv6ThenNotTreatedAsIpv4() {
        NetworkSet v4 = NetworkSet.of("192.0.2.0/24");
        assertThat(v4.contains("::192.0.2.1")).isFalse();
        assertThat(v4.contains(ip("::192.0.2.1"))).isFalse();
        assertThat(NetworkSet.of("::192.0.2.0/120").contains("192.0.2.1")).isFalse();
        assertThat(NetworkSet.of("::192.0.2.0/120").contains("::192.0.2.1")).isTrue();
    }

    @Test
    void containsWhenIpv4EntryAndNativeIpv6AddressThenNo() {
        assertThat(NetworkSet.of("0.0.0.0/0").contains(ip("2001:db8::1"))).isFalse();
        assertThat(NetworkSet.of("2001:db8::/32").contains(ip("32.1.13.184"))).isFalse();
    }

    @Test
    void containsWhenZoneIdThenIgnored() {
        NetworkSet s = NetworkSet.of("fe80::/64");
        assertThat(s.contains("fe80::1%eth0")).isTrue();
        assertThat(s.contains("fe80::1%1")).isTrue();
        assertThat(NetworkSet.of("fe80::1%eth0").contains("fe80::1")).isTrue();
        assertThat(s.contains(ip("fe80::1%1"))).isTrue();
    }

    @Test
    void matchWhenOverlappingEntriesThenMostSpecificReported() {
        NetworkSet s = NetworkSet.builder()
                .add("10.0.0.0/8", "a", "wide")
                .add("10.1.0.0/16", "b", "narrow")
                .add("10.1.2.0/24", "c", null)
                .build();
        assertThat(s.match(ip("10.1.2.3"))).map(NetworkMatch::toString).contains("10.1.2.0/24 from c");
        assertThat(s.match(ip("10.1.3.3"))).map(NetworkMatch::toString).contains("10.1.0.0/16 from b (narrow)");
        assertThat(s.match(ip("10.2.3.3"))).map(NetworkMatch::toString).contains("10.0.0.0/8 from a (wide)");
        assertThat(s.match(ip("11.0.0.0"))).isEmpty();
        assertThat(s.size()).isEqualTo(3);
        assertThat(s.entries()).containsExactlyInAnyOrder("10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24");
    }

    @Test
    void matchWhenDuplicateEntriesThenFirstAddedReported() {
        NetworkSet s = NetworkSet.builder().add("192.0.2.0/24", "first", "1").add("192.0.2.0/24", "second", "2").build();
        assertThat(s.match(ip("192.0.2.1"))).map(NetworkMatch::source).contains("first");
        assertThat(s.size()).isEqualTo(1);
        assertThat(s.entries()).containsExactly("192.0.2.0/24");
    }

    @Test
    void containsWhenExceptionThenRemovedWhateverTheOrder() {
        NetworkSet s = NetworkSet.of("10.0.0.0/8", "!10.9.0.0/16");
        assertThat(s.contains("10.8.255.255")).isTrue();
        assertThat(s.contains("10.9.0.0")).isFalse();
        assertThat(s.contains("10.9.255.255")).isFalse();
        assertThat(s.contains("10.10.0.0")).isTrue();
        NetworkSet before = NetworkSet.builder().except("10.9.0.0/16").add("10.9.1.0/24").add("10.0.0.0/8").build();
        assertThat(before.contains("10.9.1.1")).as("exceptions win, unlike Postfix first match").isFalse();
        assertThat(before.contains("10.8.1.1")).isTrue();
        assertThat(s.entries()).containsExactly("10.0.0.0/8", "!10.9.0.0/16");
        assertThat(s.exceptionCount()).isEqualTo(1);
    }

    @Test
    void containsWhenExceptionCoversEverythingThenEmpty() {
        NetworkSet s = NetworkSet.of("10.0.0.0/8", "!0.0.0.0/0");
        assertThat(s.contains("10.0.0.1")).isFalse();
        assertThat(s.size()).isZero();
        assertThat(s.isEmpty()).isTrue();
    }

    @Test
    void containsWhenEmptySetThenNothing() {
        NetworkSet e = NetworkSet.empty();
        assertThat(e.contains("0.0.0.0")).isFalse();
        assertThat(e.contains("::")).isFalse();
        assertThat(e.contains(ip("192.0.2.1"))).isFalse();
        assertThat(e.match(ip("192.0.2.1"))).isEmpty();
        assertThat(e.size()).isZero();
        assertThat(e.entries()).isEmpty();
        assertThat(e.isEmpty()).isTrue();
        assertThat(e.containsAllOfIpv4()).isFalse();
        assertThat(NetworkSet.of().isEmpty()).isTrue();
        assertThat(e).hasToString("NetworkSet{0 networks}");
    }

    @Test
    void addWhenInetAddressAndPrefixThenBlock() {
        NetworkSet s = NetworkSet.builder().add(ip("192.0.2.0"), 24).add(ip("2001:db8::"), 32).build();
        assertThat(s.contains("192.0.2.255")).isTrue();
        assertThat(s.contains("2001:db8:ffff::1")).isTrue();
        assertThatThrownBy(() -> NetworkSet.builder().add(ip("192.0.2.1"), 24))
                .isInstanceOf(InvalidNetworkException.class).hasMessageContaining("host bits");
        assertThat(NetworkSet.builder().lenient(true).add(ip("192.0.2.1"), 24).build().entries())
                .containsExactly("192.0.2.0/24");
        assertThatThrownBy(() -> NetworkSet.builder().add(ip("192.0.2.0"), 33))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("33");
        assertThatThrownBy(() -> NetworkSet.builder().add(ip("::"), -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }

    @Test
    void matchWhenRawBytesThenSameAnswers() {
        NetworkSet s = NetworkSet.of("2001:db8::/32", "192.0.2.0/24");
        assertThat(s.match(ip("2001:db8::1").getAddress())).map(NetworkMatch::entry).contains("2001:db8::/32");
        assertThat(s.match(ip("192.0.2.9").getAddress())).map(NetworkMatch::entry).contains("192.0.2.0/24");
        assertThat(s.match(ip("192.0.3.9").getAddress())).isEmpty();
        assertThat(s.contains(ip("2001:db8:ffff::1").getAddress())).isTrue();
        assertThat(s.contains(ip("2001:db9::1").getAddress())).isFalse();
    }

    @Test
    void containsWhenRawBytesOfWrongLengthThenRefusedNamingTheLength() {
        NetworkSet s = NetworkSet.of("192.0.2.0/24");
        assertThatThrownBy(() -> s.contains(new byte[5])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not 5");
        assertThatThrownBy(() -> s.match(new byte[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not 0");
        assertThatThrownBy(() -> s.contains((byte[]) null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void containsIpv4WhenIntFormThenFirstOctetIsTheHighByte() {
        NetworkSet s = NetworkSet.of("192.0.2.0/24", "255.255.255.255", "0.0.0.0");
        assertThat(s.containsIpv4(0xC0000201)).isTrue();
        assertThat(s.containsIpv4(0xC00002FF)).isTrue();
        assertThat(s.containsIpv4(0xC0000300)).isFalse();
        assertThat(s.containsIpv4(0x010200C0)).isFalse();
        assertThat(s.containsIpv4(-1)).isTrue();
        assertThat(s.containsIpv4(0)).isTrue();
        assertThat(s.containsIpv4(1)).isFalse();
        assertThat(s.containsIpv4(-2)).isFalse();
        assertThat(NetworkSet.of("2001:db8::/32").containsIpv4(0xC0000201)).isFalse();
    }

    @Test
    void containsIpv6WhenTwoHalvesThenSameAnswersAsTheAddress() {
        NetworkSet s = NetworkSet.of("2001:db8::/32", "::/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
        assertThat(s.containsIpv6(0x20010DB8_00000000L, 0)).isTrue();
        assertThat(s.containsIpv6(0x20010DB8_FFFFFFFFL, -1L)).isTrue();
        assertThat(s.containsIpv6(0x20010DB9_00000000L, 0)).isFalse();
        assertThat(s.containsIpv6(0, 0)).isTrue();
        assertThat(s.containsIpv6(0, 1)).isFalse();
        assertThat(s.containsIpv6(-1L, -1L)).isTrue();
        assertThat(s.containsIpv6(-1L, -2L)).isFalse();
    }

    @Test
    void rangeCountWhenAdjacentAndOverlappingEntriesThenMergedIntoOneInterval() {
        // four adjacent /26s, a nested /28 and a /25 that overlaps two of them: one interval for membership
        NetworkSet s = NetworkSet.of("192.0.2.0/26", "192.0.2.64/26", "192.0.2.128/26", "192.0.2.192/26",
                "192.0.2.16/28", "192.0.2.0/25");
        assertThat(s.rangeCount()).isEqualTo(1);
        assertThat(s.contains("192.0.1.255")).isFalse();
        assertThat(s.contains("192.0.2.0")).isTrue();
        assertThat(s.contains("192.0.2.63")).isTrue();
        assertThat(s.contains("192.0.2.64")).isTrue();
        assertThat(s.contains("192.0.2.255")).isTrue();
        assertThat(s.contains("192.0.3.0")).isFalse();
        // match still names the most specific entry of each part
        assertThat(s.match("192.0.2.17")).map(NetworkMatch::entry).contains("192.0.2.16/28");
        assertThat(s.match("192.0.2.70")).map(NetworkMatch::entry).contains("192.0.2.64/26");
        assertThat(s.match("192.0.2.200")).map(NetworkMatch::entry).contains("192.0.2.192/26");
        // an exception splits the interval; IPv6 neighbours merge as well
        assertThat(NetworkSet.builder().add("192.0.2.0/24").except("192.0.2.128/28").build().rangeCount())
                .isEqualTo(2);
        assertThat(NetworkSet.of("2001:db8::/33", "2001:db8:8000::/33", "2001:db9::/32").rangeCount()).isEqualTo(1);
        assertThat(NetworkSet.of("::/1", "8000::/1").rangeCount()).isEqualTo(1);
        assertThat(NetworkSet.of("0.0.0.0/1", "128.0.0.0/1").containsAllOfIpv4()).isTrue();
    }

    @Test
    void containsWhenManyEntriesThenFirstLevelTableAgreesAtBucketEdges() {
        NetworkSet.Builder b = NetworkSet.builder();
        for (int i = 0; i < 200; i++) {
            b.add("10." + i + ".255.0/24");
        }
        b.add("11.0.0.0/15"); // spans two 16-bit buckets
        NetworkSet s = b.build();
        assertThat(s.contains("10.7.255.255")).isTrue();
        assertThat(s.contains("10.7.254.255")).isFalse();
        assertThat(s.contains("10.8.0.0")).isFalse();
        assertThat(s.contains("11.1.0.0")).isTrue();
        assertThat(s.contains("11.1.255.255")).isTrue();
        assertThat(s.contains("11.2.0.0")).isFalse();
        assertThat(s.contains("9.255.255.255")).isFalse();
    }

    @Test
    void toStringWhenManyEntriesThenAbbreviated() {
        NetworkSet s = NetworkSet.of("10.0.0.0/8", "10.9.0.0/16", "192.168.0.0/16", "172.16.0.0/12", "127.0.0.0/8",
                "::1", "!10.9.9.0/24");
        assertThat(s.toString()).startsWith("NetworkSet{6 networks except 1: 10.0.0.0/8, ").endsWith(", ...}");
    }
}
