package io.relaycontrol.core.auth;

import static io.relaycontrol.core.auth.Requests.OFFICE;
import static io.relaycontrol.core.auth.Requests.OUTSIDE;
import static io.relaycontrol.core.auth.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.net.NetworkSet;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Rule;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
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
        assertThatThrownBy(() -> TrustedNetworksRule.of((Condition) null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void decideWhenBuiltOverNetworkSetThenAllowNamingTheMatchingEntry() {
        TrustedNetworksRule mynetworks = TrustedNetworksRule.of("mynetworks",
                NetworkSet.of("127.0.0.0/8", "192.168.0.0/16", "192.168.1.0/24"));
        Decision d = mynetworks.decide(rcpt(OFFICE, "<a@example.com>", TO).build());
        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.rule()).isEqualTo("mynetworks");
        assertThat(d.reason()).startsWith("client 192.168.1.20 is in 192.168.1.0/24");
        assertThat(d.details()).containsEntry("network", "192.168.1.0/24");
        Decision outside = mynetworks.decide(rcpt(OUTSIDE, "<a@example.com>", TO).build());
        assertThat(outside.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(mynetworks.networks()).isPresent();
        assertThat(mynetworks.trustedClients().test(rcpt(OFFICE, "<>", TO).build())).isTrue();
        assertThat(mynetworks.describe()).contains("mynetworks");
        assertThat(TrustedNetworksRule.of(NetworkSet.of("10.0.0.0/8")).name()).isEqualTo("trusted-networks");
        assertThat(rule.networks()).isEmpty();
    }

    @Test
    void decideWhenSupplierChangesThenNextDecisionUsesTheNewNetworks() {
        AtomicReference<NetworkSet> current = new AtomicReference<>(NetworkSet.of("10.0.0.0/8"));
        TrustedNetworksRule reloadable = TrustedNetworksRule.of("mynetworks", current::get);
        RelayRequest office = rcpt(OFFICE, "<a@example.com>", TO).build();
        assertThat(reloadable.decide(office).verdict()).isEqualTo(Verdict.NO_OPINION);
        current.set(NetworkSet.of("192.168.0.0/16"));
        assertThat(reloadable.decide(office).verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(reloadable.networks()).contains(current.get());
    }
}
