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
import io.relaycontrol.core.rules.Rules;
import org.junit.jupiter.api.Test;

/** The README's rate-limit example, compiled and run so that it cannot rot. */
class RateLimitSnippetsTest {

    @Test
    void readmeExampleWhenClientSendsTooManyRecipientsThenDeferred() {
        // --- README snippet start ---
        Condition trustedNetwork = Condition.of("client in 10.0.0.0/8",
                r -> r.clientAddress().getAddress()[0] == 10); // or a condition from the network package
        LimitStore store = LimitStore.local();                 // outlives the limit: keep it across reloads
        RateLimit recipientsPerClient = RateLimit.builder("client-recipients")
                .key(LimitKeys.clientAddress())                // IPv4 per address, IPv6 per /64
                .counting(Counted.RECIPIENTS)                  // charged at RCPT
                .rates(Rate.parseList("100/1h, 1000/1d"))      // relay.limit.client.recipients
                .rate(Rate.perMinute(20))                      // and at most 20 a minute
                .override("192.0.2.25", Rate.parseList("5000/1d")) // the list server may send more
                .exempt(trustedNetwork)
                .store(store)
                .build();
        Policy policy = Policy.builder("relay")
                // the limit is asked only when the rule allows: a refused relay attempt spends nothing
                .rule(Rules.checkedAllow("authenticated",
                        Rules.when(Conditions.authenticated()).allow("authenticated-relay"), recipientsPerClient))
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
        RelayRequest stranger = RelayRequest.builder(Stage.RCPT).client("198.51.100.8")
                .sender("<x@example.org>").recipient("<victim@elsewhere.test>").build();
        for (int i = 0; i < 30; i++) {
            assertThat(policy.decide(stranger).verdict()).isEqualTo(Verdict.DENY); // never charged
        }
        RelayRequest strangerAuthenticated = stranger.toBuilder().authenticated("bob").build();
        for (int i = 0; i < 20; i++) {
            assertThat(policy.decide(strangerAuthenticated).verdict()).isEqualTo(Verdict.ALLOW);
        }
        assertThat(policy.decide(strangerAuthenticated).verdict()).isEqualTo(Verdict.DEFER);
        RelayRequest trusted = rcpt.toBuilder().client("10.0.0.1").build();
        assertThat(policy.decide(trusted).verdict()).isEqualTo(Verdict.ALLOW);
    }
}
