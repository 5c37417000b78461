package io.relaycontrol.core.dns;

import static io.relaycontrol.testkit.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.testkit.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rule's table in front of the zone caches ({@link ClientScores}): it serves the cached hot path for IPv4
 * clients, and never outlives the answers it was computed from, a retain that dropped them, or another list.
 */
class DnsListFrontTableTest {

    private static final String CLIENT = "203.0.113.7";
    private static final String LISTED = "7.113.0.203.bl.test";
    private static final String CLEAN_CLIENT = "203.0.113.8";

    private final ManualClock clock = new ManualClock();
    private final ScriptedResolver dns = new ScriptedResolver()
            .listed(LISTED, 300, "127.0.0.3")
            .nxdomain("8.113.0.203.bl.test", 300, 120)
            .nxdomain("8.113.0.203.wl.test", 300, 120)
            .nxdomain("7.113.0.203.wl.test", 300, 120)
            .listed("sender.test.dbl.test", 300, "127.0.1.2");
    private final DnsListCache cache = dns.cache(clock);

    private DnsListRule rule(String... specs) {
        DnsListRule.Builder b = DnsListRule.builder("dns-lists").cache(cache);
        for (String s : specs) {
            b.list(s.startsWith("dbl.") ? DnsList.parse(s, DnsList.Target.SENDER_DOMAIN)
                    : DnsList.parse(s, DnsList.Target.CLIENT));
        }
        return b.build();
    }

    private static RelayRequest request(String client) {
        return rcpt(client, "<someone@elsewhere.example>", "<bob@example.com>").build();
    }

    @Test
    void cachedScoreWhenTheFrontTableHoldsTheClientThenTheZoneCachesAreNotRead() {
        DnsListRule r = rule("bl.test");
        r.decide(request(CLIENT));
        assertThat(r.cachedScore(request(CLIENT))).isEqualTo(1); // read from the zone cache, now in the table

        cache.zone("bl.test").clear(); // behind the table's back (no retain): only the table can answer now

        assertThat(r.cachedScore(request(CLIENT))).isEqualTo(1);
        assertThat(rule("bl.test").cachedScore(request(CLIENT))).isEqualTo(DnsListRule.NOT_CACHED);
    }

    @Test
    void cachedScoreWhenRetainDroppedTheAnswersThenTheFrontTableDoesNotServeThem() {
        DnsListRule r = rule("bl.test");
        r.decide(request(CLIENT));
        assertThat(r.cachedScore(request(CLIENT))).isEqualTo(1);

        cache.retain(List.of("other.test"), 100);

        assertThat(r.cachedScore(request(CLIENT))).isEqualTo(DnsListRule.NOT_CACHED);
    }

    @Test
    void decideWhenTheServersChangedThenTheFrontTableDoesNotServeTheOldServersVerdict() {
        cache.retain(List.of("bl.test"), 100, DnsListRule.parseServers("127.0.0.1"));
        DnsListRule r = rule("bl.test");
        r.decide(request(CLEAN_CLIENT));
        assertThat(r.decide(request(CLEAN_CLIENT)).reason()).startsWith("no listing"); // from the table

        cache.retain(List.of("bl.test"), 100, DnsListRule.parseServers("127.0.0.2"));

        assertThat(r.cachedScore(request(CLEAN_CLIENT))).isEqualTo(DnsListRule.NOT_CACHED);
        r.decide(request(CLEAN_CLIENT));
        assertThat(dns.count("8.113.0.203.bl.test", "A")).isEqualTo(2);
    }

    @Test
    void decideWhenTheAnswersExpiredThenTheFrontTableNoLongerAnswersAndDnsIsAskedAgain() {
        DnsListRule r = rule("bl.test");
        r.decide(request(CLEAN_CLIENT));
        assertThat(r.cachedScore(request(CLEAN_CLIENT))).isZero();

        clock.advance(Duration.ofSeconds(119)); // the negative answer lives for the SOA minimum, 120 s
        assertThat(r.cachedScore(request(CLEAN_CLIENT))).isZero();
        clock.advance(Duration.ofSeconds(2));
        assertThat(r.cachedScore(request(CLEAN_CLIENT))).isEqualTo(DnsListRule.NOT_CACHED);
        r.decide(request(CLEAN_CLIENT));
        assertThat(dns.count("8.113.0.203.bl.test", "A")).isEqualTo(2);
    }

    @Test
    void decideWhenTheClientIsCleanInTheTableButTheSenderDomainIsListedThenItIsStillRefused() {
        DnsListRule r = rule("bl.test", "dbl.test");
        RelayRequest req = rcpt(CLEAN_CLIENT, "<someone@sender.test>", "<bob@example.com>").build();
        r.decide(req);
        r.decide(request(CLEAN_CLIENT)); // the client's verdict is now in the table

        assertThat(r.decide(req).verdict()).isEqualTo(Verdict.DENY);
        assertThat(r.cachedScore(req)).isEqualTo(1);
        assertThat(r.decide(request(CLEAN_CLIENT)).verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenSeveralClientListsThenTheTableHoldsTheirSumAndAListingIsDecidedInFull() {
        dns.listed("7.113.0.203.wl.test", 300, "127.0.0.2");
        DnsListRule r = DnsListRule.builder("dns-lists").cache(cache).threshold(3)
                .list(DnsList.parse("bl.test*4", DnsList.Target.CLIENT))
                .list(DnsList.parse("wl.test*-2", DnsList.Target.CLIENT)).build();
        r.decide(request(CLIENT));

        assertThat(r.cachedScore(request(CLIENT))).isEqualTo(2);
        assertThat(r.cachedScore(request(CLIENT))).isEqualTo(2); // from the table
        assertThat(r.decide(request(CLIENT)).reason()).contains("score 2 below threshold 3");
        assertThat(r.decide(request(CLIENT)).details()).containsEntry("listed",
                "bl.test*4 (127.0.0.3), wl.test*-2 (127.0.0.2)");
    }

    @Test
    void decideWhenAnIpv6ClientThenTheZoneCachesAnswerWithoutTheTable() {
        dns.listed("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test", 300, "127.0.0.2");
        DnsListRule r = rule("bl.test");
        RelayRequest v6 = rcpt("2001:db8::1", "<someone@elsewhere.example>", "<bob@example.com>").build();

        assertThat(r.decide(v6).verdict()).isEqualTo(Verdict.DENY);
        assertThat(r.cachedScore(v6)).isEqualTo(1);
        assertThat(r.decide(v6).verdict()).isEqualTo(Verdict.DENY);
    }
}
