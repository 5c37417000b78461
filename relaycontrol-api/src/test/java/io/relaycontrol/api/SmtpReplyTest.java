package io.relaycontrol.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SmtpReplyTest {

    @Test
    void ofWhenValidThenRendersAsOnTheWire() {
        SmtpReply r = SmtpReply.of(554, "5.7.1", "Relay access denied");
        assertThat(r.code()).isEqualTo(554);
        assertThat(r.status()).isEqualTo(new EnhancedStatus(5, 7, 1));
        assertThat(r.text()).isEqualTo("Relay access denied");
        assertThat(r).hasToString("554 5.7.1 Relay access denied");
        assertThat(r.isPermanentFailure()).isTrue();
        assertThat(r.isTransientFailure()).isFalse();
        assertThat(r.isPositive()).isFalse();
    }

    @Test
    void constantsWhenReadThenHaveTheDocumentedCodes() {
        assertThat(SmtpReply.RELAY_ACCESS_DENIED).hasToString("554 5.7.1 Relay access denied");
        assertThat(SmtpReply.TEMPORARY_FAILURE.code()).isEqualTo(451);
        assertThat(SmtpReply.TEMPORARY_FAILURE.status()).hasToString("4.3.0");
        assertThat(SmtpReply.RATE_LIMITED.status()).hasToString("4.7.1");
        assertThat(SmtpReply.RATE_LIMITED.isTransientFailure()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 199, 300, 354, 399, 600, 999, -554, 560, 470, 290})
    void ofWhenCodeIsNotAReplyCodeThenRefused(int code) {
        String status = (code / 100 == 4 ? "4" : code / 100 == 2 ? "2" : "5") + ".0.0";
        assertThatThrownBy(() -> SmtpReply.of(code, status, "text"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(code));
    }

    @ParameterizedTest
    @CsvSource({"554, 4.7.1", "451, 5.7.1", "250, 5.0.0", "550, 2.1.5"})
    void ofWhenStatusClassDisagreesWithCodeThenRefused(int code, String status) {
        assertThatThrownBy(() -> SmtpReply.of(code, status, "text"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not agree");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "two\r\nlines", "line\nfeed", "nul\0", "tab\there", "del\u007f"})
    void ofWhenTextIsBlankOrHasControlCharactersThenRefused(String text) {
        assertThatThrownBy(() -> SmtpReply.of(554, "5.7.1", text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ofWhenTextIsTooLongThenRefused() {
        assertThat(SmtpReply.of(554, "5.7.1", "x".repeat(SmtpReply.MAX_TEXT_LENGTH)).text()).hasSize(400);
        assertThatThrownBy(() -> SmtpReply.of(554, "5.7.1", "x".repeat(SmtpReply.MAX_TEXT_LENGTH + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longer than 400");
    }

    @Test
    void ofWhenNullsThenNullPointerException() {
        assertThatThrownBy(() -> SmtpReply.of(554, null, "x")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> SmtpReply.of(554, "5.7.1", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new SmtpReply(554, null, "x")).isInstanceOf(NullPointerException.class);
    }

    @Test
    void equalsWhenSamePartsThenEqual() {
        assertThat(SmtpReply.of(451, "4.7.1", "slow down")).isEqualTo(SmtpReply.of(451, "4.7.1", "slow down"))
                .isNotEqualTo(SmtpReply.of(451, "4.7.1", "slow down!"));
    }
}
