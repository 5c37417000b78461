package io.relaycontrol.core.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LimitKeysTest {

    private static RelayRequest connect(String ip) {
        return RelayRequest.builder(Stage.CONNECT).client(ip).build();
    }

    private static Optional<String> clientKey(LimitKey key, String ip) {
        return key.key(connect(ip));
    }

    @Test
    void clientAddressWhenIpv4ThenEachAddressOnItsOwn() {
        assertThat(clientKey(LimitKeys.clientAddress(), "192.0.2.7")).contains("192.0.2.7");
        assertThat(clientKey(LimitKeys.clientAddress(), "192.0.2.8")).contains("192.0.2.8");
    }

    @Test
    void clientAddressWhenIpv6ThenAggregatedToSlash64ByDefault() {
        LimitKey k = LimitKeys.clientAddress();
        assertThat(clientKey(k, "2001:db8:1:2:aaaa:bbbb:cccc:dddd")).contains("2001:db8:1:2::/64");
        assertThat(clientKey(k, "2001:db8:1:2::1")).contains("2001:db8:1:2::/64");
        assertThat(clientKey(k, "2001:db8:1:3::1")).contains("2001:db8:1:3::/64");
        assertThat(clientKey(k, "[2001:DB8:1:2::FFFF]")).contains("2001:db8:1:2::/64");
        assertThat(k.description()).contains("/64");
    }

    @Test
    void clientAddressWhenPrefixConfiguredThenThatPrefix() {
        assertThat(clientKey(LimitKeys.clientAddress(48), "2001:db8:1:2::1")).contains("2001:db8:1::/48");
        assertThat(clientKey(LimitKeys.clientAddress(56), "2001:db8:1:2ff::1")).contains("2001:db8:1:200::/56");
        assertThat(clientKey(LimitKeys.clientAddress(128), "2001:db8::1")).contains("2001:db8::1");
        assertThat(clientKey(LimitKeys.clientAddress(0), "2001:db8::1")).contains("::/0");
        assertThat(clientKey(LimitKeys.clientAddress(24, 64), "192.0.2.77")).contains("192.0.2.0/24");
        assertThat(clientKey(LimitKeys.clientAddress(0, 64), "192.0.2.77")).contains("0.0.0.0/0");
        assertThat(clientKey(LimitKeys.clientAddress(24, 64), "2001:db8::1")).contains("2001:db8::/64");
    }

    @Test
    void clientAddressWhenPrefixOutOfRangeThenError() {
        assertThatThrownBy(() -> LimitKeys.clientAddress(129)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("129");
        assertThatThrownBy(() -> LimitKeys.clientAddress(-1)).hasMessageContaining("-1");
        assertThatThrownBy(() -> LimitKeys.clientAddress(33, 64)).hasMessageContaining("33");
    }

    @Test
    void clientAddressWhenIpv4MappedThenTreatedAsIpv4() throws Exception {
        assertThat(clientKey(LimitKeys.clientAddress(), "::ffff:192.0.2.7")).contains("192.0.2.7");
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 7};
        InetAddress v6 = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(v6).isInstanceOf(Inet6Address.class);
        RelayRequest r = RelayRequest.builder(Stage.CONNECT).client(v6).build();
        assertThat(LimitKeys.clientAddress().key(r)).contains("192.0.2.7");
        assertThat(LimitKeys.clientAddress(24, 64).key(r)).contains("192.0.2.0/24");
    }

    @Test
    void formatV6WhenAnyAddressThenJdkReadsItBack() {
        qt().forAll(lists().of(integers().between(0, 3)).ofSize(8)).check(groups -> {
            byte[] b = new byte[16];
            for (int i = 0; i < 8; i++) {
                int v = groups.get(i) == 0 ? 0 : groups.get(i) == 1 ? 1 : groups.get(i) == 2 ? 0xabcd : 0xffff;
                b[2 * i] = (byte) (v >>> 8);
                b[2 * i + 1] = (byte) v;
            }
            String s = LimitKeys.formatV6(b);
            try {
                byte[] back = InetAddress.getByName(s).getAddress();
                boolean mapped = back.length == 4;
                return !s.contains(":::") && (mapped || java.util.Arrays.equals(back, b));
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        });
    }

    @Test
    void formatV6WhenZeroRunsThenLongestCompressedAsRfc5952() {
        assertThat(LimitKeys.formatV6(bytes(0x2001, 0xdb8, 0, 0, 1, 0, 0, 0))).isEqualTo("2001:db8:0:0:1::");
        assertThat(LimitKeys.formatV6(bytes(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1))).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(LimitKeys.formatV6(bytes(0, 0, 0, 0, 0, 0, 0, 0))).isEqualTo("::");
        assertThat(LimitKeys.formatV6(bytes(0, 0, 0, 0, 0, 0, 0, 1))).isEqualTo("::1");
    }

    private static byte[] bytes(int... groups) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[2 * i] = (byte) (groups[i] >>> 8);
            b[2 * i + 1] = (byte) groups[i];
        }
        return b;
    }

    @Test
    void authenticatedIdentityWhenLoggedInThenLoginElseNoKey() {
        RelayRequest anon = RelayRequest.builder(Stage.MAIL).client("192.0.2.1").sender("<a@example.org>").build();
        RelayRequest auth = anon.toBuilder().authenticated("Alice").build();
        assertThat(LimitKeys.authenticatedIdentity().key(anon)).isEmpty();
        assertThat(LimitKeys.authenticatedIdentity().key(auth)).contains("Alice");
    }

    @Test
    void senderKeysWhenMailboxThenCanonicalElseNoKey() {
        RelayRequest mail = RelayRequest.builder(Stage.MAIL).client("192.0.2.1").sender("<Bob@Example.ORG.>").build();
        assertThat(LimitKeys.senderAddress().key(mail)).contains("Bob@example.org");
        assertThat(LimitKeys.senderDomain().key(mail)).contains("example.org");
        RelayRequest bounce = mail.toBuilder().sender("<>").build();
        assertThat(LimitKeys.senderAddress().key(bounce)).isEmpty();
        assertThat(LimitKeys.senderDomain().key(bounce)).isEmpty();
        RelayRequest invalid = mail.toBuilder().sender("<nonsense>").build();
        assertThat(LimitKeys.senderAddress().key(invalid)).isEmpty();
        assertThat(LimitKeys.senderAddress().key(connect("192.0.2.1"))).isEmpty();
    }

    @Test
    void recipientDomainWhenRcptThenDomainElseNoKey() {
        RelayRequest rcpt = RelayRequest.builder(Stage.RCPT).client("192.0.2.1").sender("<a@example.org>")
                .recipient("<x@Example.COM>").build();
        assertThat(LimitKeys.recipientDomain().key(rcpt)).contains("example.com");
        assertThat(LimitKeys.recipientDomain().key(connect("192.0.2.1"))).isEmpty();
    }

    @Test
    void ofWhenFunctionReturnsNullOrEmptyThenNoKey() {
        LimitKey helo = LimitKey.of("HELO name", r -> r.helo().orElse(null));
        RelayRequest r = RelayRequest.builder(Stage.HELO).client("192.0.2.1").helo("mx.example.org").build();
        assertThat(helo.key(r)).contains("mx.example.org");
        assertThat(helo.key(connect("192.0.2.1"))).isEmpty();
        assertThat(LimitKeys.of("empty", x -> "").key(r)).isEmpty();
        assertThat(helo.description()).isEqualTo("HELO name");
        assertThatThrownBy(() -> LimitKeys.of(" ", x -> "k")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LimitKeys.of("d", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void keyOfWhenAnyIpv4ThenANumberThatRendersAsTheAddress() throws Exception {
        // relies on Inet4Address.hashCode() being the address (OpenJDK): this checks it on random addresses
        qt().forAll(integers().all()).checkAssert(ip -> {
            byte[] b = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) (int) ip};
            InetAddress a;
            try {
                a = InetAddress.getByAddress(b);
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
            assertThat(a.hashCode()).isEqualTo(ip);
            RelayRequest r = connect(a.getHostAddress());
            Object key = LimitKeys.clientAddress().keyOf(r);
            assertThat(key).hasToString(a.getHostAddress());
            assertThat(LimitKeys.clientAddress().parseKey(a.getHostAddress())).isEqualTo(key).hasSameHashCodeAs(key);
            assertThat(key).isNotEqualTo(LimitKeys.clientAddress().keyOf(connect(
                    ((ip >>> 24) & 0xff) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "."
                            + ((ip + 1) & 0xff))));
        });
    }

    @Test
    void parseKeyWhenTextFormOfAnyKeyThenTheSameKey() {
        qt().forAll(integers().all(), integers().all(), integers().between(1, 128)).checkAssert((hi, lo, prefix) -> {
            String text = String.format("2001:%x:%x:%x::%x", (hi >>> 16) & 0xffff, hi & 0xffff, (lo >>> 16) & 0xffff,
                    lo & 0xffff);
            LimitKey k = LimitKeys.clientAddress(prefix);
            Object key = k.keyOf(connect(text));
            assertThat(k.parseKey(key.toString())).isEqualTo(key);
            assertThat(k.parseKey(text)).isEqualTo(key);
        });
        assertThat(LimitKeys.clientAddress(24, 64).parseKey("192.0.2.0/24")).hasToString("192.0.2.0/24")
                .isEqualTo(LimitKeys.clientAddress(24, 64).keyOf(connect("192.0.2.77")));
        assertThatThrownBy(() -> LimitKeys.clientAddress().parseKey("mail.example.com"))
                .hasMessageContaining("'mail.example.com'");
        assertThatThrownBy(() -> LimitKeys.clientAddress().parseKey("192.0.2.0/x")).hasMessageContaining("'192.0.2.0/x'");
        assertThat(LimitKeys.authenticatedIdentity().parseKey("alice")).isEqualTo("alice");
        assertThat(LimitKeys.authenticatedIdentity().keyOf(connect("192.0.2.1"))).isNull();
    }
}
