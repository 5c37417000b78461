package io.relaycontrol.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.limit.RateLimit;
import io.relaycontrol.testkit.LogCapture;
import io.relaycontrol.testkit.ManualClock;
import io.relaycontrol.testkit.Requests;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The byte limits' keys ({@code relay.limit.client.bytes}, {@code user.bytes}, {@code sender-domain.bytes}): rates
 * with binary suffixes, overrides and exemptions like every other limit, charged the size at the end of the data
 * ({@link Counted#MESSAGE_BYTES}) and never a declared or unknown size.
 */
class RelayPropertiesByteLimitTest {

    private static final long K = 1024;
    private static final long M = 1024 * K;
    private static final long G = 1024 * M;

    private final ManualClock clock = new ManualClock(); // nothing refills unless a test advances it

    private RelayProperties parse(String... kv) {
        Map<String, String> keys = new HashMap<>();
        keys.put("relay.local-domains", "example.com");
        for (int i = 0; i < kv.length; i += 2) {
            keys.put(kv[i], kv[i + 1]);
        }
        try (LogCapture ignored = new LogCapture()) { // the policy check's warnings
            return RelayProperties.parse(keys, Path.of("."), lb -> lb.clock(clock));
        }
    }

    private static RateLimit limit(RelayProperties p, String name) {
        return p.policy().limits().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
    }

    /** The end of the data: a DATA request with the size received (the policy server's END-OF-MESSAGE). */
    private static RelayRequest endOfData(String client, long size) {
        return Requests.data(client, "<someone@elsewhere.example>", 1).declaredSize(size).build();
    }

    @Test
    void parseWhenByteKeysThenMessageBytesLimitsWithBinarySuffixes() {
        RelayProperties p = parse(
                "relay.limit.client.bytes", "50m/1h, 500m/1d",
                "relay.limit.user.bytes", "1g/1d",
                "relay.limit.sender-domain.bytes", "10k/1m, 2K/1s, 1000/1h, 3G/7d, 4M/30s");
        assertThat(p.policy().limits()).extracting(RateLimit::name)
                .containsExactly("client-bytes", "user-bytes", "sender-domain-bytes");
        assertThat(p.policy().limits()).extracting(RateLimit::counted).containsOnly(Counted.MESSAGE_BYTES);
        assertThat(limit(p, "client-bytes").rates())
                .containsExactly(Rate.of(50 * M, Duration.ofHours(1)), Rate.of(500 * M, Duration.ofDays(1)));
        assertThat(limit(p, "user-bytes").rates()).containsExactly(Rate.of(G, Duration.ofDays(1)));
        // in COUNT, m is mebibytes; in PERIOD it stays minutes
        assertThat(limit(p, "sender-domain-bytes").rates()).containsExactly(
                Rate.of(10 * K, Duration.ofMinutes(1)), Rate.of(2 * K, Duration.ofSeconds(1)),
                Rate.of(1000, Duration.ofHours(1)), Rate.of(3 * G, Duration.ofDays(7)),
                Rate.of(4 * M, Duration.ofSeconds(30)));
        assertThat(RelayProperties.KEYS).contains("relay.limit.client.bytes", "relay.limit.user.bytes",
                "relay.limit.sender-domain.bytes");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "relay.limit.client.bytes | 50x/1h",
        "relay.limit.client.bytes | m/1h",
        "relay.limit.client.bytes | 1.5m/1h",
        "relay.limit.client.bytes | 50m",
        "relay.limit.client.bytes | 50m/1x",
        "relay.limit.client.bytes | 50m/m",
        "relay.limit.client.bytes | 0k/1h",
        "relay.limit.client.bytes | -1k/1h",
        "relay.limit.client.bytes | 50mm/1h",
        "relay.limit.client.bytes | 50m/1h/1d",
        "relay.limit.client.bytes | 50m/1h,",
        "relay.limit.user.bytes | 999999999999999999g/1d",
        "relay.limit.user.bytes | 9999999999g/1d",
        "relay.limit.sender-domain.bytes | lots",
    })
    void parseWhenByteRateIsBadThenConfigExceptionNamesTheKeyAndTheValue(String key, String value) {
        assertThatThrownBy(() -> parse(key, value)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(key).hasMessageContaining(value.strip().split(",")[0]);
    }

    @Test
    void parseWhenByteRateIsBlankThenConfigExceptionNamesTheKey() {
        assertThatThrownBy(() -> parse("relay.limit.client.bytes", " ")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("relay.limit.client.bytes").hasMessageContaining("empty");
    }

    @Test
    void parseWhenByteOverrideOrExemptionWithoutItsLimitThenConfigExceptionNamesBoth() {
        assertThatThrownBy(() -> parse("relay.limit.override.client-bytes", "192.0.2.25=1g/1d"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("relay.limit.override.client-bytes")
                .hasMessageContaining("relay.limit.client.bytes");
        assertThatThrownBy(() -> parse("relay.limit.exempt.sender-domain-bytes", "192.0.2.0/24"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("relay.limit.exempt.sender-domain-bytes")
                .hasMessageContaining("relay.limit.sender-domain.bytes");
    }

    @Test
    void parseWhenByteOverrideIsBadThenConfigExceptionNamesTheOverrideKey() {
        assertThatThrownBy(() -> parse("relay.limit.client.bytes", "10k/1h",
                "relay.limit.override.client-bytes", "192.0.2.25=1q/1d"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("relay.limit.override.client-bytes")
                .hasMessageContaining("192.0.2.25").hasMessageContaining("1q/1d");
    }

    @Test
    void decideWhenClientSendsMoreBytesThanItsLimitThenDeferredAtTheEndOfTheData() {
        RelayProperties p = parse("relay.limit.client.bytes", "10k/1h");
        StandardRelayPolicy policy = p.policy();
        String client = "198.51.100.7";
        // nothing is charged before the end of the data: not MAIL's declared size, not the DATA command
        assertThat(policy.decide(Requests.mail(client, "<someone@elsewhere.example>").declaredSize(1_000_000)
                .build()).verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(policy.decide(Requests.rcpt(client, "<someone@elsewhere.example>", "<bob@example.com>")
                .declaredSize(1_000_000).build()).verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(policy.decide(Requests.data(client, "<someone@elsewhere.example>", 1).build()).verdict())
                .isEqualTo(Verdict.ALLOW);
        assertThat(policy.decide(endOfData(client, 6_000)).verdict()).isEqualTo(Verdict.ALLOW);
        Decision over = policy.decide(endOfData(client, 6_000));
        assertThat(over.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(over.reply().orElseThrow().code()).isEqualTo(451);
        assertThat(over.reply().orElseThrow().toString()).startsWith("451 4.7.1 ");
        // 10,240 - 6,000 are left, to the byte
        assertThat(policy.decide(endOfData(client, 10 * K - 6_000)).verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(policy.decide(endOfData(client, 1)).verdict()).isEqualTo(Verdict.DEFER);
        // another client has its own budget; an hour later the first has its own again
        assertThat(policy.decide(endOfData("198.51.100.8", 6_000)).verdict()).isEqualTo(Verdict.ALLOW);
        clock.advance(Duration.ofHours(1));
        assertThat(policy.decide(endOfData(client, 10 * K)).verdict()).isEqualTo(Verdict.ALLOW);
    }

    @Test
    void decideWhenSizeIsUnknownThenNothingIsChargedAndTheNextKnownSizeIsStillRefused() {
        // Decided: a request without a size is the DATA command (before the content), or an empty message (Postfix
        // sends the bytes received at END-OF-MESSAGE, or the declared SIZE= when none were): it is not charged, and
        // it is not refused either (refusing the DATA command of every client over its limit would refuse before
        // the size is known). It opens no hole: the message it announces is charged, and refused, at its end.
        RelayProperties p = parse("relay.limit.client.bytes", "10k/1h");
        String client = "198.51.100.7";
        assertThat(p.policy().decide(endOfData(client, 10 * K)).verdict()).isEqualTo(Verdict.ALLOW);
        for (int i = 0; i < 3; i++) {
            Decision unknown = p.policy().decide(Requests.data(client, "<someone@elsewhere.example>", 1).build());
            assertThat(unknown.verdict()).isEqualTo(Verdict.ALLOW);
            assertThat(unknown.explain()).contains("no message size");
        }
        assertThat(p.policy().decide(endOfData(client, 1)).verdict()).isEqualTo(Verdict.DEFER);
    }

    @Test
    void decideWhenOneMessageIsLargerThanTheWholeBudgetThenDeferredNotFailed() {
        RelayProperties p = parse("relay.limit.client.bytes", "10k/1h");
        for (long size : List.of(10 * K + 1, 50 * M, 999_999_999_999_999_999L)) {
            Decision d = p.policy().decide(endOfData("198.51.100.9", size));
            assertThat(d.verdict()).as("size %d", size).isEqualTo(Verdict.DEFER);
            assertThat(d.reply().orElseThrow().toString()).as("size %d", size).startsWith("451 4.7.1 ");
        }
        // nothing was charged by the refusals: the whole budget is still there
        assertThat(p.policy().decide(endOfData("198.51.100.9", 10 * K)).verdict()).isEqualTo(Verdict.ALLOW);
    }

    @Test
    void decideWhenOverriddenOrExemptThenThatKeysBudgetApplies() {
        RelayProperties p = parse("relay.limit.client.bytes", "10k/1h",
                "relay.limit.override.client-bytes", "192.0.2.25=1m/1h",
                "relay.limit.exempt.client-bytes", "192.0.2.80/28");
        assertThat(p.policy().decide(endOfData("192.0.2.25", M)).verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(p.policy().decide(endOfData("192.0.2.25", 1)).verdict()).isEqualTo(Verdict.DEFER);
        assertThat(p.policy().decide(endOfData("192.0.2.26", 10 * K + 1)).verdict()).isEqualTo(Verdict.DEFER);
        for (int i = 0; i < 3; i++) {
            assertThat(p.policy().decide(endOfData("192.0.2.81", G)).verdict()).isEqualTo(Verdict.ALLOW);
        }
    }

    @Test
    void decideWhenUserAndSenderDomainByteLimitsThenKeyedByLoginAndSenderDomain() {
        RelayProperties p = parse("relay.limit.user.bytes", "10k/1d", "relay.limit.sender-domain.bytes", "20k/1d");
        RelayRequest alice = Requests.data("198.51.100.7", "<alice@a.example>", 1).authenticated("alice").tls(true)
                .declaredSize(10 * K).build();
        assertThat(p.policy().decide(alice).verdict()).isEqualTo(Verdict.ALLOW);
        // the same login from another address: the same budget, spent
        assertThat(p.policy().decide(alice.toBuilder().client("198.51.100.99").declaredSize(1).build()).verdict())
                .isEqualTo(Verdict.DEFER);
        // unauthenticated: no user key; the sender domain a.example has 10k left of 20k
        RelayRequest anon = Requests.data("198.51.100.8", "<bob@a.example>", 1).declaredSize(10 * K).build();
        assertThat(p.policy().decide(anon).verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(p.policy().decide(anon.toBuilder().declaredSize(1).build()).verdict()).isEqualTo(Verdict.DEFER);
        assertThat(p.policy().decide(anon.toBuilder().sender("<bob@b.example>").build()).verdict())
                .isEqualTo(Verdict.ALLOW);
    }
}
