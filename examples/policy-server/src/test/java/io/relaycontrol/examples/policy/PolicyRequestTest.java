package io.relaycontrol.examples.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.address.EnvelopeAddress;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Attribute decoding and the mapping of a policy request to a relay request. */
class PolicyRequestTest {

    private static Map<String, String> base(String state) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("request", "smtpd_access_policy");
        m.put("protocol_state", state);
        m.put("client_address", "192.0.2.1");
        return m;
    }

    @ParameterizedTest
    @CsvSource({"CONNECT,CONNECT", "EHLO,HELO", "HELO,HELO", "MAIL,MAIL", "RCPT,RCPT", "DATA,DATA",
            "END-OF-MESSAGE,DATA", "rcpt,RCPT"})
    void stageWhenProtocolStateThenTheMatchingStage(String state, Stage stage) {
        Map<String, String> m = base(state);
        m.put("sender", "a@example.org");
        m.put("recipient", "b@example.com");
        PolicyRequest r = PolicyRequest.of(m);
        assertThat(r.stage()).contains(stage);
        assertThat(r.toRelayRequest()).hasValueSatisfying(rr -> assertThat(rr.stage()).isEqualTo(stage));
    }

    @ParameterizedTest
    @CsvSource({"VRFY", "ETRN", "BDAT", "LATER"})
    void toRelayRequestWhenStateAsksNoRelayQuestionThenEmpty(String state) {
        assertThat(PolicyRequest.of(base(state)).toRelayRequest()).isEmpty();
    }

    @Test
    void everyTypedAccessorWhenEveryAttributeIsSentThenReturnsItDecoded() {
        PolicyRequest r = PolicyRequest.of(PolicyServerProtocolTest.everyAttribute());
        assertThat(r.protocolState()).contains("END-OF-MESSAGE");
        assertThat(r.protocolName()).contains("ESMTP");
        assertThat(r.heloName()).contains("laptop.example");
        assertThat(r.queueId()).contains("8045F2AB23");
        assertThat(r.sender()).contains("alice@example.com");
        assertThat(r.recipient()).contains("bob@faraway.example");
        assertThat(r.recipientCount()).isEqualTo(1);
        assertThat(r.clientAddress()).contains("2001:db8::25");
        assertThat(r.clientName()).contains("laptop.example");
        assertThat(r.reverseClientName()).contains("laptop.example");
        assertThat(r.instance()).contains("123.456.7");
        assertThat(r.saslMethod()).contains("PLAIN");
        assertThat(r.saslUsername()).contains("alice");
        assertThat(r.saslSender()).isEmpty();
        assertThat(r.size()).hasValue(12345);
        assertThat(r.ccertSubject()).contains("Wietse Venema+é");
        assertThat(r.ccertIssuer()).contains("Example CA");
        assertThat(r.ccertFingerprint()).contains("C2:9D:F4:87:71:73:73:D9:18:E7:C2:F3:C1:DA:6E:04");
        assertThat(r.encryptionProtocol()).contains("TLSv1.3");
        assertThat(r.encryptionCipher()).contains("TLS_AES_256_GCM_SHA384");
        assertThat(r.encryptionKeysize()).hasValue(256);
        assertThat(r.etrnDomain()).isEmpty();
        assertThat(r.stress()).isEmpty();
        assertThat(r.ccertPubkeyFingerprint()).contains("68:B3:29:DA:98:93:E3:40:99:C7:D8:AD:5C:B9:C9:40");
        assertThat(r.clientPort()).hasValue(1234);
        assertThat(r.policyContext()).contains("submission");
        assertThat(r.serverAddress()).contains("10.3.2.1");
        assertThat(r.serverPort()).hasValue(54321);
        assertThat(r.compatibilityLevel()).contains("3.6");
        assertThat(r.mailVersion()).contains("3.12.0");
        assertThat(r.tlsSni()).contains("mail.example.com");
    }

    @Test
    void ofWhenNameIsRepeatedThenTheLastValueCountsEvenWhenEmpty() {
        PolicyRequest r = PolicyRequest.of(List.of(entry("request", "smtpd_access_policy"),
                entry("helo_name", "first"), entry("helo_name", "second"),
                entry("sasl_username", "mallory"), entry("sasl_username", "")));
        assertThat(r.heloName()).contains("second");
        assertThat(r.saslUsername()).isEmpty();
    }

    @Test
    void toRelayRequestWhenSenderIsEmptyFromMailOnThenTheNullSender() {
        for (String state : List.of("MAIL", "DATA", "END-OF-MESSAGE")) {
            Map<String, String> m = base(state);
            m.put("sender", "");
            RelayRequest rr = PolicyRequest.of(m).toRelayRequest().orElseThrow();
            assertThat(rr.sender()).as(state).contains(EnvelopeAddress.NULL_PATH);
        }
        assertThat(PolicyRequest.of(base("CONNECT")).toRelayRequest().orElseThrow().sender()).isEmpty();
    }

    @Test
    void toRelayRequestWhenSizeAtEndOfMessageThenDeclaredSizeAndZeroMeansUnknown() {
        Map<String, String> m = base("END-OF-MESSAGE");
        m.put("size", "48213");
        m.put("recipient_count", "3");
        RelayRequest rr = PolicyRequest.of(m).toRelayRequest().orElseThrow();
        assertThat(rr.declaredSize()).hasValue(48213);
        assertThat(rr.recipientCount()).isEqualTo(3);
        m.put("size", "0");
        assertThat(PolicyRequest.of(m).toRelayRequest().orElseThrow().declaredSize()).isEmpty();
        Map<String, String> mail = base("MAIL");
        mail.put("sender", "a@example.org");
        mail.put("size", "1000");
        assertThat(PolicyRequest.of(mail).toRelayRequest().orElseThrow().declaredSize()).hasValue(1000);
    }

    @Test
    void toRelayRequestWhenDataStateCarriesTheDeclaredSizeThenNoSizeButStillValidated() {
        Map<String, String> data = base("DATA");
        data.put("size", "48213");
        RelayRequest rr = PolicyRequest.of(data).toRelayRequest().orElseThrow();
        assertThat(rr.stage()).isEqualTo(Stage.DATA);
        assertThat(rr.declaredSize()).isEmpty();
        assertThat(PolicyRequest.of(data).size()).hasValue(48213);
        data.put("protocol_state", "data");
        assertThat(PolicyRequest.of(data).toRelayRequest().orElseThrow().declaredSize()).isEmpty();
        data.put("protocol_state", "end-of-message");
        assertThat(PolicyRequest.of(data).toRelayRequest().orElseThrow().declaredSize()).hasValue(48213);
        Map<String, String> rcpt = base("RCPT");
        rcpt.put("recipient", "bob@example.com");
        rcpt.put("size", "1000");
        assertThat(PolicyRequest.of(rcpt).toRelayRequest().orElseThrow().declaredSize()).hasValue(1000);
        data.put("protocol_state", "DATA");
        data.put("size", "12k");
        assertThatThrownBy(() -> PolicyRequest.of(data).toRelayRequest()).hasMessageContaining("size");
    }

    @Test
    void toRelayRequestWhenClientNameIsUnknownThenNoHostName() {
        Map<String, String> m = base("CONNECT");
        m.put("client_name", "unknown");
        assertThat(PolicyRequest.of(m).toRelayRequest().orElseThrow().clientHostName()).isEmpty();
    }

    @Test
    void toRelayRequestWhenAddressesCarryRoutingThenTheyReachThePolicyAsSent() {
        Map<String, String> m = base("RCPT");
        m.put("sender", "<a@example.org>");
        m.put("recipient", "bob%victim.test@example.com");
        RelayRequest rr = PolicyRequest.of(m).toRelayRequest().orElseThrow();
        assertThat(rr.sender().map(Object::toString)).contains("<a@example.org>");
        assertThat(rr.recipient().orElseThrow().isRouted()).isTrue();
    }

    @Test
    void toRelayRequestWhenIpv4MappedClientThenIpv4() {
        Map<String, String> m = base("CONNECT");
        m.put("client_address", "::ffff:192.0.2.9");
        assertThat(PolicyRequest.of(m).toRelayRequest().orElseThrow().clientAddress().getHostAddress())
                .isEqualTo("192.0.2.9");
    }

    @Test
    void ofWhenAttributesAreBadThenTheMessageNamesThem() {
        assertThatThrownBy(() -> PolicyRequest.of(Map.of("protocol_state", "RCPT")))
                .hasMessageContaining("the request attribute is missing");
        assertThatThrownBy(() -> PolicyRequest.of(Map.of("request", "other")))
                .hasMessageContaining("unknown request type request=other");
        for (String numeric : List.of("client_port", "server_port", "recipient_count", "size", "encryption_keysize")) {
            Map<String, String> m = base("RCPT");
            m.put(numeric, "-1");
            assertThatThrownBy(() -> PolicyRequest.of(m)).hasMessageContaining(numeric + " must be a non-negative");
        }
        Map<String, String> port = base("RCPT");
        port.put("client_port", "65536");
        assertThatThrownBy(() -> PolicyRequest.of(port)).hasMessageContaining("client_port is out of range");
        Map<String, String> xtext = base("RCPT");
        xtext.put("ccert_issuer", "bad+zz");
        assertThatThrownBy(() -> PolicyRequest.of(xtext)).hasMessageContaining("ccert_issuer: bad xtext");
    }

    @Test
    void toRelayRequestWhenMappingIsImpossibleThenTheMessageNamesTheAttribute() {
        Map<String, String> noState = base("RCPT");
        noState.remove("protocol_state");
        assertThatThrownBy(() -> PolicyRequest.of(noState).toRelayRequest())
                .hasMessageContaining("protocol_state attribute is missing");
        Map<String, String> host = base("CONNECT");
        host.put("client_address", "mail.example.com");
        assertThatThrownBy(() -> PolicyRequest.of(host).toRelayRequest())
                .hasMessageContaining("client_address is not an IP address: 'mail.example.com'");
        assertThatThrownBy(() -> PolicyRequest.of(base("RCPT")).toRelayRequest())
                .hasMessageContaining("recipient attribute is missing at protocol_state=RCPT");
    }

    private static Map.Entry<String, String> entry(String k, String v) {
        return new AbstractMap.SimpleImmutableEntry<>(k, v);
    }
}
