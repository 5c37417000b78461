package io.relaycontrol.core.config;

import static io.relaycontrol.testkit.PolicyAssertions.assertThat;
import static io.relaycontrol.testkit.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.LimitKeys;
import io.relaycontrol.core.limit.RateLimit;
import io.relaycontrol.core.net.NetworkSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The standard policy names each rule once (issue 11: it reused the allowing rule's name for its rate-limited form). */
class StandardPolicyNamesTest {

    static StandardRelayPolicy limited() {
        return StandardRelayPolicy.builder()
                .localDomains(DomainSet.of("example.com"))
                .trustedNetworks(NetworkSet.of("192.0.2.0/24"))
                .limit(RateLimit.builder("client-recipients").key(LimitKeys.clientAddress())
                        .counting(Counted.RECIPIENTS).rates(Rate.parseList("100/1h")).build())
                .build();
    }

    private static void names(Decision d, List<String> out) {
        out.add(d.rule());
        d.children().forEach(c -> names(c, out));
    }

    @Test
    void explainWhenALimitChecksAnAllowThenNoRuleNameAppearsTwice() {
        Decision d = limited().decide(rcpt("198.51.100.7", "<a@elsewhere.test>", "<bob@example.com>").build());
        List<String> seen = new ArrayList<>();
        names(d, seen);
        assertThat(seen).doesNotHaveDuplicates().contains("local-domains-limited", "local-domains",
                "client-recipients");
        assertThat(limited()).allows(rcpt("198.51.100.7", "<a@elsewhere.test>", "<bob@example.com>").build())
                .decidedBy("local-domains")
                .decidedByPath("standard-relay", "local-domains-limited", "local-domains");
        assertThat(limited()).acceptsStrangersBeforeRecipient();
    }
}
