package io.relaycontrol.core.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Conditions;
import io.relaycontrol.core.rules.Policy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's rate-limit example, compiled and run so that it cannot rot. */
class RateLimitSnippetsTest {

    @Test
    void readmeExampleWhenClientSendsTooManyRecipientsThenDeferred() {
        ManualTimeMeter clock = new ManualTimeMeter();
        // --- README snippet start ---
        Condition trustedNetwork = Condition.of("client in 10.0.0.0/8",
                r -> r.clientAddress().getAddress()[0] == 10); // or a condition from the network package
        RateLimit recipientsPerClient = RateLimit.builder("client-recipients")
                .key(LimitKeys.clientAddress())                        // IPv4 per address, IPv6 per /64
                .counting(Counted.RECIPIENTS)                          // charged at RCPT
                .bandwidths(Bandwidths.parse("100/1h, 1000/1d"))       // relay.limit.client.recipients
                .bandwidth(b -> b.capacity(20).refillGreedy(20, Duration.ofMinutes(1))) // Bucket4j's own builder
                .override("192.0.2.25", Bandwidths.parse("5000/1d"))   // the list server may send more
                .exempt(trustedNetwork)
                .timeMeter(clock)                                      // tests only: a manual clock
                .build();
        Policy policy = Policy.builder("relay")
                // rules that refuse come first: their refusals are not charged
                .rule(recipientsPerClient)
                .rule(io.relaycontrol.core.rules.Rules.when(Conditions.authenticated()).allow("authenticated"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .build();
        // --- README snippet end ---
        RelayRequest rcpt = RelayRequest.builder(Stage.RCPT).client("198.51.100.7").authenticated("alice")
                .sender("<alice@example.org>").recipient("<bob@example.com>").build();
        for (int i = 0; i < 20; i++) {
            assertThat(policy.decide(rcpt).verdict()).isEqualTo(Verdict.ALLOW);
        }
        Decision d = policy.decide(rcpt);
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.explain()).contains("451 4.7.1").contains("tokensLeft=0").contains("retryAfter=PT3S");
        RelayRequest trusted = rcpt.toBuilder().client("10.0.0.1").build();
        assertThat(policy.decide(trusted).verdict()).isEqualTo(Verdict.ALLOW);
    }
}
