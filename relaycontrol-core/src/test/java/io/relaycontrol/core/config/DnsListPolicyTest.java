package io.relaycontrol.core.config;

import static io.relaycontrol.testkit.Requests.connect;
import static io.relaycontrol.testkit.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.check.PolicyFinding;
import io.relaycontrol.core.dns.DnsList;
import io.relaycontrol.core.dns.DnsListRule;
import io.relaycontrol.core.dns.ScriptedResolver;
import io.relaycontrol.core.net.NetworkSet;
import io.relaycontrol.testkit.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The DNS step of the standard policy and the relay.dnsbl / dnswl / rhsbl / dns.* keys. */
class DnsListPolicyTest {

    private final ScriptedResolver dns = new ScriptedResolver()
            .listed("7.113.0.203.bl.test", 300, "127.0.0.2")
            .listed("9.2.0.192.wl.test", 300, "127.0.10.2");

    private StandardRelayPolicy policy(String... lists) {
        DnsListRule.Builder rule = dns.rule("dns-lists").clock(new ManualClock());
        for (String l : lists) {
            rule.list(DnsList.parse(l, DnsList.Target.CLIENT));
        }
        return StandardRelayPolicy.builder()
                .localDomains(DomainSet.of("example.com"))
                .trustedNetworks(NetworkSet.of("198.51.100.0/24"))
                .blockedNetworks(NetworkSet.of("192.0.2.66"))
                .requireTlsForAuth(false)
                .dnsLists(rule.build())
                .build();
    }

    @Test
    void decideWhenListedClientSendsToALocalDomainThenRefusedByTheDnsStep() {
        Decision d = policy("bl.test").decide(rcpt("203.0.113.7", "<a@elsewhere.test>", "<bob@example.com>").build());

        assertThat(d.verdict()).isEqualTo(Verdict.DENY);
        assertThat(d.decisive().rule()).isEqualTo("dns-lists");
        assertThat(d.reply().orElseThrow().text()).contains("blocked using bl.test");
    }

    @Test
    void decideWhenUnlistedClientSendsToALocalDomainThenAllowed() {
        Decision d = policy("bl.test").decide(rcpt("203.0.113.8", "<a@elsewhere.test>", "<bob@example.com>").build());

        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
    }

    @Test
    void decideWhenConnectThenLookupStartsAndTheClientIsNotRefusedYet() {
        StandardRelayPolicy p = policy("bl.test");

        Decision d = p.decide(connect("203.0.113.7").build());

        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(dns.count("7.113.0.203.bl.test", "A")).isEqualTo(1);
    }

    @Test
    void decideWhenBlockedNetworkThenRefusedBeforeAnyLookup() {
        Decision d = policy("bl.test").decide(connect("192.0.2.66").build());

        assertThat(d.verdict()).isEqualTo(Verdict.DENY);
        assertThat(d.decisive().rule()).isEqualTo("blocked-networks");
        assertThat(dns.total()).isZero();
    }

    @Test
    void decideWhenTrustedClientThenNeverLookedUp() {
        StandardRelayPolicy p = policy("bl.test");

        p.decide(connect("198.51.100.7").build());
        Decision d = p.decide(rcpt("198.51.100.7", "<a@example.com>", "<x@faraway.test>").build());

        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(dns.total()).isZero();
    }

    @Test
    void decideWhenAuthenticatedClientAtRcptThenNotLookedUp() {
        Decision d = policy("bl.test").decide(rcpt("203.0.113.7", "<a@example.com>", "<x@faraway.test>")
                .authenticated("alice").build());

        assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(dns.count("7.113.0.203.bl.test", "A")).isZero();
    }

    @Test
    void decideWhenAllowListedClientRelaysThenStillRelayAccessDenied() {
        // an allow list ends the DNS question; it must never make an open relay
        Decision d = policy("bl.test", "wl.test*-1").decide(rcpt("192.0.2.9", "<a@elsewhere.test>",
                "<victim@faraway.test>").build());

        assertThat(d.verdict()).isEqualTo(Verdict.DENY);
        assertThat(d.reply().orElseThrow().text()).isEqualTo("Relay access denied");
        Decision dnsStep = d.children().stream().filter(c -> c.rule().equals("dns-lists")).findFirst().orElseThrow();
        assertThat(dnsStep.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(dnsStep.reason()).contains("an allow list grants no relay");
    }

    @Test
    void rulesWhenDnsListsThenTheStepSitsAfterBlockedNetworksBeforeTheDomainSteps() {
        List<String> names = policy("bl.test").rules().stream().map(r -> r.name()).toList();

        assertThat(names.get(0)).isEqualTo("blocked-networks");
        assertThat(names.get(1)).isEqualTo("dns-lists");
        assertThat(names.indexOf("local-domains")).isGreaterThan(1);
    }

    @Test
    void parseWhenDnsKeysThenRuleBuiltWithThem() {
        RelayProperties p = RelayProperties.parse(Map.of(
                "relay.local-domains", "example.com",
                "relay.dnsbl", "zen.spamhaus.org=127.0.0.[2..11]*2, bl.example=&0.0.0.4",
                "relay.dnsbl.threshold", "2",
                "relay.dnswl", "list.dnswl.org=127.0.[0..255].[1..3]",
                "relay.rhsbl.sender", "dbl.spamhaus.org=127.0.1.[2..99]",
                "relay.rhsbl.helo", "dbl.spamhaus.org=127.0.1.[2..99]",
                "relay.dns.servers", "127.0.0.1:5353, [::1]",
                "relay.dns.timeout", "500ms",
                "relay.dns.fail", "defer",
                "relay.dns.cache-size", "5000"), Path.of("."));

        DnsListRule r = p.policy().dnsLists().orElseThrow();
        assertThat(r.lists()).extracting(DnsList::toString).containsExactly("zen.spamhaus.org=127.0.0.[2..11]*2",
                "bl.example=&0.0.0.4", "list.dnswl.org=127.0.[0..255].[1..3]*-1", "dbl.spamhaus.org=127.0.1.[2..99]",
                "dbl.spamhaus.org=127.0.1.[2..99]");
        assertThat(r.lists()).extracting(DnsList::target).containsExactly(DnsList.Target.CLIENT,
                DnsList.Target.CLIENT, DnsList.Target.CLIENT, DnsList.Target.SENDER_DOMAIN, DnsList.Target.HELO_DOMAIN);
        assertThat(r.threshold()).isEqualTo(2);
        assertThat(r.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(r.failMode()).isEqualTo(DnsListRule.FailMode.DEFER);
        assertThat(r.servers()).extracting(s -> s.getPort()).containsExactly(5353, 53);
        assertThat(p.findings()).extracting(PolicyFinding::code).doesNotContain("dns-spamhaus-no-filter",
                "dns-public-resolver");
    }

    @Test
    void parseWhenNoDnsKeysThenNoDnsStep() {
        RelayProperties p = RelayProperties.parse(Map.of("relay.local-domains", "example.com"), Path.of("."));

        assertThat(p.policy().dnsLists()).isEmpty();
        assertThat(p.policy().rules()).extracting(r -> r.name()).doesNotContain("dns-lists");
    }

    @Test
    void checkWhenPublicResolverOrSpamhausWithoutFilterThenWarned() {
        RelayProperties p = RelayProperties.parse(Map.of(
                "relay.local-domains", "example.com",
                "relay.dnsbl", "zen.spamhaus.org",
                "relay.dns.servers", "8.8.8.8, 1.1.1.1, 9.9.9.9, 127.0.0.1"), Path.of("."));

        assertThat(p.findings()).filteredOn(f -> f.code().equals("dns-public-resolver")).hasSize(3)
                .allMatch(f -> f.severity() == PolicyFinding.Severity.WARNING);
        assertThat(p.findings()).filteredOn(f -> f.code().equals("dns-spamhaus-no-filter")).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("zen.spamhaus.org=127.0.0.[2..11]"));
    }

    @Test
    void parseWhenLookupUrlThenNamedInTheList() {
        RelayProperties p = RelayProperties.parse(Map.of(
                "relay.local-domains", "example.com",
                "relay.dnsbl", "bl.example",
                "relay.dns.servers", "127.0.0.1",
                "relay.dns.lookup-urls", "bl.example=https://bl.example/q?{key}"), Path.of("."));

        assertThat(p.policy().dnsLists().orElseThrow().lists().get(0).lookupUrl()).contains("https://bl.example/q?{key}");
    }

    @Test
    void parseWhenBadDnsValuesThenConfigExceptionNamesKeyAndValue() {
        assertBad("relay.dnsbl", "zen.spamhaus.org=127.0.0.[2..", "127.0.0.[2..");
        assertBad("relay.dnsbl", "bl.example*0", "weight 0");
        assertBad("relay.dnswl", "list.dnswl.org*2", "negative weight");
        assertBad("relay.dns.servers", "dns.example.com", "dns.example.com");
        assertBad("relay.dns.timeout", "fast", "fast");
        assertBad("relay.dns.timeout", "0ms", "PT0S");
        assertBad("relay.dns.fail", "open", "open");
        assertBad("relay.dnsbl.threshold", "0", "was 0");
        assertBad("relay.dns.cache-size", "lots", "lots");
        assertBad("relay.dns.lookup-urls", "other.example=https://x", "other.example");
    }

    @Test
    void parseWhenDnsSettingsWithoutListsThenWarned() {
        RelayProperties p = RelayProperties.parse(Map.of("relay.local-domains", "example.com",
                "relay.dns.timeout", "1s"), Path.of("."));

        assertThat(p.findings()).extracting(PolicyFinding::code).contains("dns-without-lists");
    }

    private static void assertBad(String key, String value, String mentioned) {
        Map<String, String> keys = new java.util.HashMap<>(Map.of("relay.local-domains", "example.com",
                "relay.dnsbl", "bl.example", "relay.dns.servers", "127.0.0.1"));
        keys.put(key, value);
        assertThatThrownBy(() -> RelayProperties.parse(keys, Path.of(".")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key).hasMessageContaining(mentioned);
    }
}
