package io.relaycontrol.core.dns;

import static io.relaycontrol.testkit.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.testkit.ManualClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The answers that DNS list rules share across policies (issue 17: caches survive a reload). */
class DnsListCacheTest {

    private static final String CLIENT = "203.0.113.7";
    private static final String NAME = "7.113.0.203.bl.test";

    private final ManualClock clock = new ManualClock();
    private final ScriptedResolver dns = new ScriptedResolver().listed(NAME, 300, "127.0.0.3");
    private final DnsListCache cache = dns.cache(clock);

    private DnsListRule rule(String spec) {
        return DnsListRule.builder("dns-lists").cache(cache).list(DnsList.parse(spec, DnsList.Target.CLIENT)).build();
    }

    private static RelayRequest request() {
        return rcpt(CLIENT, "<someone@sender.test>", "<bob@example.com>").build();
    }

    @Test
    void decideWhenASecondRuleIsBuiltOnTheSameCacheThenItAsksNothingNew() {
        assertThat(rule("bl.test").decide(request()).verdict()).isEqualTo(Verdict.DENY);

        DnsListRule next = rule("bl.test");

        assertThat(next.cachedScore(request())).isEqualTo(1);
        assertThat(next.decide(request()).verdict()).isEqualTo(Verdict.DENY);
        assertThat(dns.count(NAME, "A")).isEqualTo(1);
    }

    @Test
    void decideWhenTheNextRuleHasAnotherFilterOrWeightThenItAppliesItToTheSameAnswer() {
        rule("bl.test=127.0.0.2").decide(request());

        assertThat(rule("bl.test=127.0.0.2").cachedScore(request())).isZero();
        assertThat(rule("bl.test=127.0.0.[2..3]*4").cachedScore(request())).isEqualTo(4);
        assertThat(dns.count(NAME, "A")).isEqualTo(1);
    }

    @Test
    void decideWhenSharedThenTtlIsMeasuredOnTheCachesClock() {
        rule("bl.test").decide(request());
        DnsListRule next = rule("bl.test");

        clock.advance(Duration.ofSeconds(299));
        assertThat(next.cachedScore(request())).isEqualTo(1);
        clock.advance(Duration.ofSeconds(2));
        assertThat(next.cachedScore(request())).isEqualTo(DnsListRule.NOT_CACHED);
    }

    @Test
    void retainWhenAZoneIsNotNamedThenItsAnswersGoAndAnOldRuleAsksAgain() {
        DnsListRule old = rule("bl.test");
        old.decide(request());
        assertThat(cache.estimatedSize("bl.test")).isEqualTo(1);

        cache.retain(List.of("other.test"), 100);

        assertThat(cache.zones()).doesNotContain("bl.test");
        assertThat(cache.estimatedSize("bl.test")).isZero();
        assertThat(old.cachedScore(request())).isEqualTo(DnsListRule.NOT_CACHED);
        assertThat(old.decide(request()).verdict()).isEqualTo(Verdict.DENY);
        assertThat(dns.count(NAME, "A")).isEqualTo(2);
        assertThat(rule("bl.test").cachedScore(request())).isEqualTo(DnsListRule.NOT_CACHED);
    }

    @Test
    void retainWhenTheZoneIsNamedThenItsAnswersStay() {
        rule("bl.test").decide(request());

        cache.retain(List.of("bl.test"), 100);

        assertThat(rule("bl.test").cachedScore(request())).isEqualTo(1);
    }

    @Test
    void retainWhenASmallerBoundThenItAppliesAtOnce() {
        DnsListRule r = rule("bl.test");
        for (int i = 1; i <= 40; i++) {
            r.decide(rcpt("192.0.2." + i, "<a@b.test>", "<bob@example.com>").build());
        }
        assertThat(cache.estimatedSize("bl.test")).isEqualTo(40);

        cache.retain(List.of("bl.test"), 5);

        assertThat(cache.maximumSize()).isEqualTo(5);
        assertThat(cache.estimatedSize("bl.test")).isLessThanOrEqualTo(5);
    }

    @Test
    void retainWhenTheServersChangeThenEveryAnswerGoesAndWhenTheyStayNothingDoes() {
        List<InetSocketAddress> one = DnsListRule.parseServers("127.0.0.1");
        cache.retain(List.of("bl.test"), 100, one);
        rule("bl.test").decide(request());

        cache.retain(List.of("bl.test"), 100, DnsListRule.parseServers("127.0.0.1"));
        assertThat(cache.estimatedSize("bl.test")).isEqualTo(1);

        cache.retain(List.of("bl.test"), 100, DnsListRule.parseServers("127.0.0.2"));
        assertThat(cache.estimatedSize("bl.test")).isZero();
    }

    @Test
    void buildWhenASharedCacheAndAClockOrSizeThenTheConflictIsNamed() {
        DnsListRule.Builder withClock = DnsListRule.builder("d").cache(cache).clock(clock)
                .list(DnsList.parse("bl.test", DnsList.Target.CLIENT));
        DnsListRule.Builder withSize = DnsListRule.builder("d").cache(cache).cacheSize(10)
                .list(DnsList.parse("bl.test", DnsList.Target.CLIENT));

        assertThatThrownBy(withClock::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("clock");
        assertThatThrownBy(withSize::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("cacheSize");
    }

    @Test
    void createOrRetainWhenSizeBelowOneThenTheValueIsNamed() {
        assertThatThrownBy(() -> DnsListCache.create(clock, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 0");
        assertThatThrownBy(() -> cache.retain(List.of(), -3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was -3");
        assertThat(cache.maximumSize()).isEqualTo(DnsListCache.DEFAULT_MAXIMUM_SIZE);
    }

    @Test
    void ruleWhenNoCacheGivenThenItHasOneOfItsOwn() {
        DnsListRule a = dns.rule("a").clock(clock).list(DnsList.parse("bl.test", DnsList.Target.CLIENT)).build();
        DnsListRule b = dns.rule("b").clock(clock).list(DnsList.parse("bl.test", DnsList.Target.CLIENT)).build();

        a.decide(request());

        assertThat(a.cache()).isNotSameAs(b.cache());
        assertThat(b.cachedScore(request())).isEqualTo(DnsListRule.NOT_CACHED);
    }
}
