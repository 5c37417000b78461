package io.relaycontrol.core.penalty;

import io.relaycontrol.testkit.LogCapture;
import static io.relaycontrol.testkit.Requests.connect;
import static io.relaycontrol.testkit.Requests.mail;
import static io.relaycontrol.testkit.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.net.NetworkRules;
import io.relaycontrol.core.net.NetworkSet;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rule;
import io.relaycontrol.core.rules.Rules;
import io.relaycontrol.testkit.ManualClock;
import io.relaycontrol.testkit.RelayDeciderContract;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The penalty box on a manual clock: escalation, expiry, forgetting, exemption, prefixes, replies, failures. */
class PenaltyBoxTest {

    static final String CLIENT = "198.51.100.7";

    final ManualClock clock = new ManualClock();

    PenaltyBox.Builder box() {
        return PenaltyBox.builder().after(Rate.parse("5/10m")).ban(Duration.ofMinutes(10)).factor(2)
                .max(Duration.ofDays(1)).jitter(0).clock(clock).violationStore(LimitStore.local(clock))
                .store(PenaltyStore.local(clock));
    }

    static RelayRequest relay(String client) {
        return rcpt(client, "<x@elsewhere.test>", "<friend@elsewhere.test>").build();
    }

    /** Six violations in a row: the sixth boxes. Returns the sixth's note. */
    static Decision offend(PenaltyBox b, String client) {
        Decision last = null;
        for (int i = 0; i < 6; i++) {
            last = b.record(relay(client), "relay");
        }
        return last;
    }

    static Decision ask(PenaltyBox b, RelayRequest r) {
        return b.decide(r);
    }

    @Test
    void decideWhenFiveViolationsThenNotBoxedAndTheSixthBoxes() {
        PenaltyBox b = box().build();
        for (int i = 1; i <= 5; i++) {
            Decision note = b.record(relay(CLIENT), "relay");
            assertThat(note.verdict()).isEqualTo(Verdict.NO_OPINION);
            assertThat(note.reason()).contains("counted").contains((5 - i) + " more within PT10M");
            assertThat(ask(b, connect(CLIENT).build()).verdict()).isEqualTo(Verdict.NO_OPINION);
        }
        Decision sixth = b.record(relay(CLIENT), "relay");
        assertThat(sixth.reason()).contains("boxed for PT10M (offence 1)");
        assertThat(sixth.details()).containsEntry("offence", "1").containsEntry("ban", "PT10M")
                .containsEntry("violation", "relay");
        assertThat(ask(b, connect(CLIENT).build()).verdict()).isEqualTo(Verdict.DEFER);
    }

    @Test
    void decideWhenBoxedThenConnectGets421AndLaterStages554WithTheRemainingTimeExplained() {
        PenaltyBox b = box().build();
        offend(b, CLIENT);
        clock.advance(Duration.ofSeconds(62));
        Decision atConnect = ask(b, connect(CLIENT).build());
        assertThat(atConnect.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(atConnect.reply()).contains(PenaltyBox.CONNECT_REPLY);
        assertThat(atConnect.reply().get().toString()).startsWith("421 4.7.0");
        assertThat(atConnect.rule()).isEqualTo("penalty-box");
        assertThat(atConnect.explain()).contains("penalty box").contains("offence 1").contains("PT8M58S left");
        assertThat(atConnect.details()).containsEntry("remaining", "PT8M58S").containsEntry("offence", "1")
                .containsEntry("key", CLIENT);
        for (RelayRequest later : List.of(mail(CLIENT, "<a@b.test>").build(), relay(CLIENT),
                io.relaycontrol.testkit.Requests.helo(CLIENT, "x.test").build(),
                io.relaycontrol.testkit.Requests.data(CLIENT, "<a@b.test>", 1).build())) {
            Decision d = ask(b, later);
            assertThat(d.verdict()).as(later.toString()).isEqualTo(Verdict.DENY);
            assertThat(d.reply()).contains(PenaltyBox.REFUSED_REPLY);
            assertThat(d.reply().get().toString()).startsWith("554 5.7.1");
        }
        assertThat(ask(b, connect("198.51.100.8").build()).verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenTheBanEndsThenTheClientIsFreeAgain() {
        PenaltyBox b = box().build();
        offend(b, CLIENT);
        clock.advance(Duration.ofMinutes(10).minusMillis(1));
        assertThat(ask(b, connect(CLIENT).build()).verdict()).isEqualTo(Verdict.DEFER);
        clock.advance(Duration.ofMillis(1));
        assertThat(ask(b, connect(CLIENT).build()).verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenTheClientOffendsAgainThenEachBanIsLongerUpToMax() {
        PenaltyBox b = box().build();
        List<Long> bans = new ArrayList<>();
        for (int offence = 1; offence <= 12; offence++) {
            offend(b, CLIENT);
            PenaltyRecord r = b.find(addr(CLIENT)).orElseThrow();
            assertThat(r.offences()).isEqualTo(offence);
            long ban = r.bannedUntilMillis() - clock.epochNanos() / 1_000_000L;
            bans.add(ban / 60_000);
            clock.advance(Duration.ofMillis(ban)); // serve the ban, then offend at once
        }
        // 10m, 20m, 40m, ... capped at 1d = 1440m
        assertThat(bans).containsExactly(10L, 20L, 40L, 80L, 160L, 320L, 640L, 1280L, 1440L, 1440L, 1440L, 1440L);
    }

    @Test
    void decideWhenTheClientStaysCleanForForgetAfterTheBanThenTheCountStartsAgain() {
        PenaltyBox b = box().forget(Duration.ofHours(1)).build();
        offend(b, CLIENT);
        clock.advance(Duration.ofMinutes(10)); // ban over
        offend(b, CLIENT);
        assertThat(b.find(addr(CLIENT)).orElseThrow().offences()).isEqualTo(2);
        clock.advance(Duration.ofMinutes(20)).advance(Duration.ofHours(1)); // ban 2 over, then clean for forget
        assertThat(b.find(addr(CLIENT))).as("record dropped when forgettable").isEmpty();
        offend(b, CLIENT);
        PenaltyRecord r = b.find(addr(CLIENT)).orElseThrow();
        assertThat(r.offences()).isEqualTo(1);
        assertThat(r.bannedUntilMillis() - clock.epochNanos() / 1_000_000L).isEqualTo(Duration.ofMinutes(10).toMillis());
    }

    @Test
    void decideWhenCleanJustShortOfForgetThenTheCountStillEscalates() {
        PenaltyBox b = box().forget(Duration.ofHours(1)).build();
        offend(b, CLIENT);
        clock.advance(Duration.ofMinutes(10)).advance(Duration.ofHours(1)).stepBack(Duration.ofSeconds(1));
        offend(b, CLIENT);
        assertThat(b.find(addr(CLIENT)).orElseThrow().offences()).isEqualTo(2);
    }

    @Test
    void decideWhenViolationsAreSpreadOutThenTheBucketRefillsAndNobodyIsBoxed() {
        PenaltyBox b = box().build();
        for (int i = 0; i < 30; i++) {
            b.record(relay(CLIENT), "relay");
            clock.advance(Duration.ofMinutes(2)); // 5 per 10 minutes refill one every 2 minutes
        }
        assertThat(b.find(addr(CLIENT))).isEmpty();
    }

    @Test
    void decideWhenIPv6ClientsShareA64ThenTheyAreCountedAndBoxedTogether() {
        PenaltyBox b = box().build();
        for (int i = 1; i <= 6; i++) {
            b.record(relay("2001:db8:1:2::" + Integer.toHexString(i)), "relay");
        }
        assertThat(ask(b, connect("2001:db8:1:2:ffff::1").build()).verdict()).isEqualTo(Verdict.DEFER);
        assertThat(ask(b, connect("2001:db8:1:2:ffff::1").build()).details()).containsEntry("key", "2001:db8:1:2::/64");
        assertThat(ask(b, connect("2001:db8:1:3::1").build()).verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenThePrefixIs128ThenEachIPv6AddressIsItsOwn() {
        PenaltyBox b = box().ipv6PrefixLength(128).build();
        for (int i = 1; i <= 6; i++) {
            b.record(relay("2001:db8:1:2::" + i), "relay");
        }
        assertThat(ask(b, connect("2001:db8:1:2::6").build()).verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenTheClientIsExemptThenItIsNeverCountedOrRefused() {
        PenaltyBox plain = box().build();
        offend(plain, "192.0.2.10");
        PenaltyBox exempting = plain.exempting(NetworkRules.clientIn("client in trusted networks",
                NetworkSet.of("192.0.2.0/24")));
        assertThat(ask(exempting, connect("192.0.2.10").build()).verdict())
                .as("boxed in the store, but exempt now").isEqualTo(Verdict.NO_OPINION);
        assertThat(ask(exempting, connect("192.0.2.10").build()).reason()).contains("exempt");
        assertThat(ask(plain, connect("192.0.2.10").build()).verdict()).isEqualTo(Verdict.DEFER);

        PenaltyBox exempt = box().exempt(NetworkRules.clientIn("client in 203.0.113.0/24",
                NetworkSet.of("203.0.113.0/24"))).build();
        for (int i = 0; i < 50; i++) {
            assertThat(exempt.record(relay("203.0.113.9"), "relay").reason()).contains("not counted");
        }
        assertThat(exempt.find(addr("203.0.113.9"))).isEmpty();
        assertThat(ask(exempt, connect("203.0.113.9").build()).verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenJitterIsOnThenTheBanIsLongerByTheRandomFractionButNeverPastMax() {
        PenaltyBox b = box().jitter(0.1).random(() -> 0.5).build();
        offend(b, CLIENT);
        assertThat(b.find(addr(CLIENT)).orElseThrow().bannedUntilMillis() - clock.epochNanos() / 1_000_000L)
                .isEqualTo(Duration.ofMinutes(10).plusSeconds(30).toMillis());
        PenaltyBox atMax = box().jitter(1).random(() -> 0.999).ban(Duration.ofHours(20)).build();
        offend(atMax, CLIENT);
        assertThat(atMax.find(addr(CLIENT)).orElseThrow().bannedUntilMillis() - clock.epochNanos() / 1_000_000L)
                .isEqualTo(Duration.ofDays(1).toMillis());
        PenaltyBox broken = box().jitter(0.5).random(() -> 7.0).build();
        offend(broken, "198.51.100.9");
        assertThat(broken.find(addr("198.51.100.9")).orElseThrow().bannedUntilMillis()
                - clock.epochNanos() / 1_000_000L).as("a random source out of range adds nothing")
                .isEqualTo(Duration.ofMinutes(10).toMillis());
    }

    @Test
    void banLawEveryBanIsAtLeastTheScheduleAtMostMaxAndWithinTheJitter() {
        qt().withExamples(2000).forAll(integers().between(1, 60), doubles().between(0, 0.9999999),
                doubles().between(1, 5), doubles().between(0, 1)).checkAssert((n, u, factor, jitter) -> {
                    PenaltyBox b = PenaltyBox.builder().ban(Duration.ofMinutes(10)).factor(factor)
                            .max(Duration.ofDays(1)).jitter(jitter).random(() -> u).build();
                    long base = b.banLength(n).toMillis();
                    long expectedBase = (long) Math.min(Duration.ofDays(1).toMillis(),
                            Duration.ofMinutes(10).toMillis() * Math.pow(factor, n - 1));
                    assertThat(base).isEqualTo(expectedBase);
                    long withJitter = b.banWithJitter(n);
                    assertThat(withJitter).isBetween(base, Math.min(Duration.ofDays(1).toMillis(),
                            base + (long) Math.floor(jitter * base)));
                    if (n > 1) {
                        assertThat(base).isGreaterThanOrEqualTo(b.banLength(n - 1).toMillis());
                    }
                });
    }

    @Test
    void buildWhenValuesAreBadThenTheErrorNamesThem() {
        assertThatThrownBy(() -> PenaltyBox.builder().factor(0.5)).hasMessageContaining("factor").hasMessageContaining("0.5");
        assertThatThrownBy(() -> PenaltyBox.builder().factor(Double.NaN)).hasMessageContaining("factor");
        assertThatThrownBy(() -> PenaltyBox.builder().jitter(1.5)).hasMessageContaining("jitter");
        assertThatThrownBy(() -> PenaltyBox.builder().ban(Duration.ofMillis(10))).hasMessageContaining("ban");
        assertThatThrownBy(() -> PenaltyBox.builder().ban(Duration.ofHours(2)).max(Duration.ofHours(1)).build())
                .hasMessageContaining("max").hasMessageContaining("PT1H");
        assertThatThrownBy(() -> PenaltyBox.builder().ipv6PrefixLength(0)).hasMessageContaining("0");
        assertThatThrownBy(() -> PenaltyBox.builder().maxKeys(0)).hasMessageContaining("maxKeys");
        assertThatThrownBy(() -> PenaltyBox.builder().name("a b")).hasMessageContaining("a b");
        assertThatThrownBy(() -> box().build().banLength(0)).hasMessageContaining("0");
    }

    @Test
    void decideWhenThePenaltyStoreFailsThenNoOpinionNothingThrownAndOneLogLinePerChange() {
        AtomicBoolean failing = new AtomicBoolean();
        PenaltyStore real = PenaltyStore.local(clock);
        PenaltyStore flaky = new PenaltyStore() {
            @Override
            public PenaltyRecord get(Object key) {
                if (failing.get()) {
                    throw new IllegalStateException("store down");
                }
                return real.get(key);
            }

            @Override
            public boolean compareAndSet(Object key, PenaltyRecord expected, PenaltyRecord update) {
                if (failing.get()) {
                    throw new IllegalStateException("store down");
                }
                return real.compareAndSet(key, expected, update);
            }

            @Override
            public String description() {
                return "flaky";
            }
        };
        PenaltyBox b = box().store(flaky).build();
        offend(b, CLIENT);
        try (LogCapture log = new LogCapture()) {
            failing.set(true);
            for (int i = 0; i < 20; i++) {
                Decision d = ask(b, connect(CLIENT).build());
                assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
                assertThat(d.error()).isPresent();
                assertThat(d.details()).containsEntry("store", "failed");
            }
            Decision note = offend(b, "198.51.100.20");
            assertThat(note.reason()).contains("not boxed: penalty store unavailable");
            failing.set(false);
            assertThat(ask(b, connect(CLIENT).build()).verdict()).as("the ban survived the outage")
                    .isEqualTo(Verdict.DEFER);
            failing.set(true);
            ask(b, connect(CLIENT).build());
            assertThat(log.count("unavailable (")).isEqualTo(2);
            assertThat(log.count("available again")).isEqualTo(1);
        }
    }

    @Test
    void decideWhenTheStoreIsFullThenNewOffendersAreNotBoxedAndBoxedOnesStay() {
        PenaltyBox b = box().maxKeys(3).build();
        try (LogCapture log = new LogCapture()) {
            for (int i = 1; i <= 3; i++) {
                offend(b, "198.51.100." + i);
            }
            Decision note = offend(b, "198.51.100.4");
            assertThat(note.reason()).contains("not counted");
            assertThat(ask(b, connect("198.51.100.4").build()).verdict()).isEqualTo(Verdict.NO_OPINION);
            for (int i = 1; i <= 3; i++) {
                assertThat(ask(b, connect("198.51.100." + i).build()).verdict()).isEqualTo(Verdict.DEFER);
            }
        }
    }

    @Test
    void decideWhenTheLocalStoreIsFullThenTheRefusalIsLoggedOnceAndTheRecordsAreKept() {
        ManualClock c = new ManualClock();
        PenaltyStore store = PenaltyStore.local(c);
        ((LocalPenaltyStore) store).bound(2);
        long now = c.epochNanos() / 1_000_000L;
        PenaltyRecord r = new PenaltyRecord(1, now + 1000, now + 2000);
        assertThat(store.compareAndSet("a", null, r)).isTrue();
        assertThat(store.compareAndSet("a", null, r)).as("already there").isFalse();
        assertThat(store.compareAndSet("b", null, r)).isTrue();
        try (LogCapture log = new LogCapture()) {
            assertThatThrownBy(() -> store.compareAndSet("c", null, r)).isInstanceOf(PenaltyStoreFullException.class)
                    .hasMessageContaining("2 records");
            assertThatThrownBy(() -> store.compareAndSet("d", null, r)).isInstanceOf(PenaltyStoreFullException.class);
            assertThat(log.count("local store full")).isEqualTo(1);
            c.advance(Duration.ofSeconds(2));
            assertThat(store.compareAndSet("c", null, r)).as("room once the records may be forgotten").isTrue();
            assertThat(log.count("room again")).isEqualTo(1);
        }
        assertThat(((LocalPenaltyStore) store).size()).isEqualTo(1);
        assertThat(store.get("a")).isNull();
    }

    @Test
    void storeWhenAnExpiredRecordIsReplacedWithoutCleanupThenTheCountStaysExact() {
        ManualClock c = new ManualClock();
        LocalPenaltyStore store = new LocalPenaltyStore(c);
        store.bound(1000);
        for (int round = 0; round < 50; round++) {
            long now = c.epochNanos() / 1_000_000L;
            assertThat(store.compareAndSet("same", null, new PenaltyRecord(1, now + 10, now + 20)))
                    .as("round " + round).isTrue();
            c.advance(Duration.ofMillis(25));
        }
        assertThat(store.size()).as("the expired records replaced were counted out").isEqualTo(1L);
        c.advance(Duration.ofSeconds(2)); // Caffeine's timer wheel removes an expired entry within about a second
        store.cleanUp();
        assertThat(store.size()).isEqualTo(0L);
    }

    @Test
    void recordWhenCompareAndSetSeesAnotherWriterThenItRereadsAndDoesNotEscalateTwice() {
        PenaltyStore real = PenaltyStore.local(clock);
        AtomicBoolean raced = new AtomicBoolean();
        PenaltyStore racing = new PenaltyStore() {
            @Override
            public PenaltyRecord get(Object key) {
                return real.get(key);
            }

            @Override
            public boolean compareAndSet(Object key, PenaltyRecord expected, PenaltyRecord update) {
                if (raced.compareAndSet(false, true)) {
                    // another server boxes the client between our read and our write
                    real.compareAndSet(key, expected, new PenaltyRecord(1, update.bannedUntilMillis(),
                            update.forgetAtMillis()));
                }
                return real.compareAndSet(key, expected, update);
            }

            @Override
            public String description() {
                return "racing";
            }
        };
        PenaltyBox b = box().store(racing).build();
        Decision note = offend(b, CLIENT);
        assertThat(note.reason()).contains("already boxed (offence 1");
        assertThat(b.find(addr(CLIENT)).orElseThrow().offences()).isEqualTo(1);
    }

    @Test
    void recordWhenTheCounterStoreFailsThenTheViolationIsNotCounted() {
        LimitStore broken = new LimitStore() {
            @Override
            public io.relaycontrol.core.limit.Consumption tryConsume(String limit, Object key, List<Rate> rates,
                    long tokens) {
                throw new IllegalStateException("redis down");
            }

            @Override
            public void retainLimits(java.util.Collection<String> limitNames) {
            }

            @Override
            public String description() {
                return "broken";
            }
        };
        PenaltyBox b = PenaltyBox.builder().clock(clock).violationStore(broken).store(PenaltyStore.local(clock)).build();
        for (int i = 0; i < 20; i++) {
            assertThat(b.record(relay(CLIENT), "relay").reason()).contains("not counted");
        }
        assertThat(ask(b, connect(CLIENT).build()).verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void aroundWhenTheInnerPolicyRefusesThenViolationsAreCountedAndTheBoxRefusesBeforeAsking() {
        PenaltyBox b = box().build();
        int[] asked = {0};
        Rule inner = Rules.named("relay", r -> {
            asked[0]++;
            return r.recipient().isPresent() && r.recipient().get().toString().contains("bad%")
                    ? Decision.deny("recipient-syntax", "routed", SmtpReply.of(554, "5.7.1", "no"))
                    : Policy.builder("p").rule(Rules.when(io.relaycontrol.core.rules.Conditions.authenticated())
                            .allow("authenticated")).otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build().decide(r);
        });
        Rule guarded = b.around("guarded", inner, Violations.decidedBy("relay", Verdict.DENY, "default"));
        for (int i = 0; i < 20; i++) {
            Decision d = guarded.decide(rcpt(CLIENT, "<a@b.test>", "<bad%x@y.test>").build());
            assertThat(d.decisive().rule()).isEqualTo("recipient-syntax");
        }
        assertThat(b.find(addr(CLIENT))).as("a refusal that is not counted boxes nobody").isEmpty();
        Decision d = null;
        for (int i = 0; i < 6; i++) {
            d = guarded.decide(relay(CLIENT));
            assertThat(d.verdict()).isEqualTo(Verdict.DENY);
            assertThat(d.decisive().rule()).isEqualTo("default");
        }
        assertThat(d.explain()).contains("boxed for PT10M (offence 1)");
        int before = asked[0];
        Decision boxed = guarded.decide(connect(CLIENT).build());
        assertThat(boxed.decisive().rule()).isEqualTo("penalty-box");
        assertThat(boxed.reply()).contains(PenaltyBox.CONNECT_REPLY);
        assertThat(asked[0]).as("a boxed client costs the inner policy nothing").isEqualTo(before);
        assertThatThrownBy(() -> b.around("penalty-box", inner, (r, x) -> null)).hasMessageContaining("penalty-box");
    }

    @Test
    void violationsWhenTheDecisiveRuleMatchesThenCountedOtherwiseNot() {
        ViolationFilter relayRefused = Violations.decidedBy("relay", Verdict.DENY, "default");
        Decision leaf = Decision.deny("default", "no rule allowed", SmtpReply.RELAY_ACCESS_DENIED);
        Decision policy = Decision.composite("standard-relay", leaf, List.of(leaf));
        assertThat(relayRefused.violation(relay(CLIENT), policy)).isEqualTo("relay");
        assertThat(relayRefused.violation(relay(CLIENT), Decision.deny("other", "x", SmtpReply.RELAY_ACCESS_DENIED)))
                .isNull();
        Decision failed = Decision.failed("default", new IllegalStateException());
        assertThat(Violations.decidedBy("x", Verdict.DEFER, "default").violation(relay(CLIENT), failed))
                .as("a failed rule is not the client's doing").isNull();
        ViolationFilter limited = Violations.rateLimited("rate-limit", List.of("client-recipients"));
        Decision hit = Decision.builder(Verdict.DEFER, "client-recipients", "rate limit reached")
                .reply(SmtpReply.RATE_LIMITED).detail("retryAfter", "PT12S").build();
        Decision storeFailed = Decision.builder(Verdict.DEFER, "client-recipients", "store unavailable")
                .reply(SmtpReply.TEMPORARY_FAILURE).detail("store", "failed").build();
        assertThat(limited.violation(relay(CLIENT), hit)).isEqualTo("rate-limit");
        assertThat(limited.violation(relay(CLIENT), storeFailed)).isNull();
        assertThat(Violations.firstOf(List.of(relayRefused, limited)).violation(relay(CLIENT), hit))
                .isEqualTo("rate-limit");
        assertThat(Violations.firstOf(List.of()).violation(relay(CLIENT), hit)).isNull();
        assertThatThrownBy(() -> Violations.decidedBy("x", Verdict.ALLOW, "a")).hasMessageContaining("ALLOW");
        assertThatThrownBy(() -> Violations.decidedBy("x", Verdict.DENY)).hasMessageContaining("at least one");
    }

    @Test
    void recordWhenTheKindIsGivenThenTheNoteNamesItAndExplainRendersTheCounter() {
        PenaltyBox b = box().build();
        Decision note = b.record(relay(CLIENT), "sender-login");
        assertThat(note.rule()).isEqualTo("penalty-box");
        assertThat(note.children()).hasSize(1);
        assertThat(note.children().get(0).rule()).isEqualTo(b.counterName()).isEqualTo("penalty-box-violations");
        assertThat(note.explain()).contains("violation (sender-login) by 198.51.100.7 counted");
        assertThat(b.describe()).contains("more than 5 violations per PT10M").contains("PT10M x2.0")
                .contains("PT24H");
    }

    static InetAddress addr(String s) {
        return RelayRequest.builder(io.relaycontrol.api.Stage.CONNECT).client(s).build().clientAddress();
    }

    /** The box alone passes the rule contract (boxed and free clients, every stage). */
    @Nested
    class BoxContract extends RelayDeciderContract {
        @Override
        protected PenaltyBox decider() {
            PenaltyBox b = box().build();
            offend(b, "203.0.113.5");
            offend(b, "2001:db8:5::1");
            return b;
        }

        @Override
        protected List<RelayRequest> requests() {
            List<RelayRequest> out = new ArrayList<>();
            for (String c : List.of("203.0.113.5", "203.0.113.6", "2001:db8:5::9", "2001:db8:6::1")) {
                out.add(connect(c).build());
                out.add(mail(c, "<a@b.test>").build());
                out.add(relay(c));
            }
            return out;
        }
    }

    /** A box around a policy passes the rule contract; counting changes state, so answers are not compared. */
    @Nested
    class AroundContract extends RelayDeciderContract {
        @Override
        protected Rule decider() {
            PenaltyBox b = box().build();
            offend(b, "203.0.113.5");
            Policy p = Policy.builder("relay").rule(Rules.when(io.relaycontrol.core.rules.Conditions.authenticated())
                    .allow("authenticated")).otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED).build();
            return b.around("boxed-relay", p, Violations.decidedBy("relay", Verdict.DENY, "default"));
        }

        @Override
        protected List<RelayRequest> requests() {
            List<RelayRequest> out = new ArrayList<>();
            for (String c : List.of("203.0.113.5", "203.0.113.6", "2001:db8:6::1")) {
                out.add(connect(c).build());
                out.add(relay(c));
                out.add(rcpt(c, "<a@b.test>", "<c@d.test>").authenticated("u").build());
            }
            return out;
        }

        @Override
        protected boolean deterministic() {
            return false;
        }
    }
}
