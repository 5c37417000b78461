package io.relaycontrol.core.auth;

import static io.relaycontrol.core.auth.Requests.OFFICE;
import static io.relaycontrol.core.auth.Requests.OUTSIDE;
import static io.relaycontrol.core.auth.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Rule;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedNetworksRuleTest extends AuthRuleContract {

    private static final Condition OFFICE_NET = TestNetworks.clientIn("client in 192.168.0.0/16", "192.168.0.0/16");
    private static final String TO = "<x@elsewhere.example>";
    private final TrustedNetworksRule rule = TrustedNetworksRule.of(OFFICE_NET);

    @Override
    Rule rule() {
        return rule;
    }

    @Override
    protected List<RelayRequest> requests() {
        return List.of(rcpt(OFFICE, "<a@example.com>", TO).build(), rcpt(OUTSIDE, "<a@example.com>", TO).build(),
                Requests.connect(OFFICE));
    }

    @Test
    void decideWhenClientInTrustedNetworkThenAllowNamingTheNetwork() {
        Decision d = rule.decide(rcpt(OFFICE, "<>", TO).build());
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.rule()).isEqualTo("trusted-networks");
        assertThat(d.reason()).isEqualTo("client is trusted: client in 192.168.0.0/16");
    }

    @Test
    void decideWhenClientOutsideThenNoOpinion() {
        Decision d = rule.decide(rcpt(OUTSIDE, "<a@example.com>", TO).build());
        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.reason()).isEqualTo("client is not trusted: not client in 192.168.0.0/16");
    }

    @Test
    void decideWhenConditionThrowsThenTemporaryFailure() {
        TrustedNetworksRule broken = TrustedNetworksRule.of("mynetworks", Condition.of("broken", r -> {
            throw new IllegalStateException("boom");
        }));
        assertThat(broken.decide(Requests.connect(OFFICE)).verdict()).isEqualTo(Verdict.DEFER);
        assertThatThrownBy(() -> TrustedNetworksRule.of(" ", OFFICE_NET)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TrustedNetworksRule.of(null)).isInstanceOf(NullPointerException.class);
    }
}
