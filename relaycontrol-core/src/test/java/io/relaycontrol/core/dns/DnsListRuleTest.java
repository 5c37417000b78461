package io.relaycontrol.core.dns;

import static io.relaycontrol.testkit.Requests.connect;
import static io.relaycontrol.testkit.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.testkit.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

class DnsListRuleTest {

    private static final String CLIENT = "203.0.113.7";
    private static final String REVERSED = "7.113.0.203";

    private final ManualClock clock = new ManualClock();
    private final ScriptedResolver dns = new ScriptedResolver();

    private static DnsList client(String spec) {
        return DnsList.parse(spec, DnsList.Target.CLIENT);
    }

    private static RelayRequest rcptFrom(String client) {
        return rcpt(client, "<someone@sender.test>", "<bob@example.com>").build();
    }

    private DnsListRule.Builder rule(String... specs) {
        DnsListRule.Builder b = dns.rule("dns-lists").clock(clock).timeout(Duration.ofMillis(200));
        for (String s : specs) {
            b.list(client(s));
        }
        return b;
    }

    @Test
    void decideWhenClientListedThenRefused554WithZoneTxtAndLookupUrl() {
        dns.listed(REVERSED + ".bl.test", 300, "127.0.0.2").txt(REVERSED + ".bl.test", "Listed: see the website");
        DnsListRule r = dns.rule("dns-lists").clock(clock)
                .list(client("bl.test").withLookupUrl("https://bl.test/lookup?ip={key}")).build();

        Decision d = r.decide(rcptFrom(CLIENT));

        assertThat(d.verdict()).isEqualTo(Verdict.DENY);
        assertThat(d.reply().orElseThrow().code()).isEqualTo(554);
        assertThat(d.reply().orElseThrow().status().toString()).isEqualTo("5.7.1");
        assertThat(d.reply().orElseThrow().text()).isEqualTo("Service unavailable; client host [203.0.113.7] blocked"
                + " using bl.test; Listed: see the website; see https://bl.test/lookup?ip=203.0.113.7");
        assertThat(d.details()).containsEntry("score", "1").containsEntry("listed", "bl.test (127.0.0.2)");
    }

    @Test
    void decideWhenClientNotListedThenNoOpinion() {
        DnsListRule r = rule("bl.test").build();

        Decision d = r.decide(rcptFrom(CLIENT));

        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(dns.count(REVERSED + ".bl.test", "A")).isEqualTo(1);
        assertThat(dns.count(REVERSED + ".bl.test", "TXT")).isZero();
    }

    @Test
    void queryNameWhenIpv4ThenOctetsReversed() throws Exception {
        assertThat(DnsQueries.queryName(InetAddress.getByName("192.0.2.99"), "bl.test"))
                .isEqualTo("99.2.0.192.bl.test.");
    }

    @Test
    void queryNameWhenIpv6ThenNibblesReversedAsRfc5782() throws Exception {
        // the example of RFC 5782 section 2.4
        assertThat(DnsQueries.queryName(InetAddress.getByName("2001:db8:1:2:3:4:567:89ab"), "ugly.example.com"))
                .isEqualTo("b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ugly.example.com.");
    }

    @Test
    void decideWhenIpv6ClientListedUnderItsNibbleNameThenRefused() {
        dns.listed("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test", 60, "127.0.0.2");
        DnsListRule r = rule("bl.test").build();

        Decision d = r.decide(rcptFrom("2001:db8::1"));

        assertThat(d.verdict()).isEqualTo(Verdict.DENY);
        assertThat(d.reply().orElseThrow().text()).contains("[2001:db8:0:0:0:0:0:1]");
    }

    @Test
    void decideWhenIpv4MappedClientThenAskedAsIpv4() {
        dns.listed(REVERSED + ".bl.test", 60, "127.0.0.2");
        DnsListRule r = rule("bl.test").build();

        assertThat(r.decide(rcptFrom("::ffff:203.0.113.7")).verdict()).isEqualTo(Verdict.DENY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.9", "127.0.0.10", "127.0.0.11",
            "127.0.0.30", "127.0.0.20", "127.0.1.2", "127.1.2.3"})
    void decideWhenAnyListingCodeWithoutFilterThenRefused(String code) {
        dns.listed(REVERSED + ".bl.test", 60, code);

        assertThat(rule("bl.test").build().decide(rcptFrom(CLIENT)).verdict()).isEqualTo(Verdict.DENY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.9", "127.0.0.10", "127.0.0.11"})
    void decideWhenCodeInsidePostfixFilterThenRefused(String code) {
        dns.listed(REVERSED + ".zen.test", 60, code);

        assertThat(rule("zen.test=127.0.0.[2..11]").build().decide(rcptFrom(CLIENT)).verdict())
                .isEqualTo(Verdict.DENY);
    }

    @Test
    void decideWhenBclCodeOutsideAnOldFilterThenNotCountedAndExplained() {
        // Spamhaus BCL answers 127.0.0.30; the classic 127.0.0.[2..11] filter misses it (and says so)
        dns.listed(REVERSED + ".zen.test", 60, "127.0.0.30");

        Decision d = rule("zen.test=127.0.0.[2..11]").build().decide(rcptFrom(CLIENT));

        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.details().get("ignored")).contains("127.0.0.30").contains("127.0.0.[2..11]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.255.255.252", "127.255.255.254", "127.255.255.255", "127.255.255.1"})
    void decideWhenErrorCodeThenNeverAListingAndTheListFailed(String code) {
        dns.listed(REVERSED + ".bl.test", 60, code);

        Decision d = rule("bl.test").build().decide(rcptFrom(CLIENT));

        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.details().get("failed")).startsWith("bl.test (" + code + ": ");
    }

    @Test
    void decideWhenErrorCodesThenTheirSpamhausMeaningIsGiven() {
        assertThat(ErrorCodes.meaning(0x7ffffffc)).contains("typing error");
        assertThat(ErrorCodes.meaning(0x7ffffffe)).contains("public or open resolver");
        assertThat(ErrorCodes.meaning(0x7fffffff)).contains("excessive number of queries");
    }

    @Test
    void decideWhenErrorCodeAndDeferModeThenTemporaryRefusal() {
        dns.listed(REVERSED + ".bl.test", 60, "127.255.255.254");

        Decision d = rule("bl.test").onFailure(DnsListRule.FailMode.DEFER).build().decide(rcptFrom(CLIENT));

        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.reply().orElseThrow()).isEqualTo(DnsListRule.UNAVAILABLE_REPLY);
        assertThat(d.reply().orElseThrow().code()).isEqualTo(451);
        assertThat(d.reply().orElseThrow().status().toString()).isEqualTo("4.7.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"198.51.100.1", "10.0.0.2", "0.0.0.0", "128.0.0.2"})
    void decideWhenAnswerOutsideLoopbackRangeThenNeverCounts(String code) {
        dns.listed(REVERSED + ".bl.test", 60, code);

        Decision d = rule("bl.test").build().decide(rcptFrom(CLIENT));

        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.details().get("failed")).contains("outside 127.0.0.0/8");
    }

    @Test
    void decideWhenErrorCodeRepeatsThenLoggedOncePerChangeOfState() {
        DnsListRule r = rule("bl.test").build();
        for (int i = 0; i < 3; i++) {
            dns.listed("1.2.0.192.bl.test".replace("1.", (i + 1) + "."), 60, "127.255.255.254");
        }
        dns.listed("9.2.0.192.bl.test", 60, "127.0.0.2");
        String log;
        try (Capture c = new Capture()) {
            r.decide(rcptFrom("192.0.2.1"));
            r.decide(rcptFrom("192.0.2.2"));
            r.decide(rcptFrom("192.0.2.3"));
            r.decide(rcptFrom("192.0.2.9"));
            log = c.text();
        }
        assertThat(log.split("configuration problem", -1)).hasSize(2);
        assertThat(log).contains("bl.test configuration problem: 127.255.255.254: query via a public or open resolver");
        assertThat(log).contains("DNS list bl.test answers again");
    }

    @Test
    void decideWhenServfailThenFailedCountsAsNotListed() {
        dns.rcode(REVERSED + ".bl.test", Rcode.SERVFAIL);

        Decision d = rule("bl.test").build().decide(rcptFrom(CLIENT));

        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.details().get("failed")).isEqualTo("bl.test (server answered SERVFAIL)");
    }

    @Test
    void decideWhenResolverThrowsThenFailedNotThrown() {
        dns.error(REVERSED + ".bl.test", new java.io.IOException("network unreachable"));

        Decision d = rule("bl.test").onFailure(DnsListRule.FailMode.DEFER).build().decide(rcptFrom(CLIENT));

        assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(d.details().get("failed")).contains("network unreachable");
    }

    @Test
    void decideWhenOneBlockListFailsAndAnotherAnswersThenNoDeferral() {
        dns.rcode(REVERSED + ".a.test", Rcode.SERVFAIL);

        Decision d = rule("a.test", "b.test").onFailure(DnsListRule.FailMode.DEFER).build().decide(rcptFrom(CLIENT));

        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.details().get("failed")).startsWith("a.test");
    }

    @Test
    void decideWhenListedThenCachedForTheTtlOnTheClock() {
        dns.listed(REVERSED + ".bl.test", 300, "127.0.0.2");
        DnsListRule r = rule("bl.test").build();

        r.decide(rcptFrom(CLIENT));
        clock.advance(Duration.ofSeconds(299));
        assertThat(r.decide(rcptFrom(CLIENT)).verdict()).isEqualTo(Verdict.DENY);
        assertThat(dns.count(REVERSED + ".bl.test", "A")).isEqualTo(1);

        clock.advance(Duration.ofSeconds(2));
        assertThat(r.decide(rcptFrom(CLIENT)).verdict()).isEqualTo(Verdict.DENY);
        assertThat(dns.count(REVERSED + ".bl.test", "A")).isEqualTo(2);
    }

    @Test
    void decideWhenNegativeAnswerThenCachedForTheSoaMinimum() {
        dns.nxdomain(REVERSED + ".bl.test", 900, 120); // RFC 2308: min(SOA TTL, SOA minimum) = 120 s
        DnsListRule r = rule("bl.test").build();

        r.decide(rcptFrom(CLIENT));
        clock.advance(Duration.ofSeconds(119));
        r.decide(rcptFrom(CLIENT));
        assertThat(dns.count(REVERSED + ".bl.test", "A")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(2));
        r.decide(rcptFrom(CLIENT));
        assertThat(dns.count(REVERSED + ".bl.test", "A")).isEqualTo(2);
    }

    @Test
    void decideWhenSoaTtlBelowItsMinimumThenTheTtlWins() {
        dns.nxdomain(REVERSED + ".bl.test", 30, 3600);
        DnsListRule r = rule("bl.test").build();

        r.decide(rcptFrom(CLIENT));
        clock.advance(Duration.ofSeconds(31));
        r.decide(rcptFrom(CLIENT));
        assertThat(dns.count(REVERSED + ".bl.test", "A")).isEqualTo(2);
    }

    @Test
    void decideWhenNegativeAnswerHasNoSoaThenCachedOneMinute() {
        dns.nxdomainWithoutSoa(REVERSED + ".bl.test");
        DnsListRule r = rule("bl.test").build();

        r.decide(rcptFrom(CLIENT));
        clock.advance(Duration.ofSeconds(59));
        r.decide(rcptFrom(CLIENT));
        assertThat(dns.count(REVERSED + ".bl.test", "A")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(2));
        r.decide(rcptFrom(CLIENT));
        assertThat(dns.count(REVERSED + ".bl.test", "A")).isEqualTo(2);
    }

    @Test
    void decideWhenTtlAboveTheCapThenCachedOnlyUpToTheCap() {
        dns.listed(REVERSED + ".bl.test", 86_400, "127.0.0.2");
        dns.nxdomain("8.113.0.203.bl.test", 86_400, 86_400);
        DnsListRule r = rule("bl.test").maxTtl(Duration.ofMinutes(10)).build();

        r.decide(rcptFrom(CLIENT));
        r.decide(rcptFrom("203.0.113.8"));
        clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        r.decide(rcptFrom(CLIENT));
        r.decide(rcptFrom("203.0.113.8"));
        assertThat(dns.count(REVERSED + ".bl.test", "A")).isEqualTo(2);
        assertThat(dns.count("8.113.0.203.bl.test", "A")).isEqualTo(2);
    }

    @Test
    void decideWhenFailedThenCachedForTheFailureTimeOnly() {
        dns.rcode(REVERSED + ".bl.test", Rcode.SERVFAIL);
        DnsListRule r = rule("bl.test").failureCacheTime(Duration.ofSeconds(30)).build();

        r.decide(rcptFrom(CLIENT));
        clock.advance(Duration.ofSeconds(29));
        r.decide(rcptFrom(CLIENT));
        assertThat(dns.count(REVERSED + ".bl.test", "A")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(2));
        r.decide(rcptFrom(CLIENT));
        assertThat(dns.count(REVERSED + ".bl.test", "A")).isEqualTo(2);
    }

    @Test
    void decideWhenTwoListsShareAZoneThenOneQuery() {
        dns.listed(REVERSED + ".zen.test", 60, "127.0.0.4");
        DnsListRule r = rule("zen.test=127.0.0.[2..3]", "zen.test=127.0.0.4*2").threshold(2).build();

        assertThat(r.decide(rcptFrom(CLIENT)).verdict()).isEqualTo(Verdict.DENY);
        assertThat(dns.count(REVERSED + ".zen.test", "A")).isEqualTo(1);
    }

    @Test
    void cachedScoreWhenNotAskedYetThenNotCachedAndAfterwardsTheScore() {
        dns.listed(REVERSED + ".a.test", 60, "127.0.0.2");
        dns.listed(REVERSED + ".b.test", 60, "127.0.0.9");
        DnsListRule r = rule("a.test*2", "b.test=127.0.0.[2..3]*5", "c.test").threshold(9).build();

        assertThat(r.cachedScore(rcptFrom(CLIENT))).isEqualTo(DnsListRule.NOT_CACHED);
        r.decide(connect(CLIENT).build());
        assertThat(r.cachedScore(rcptFrom(CLIENT))).isEqualTo(2);
        assertThat(dns.total()).isEqualTo(3 + 2); // three A queries, and TXT for the two listings
    }

    @Test
    void decideWhenPostfixOctetListFilterThenOnlyThoseCodesCount() {
        dns.listed("1.2.0.192.wl.test", 60, "127.0.5.1");
        dns.listed("2.2.0.192.wl.test", 60, "127.0.5.2");
        dns.listed("3.2.0.192.wl.test", 60, "127.0.200.3");
        DnsListRule r = rule("wl.test=127.0.[0..255].[1;3]").build();

        assertThat(r.decide(rcptFrom("192.0.2.1")).verdict()).isEqualTo(Verdict.DENY);
        assertThat(r.decide(rcptFrom("192.0.2.2")).verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(r.decide(rcptFrom("192.0.2.3")).verdict()).isEqualTo(Verdict.DENY);
    }

    @Test
    void decideWhenEximBitmaskThenEveryMaskBitMustBeSet() {
        dns.listed("1.2.0.192.bits.test", 60, "127.0.0.4");
        dns.listed("2.2.0.192.bits.test", 60, "127.0.0.6");
        dns.listed("3.2.0.192.bits.test", 60, "127.0.0.2");
        DnsListRule r = rule("bits.test=&0.0.0.4").build();

        assertThat(r.decide(rcptFrom("192.0.2.1")).verdict()).isEqualTo(Verdict.DENY);
        assertThat(r.decide(rcptFrom("192.0.2.2")).verdict()).isEqualTo(Verdict.DENY);
        assertThat(r.decide(rcptFrom("192.0.2.3")).verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenSeveralAnswersThenAnyOneInsideTheFilterCounts() {
        dns.listed(REVERSED + ".zen.test", 60, "127.0.0.10", "127.0.0.4");

        Decision d = rule("zen.test=127.0.0.[2..4]").build().decide(rcptFrom(CLIENT));

        assertThat(d.verdict()).isEqualTo(Verdict.DENY);
        assertThat(d.reason()).contains("(127.0.0.4)");
    }

    @Test
    void decideWhenWeightsSumBelowThresholdThenNoOpinionAndAtThresholdThenRefused() {
        dns.listed("1.2.0.192.a.test", 60, "127.0.0.2");
        dns.listed("2.2.0.192.a.test", 60, "127.0.0.2");
        dns.listed("2.2.0.192.b.test", 60, "127.0.0.2");
        DnsListRule r = rule("a.test*2", "b.test*2").threshold(3).build();

        Decision one = r.decide(rcptFrom("192.0.2.1"));
        Decision two = r.decide(rcptFrom("192.0.2.2"));

        assertThat(one.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(one.details()).containsEntry("score", "2");
        assertThat(two.verdict()).isEqualTo(Verdict.DENY);
        assertThat(two.details()).containsEntry("score", "4");
    }

    @Test
    void decideWhenAllowListOffsetsABlockListingThenAllowedNotRefused() {
        dns.listed(REVERSED + ".bl.test", 60, "127.0.0.2");
        dns.listed(REVERSED + ".wl.test", 60, "127.0.10.2");
        DnsListRule r = rule("bl.test*3", "wl.test=127.0.[0..255].[1..3]*-5").build();

        Decision d = r.decide(rcptFrom(CLIENT));

        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(d.details()).containsEntry("score", "-2");
    }

    @Test
    void decideWhenAllowListMatchesButScoreAboveAllowThresholdThenNoOpinion() {
        dns.listed(REVERSED + ".wl.test", 60, "127.0.10.2");
        DnsListRule r = rule("wl.test*-1").allowThreshold(-3).build();

        assertThat(r.decide(rcptFrom(CLIENT)).verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenOnlyAllowListsFailThenNoDeferral() {
        dns.rcode(REVERSED + ".wl.test", Rcode.SERVFAIL);
        DnsListRule r = rule("bl.test", "wl.test*-1").onFailure(DnsListRule.FailMode.DEFER).build();

        assertThat(r.decide(rcptFrom(CLIENT)).verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenAListNeverAnswersThenTheDecisionComesBackWithTheOthers() {
        dns.silent("silent.test");
        dns.listed(REVERSED + ".bl.test", 60, "127.0.0.2");
        DnsListRule r = rule("silent.test", "bl.test").timeout(Duration.ofMillis(50)).build();

        Decision d = r.decide(rcptFrom(CLIENT));

        assertThat(d.verdict()).isEqualTo(Verdict.DENY);
        assertThat(d.details().get("failed")).isEqualTo("silent.test (no answer within 50 ms)");
    }

    @Test
    void decideWhenEveryListIsSilentThenNoOpinionOrDeferWithinTheTimeout() {
        dns.silent("a.test").silent("b.test");
        DnsListRule quiet = rule("a.test", "b.test").timeout(Duration.ofMillis(30)).build();
        DnsListRule strict = rule("a.test", "b.test").timeout(Duration.ofMillis(30))
                .onFailure(DnsListRule.FailMode.DEFER).build();

        Decision d = quiet.decide(rcptFrom(CLIENT));
        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(d.details().get("failed")).contains("a.test (no answer within 30 ms)")
                .contains("b.test (no answer within 30 ms)");
        assertThat(strict.decide(rcptFrom(CLIENT)).verdict()).isEqualTo(Verdict.DEFER);
    }

    @Test
    void decideWhenTxtNeverAnswersThenRefusedWithoutItWithinTheTimeout() {
        dns.listed(REVERSED + ".bl.test", 60, "127.0.0.2").txtNever(REVERSED + ".bl.test");

        Decision d = rule("bl.test").timeout(Duration.ofMillis(30)).build().decide(rcptFrom(CLIENT));

        assertThat(d.verdict()).isEqualTo(Verdict.DENY);
        assertThat(d.reply().orElseThrow().text())
                .isEqualTo("Service unavailable; client host [203.0.113.7] blocked using bl.test");
    }

    @Test
    void decideWhenLookupStartedAtConnectThenRcptUsesItAndAsksNothingNew() {
        CompletableFuture<Message> answer = new CompletableFuture<>();
        dns.pending(REVERSED + ".bl.test", answer);
        DnsListRule r = rule("bl.test").build();

        Decision atConnect = r.decide(connect(CLIENT).build());
        assertThat(atConnect.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(dns.count(REVERSED + ".bl.test", "A")).isEqualTo(1);

        answer.complete(ScriptedResolver.listedResponse(ScriptedResolver.query(REVERSED + ".bl.test"), 60,
                "127.0.0.2"));
        Decision atRcpt = r.decide(rcptFrom(CLIENT));

        assertThat(atRcpt.verdict()).isEqualTo(Verdict.DENY);
        assertThat(dns.count(REVERSED + ".bl.test", "A")).isEqualTo(1);
    }

    @Test
    void decideWhenConnectLookupStillInFlightThenRcptWaitsForIt() {
        CompletableFuture<Message> answer = new CompletableFuture<>();
        dns.pending(REVERSED + ".bl.test", answer);
        DnsListRule r = rule("bl.test").timeout(Duration.ofSeconds(5)).build();
        r.decide(connect(CLIENT).build());

        CompletableFuture<Decision> rcptDecision = CompletableFuture.supplyAsync(() -> r.decide(rcptFrom(CLIENT)));
        answer.complete(ScriptedResolver.listedResponse(ScriptedResolver.query(REVERSED + ".bl.test"), 60,
                "127.0.0.2"));

        assertThat(rcptDecision.join().verdict()).isEqualTo(Verdict.DENY);
        assertThat(dns.count(REVERSED + ".bl.test", "A")).isEqualTo(1);
    }

    @Test
    void decideAtDataThenNoOpinionAndNoLookup() {
        DnsListRule r = rule("bl.test").build();

        Decision d = r.decide(RelayRequest.builder(Stage.DATA).client(CLIENT).sender("<a@b.test>").build());

        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(dns.total()).isZero();
    }

    @Test
    void decideWhenSenderDomainListedThenRefusedNamingTheDomain() {
        dns.listed("spam.test.dbl.test", 60, "127.0.1.2");
        DnsListRule r = dns.rule("dns").clock(clock)
                .list(DnsList.parse("dbl.test=127.0.1.[2..99]", DnsList.Target.SENDER_DOMAIN)).build();

        Decision d = r.decide(rcpt(CLIENT, "<Someone@SPAM.test>", "<bob@example.com>").build());

        assertThat(d.verdict()).isEqualTo(Verdict.DENY);
        assertThat(d.reply().orElseThrow().text()).contains("sender domain spam.test blocked using dbl.test");
    }

    @Test
    void decideWhenNullSenderThenSenderDomainNotLookedUp() {
        DnsListRule r = dns.rule("dns").clock(clock)
                .list(DnsList.parse("dbl.test", DnsList.Target.SENDER_DOMAIN)).build();

        Decision d = r.decide(rcpt(CLIENT, "<>", "<bob@example.com>").build());

        assertThat(d.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(dns.total()).isZero();
    }

    @Test
    void decideWhenHeloDomainListedThenRefusedAndLiteralsNotLookedUp() {
        dns.listed("bad.helo.test.rhsbl.test", 60, "127.0.0.2");
        DnsListRule r = dns.rule("dns").clock(clock)
                .list(DnsList.parse("rhsbl.test", DnsList.Target.HELO_DOMAIN)).build();

        Decision listed = r.decide(rcpt(CLIENT, "<a@b.test>", "<bob@example.com>").helo("Bad.Helo.Test.").build());
        Decision literal = r.decide(rcpt(CLIENT, "<a@b.test>", "<bob@example.com>").helo("[203.0.113.7]").build());

        assertThat(listed.verdict()).isEqualTo(Verdict.DENY);
        assertThat(listed.reply().orElseThrow().text()).contains("HELO name bad.helo.test blocked using rhsbl.test");
        assertThat(literal.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(dns.total()).isEqualTo(2); // A and TXT for the listed name only
    }

    @Test
    void decideWhenTxtHasControlCharactersThenReplyStaysOneSafeLine() {
        dns.listed(REVERSED + ".bl.test", 60, "127.0.0.2").txt(REVERSED + ".bl.test", "bad\r\n250 ok\u0000");

        Decision d = rule("bl.test").build().decide(rcptFrom(CLIENT));

        assertThat(d.reply().orElseThrow().text()).endsWith("; bad??250 ok?");
    }

    @Test
    void decideWhenTxtIsHugeThenReplyFitsTheLimit() {
        dns.listed(REVERSED + ".bl.test", 60, "127.0.0.2").txt(REVERSED + ".bl.test", "x".repeat(250));

        Decision d = dns.rule("dns").clock(clock)
                .list(client("bl.test").withLookupUrl("https://bl.test/" + "y".repeat(200) + "?{key}")).build()
                .decide(rcptFrom(CLIENT));

        assertThat(d.reply().orElseThrow().text()).hasSizeLessThanOrEqualTo(400).endsWith("?203.0.113.7");
    }

    @Test
    void decideWhenAMillionAddressesFloodThenTheCacheStaysBounded() {
        dns.withoutNameCounts();
        DnsListRule r = rule("bl.test").cacheSize(10_000).build();
        RelayRequest.Builder req = RelayRequest.builder(Stage.CONNECT);
        for (int i = 0; i < 1_000_000; i++) {
            r.decide(req.client(InetAddressOf.ipv4(0x0a000000 + i)).build());
        }
        assertThat(dns.total()).isEqualTo(1_000_000);
        assertThat(r.cache().estimatedSize("bl.test")).isLessThanOrEqualTo(10_000);
        assertThat(r.cache().zone("bl.test").inFlight()).isZero();
    }

    @Test
    void buildWhenBadSettingsThenClearErrors() {
        assertThatThrownBy(() -> dns.rule("dns").build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no lists");
        assertThatThrownBy(() -> rule("a.test").threshold(0)).hasMessageContaining("at least 1, was 0");
        assertThatThrownBy(() -> rule("a.test").allowThreshold(1).build()).hasMessageContaining("below the threshold");
        assertThatThrownBy(() -> rule("a.test").timeout(Duration.ZERO)).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> rule("a.test").cacheSize(0)).hasMessageContaining("was 0");
    }

    @Test
    void parseServersWhenAddressesThenPortsAndFamiliesRead() throws Exception {
        assertThat(DnsListRule.parseServers("127.0.0.1, 127.0.0.2:5353, ::1, [::1]:5300"))
                .extracting(s -> s.getAddress().getHostAddress() + "/" + s.getPort())
                .containsExactly("127.0.0.1/53", "127.0.0.2/5353", "0:0:0:0:0:0:0:1/53", "0:0:0:0:0:0:0:1/5300");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dns.example.com", "127.0.0.1:0", "127.0.0.1:70000", "010.0.0.1", "1.2.3", "[::1",
            "[::1]x", "  ,  "})
    void parseServersWhenNotAnAddressThenErrorNamesIt(String text) {
        assertThatThrownBy(() -> DnsListRule.parseServers(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text.trim().isEmpty() || text.contains(",") ? "no DNS server" : text.trim());
    }

    /** Captures what slf4j-simple writes to System.err. */
    private static final class Capture implements AutoCloseable {
        private final PrintStream original = System.err;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        Capture() {
            System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        }

        String text() {
            System.err.flush();
            return buffer.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            System.setErr(original);
        }
    }

    /** Addresses from ints, without text parsing. */
    static final class InetAddressOf {
        static InetAddress ipv4(int v) {
            try {
                return InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8),
                        (byte) v});
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
    }
}
