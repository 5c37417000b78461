package io.relaycontrol.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.address.EnvelopeAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RelayRequestTest {

    @Test
    void builderWhenRcptThenEveryFieldReadable() {
        RelayRequest r = RelayRequest.builder(Stage.RCPT).client("203.0.113.7").clientHostName("mx.example.org")
                .helo("mx.example.org").authenticated("alice").tls(true).sender("<alice@example.org>")
                .recipient("<bob@example.com>").recipientCount(2).declaredSize(1024).build();
        assertThat(r.stage()).isEqualTo(Stage.RCPT);
        assertThat(r.clientAddress().getHostAddress()).isEqualTo("203.0.113.7");
        assertThat(r.clientHostName()).contains("mx.example.org");
        assertThat(r.helo()).contains("mx.example.org");
        assertThat(r.authenticatedIdentity()).contains("alice");
        assertThat(r.isAuthenticated()).isTrue();
        assertThat(r.isTls()).isTrue();
        assertThat(r.sender()).map(EnvelopeAddress::canonical).contains("alice@example.org");
        assertThat(r.recipient()).map(EnvelopeAddress::canonical).contains("bob@example.com");
        assertThat(r.recipientCount()).isEqualTo(2);
        assertThat(r.declaredSize()).hasValue(1024);
        assertThat(r.toString()).contains("RCPT", "203.0.113.7", "auth=alice", "tls");
    }

    @Test
    void builderWhenNothingOptionalThenEmpty() {
        RelayRequest r = RelayRequest.builder(Stage.CONNECT).client("192.0.2.1").build();
        assertThat(r.clientHostName()).isEmpty();
        assertThat(r.helo()).isEmpty();
        assertThat(r.authenticatedIdentity()).isEmpty();
        assertThat(r.isAuthenticated()).isFalse();
        assertThat(r.isTls()).isFalse();
        assertThat(r.sender()).isEmpty();
        assertThat(r.senderOrNull()).isNull();
        assertThat(r.recipient()).isEmpty();
        assertThat(r.recipientOrNull()).isNull();
        assertThat(r.declaredSize()).isEmpty();
    }

    @Test
    void senderWhenNullPathThenDistinctFromUnknown() {
        RelayRequest bounce = RelayRequest.builder(Stage.MAIL).client("192.0.2.1").sender("<>").build();
        assertThat(bounce.sender()).contains(EnvelopeAddress.NULL_PATH);
        assertThat(bounce.sender().orElseThrow().isNullPath()).isTrue();
        RelayRequest early = RelayRequest.builder(Stage.HELO).client("192.0.2.1").build();
        assertThat(early.sender()).isEmpty();
    }

    @Test
    void buildWhenStageLacksItsFieldsThenIllegalState() {
        assertThatThrownBy(() -> RelayRequest.builder(Stage.MAIL).client("192.0.2.1").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("sender");
        assertThatThrownBy(() -> RelayRequest.builder(Stage.RCPT).client("192.0.2.1").sender("<>").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("recipient");
        assertThatThrownBy(() -> RelayRequest.builder(Stage.CONNECT).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("client address");
    }

    @Test
    void clientWhenIpv4MappedIpv6ThenStoredAsIpv4() throws Exception {
        InetAddress mapped = Inet6Address.getByAddress(null,
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 1}, -1);
        assertThat(mapped).isInstanceOf(Inet6Address.class);
        RelayRequest r = RelayRequest.builder(Stage.CONNECT).client(mapped).build();
        assertThat(r.clientAddress()).isInstanceOf(Inet4Address.class);
        assertThat(r.clientAddress().getHostAddress()).isEqualTo("192.0.2.1");
        assertThat(RelayRequest.builder(Stage.CONNECT).client("::ffff:192.0.2.1").build().clientAddress())
                .isInstanceOf(Inet4Address.class);
    }

    @Test
    void clientWhenIpv6LiteralThenParsedWithAndWithoutBrackets() {
        assertThat(RelayRequest.builder(Stage.CONNECT).client("2001:db8::1").build().clientAddress())
                .isInstanceOf(Inet6Address.class);
        assertThat(RelayRequest.builder(Stage.CONNECT).client("[::1]").build().clientAddress().isLoopbackAddress())
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "mail.example.com", "", "1.2.3", "010.1.2.3", "256.1.1.1", "1.2.3.4.5",
            "1.2.3.4 ", "2001:db8::g", "[1.2.3.4", "0x7f.0.0.1"})
    void clientWhenNotAnIpLiteralThenRefusedWithoutDns(String text) {
        assertThatThrownBy(() -> RelayRequest.builder(Stage.CONNECT).client(text))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an IP address literal");
    }

    @Test
    void builderWhenBadCountersOrIdentityThenRefused() {
        RelayRequest.Builder b = RelayRequest.builder(Stage.CONNECT).client("192.0.2.1");
        assertThatThrownBy(() -> b.recipientCount(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.declaredSize(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.authenticated(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.authenticated(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.sender((String) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> RelayRequest.builder(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void toBuilderWhenChangedThenOriginalUntouched() {
        RelayRequest mail = RelayRequest.builder(Stage.MAIL).client("192.0.2.1").sender("<a@example.org>").build();
        RelayRequest rcpt = mail.toBuilder().recipient("<b@example.com>").build();
        assertThat(rcpt.recipient()).isPresent();
        assertThat(rcpt.sender()).isEqualTo(mail.sender());
        assertThat(mail.recipient()).isEmpty();
    }
}
