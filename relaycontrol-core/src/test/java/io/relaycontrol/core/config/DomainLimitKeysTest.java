package io.relaycontrol.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.testkit.ManualClock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14: per sender-domain and recipient-domain limits, per-key overrides and exemptions from the keys. */
class DomainLimitKeysTest {

    @TempDir
    Path dir;

    private static RelayRequest rcpt(String client, String sender, String recipient) {
        return RelayRequest.builder(Stage.RCPT).client(client).helo("client.example").sender(sender)
                .recipient(recipient).build();
    }

    private StandardRelayPolicy parse(Map<String, String> extra) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("relay.local-domains", "example.com, example.net");
        keys.putAll(extra);
        return RelayProperties.parse(keys, dir, LimitStore.local(new ManualClock())).policy();
    }

    private static List<Verdict> decide(StandardRelayPolicy p, RelayRequest r, int times) {
        List<Verdict> out = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            out.add(p.decide(r).verdict());
        }
        return out;
    }

    @Test
    void decideWhenSenderDomainLimitThenCountedPerDomainWhateverTheClient() {
        StandardRelayPolicy p = parse(Map.of("relay.limit.sender-domain.recipients", "2/1h"));
        assertThat(decide(p, rcpt("198.51.100.1", "<a@spam.example>", "<bob@example.com>"), 1))
                .containsExactly(Verdict.ALLOW);
        assertThat(decide(p, rcpt("198.51.100.2", "<b@spam.example>", "<bob@example.com>"), 2))
                .containsExactly(Verdict.ALLOW, Verdict.DEFER);
        assertThat(decide(p, rcpt("198.51.100.2", "<b@other.example>", "<bob@example.com>"), 1))
                .containsExactly(Verdict.ALLOW);
    }

    @Test
    void decideWhenRecipientDomainLimitWithOverrideThenTheOverriddenDomainHasItsOwnRates() {
        StandardRelayPolicy p = parse(Map.of("relay.limit.recipient-domain.recipients", "1/1h",
                "relay.limit.override.recipient-domain-recipients", "example.net=3/1h, 10/1d"));
        assertThat(decide(p, rcpt("198.51.100.1", "<a@x.example>", "<bob@example.com>"), 2))
                .containsExactly(Verdict.ALLOW, Verdict.DEFER);
        assertThat(decide(p, rcpt("198.51.100.1", "<a@x.example>", "<bob@example.net>"), 4))
                .containsExactly(Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW, Verdict.DEFER);
    }

    @Test
    void decideWhenClientInExemptNetworkThenNeverLimited() {
        StandardRelayPolicy p = parse(Map.of("relay.limit.client.recipients", "1/1h",
                "relay.limit.exempt.client-recipients", "192.0.2.0/24"));
        assertThat(decide(p, rcpt("192.0.2.9", "<a@x.example>", "<bob@example.com>"), 3))
                .containsExactly(Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW);
        assertThat(decide(p, rcpt("198.51.100.9", "<a@x.example>", "<bob@example.com>"), 2))
                .containsExactly(Verdict.ALLOW, Verdict.DEFER);
    }

    @Test
    void parseWhenOverrideOrExemptBadThenConfigExceptionNamesTheKey() {
        assertThatThrownBy(() -> parse(Map.of("relay.limit.override.no-such-limit", "a=1/1h")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("relay.limit.override.no-such-limit");
        assertThatThrownBy(() -> parse(Map.of("relay.limit.override.client-recipients", "192.0.2.1=1/1h")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("relay.limit.client.recipients");
        assertThatThrownBy(() -> parse(Map.of("relay.limit.client.recipients", "1/1h",
                "relay.limit.override.client-recipients", "5/1h")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("has no key");
        assertThatThrownBy(() -> parse(Map.of("relay.limit.client.recipients", "1/1h",
                "relay.limit.override.client-recipients", "not-an-address=5/1h")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("relay.limit.override.client-recipients")
                .hasMessageContaining("not-an-address");
        assertThatThrownBy(() -> parse(Map.of("relay.limit.client.recipients", "1/1h",
                "relay.limit.override.client-recipients", "192.0.2.1=5/xx")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("5/xx");
        assertThatThrownBy(() -> parse(Map.of("relay.limit.client.recipients", "1/1h",
                "relay.limit.exempt.client-recipients", "not-a-network")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("relay.limit.exempt.client-recipients");
    }
}
