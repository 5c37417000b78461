package io.relaycontrol.core.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PolicyFindingTest {

    @Test
    void factoriesWhenValidThenSeverityCodeAndMessage() {
        PolicyFinding e = PolicyFinding.error("open-relay-network", "0.0.0.0/0 is trusted");
        assertThat(e.severity()).isEqualTo(PolicyFinding.Severity.ERROR);
        assertThat(e.code()).isEqualTo("open-relay-network");
        assertThat(e).hasToString("ERROR open-relay-network: 0.0.0.0/0 is trusted");
        assertThat(PolicyFinding.warning("empty-list", "x").severity()).isEqualTo(PolicyFinding.Severity.WARNING);
    }

    @Test
    void constructorWhenNullOrBlankThenRefused() {
        assertThatThrownBy(() -> PolicyFinding.error(null, "m")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> PolicyFinding.error("c", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new PolicyFinding(null, "c", "m")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> PolicyFinding.error(" ", "m")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PolicyFinding.warning("c", "")).isInstanceOf(IllegalArgumentException.class);
    }
}
