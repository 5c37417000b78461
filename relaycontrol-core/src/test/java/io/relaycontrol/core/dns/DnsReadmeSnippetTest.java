package io.relaycontrol.core.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.config.StandardRelayPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Java sample of the README's "DNS block and allow lists" section, compiled and built. */
class DnsReadmeSnippetTest {

    @Test
    void readmeSampleBuildsTheStandardPolicyWithTheDnsStep() {
        DnsListRule dnsLists = DnsListRule.builder("dns-lists")
                .list(DnsList.parse("zen.spamhaus.org=127.0.0.[2..11]", DnsList.Target.CLIENT)
                        .withLookupUrl("https://check.spamhaus.org/results/?query={key}"))
                .list(DnsList.parse("list.dnswl.org=127.0.[0..255].[1..3]*-2", DnsList.Target.CLIENT))
                .list(DnsList.parse("dbl.spamhaus.org=127.0.1.[2..99]", DnsList.Target.SENDER_DOMAIN))
                .servers(DnsListRule.parseServers("127.0.0.1:53"))   // your own resolver, never a public one
                .timeout(Duration.ofSeconds(2))
                .onFailure(DnsListRule.FailMode.NO_OPINION)
                .build();
        StandardRelayPolicy policy = StandardRelayPolicy.builder()
                .localDomains(DomainSet.of("example.com"))
                .dnsLists(dnsLists)                                   // the step after blocked-networks
                .build();

        assertThat(policy.rules().get(1).name()).isEqualTo("dns-lists");
        assertThat(policy.describe()).contains("DNS lists: 3, threshold 1");
        assertThat(dnsLists.describe()).contains("sender domain dbl.spamhaus.org=127.0.1.[2..99]");
    }
}
