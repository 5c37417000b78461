package io.relaycontrol.core.config;

import io.relaycontrol.testkit.LogCapture;
import static io.relaycontrol.testkit.PolicyAssertions.assertThat;
import static io.relaycontrol.testkit.Requests.mail;
import static io.relaycontrol.testkit.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.check.PolicyFinding;
import io.relaycontrol.core.limit.RateLimit;
import io.relaycontrol.core.rules.Condition;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12, mutation survivors in {@link RelayProperties}: each boolean key is shown to change behaviour in both
 * directions (so that reading {@code true} as {@code false} fails a test), each default is shown by what the
 * policy does when the key is absent, and each numeric range is tried at both ends and one past them.
 */
class RelayPropertiesDefaultsTest {

    static final String STRANGER = "198.51.100.7";

    @TempDir
    Path dir;

    RelayProperties parse(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("relay.local-domains", "example.com");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        try (LogCapture ignored = new LogCapture()) {
            return RelayProperties.parse(m, dir);
        }
    }

    /** An authenticated client relaying to a foreign domain, with or without TLS. */
    static RelayRequest authenticatedRelay(boolean tls) {
        return rcpt(STRANGER, "<x@elsewhere.test>", "<friend@far.test>").authenticated("alice").tls(tls).build();
    }

    // relay.auth.require-tls

    @Test
    void requireTlsWhenAbsentThenAuthenticatedRelayWithoutTlsRefused() {
        StandardRelayPolicy p = parse().policy();
        assertThat(p.requiresTlsForAuth()).isTrue();
        assertThat(p).refuses(authenticatedRelay(false));
        assertThat(p).allows(authenticatedRelay(true)).decidedBy("authenticated-relay");
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "TRUE", " True "})
    void requireTlsWhenTrueThenAuthenticatedRelayWithoutTlsRefused(String value) {
        StandardRelayPolicy p = parse("relay.auth.require-tls", value).policy();
        assertThat(p.requiresTlsForAuth()).isTrue();
        assertThat(p).refuses(authenticatedRelay(false));
        assertThat(p).allows(authenticatedRelay(true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "FALSE", " false"})
    void requireTlsWhenFalseThenAuthenticatedRelayWithoutTlsAllowed(String value) {
        RelayProperties props = parse("relay.auth.require-tls", value);
        assertThat(props.policy().requiresTlsForAuth()).isFalse();
        assertThat(props.policy()).allows(authenticatedRelay(false)).decidedBy("authenticated-relay");
        assertThat(props.findings()).extracting(PolicyFinding::code).contains("auth-without-tls");
    }

    // relay.sender-logins.protect-local-domains

    @Test
    void protectLocalDomainsWhenAbsentOrTrueThenStrangerMayNotUseLocalSender() {
        for (RelayProperties props : new RelayProperties[] {parse(),
                parse("relay.sender-logins.protect-local-domains", "true")}) {
            assertThat(props.policy()).refuses(mail(STRANGER, "<ceo@example.com>").build());
            assertThat(props.policy()).allows(mail(STRANGER, "<ceo@elsewhere.test>").build());
        }
    }

    @Test
    void protectLocalDomainsWhenFalseThenStrangerMayUseLocalSender() {
        StandardRelayPolicy p = parse("relay.sender-logins.protect-local-domains", "false").policy();
        assertThat(p).allows(mail(STRANGER, "<ceo@example.com>").build());
    }

    // relay.limit.charge-refused

    /** Two refused relay attempts, then one allowed local delivery, under a limit of two recipients. */
    static Verdict afterTwoRefusedAttempts(StandardRelayPolicy p) {
        for (int i = 0; i < 2; i++) {
            assertThat(p).refuses(rcpt(STRANGER, "<x@elsewhere.test>", "<friend@far.test>").build());
        }
        return p.decide(rcpt(STRANGER, "<x@elsewhere.test>", "<bob@example.com>").build()).verdict();
    }

    @Test
    void chargeRefusedWhenAbsentOrFalseThenRefusedAttemptsSpendNothing() {
        assertThat(afterTwoRefusedAttempts(parse("relay.limit.client.recipients", "2/1d").policy()))
                .isEqualTo(Verdict.ALLOW);
        assertThat(afterTwoRefusedAttempts(parse("relay.limit.client.recipients", "2/1d",
                "relay.limit.charge-refused", "false").policy())).isEqualTo(Verdict.ALLOW);
    }

    @Test
    void chargeRefusedWhenTrueThenRefusedAttemptsSpendTheBudget() {
        StandardRelayPolicy p = parse("relay.limit.client.recipients", "2/1d", "relay.limit.charge-refused", "true")
                .policy();
        assertThat(afterTwoRefusedAttempts(p)).isEqualTo(Verdict.DEFER);
    }

    // relay.mode, relay.check, relay.audit.all-decisions, relay.name

    @Test
    void modeWhenAbsentOrEnforceThenRefusalsEnforced() {
        for (RelayProperties props : new RelayProperties[] {parse(), parse("relay.mode", "enforce"),
                parse("relay.mode", "ENFORCE")}) {
            assertThat(props.isDryRun()).isFalse();
            assertThat(props.monitored().isDryRun()).isFalse();
            try (LogCapture ignored = new LogCapture()) {
                assertThat(props.monitored()).refuses(rcpt(STRANGER, "<x@elsewhere.test>", "<f@far.test>").build());
            }
            assertThat(props.findings()).extracting(PolicyFinding::code).doesNotContain("dry-run");
        }
    }

    @Test
    void modeWhenDryRunInAnyCaseThenDryRun() {
        assertThat(parse("relay.mode", "Dry-Run").isDryRun()).isTrue();
        assertThat(parse("relay.mode", "dry-run").monitored().isDryRun()).isTrue();
    }

    @Test
    void checkWhenAbsentOrRefuseThenAnErrorStopsTheLoad() {
        // trusting 0.0.0.0/0 makes an open relay: a policy-check error
        assertThatThrownBy(() -> parse("relay.trusted-networks", "0.0.0.0/0"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("relay.check=warn");
        assertThatThrownBy(() -> parse("relay.trusted-networks", "0.0.0.0/0", "relay.check", "refuse"))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void checkWhenWarnThenTheErrorIsOnlyReported() {
        RelayProperties p = parse("relay.trusted-networks", "0.0.0.0/0", "relay.check", "warn");
        assertThat(p.findings()).anyMatch(f -> f.severity() == PolicyFinding.Severity.ERROR);
    }

    @Test
    void auditAllDecisionsWhenAbsentOrFalseThenAllowsAreNotLogged() {
        for (RelayProperties props : new RelayProperties[] {parse(), parse("relay.audit.all-decisions", "false")}) {
            MonitoredPolicy m = props.monitored();
            try (LogCapture log = new LogCapture()) {
                assertThat(m).allows(rcpt(STRANGER, "<x@elsewhere.test>", "<bob@example.com>").build());
                assertThat(log.text()).doesNotContain("bob@example.com");
            }
        }
    }

    @Test
    void auditAllDecisionsWhenTrueThenAllowsAreLogged() {
        MonitoredPolicy m = parse("relay.audit.all-decisions", "true").monitored();
        try (LogCapture log = new LogCapture()) {
            assertThat(m).allows(rcpt(STRANGER, "<x@elsewhere.test>", "<bob@example.com>").build());
            assertThat(log.text()).contains("bob@example.com");
        }
    }

    @Test
    void nameWhenAbsentThenStandardRelay() {
        assertThat(parse().policy().name()).isEqualTo("standard-relay");
        assertThat(parse("relay.name", " edge ").policy().name()).isEqualTo("edge");
    }

    // numeric ranges

    @ParameterizedTest
    @ValueSource(strings = {"1", "128", "64", " 56 "})
    void ipv6PrefixWhenInRangeThenAccepted(String value) {
        assertThat(parse("relay.limit.ipv6-prefix", value, "relay.limit.client.messages", "1/1d").policy().limits())
                .hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "129", "-1", "9999999999"})
    void ipv6PrefixWhenOutOfRangeThenErrorNamesRange(String value) {
        assertThatThrownBy(() -> parse("relay.limit.ipv6-prefix", value))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("relay.limit.ipv6-prefix:")
                .hasMessageContaining("between 1 and 128");
    }

    /** Recipient budget of one per day, then a second client: deferred when it shares the first one's bucket. */
    static Verdict secondClientAfterFirst(StandardRelayPolicy p, String first, String second) {
        assertThat(p).allows(rcpt(first, "<x@elsewhere.test>", "<bob@example.com>").build());
        return p.decide(rcpt(second, "<x@elsewhere.test>", "<bob@example.com>").build()).verdict();
    }

    @Test
    void ipv6PrefixWhenAbsentThenClientsCountedPer64() {
        StandardRelayPolicy p = parse("relay.limit.client.recipients", "1/1d").policy();
        assertThat(secondClientAfterFirst(p, "2001:db8:1:2::1", "2001:db8:1:2:ffff::9")).isEqualTo(Verdict.DEFER);
        StandardRelayPolicy q = parse("relay.limit.client.recipients", "1/1d").policy();
        assertThat(secondClientAfterFirst(q, "2001:db8:1:2::1", "2001:db8:1:3::1")).isEqualTo(Verdict.ALLOW);
    }

    @Test
    void ipv6PrefixWhenRangeEndsThenEndsHonoured() {
        StandardRelayPolicy all = parse("relay.limit.client.recipients", "1/1d", "relay.limit.ipv6-prefix", "1")
                .policy();
        assertThat(secondClientAfterFirst(all, "2001:db8::1", "3fff::1")).isEqualTo(Verdict.DEFER);
        StandardRelayPolicy each = parse("relay.limit.client.recipients", "1/1d", "relay.limit.ipv6-prefix", "128")
                .policy();
        assertThat(secondClientAfterFirst(each, "2001:db8::1", "2001:db8::2")).isEqualTo(Verdict.ALLOW);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "2147483647", "100000"})
    void maxKeysWhenInRangeThenAccepted(String value) {
        RateLimit limit = parse("relay.limit.max-keys", value, "relay.limit.client.messages", "1/1d").policy()
                .limits().get(0);
        assertThat(limit.name()).isEqualTo("client-messages");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "2147483648"})
    void maxKeysWhenOutOfRangeThenErrorNamesRange(String value) {
        assertThatThrownBy(() -> parse("relay.limit.max-keys", value))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("relay.limit.max-keys:")
                .hasMessageContaining("between 1 and 2147483647");
    }

    @Test
    void limitsWhenAbsentThenNoLimit() {
        StandardRelayPolicy p = parse().policy();
        assertThat(p.limits()).isEmpty();
        for (int i = 0; i < 50; i++) {
            assertThat(p).allows(rcpt(STRANGER, "<x@elsewhere.test>", "<bob@example.com>").build());
        }
    }

    // the limit customizer, the policy-check log, the list sources in describe()

    @Test
    void parseWhenLimitCustomizerGivenThenEachLimitIsBuiltWithIt() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("relay.local-domains", "example.com");
        m.put("relay.limit.client.recipients", "1/1d");
        m.put("relay.limit.client.messages", "1/1d");
        AtomicInteger calls = new AtomicInteger();
        RelayProperties props;
        try (LogCapture ignored = new LogCapture()) {
            props = RelayProperties.parse(m, dir, b -> {
                calls.incrementAndGet();
                b.exempt(Condition.of("everyone is exempt", r -> true));
            });
        }
        assertThat(calls.get()).isEqualTo(2);
        // with every request exempt, a budget of one is never exhausted
        for (int i = 0; i < 3; i++) {
            assertThat(props.policy()).allows(rcpt(STRANGER, "<x@elsewhere.test>", "<bob@example.com>").build());
        }
        assertThat(parse("relay.limit.client.recipients", "1/1d").policy()).allows(
                rcpt(STRANGER, "<x@elsewhere.test>", "<bob@example.com>").build());
    }

    @Test
    void parseWhenWarningsThenLoggedAndErrorsLoggedOnlyUnderWarn() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("relay.local-domains", "example.com");
        m.put("relay.auth.require-tls", "false"); // a warning: auth-without-tls
        try (LogCapture log = new LogCapture()) {
            RelayProperties.parse(m, dir);
            assertThat(log.text()).contains("relay policy check").contains("auth-without-tls");
        }
        m.put("relay.auth.require-tls", "true");
        try (LogCapture log = new LogCapture()) {
            RelayProperties.parse(m, dir);
            assertThat(log.text()).doesNotContain("auth-without-tls");
        }
        m.put("relay.trusted-networks", "0.0.0.0/0"); // an error
        m.put("relay.check", "warn");
        try (LogCapture log = new LogCapture()) {
            RelayProperties p = RelayProperties.parse(m, dir);
            PolicyFinding error = p.findings().stream().filter(f -> f.severity() == PolicyFinding.Severity.ERROR)
                    .findFirst().orElseThrow();
            assertThat(log.text()).contains(error.code());
        }
        m.put("relay.check", "refuse");
        try (LogCapture log = new LogCapture()) {
            assertThatThrownBy(() -> RelayProperties.parse(m, dir)).isInstanceOf(ConfigException.class);
            assertThat(log.text()).doesNotContain("relay policy check: ERROR");
        }
    }

    @Test
    void describeWhenListsGivenAsKeysThenNamesTheKeysTheyCameFrom() {
        String d = parse("relay.relay-domains", "backup.example.net", "relay.trusted-networks", "192.0.2.0/24",
                "relay.blocked-networks", "203.0.113.0/24").policy().describe();
        assertThat(d).contains("local domains: 1 entry from relay.local-domains")
                .contains("relay domains: 1 entry from relay.relay-domains")
                .contains("trusted networks: 1 entry from relay.trusted-networks")
                .contains("blocked networks: 1 entry from relay.blocked-networks");
        String none = parse().policy().describe();
        assertThat(none).contains("relay domains: 0 entries\n").doesNotContain("from relay.relay-domains");
    }

    @Test
    void parseWhenIncludedListFailsWithConfigErrorThenThatErrorIsKept() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("nets.txt"), "192.0.2.0/24\nnot-a-network!\n");
        assertThatThrownBy(() -> parse("relay.trusted-networks", "file:nets.txt"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("relay.trusted-networks")
                .hasMessageContaining("nets.txt");
    }
}
