package io.relaycontrol.core.limit;

import io.relaycontrol.testkit.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Conditions;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rules;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimitTest {

    private final ManualClock clock = new ManualClock();

    private static RelayRequest rcpt(String ip) {
        return RelayRequest.builder(Stage.RCPT).client(ip).sender("<a@example.org>").recipient("<b@example.com>")
                .build();
    }

    private static RelayRequest mail(String ip) {
        return RelayRequest.builder(Stage.MAIL).client(ip).sender("<a@example.org>").build();
    }

    private RateLimit.Builder recipientsPerClient(String spec) {
        return RateLimit.builder("client-rcpt").key(LimitKeys.clientAddress()).counting(Counted.RECIPIENTS)
                .rates(Rate.parseList(spec)).clock(clock);
    }

    @Test
    void decideWhenTokensAvailableThenNoOpinionWithTokensLeft() {
        RateLimit limit = recipientsPerClient("3/1m").build();
        for (int left = 2; left >= 0; left--) {
            Decision d = limit.decide(rcpt("192.0.2.1"));
            assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
            assertThat(d.reply()).isEmpty();
            assertThat(d.rule()).isEqualTo("client-rcpt");
            assertThat(d.details()).containsEntry("key", "192.0.2.1").containsEntry("tokensLeft", String.valueOf(left));
        }
        Decision last = limit.decide(rcpt("192.0.2.1"));
        assertThat(last.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(last.details()).containsEntry("tokensLeft", "0").containsKey("retryAfter");
    }

    @Test
    void decideWhenBucketEmptyThenDeferWithRetryAfterInReasonAndExplain() {
        RateLimit limit = recipientsPerClient("3/1m").build();
        for (int i = 0; i < 3; i++) {
            assertThat(limit.decide(rcpt("192.0.2.1")).verdict()).isEqualTo(Verdict.NO_OPINION);
        }
        Decision d = limit.decide(rcpt("192.0.2.1"));
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.reply()).contains(SmtpReply.RATE_LIMITED);
        assertThat(d.reply().get().toString()).startsWith("451 4.7.1");
        assertThat(d.details()).containsEntry("tokensLeft", "0").containsEntry("retryAfter", "PT20S");
        assertThat(d.reason()).contains("192.0.2.1").contains("next in PT20S");
        assertThat(d.explain()).contains("tokensLeft=0").contains("retryAfter=PT20S").contains("451 4.7.1");
        Decision ok = limit.decide(rcpt("192.0.2.2"));
        assertThat(ok.explain()).contains("tokensLeft=2").contains("refillIn=PT20S");
    }

    @Test
    void decideWhenTimeAdvancesThenTokensRefillGreedily() {
        RateLimit limit = recipientsPerClient("3/1m").build();
        for (int i = 0; i < 3; i++) {
            limit.decide(rcpt("192.0.2.1"));
        }
        clock.advance(Duration.ofSeconds(19));
        assertThat(limit.decide(rcpt("192.0.2.1")).details()).containsEntry("retryAfter", "PT1S");
        clock.advance(Duration.ofSeconds(1));
        assertThat(limit.decide(rcpt("192.0.2.1")).verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(limit.decide(rcpt("192.0.2.1")).verdict()).isEqualTo(Verdict.DEFER);
        clock.advance(Duration.ofMinutes(5));
        assertThat(limit.decide(rcpt("192.0.2.1")).details()).containsEntry("tokensLeft", "2");
    }

    @Test
    void decideWhenSeveralBandwidthsThenExactAccountingAcrossAll() {
        // 5 a minute and 10 an hour: 5 now, 5 after a minute, then the hour bandwidth holds.
        RateLimit limit = recipientsPerClient("5/1m, 10/1h").build();
        assertThat(grants(limit, "192.0.2.1", 100)).isEqualTo(5);
        assertThat(limit.decide(rcpt("192.0.2.1")).details()).containsEntry("retryAfter", "PT12S");
        clock.advance(Duration.ofMinutes(1));
        assertThat(grants(limit, "192.0.2.1", 100)).isEqualTo(5);
        // hour bandwidth: 10 - 10 + 60 s * 10/3600 s = 1/6 token; the next whole token after 300 s more
        Decision d = limit.decide(rcpt("192.0.2.1"));
        assertThat(d.details()).containsEntry("tokensLeft", "0").containsEntry("retryAfter", "PT5M");
        clock.advance(Duration.ofSeconds(299));
        assertThat(grants(limit, "192.0.2.1", 100)).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(grants(limit, "192.0.2.1", 100)).isEqualTo(1);
        assertThat(grants(limit, "192.0.2.2", 100)).isEqualTo(5);
    }

    @Test
    void decideWhenFrozenClockThenGrantsEqualCapacity() {
        qt().forAll(integers().between(1, 50), integers().between(0, 120)).check((capacity, attempts) -> {
            RateLimit limit = RateLimit.builder("p").key(LimitKeys.clientAddress()).counting(Counted.RECIPIENTS)
                    .rate(Rate.of(capacity, Duration.ofHours(1)))
                    .clock(new ManualClock()).build();
            return grants(limit, "192.0.2.1", attempts) == Math.min(capacity, attempts);
        });
    }

    private static int grants(RateLimit limit, String ip, int attempts) {
        int n = 0;
        for (int i = 0; i < attempts; i++) {
            if (limit.decide(rcpt(ip)).verdict() == Verdict.NO_OPINION) {
                n++;
            }
        }
        return n;
    }

    @Test
    void decideWhenStageNotCountedThenNoOpinionAndNothingCharged() {
        RateLimit limit = recipientsPerClient("1/1h").build();
        RelayRequest connect = RelayRequest.builder(Stage.CONNECT).client("192.0.2.1").build();
        RelayRequest helo = connect.toBuilder().helo("x").build();
        RelayRequest data = RelayRequest.builder(Stage.DATA).client("192.0.2.1").sender("<a@example.org>").build();
        for (RelayRequest r : List.of(connect, helo, mail("192.0.2.1"), data, connect, mail("192.0.2.1"))) {
            Decision d = limit.decide(r);
            assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
            assertThat(d.details()).isEmpty();
            assertThat(d.reason()).contains("nothing to count at " + r.stage());
        }
        assertThat(limit.decide(rcpt("192.0.2.1")).details()).containsEntry("tokensLeft", "0");
    }

    @Test
    void decideWhenCountingConnectionsOrMessagesThenChargedAtThatStage() {
        RateLimit conns = RateLimit.builder("conn").key(LimitKeys.clientAddress()).counting(Counted.CONNECTIONS)
                .rates(Rate.parseList("1/1h")).clock(clock).build();
        RelayRequest connect = RelayRequest.builder(Stage.CONNECT).client("192.0.2.1").build();
        assertThat(conns.decide(connect).verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(conns.decide(rcpt("192.0.2.1")).verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(conns.decide(connect).verdict()).isEqualTo(Verdict.DEFER);
        RateLimit msgs = RateLimit.builder("msg").key(LimitKeys.senderDomain()).counting(Counted.MESSAGES)
                .rates(Rate.parseList("1/1h")).clock(clock).build();
        assertThat(msgs.decide(mail("192.0.2.1")).details()).containsEntry("key", "example.org");
        assertThat(msgs.decide(mail("192.0.2.9")).verdict()).isEqualTo(Verdict.DEFER);
    }

    @Test
    void decideWhenNoKeyThenNoOpinion() {
        RateLimit limit = RateLimit.builder("per-login").key(LimitKeys.authenticatedIdentity())
                .counting(Counted.MESSAGES).rates(Rate.parseList("1/1h")).clock(clock).build();
        for (int i = 0; i < 3; i++) {
            Decision d = limit.decide(mail("192.0.2.1"));
            assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
            assertThat(d.reason()).contains("no key").contains("authenticated identity");
        }
        RelayRequest alice = mail("192.0.2.1").toBuilder().authenticated("alice").build();
        assertThat(limit.decide(alice).details()).containsEntry("key", "alice");
        assertThat(limit.decide(alice).verdict()).isEqualTo(Verdict.DEFER);
    }

    @Test
    void decideWhenKeyOverriddenThenItsOwnBandwidths() {
        RateLimit limit = RateLimit.builder("per-login").key(LimitKeys.authenticatedIdentity())
                .counting(Counted.MESSAGES).rates(Rate.parseList("2/1d"))
                .override("bulk", Rate.parseList("5/1d")).clock(clock).build();
        RelayRequest bulk = mail("192.0.2.1").toBuilder().authenticated("bulk").build();
        RelayRequest other = mail("192.0.2.1").toBuilder().authenticated("other").build();
        int bulkGrants = 0;
        int otherGrants = 0;
        for (int i = 0; i < 10; i++) {
            bulkGrants += limit.decide(bulk).verdict() == Verdict.NO_OPINION ? 1 : 0;
            otherGrants += limit.decide(other).verdict() == Verdict.NO_OPINION ? 1 : 0;
        }
        assertThat(bulkGrants).isEqualTo(5);
        assertThat(otherGrants).isEqualTo(2);
        assertThat(limit.describe()).contains("1 override(s)");
    }

    @Test
    void decideWhenExemptThenNoOpinionAndNotCharged() {
        Condition trusted = Condition.of("client in 10.0.0.0/8", r -> r.clientAddress().getAddress()[0] == 10);
        RateLimit limit = recipientsPerClient("1/1h").exempt(trusted).exempt(Conditions.authenticated()).build();
        for (int i = 0; i < 5; i++) {
            Decision d = limit.decide(rcpt("10.1.2.3"));
            assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
            assertThat(d.reason()).contains("exempt").contains("10.0.0.0/8");
        }
        RelayRequest authed = rcpt("192.0.2.1").toBuilder().authenticated("alice").build();
        assertThat(limit.decide(authed).reason()).contains("exempt");
        assertThat(limit.decide(authed).reason()).contains("exempt");
        assertThat(limit.decide(rcpt("192.0.2.1")).verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(limit.decide(rcpt("192.0.2.1")).verdict()).isEqualTo(Verdict.DEFER);
    }

    @Test
    void decideWhenSameIpv6Slash64ThenOneBudget() {
        RateLimit limit = recipientsPerClient("2/1h").build();
        assertThat(limit.decide(rcpt("2001:db8:1:2::1")).details()).containsEntry("key", "2001:db8:1:2::/64");
        assertThat(limit.decide(rcpt("2001:db8:1:2:ffff::9")).verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(limit.decide(rcpt("2001:db8:1:2:abcd::1")).verdict()).isEqualTo(Verdict.DEFER);
        assertThat(limit.decide(rcpt("2001:db8:1:3::1")).verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(limit.decide(rcpt("::ffff:192.0.2.1")).details()).containsEntry("key", "192.0.2.1");
    }

    @Test
    void decideWhenCountingBytesThenDeclaredSizeCharged() {
        RateLimit limit = RateLimit.builder("bytes").key(LimitKeys.clientAddress()).counting(Counted.BYTES)
                .rate(Rate.of(1000, Duration.ofSeconds(100)))
                .clock(clock).build();
        RelayRequest m600 = mail("192.0.2.1").toBuilder().declaredSize(600).build();
        assertThat(limit.decide(m600).details()).containsEntry("tokensLeft", "400");
        Decision second = limit.decide(m600);
        assertThat(second.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(second.details()).containsEntry("tokensLeft", "400").containsEntry("retryAfter", "PT20S");
        Decision huge = limit.decide(mail("192.0.2.1").toBuilder().declaredSize(5000).build());
        assertThat(huge.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(huge.details()).containsEntry("retryAfter", "never");
        assertThat(huge.reason()).contains("exceed the burst capacity 1000");
        assertThat(limit.decide(mail("192.0.2.1")).reason()).contains("no message size");
        assertThat(limit.decide(mail("192.0.2.1").toBuilder().declaredSize(0).build()).reason())
                .contains("no message size");
    }

    @Test
    void decideWhenCustomReplyThenThatReplyOnDeferral() {
        SmtpReply reply = SmtpReply.of(450, "4.7.1", "Slow down");
        RateLimit limit = recipientsPerClient("1/1h").reply(reply).build();
        limit.decide(rcpt("192.0.2.1"));
        assertThat(limit.decide(rcpt("192.0.2.1")).reply()).contains(reply);
    }

    @Test
    void decideWhenKeyThrowsThenTemporaryFailure() {
        RateLimit limit = RateLimit.builder("broken").key(LimitKeys.of("broken", r -> {
            throw new IllegalStateException("boom");
        })).counting(Counted.RECIPIENTS).rates(Rate.parseList("1/1h")).build();
        Decision d = limit.decide(rcpt("192.0.2.1"));
        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.reply()).contains(SmtpReply.TEMPORARY_FAILURE);
        assertThat(d.error()).containsInstanceOf(IllegalStateException.class);
        assertThat(limit.decide(null).verdict()).isEqualTo(Verdict.DEFER);
    }

    @Test
    void decideWhenPlacedAfterRefusingRulesThenRefusedAttemptsAreNotCharged() {
        RateLimit limit = recipientsPerClient("1/1h").build();
        Policy policy = Policy.builder("relay")
                .rule(Rules.when(Condition.of("recipient is spam.example",
                        r -> r.recipientOrNull().domain().equals("spam.example"))).deny("no-spam",
                        SmtpReply.RELAY_ACCESS_DENIED))
                .rule(limit)
                .rule(Rules.allow("relay-ok", "permitted"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build();
        RelayRequest spam = rcpt("192.0.2.1").toBuilder().recipient("<x@spam.example>").build();
        for (int i = 0; i < 3; i++) {
            assertThat(policy.decide(spam).verdict()).isEqualTo(Verdict.DENY);
        }
        assertThat(policy.decide(rcpt("192.0.2.1")).verdict()).isEqualTo(Verdict.ALLOW);
        Decision limited = policy.decide(rcpt("192.0.2.1"));
        assertThat(limited.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(limited.decisive().rule()).isEqualTo("client-rcpt");
        assertThat(limited.explain()).contains("retryAfter=PT1H");
    }

    @Test
    void describeWhenBuiltThenSaysWhatIsCountedAndHow() {
        RateLimit limit = recipientsPerClient("100/1h, 1000/1d").exempt(Conditions.authenticated()).build();
        assertThat(limit.describe()).contains("client-rcpt").contains("recipients").contains("/64")
                .contains("100 per PT1H (burst 100)").contains("1000 per PT24H").contains("exempt")
                .contains("local (at most 100000 keys)").contains("DEFER").contains("451 4.7.1");
        assertThat(limit.name()).isEqualTo("client-rcpt");
    }

    @Test
    void builderWhenIncompleteOrRepeatedThenClearErrors() {
        assertThatThrownBy(() -> RateLimit.builder(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RateLimit.builder("a b")).hasMessageContaining("'a b'");
        assertThatThrownBy(() -> RateLimit.builder("x").counting(Counted.MESSAGES)
                .rates(Rate.parseList("1/1h")).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("key");
        assertThatThrownBy(() -> RateLimit.builder("x").key(LimitKeys.senderAddress())
                .rates(Rate.parseList("1/1h")).build()).hasMessageContaining("counting");
        assertThatThrownBy(() -> RateLimit.builder("x").key(LimitKeys.senderAddress()).counting(Counted.MESSAGES)
                .build()).hasMessageContaining("rate");
        assertThatThrownBy(() -> recipientsPerClient("1/1h").counting(Counted.MESSAGES))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("counting is already set");
        assertThatThrownBy(() -> recipientsPerClient("1/1h").clock(clock))
                .hasMessageContaining("clock is already set");
        assertThatThrownBy(() -> recipientsPerClient("1/1h").reply(SmtpReply.RELAY_ACCESS_DENIED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("554");
        assertThatThrownBy(() -> recipientsPerClient("1/1h").maxKeys(0)).hasMessageContaining("0");
        assertThatThrownBy(() -> recipientsPerClient("1/1h").onStoreFailure(FailureMode.LOCAL_FALLBACK).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("LOCAL_FALLBACK");
        assertThatThrownBy(() -> recipientsPerClient("1/1h").override("k", List.of()))
                .hasMessageContaining("'k'");
        assertThatThrownBy(() -> recipientsPerClient("1/1h").override("k", Rate.parseList("1/1h"))
                .override("k", Rate.parseList("2/1h"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'k'");
        assertThatThrownBy(() -> recipientsPerClient("1/1h").rate(Rate.parse("5/1h")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1/1h").hasMessageContaining("5/1h")
                .hasMessageContaining("same period");
        assertThatThrownBy(() -> recipientsPerClient("1/1h").override("not-an-ip", Rate.parseList("1/1h")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'not-an-ip'");
        assertThatThrownBy(() -> recipientsPerClient("1/1h").override("2001:db8::/48", Rate.parseList("1/1h"))
                .build()).hasMessageContaining("'2001:db8::/48'").hasMessageContaining("/64");
        assertThatThrownBy(() -> recipientsPerClient("1/1h").override("2001:db8::1", Rate.parseList("1/1h"))
                .override("2001:db8::/64", Rate.parseList("2/1h")).build())
                .hasMessageContaining("same bucket");
    }
}
