package io.relaycontrol.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.relaycontrol.core.net.InvalidNetworkException.Reason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class NetworkSetParsingTest {

    private static InvalidNetworkException refuse(String text) {
        return catchThrowableOfType(InvalidNetworkException.class, () -> NetworkSet.of(text));
    }

    @Test
    void parseWhenHostBitsSetThenErrorNamingTheNetwork() {
        InvalidNetworkException e = refuse("10.1.2.3/8");
        assertThat(e.reason()).isEqualTo(Reason.HOST_BITS_SET);
        assertThat(e.text()).isEqualTo("10.1.2.3/8");
        assertThat(e).hasMessageContaining("'10.1.2.3/8'").hasMessageContaining("10.0.0.0/8").hasMessageContaining("lenient");
        assertThat(refuse("2001:db8::1/32").reason()).isEqualTo(Reason.HOST_BITS_SET);
    }

    @Test
    void parseWhenLenientThenHostBitsCleared() {
        NetworkSet s = NetworkSet.builder().lenient(true).add("10.1.2.3/8").add("2001:db8::1/32").build();
        assertThat(s.entries()).containsExactly("10.0.0.0/8", "2001:db8::/32");
        assertThat(s.contains("10.200.0.1")).isTrue();
        assertThat(NetworkSet.parseEntry("10.1.2.3/8", true)).isEqualTo("10.0.0.0/8");
        // lenient does not relax anything else
        assertThatThrownBy(() -> NetworkSet.builder().lenient(true).add("010.1.2.3"))
                .isInstanceOf(InvalidNetworkException.class);
    }

    @Test
    void lenientWhenCalledAfterEntriesOrTwiceThenIllegalState() {
        assertThatThrownBy(() -> NetworkSet.builder().add("10.0.0.0/8").lenient(true))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("before adding");
        assertThatThrownBy(() -> NetworkSet.builder().lenient(true).lenient(false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mail.example.com", "localhost", "example.org.", "mail.example.com/24", "MX1.Example.NET"})
    void parseWhenHostNameThenHostNameError(String text) {
        InvalidNetworkException e = refuse(text);
        assertThat(e.reason()).isEqualTo(Reason.HOST_NAME);
        assertThat(e).hasMessageContaining("host name").hasMessageContaining(text).hasMessageContaining("never resolved");
    }

    @ParameterizedTest
    @ValueSource(strings = {"010.1.2.3", "10.01.2.3", "0x0a.0.0.1", "10.1", "167772161", "10.0.0.0/08", "1.2.3.4.5",
            "256.0.0.1", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/255.0.0.0", "10.0.0.1-10.0.0.9", "10.0.0.*",
            "10.0.0.0/", "/8", "garbage!", "10.0.0.0/8 ", " 10.0.0.0/8", "1.2.3.4/abc", "2001:db8:::1", ":::", "*"})
    void parseWhenMalformedThenErrorNamingTheText(String text) {
        InvalidNetworkException e = refuse(text);
        assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(e).hasMessageContaining("'" + text + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t"})
    void parseWhenEmptyThenEmptyError(String text) {
        assertThat(refuse(text).reason()).isEqualTo(Reason.EMPTY);
    }

    @Test
    void parseWhenLoneExclamationThenEmptyError() {
        assertThat(refuse("!").reason()).isEqualTo(Reason.EMPTY);
    }

    @Test
    void parseWhenNullThenNullPointer() {
        assertThatThrownBy(() -> NetworkSet.of((String) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> NetworkSet.builder().add((String) null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void parseEntryWhenValidThenCanonical() {
        assertThat(NetworkSet.parseEntry("192.0.2.1", false)).isEqualTo("192.0.2.1/32");
        assertThat(NetworkSet.parseEntry("2001:0DB8:0000::/32", false)).isEqualTo("2001:db8::/32");
        assertThat(NetworkSet.parseEntry("0.0.0.0/0", false)).isEqualTo("0.0.0.0/0");
        assertThat(NetworkSet.parseEntry("::/0", false)).isEqualTo("::/0");
        assertThat(NetworkSet.parseEntry("::ffff:10.0.0.0/104", false)).isEqualTo("10.0.0.0/8");
        assertThat(NetworkSet.parseEntry("fe80::/10%eth0".replace("/10%eth0", "%eth0/10"), false)).isEqualTo("fe80::/10");
    }

    @Test
    void containsWhenAddressTextIsACidrOrHostNameThenError() {
        NetworkSet s = NetworkSet.of("10.0.0.0/8");
        assertThatThrownBy(() -> s.contains("10.0.0.0/8")).isInstanceOf(InvalidNetworkException.class)
                .hasMessageContaining("single IP address");
        assertThat(catchThrowableOfType(InvalidNetworkException.class, () -> s.contains("mail.example.com")).reason())
                .isEqualTo(Reason.HOST_NAME);
        assertThatThrownBy(() -> s.contains("010.0.0.1")).isInstanceOf(InvalidNetworkException.class);
    }

    @Test
    void addWhenSourceBlankThenIllegalArgument() {
        assertThatThrownBy(() -> NetworkSet.builder().add("10.0.0.0/8", " ", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("source");
    }
}
