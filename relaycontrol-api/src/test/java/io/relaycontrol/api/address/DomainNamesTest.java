package io.relaycontrol.api.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Domain and literal canonicalisation outside an address, including the 255-octet domain boundary. */
class DomainNamesTest {

    @Test
    void canonicalizeWhenDomainOf255OctetsThenAcceptedAnd256Refused() {
        String d255 = EnvelopeAddressTableTest.domainOf(255);
        assertThat(d255).hasSize(255);
        assertThat(DomainNames.canonicalize(d255)).isEqualTo(d255);
        assertThat(DomainNames.canonicalize(d255 + ".")).isEqualTo(d255);
        assertThatThrownBy(() -> DomainNames.canonicalize(EnvelopeAddressTableTest.domainOf(256)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("domain of 256 octets; at most 255 allowed");
    }

    @Test
    void canonicalizeWhenMixedCaseTrailingDotOrIdnThenCanonical() {
        assertThat(DomainNames.canonicalize("Example.COM.")).isEqualTo("example.com");
        assertThat(DomainNames.canonicalize("example.com")).isSameAs("example.com".intern());
        assertThat(DomainNames.canonicalize("BÜcher.Example")).isEqualTo("xn--bcher-kva.example");
        assertThat(DomainNames.canonicalize("XN--BCHER-KVA.example")).isEqualTo("xn--bcher-kva.example");
        assertThat(DomainNames.canonicalize("[IPv6:2001:DB8::0:1]")).isEqualTo("[IPv6:2001:db8::1]");
        assertThat(DomainNames.canonicalize("[ipv6:::ffff:10.0.0.1]")).isEqualTo("[10.0.0.1]");
        assertThat(DomainNames.isValid("a..b")).isFalse();
        assertThat(DomainNames.isValid("[1.2.3.4]")).isTrue();
    }

    @Test
    void canonicalizeWhenInvalidThenMessageNamesValueAndReason() {
        assertThatThrownBy(() -> DomainNames.canonicalize("*.example.com"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'*.example.com'").hasMessageContaining("character '*'");
        assertThatThrownBy(() -> DomainNames.canonicalize("10.0.0.1"))
                .hasMessageContaining("address literal such as [10.0.0.1]");
        assertThatThrownBy(() -> DomainNames.canonicalize("user@example.com"))
                .hasMessageContaining("'@' is not allowed in a domain");
        assertThatThrownBy(() -> DomainNames.canonicalize("exa\u0000mple.com"))
                .hasMessageContaining("U+0000 (NUL)").hasMessageContaining("exa\\u0000mple");
        assertThatThrownBy(() -> DomainNames.canonicalize(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void ipv6WhenFormattedThenRfc5952() {
        assertThat(DomainNames.canonicalize("[IPv6:2001:db8:0:0:1:0:0:1]")).isEqualTo("[IPv6:2001:db8::1:0:0:1]");
        assertThat(DomainNames.canonicalize("[IPv6:2001:0:0:1:0:0:0:1]")).isEqualTo("[IPv6:2001:0:0:1::1]");
        assertThat(DomainNames.canonicalize("[IPv6:2001:db8:0:1:1:1:1:1]")).isEqualTo("[IPv6:2001:db8:0:1:1:1:1:1]");
        assertThat(DomainNames.canonicalize("[IPv6:0:0:0:0:0:0:0:0]")).isEqualTo("[IPv6:::]");
        assertThat(DomainNames.canonicalize("[IPv6:1:0:0:0:0:0:0:0]")).isEqualTo("[IPv6:1::]");
        assertThat(DomainNames.canonicalize("[IPv6:::1.2.3.4]")).isEqualTo("[IPv6:::102:304]");
        assertThat(DomainNames.canonicalize("[IPv6:ABCD:EF01:2345:6789:ABCD:EF01:2345:6789]"))
                .isEqualTo("[IPv6:abcd:ef01:2345:6789:abcd:ef01:2345:6789]");
    }
}
