package io.relaycontrol.core.config;

import static io.relaycontrol.testkit.Requests.connect;
import static io.relaycontrol.testkit.Requests.mail;
import static io.relaycontrol.testkit.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.auth.SenderLoginMap;
import io.relaycontrol.core.dns.DnsList;
import io.relaycontrol.core.dns.ScriptedResolver;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.LimitKeys;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.limit.RateLimit;
import io.relaycontrol.core.net.NetworkSet;
import io.relaycontrol.core.penalty.PenaltyBox;
import io.relaycontrol.core.penalty.PenaltyStore;
import io.relaycontrol.testkit.ManualClock;
import io.relaycontrol.testkit.RelayDeciderContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The penalty box in the standard policy: each counted violation, what does not count, keys, reloads. */
class StandardPolicyPenaltyTest {

    static final String STRANGER = "198.51.100.7";
    static final String TRUSTED = "192.0.2.10";

    final ManualClock clock = new ManualClock();

    PenaltyBox box() {
        return PenaltyBox.builder().after(Rate.parse("5/10m")).jitter(0).clock(clock)
                .violationStore(LimitStore.local(clock)).store(PenaltyStore.local(clock)).build();
    }

    StandardRelayPolicy.Builder base() {
        return StandardRelayPolicy.builder()
                .localDomains(DomainSet.of("example.com"))
                .trustedNetworks(NetworkSet.of("192.0.2.0/24"))
                .senderLogins(SenderLoginMap.parse(List.of("alice: alice@example.com"), "test"))
                .requireTlsForAuth(false);
    }

    static RelayRequest relay(String client) {
        return rcpt(client, "<x@elsewhere.test>", "<friend@elsewhere.test>").build();
    }

    /** Repeats {@code violation} six times, checks each is refused by {@code rule}, then that CONNECT is refused. */
    static void boxedAfterSix(StandardRelayPolicy p, Supplier<RelayRequest> violation, String rule, String client) {
        Decision last = null;
        for (int i = 0; i < 6; i++) {
            last = p.decide(violation.get());
            assertThat(last.verdict()).isIn(Verdict.DENY, Verdict.DEFER);
            assertThat(last.decisive().rule()).as(last.explain()).isEqualTo(rule);
        }
        assertThat(last.explain()).contains("boxed for PT10M (offence 1)");
        Decision boxed = p.decide(connect(client).build());
        assertThat(boxed.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(boxed.reply()).contains(PenaltyBox.CONNECT_REPLY);
        assertThat(boxed.decisivePath().get(1).rule()).isEqualTo("penalty-box");
    }

    @Test
    void decideWhenAStrangerKeepsTryingToRelayThenBoxedAtConnectAndLater() {
        StandardRelayPolicy p = base().penaltyBox(box()).build();
        boxedAfterSix(p, () -> relay(STRANGER), "default", STRANGER);
        Decision later = p.decide(rcpt(STRANGER, "<x@elsewhere.test>", "<bob@example.com>").build());
        assertThat(later.verdict()).as("even mail for a local domain").isEqualTo(Verdict.DENY);
        assertThat(later.reply()).contains(PenaltyBox.REFUSED_REPLY);
        assertThat(later.explain()).contains("offence 1").contains("left");
        clock.advance(Duration.ofMinutes(10));
        assertThat(p.decide(rcpt(STRANGER, "<x@elsewhere.test>", "<bob@example.com>").build()).verdict())
                .isEqualTo(Verdict.ALLOW);
    }

    @Test
    void decideWhenALoginKeepsUsingASenderItDoesNotOwnThenBoxed() {
        StandardRelayPolicy p = base().penaltyBox(box()).build();
        boxedAfterSix(p, () -> mail(STRANGER, "<bob@example.com>").authenticated("alice").build(), "sender-login",
                STRANGER);
    }

    @Test
    void decideWhenAClientKeepsHittingARateLimitThenBoxed() {
        StandardRelayPolicy p = base().penaltyBox(box())
                .limit(RateLimit.builder("client-recipients").key(LimitKeys.clientAddress())
                        .counting(Counted.RECIPIENTS).rates(Rate.parseList("2/1h")).store(LimitStore.local(clock))
                        .build())
                .build();
        RelayRequest local = rcpt(STRANGER, "<x@elsewhere.test>", "<bob@example.com>").build();
        assertThat(p.decide(local).verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(p.decide(local).verdict()).isEqualTo(Verdict.ALLOW);
        boxedAfterSix(p, () -> local, "client-recipients", STRANGER);
    }

    @Test
    void decideWhenADnsListedClientKeepsComingThenBoxed() {
        ScriptedResolver dns = new ScriptedResolver().listed("7.100.51.198.bl.test", 300, "127.0.0.2");
        StandardRelayPolicy p = base().penaltyBox(box())
                .dnsLists(dns.rule("dns-lists").clock(clock).list(DnsList.parse("bl.test", DnsList.Target.CLIENT))
                        .build())
                .build();
        boxedAfterSix(p, () -> rcpt(STRANGER, "<x@elsewhere.test>", "<bob@example.com>").build(), "dns-lists",
                STRANGER);
    }

    @Test
    void decideWhenTheRefusalIsNotACountedKindThenNobodyIsBoxed() {
        StandardRelayPolicy p = base().penaltyBox(box()).build();
        for (int i = 0; i < 30; i++) {
            Decision routed = p.decide(rcpt(STRANGER, "<x@elsewhere.test>", "<bob%evil.test@example.com>").build());
            assertThat(routed.decisive().rule()).isEqualTo("recipient-syntax");
            Decision badSender = p.decide(mail(STRANGER, "<bad sender@elsewhere.test>").build());
            assertThat(badSender.decisive().rule()).isEqualTo("sender-syntax");
            Decision bounce = p.decide(rcpt(STRANGER, "<>", "<bob@example.com>").recipientCount(1).build());
            assertThat(bounce.decisive().rule()).isEqualTo("multi-recipient-bounce");
        }
        assertThat(p.decide(connect(STRANGER).build()).verdict()).isEqualTo(Verdict.ALLOW);
    }

    @Test
    void decideWhenOnlySomeKindsAreCountedThenTheOthersBoxNobody() {
        StandardRelayPolicy p = base().penaltyBox(box(), EnumSet.of(StandardRelayPolicy.Violation.SENDER_LOGIN))
                .build();
        for (int i = 0; i < 20; i++) {
            assertThat(p.decide(relay(STRANGER)).decisive().rule()).isEqualTo("default");
        }
        assertThat(p.decide(connect(STRANGER).build()).verdict()).isEqualTo(Verdict.ALLOW);
        boxedAfterSix(p, () -> mail(STRANGER, "<bob@example.com>").authenticated("alice").build(), "sender-login",
                STRANGER);
        assertThat(p.penaltyCounts()).containsExactly(StandardRelayPolicy.Violation.SENDER_LOGIN);
        assertThatThrownBy(() -> base().penaltyBox(box(), Set.of())).hasMessageContaining("at least one");
    }

    @Test
    void decideWhenATrustedClientMisbehavesThenItIsNeverBoxed() {
        PenaltyBox shared = box();
        StandardRelayPolicy p = base().penaltyBox(shared).build();
        for (int i = 0; i < 30; i++) {
            assertThat(p.decide(mail(TRUSTED, "<bob@example.com>").authenticated("alice").build()).verdict())
                    .isEqualTo(Verdict.DENY);
        }
        assertThat(p.decide(connect(TRUSTED).build()).verdict()).isEqualTo(Verdict.ALLOW);
        // boxed by another policy on the same store (where it is not trusted): still never refused here
        for (int i = 0; i < 6; i++) {
            shared.record(relay(TRUSTED), "relay");
        }
        assertThat(shared.decide(connect(TRUSTED).build()).verdict()).isEqualTo(Verdict.DEFER);
        assertThat(p.decide(connect(TRUSTED).build()).verdict()).isEqualTo(Verdict.ALLOW);
    }

    @Test
    void decideWhenAnIPv6ClientHopsAddressesInsideIts64ThenItIsBoxedAsOne() {
        StandardRelayPolicy p = base().penaltyBox(box()).build();
        int[] n = {0};
        boxedAfterSix(p, () -> relay("2001:db8:42:1::" + Integer.toHexString(++n[0])), "default",
                "2001:db8:42:1:abcd::1");
    }

    @Test
    void fromPropertiesWhenPenaltyKeysAreSetThenTheBoxIsConfigured(@TempDir Path dir) {
        Map<String, String> keys = new HashMap<>(Map.of("relay.local-domains", "example.com",
                "relay.penalty.after", "3/1h", "relay.penalty.ban", "30m", "relay.penalty.factor", "3",
                "relay.penalty.max", "2d", "relay.penalty.jitter", "0%", "relay.penalty.exempt", "203.0.113.0/24",
                "relay.penalty.ipv6-prefix", "56", "relay.penalty.count", "relay, rate-limit",
                "relay.penalty.forget", "7d"));
        StandardRelayPolicy p = StandardRelayPolicy.fromProperties(keys, dir);
        PenaltyBox b = p.penaltyBox().orElseThrow();
        assertThat(b.after()).isEqualTo(Rate.parse("3/1h"));
        assertThat(b.banLength(1)).isEqualTo(Duration.ofMinutes(30));
        assertThat(b.banLength(2)).isEqualTo(Duration.ofMinutes(90));
        assertThat(b.banLength(10)).isEqualTo(Duration.ofDays(2));
        assertThat(b.ipv6PrefixLength()).isEqualTo(56);
        assertThat(p.penaltyCounts()).containsExactlyInAnyOrder(StandardRelayPolicy.Violation.RELAY,
                StandardRelayPolicy.Violation.RATE_LIMIT);
        assertThat(p.describe()).contains("penalty box");
        for (int i = 0; i < 10; i++) {
            p.decide(relay("203.0.113.9"));
            p.decide(relay(STRANGER));
        }
        assertThat(p.decide(connect("203.0.113.9").build()).verdict()).as("exempt").isEqualTo(Verdict.ALLOW);
        assertThat(p.decide(connect(STRANGER).build()).verdict()).isEqualTo(Verdict.DEFER);
        assertThat(StandardRelayPolicy.fromProperties(Map.of("relay.local-domains", "example.com"), dir).penaltyBox())
                .as("off without relay.penalty.after").isEmpty();
    }

    @Test
    void fromPropertiesWhenAPenaltyValueIsBadThenTheErrorNamesTheKey(@TempDir Path dir) {
        Map<String, String[]> bad = new java.util.LinkedHashMap<>();
        bad.put("relay.penalty.after", new String[] {"five", "five"});
        bad.put("relay.penalty.ban", new String[] {"10 minutes", "10 minutes"});
        bad.put("relay.penalty.max", new String[] {"0d", "0d"});
        bad.put("relay.penalty.factor", new String[] {"0.5", "0.5"});
        bad.put("relay.penalty.jitter", new String[] {"150%", "150%"});
        bad.put("relay.penalty.ipv6-prefix", new String[] {"129", "129"});
        bad.put("relay.penalty.max-keys", new String[] {"lots", "lots"});
        bad.put("relay.penalty.count", new String[] {"relay, spam", "spam"});
        bad.put("relay.penalty.exempt", new String[] {"not-a-network/99", "not-a-network"});
        for (Map.Entry<String, String[]> e : bad.entrySet()) {
            Map<String, String> keys = new HashMap<>(Map.of("relay.local-domains", "example.com",
                    "relay.penalty.after", "5/10m"));
            keys.put(e.getKey(), e.getValue()[0]);
            assertThatThrownBy(() -> StandardRelayPolicy.fromProperties(keys, dir)).as(e.getKey())
                    .isInstanceOf(ConfigException.class).hasMessageContaining(e.getKey())
                    .hasMessageContaining(e.getValue()[1]);
        }
        Map<String, String> small = new HashMap<>(Map.of("relay.local-domains", "example.com",
                "relay.penalty.after", "5/10m", "relay.penalty.ban", "2d", "relay.penalty.max", "1d"));
        assertThatThrownBy(() -> StandardRelayPolicy.fromProperties(small, dir)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("relay.penalty.max").hasMessageContaining("shorter than ban");
        assertThatThrownBy(() -> StandardRelayPolicy.fromProperties(Map.of("relay.local-domains", "example.com",
                "relay.penalty.ban", "10m"), dir)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("relay.penalty.ban").hasMessageContaining("relay.penalty.after");
    }

    @Test
    void reloadWhenAClientIsBoxedThenItStaysBoxedAfterTheReload(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("relay.properties");
        Files.writeString(file, "relay.local-domains = example.com\nrelay.penalty.after = 5/10m\n");
        try (ReloadingRelayPolicy p = ReloadingRelayPolicy.watch(file, "relay.")) {
            for (int i = 0; i < 6; i++) {
                assertThat(p.decide(relay(STRANGER)).verdict()).isEqualTo(Verdict.DENY);
            }
            for (int i = 0; i < 3; i++) {
                p.decide(relay("198.51.100.8")); // 3 of 5 violations spent
            }
            assertThat(p.decide(connect(STRANGER).build()).verdict()).isEqualTo(Verdict.DEFER);
            Files.writeString(file, "relay.local-domains = example.com, example.org\nrelay.penalty.after = 5/10m\n"
                    + "relay.penalty.ban = 20m\n");
            assertThat(p.checkForChanges().reloaded()).isTrue();
            Decision d = p.decide(connect(STRANGER).build());
            assertThat(d.verdict()).as("still boxed after the reload").isEqualTo(Verdict.DEFER);
            assertThat(d.explain()).contains("offence 1");
            for (int i = 0; i < 3; i++) {
                p.decide(relay("198.51.100.8"));
            }
            assertThat(p.decide(connect("198.51.100.8").build()).verdict())
                    .as("the violation count survived the reload too: 3 + 3 > 5").isEqualTo(Verdict.DEFER);
        }
    }

    @Test
    void reloadWithAStoreGivenInCodeThenBansSurviveToo(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("relay.properties");
        Files.writeString(file, "relay.local-domains = example.com\nrelay.penalty.after = 5/10m\n");
        try (ReloadingRelayPolicy p = ReloadingRelayPolicy.watch(file, "relay.", RelayMetricsSink.NONE,
                LimitStore.local(), Duration.ZERO)) {
            for (int i = 0; i < 6; i++) {
                p.decide(relay(STRANGER));
            }
            Files.writeString(file, "relay.local-domains = example.org\nrelay.penalty.after = 5/10m\n");
            assertThat(p.checkForChanges().reloaded()).isTrue();
            assertThat(p.decide(connect(STRANGER).build()).verdict()).isEqualTo(Verdict.DEFER);
        }
    }

    @Nested
    class Contract extends RelayDeciderContract {
        @Override
        protected StandardRelayPolicy decider() {
            StandardRelayPolicy p = base().penaltyBox(box()).build();
            for (int i = 0; i < 6; i++) {
                p.decide(relay("203.0.113.5"));
            }
            return p;
        }

        @Override
        protected List<RelayRequest> requests() {
            List<RelayRequest> out = new ArrayList<>();
            for (String c : List.of("203.0.113.5", TRUSTED, STRANGER, "2001:db8:9::1")) {
                out.add(connect(c).build());
                out.add(mail(c, "<bob@example.com>").build());
                out.add(rcpt(c, "<x@elsewhere.test>", "<bob@example.com>").build());
                out.add(relay(c));
            }
            return out;
        }

        @Override
        protected boolean deterministic() {
            return false; // strangers' relay attempts box them as the rounds go on
        }
    }
}
