package io.relaycontrol.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnhancedStatusTest {

    @Test
    void parseWhenValidThenParts() {
        assertThat(EnhancedStatus.parse("5.7.1")).isEqualTo(new EnhancedStatus(5, 7, 1));
        assertThat(EnhancedStatus.parse("4.3.0")).hasToString("4.3.0");
        assertThat(EnhancedStatus.parse("2.1.500")).isEqualTo(new EnhancedStatus(2, 1, 500));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "5.7", "5.7.1.2", "3.0.0", "1.0.0", "6.0.0", "5.07.1", "5..1", "5.7.x",
            " 5.7.1", "5.7.1 ", "5.1000.1", "-5.7.1", "５.7.1"})
    void parseWhenMalformedThenIllegalArgument(String text) {
        assertThatThrownBy(() -> EnhancedStatus.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parseWhenNullThenNullPointer() {
        assertThatThrownBy(() -> EnhancedStatus.parse(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void constructorWhenOutOfRangeThenIllegalArgument() {
        assertThatThrownBy(() -> new EnhancedStatus(5, -1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EnhancedStatus(5, 0, 1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EnhancedStatus(3, 0, 0)).hasMessageContaining("2, 4 or 5");
    }
}
