package io.relaycontrol.core.dns;

import io.relaycontrol.core.check.PolicyFinding;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The load-time check of a {@link DnsListRule}: the traps that make DNS lists silently useless.
 *
 * <table>
 * <caption>Findings</caption>
 * <tr><th>code</th><th>severity</th><th>when</th></tr>
 * <tr><td>{@code dns-public-resolver}</td><td>WARNING</td><td>a DNS server is a public resolver (Google
 *     8.8.8.8/8.8.4.4, Cloudflare 1.1.1.1/1.0.0.1, Quad9 9.9.9.9/149.112.112.112, OpenDNS, and their IPv6
 *     addresses): Spamhaus and other lists refuse queries from them (127.255.255.254), so nothing is ever
 *     listed</td></tr>
 * <tr><td>{@code dns-spamhaus-no-filter}</td><td>WARNING</td><td>a Spamhaus zone without a filter: every answer
 *     code counts, including PBL (dynamic addresses, often legitimate submission clients) in ZEN; give the
 *     codes you mean, e.g. {@code zen.spamhaus.org=127.0.0.[2..11]} or add BCL {@code 127.0.0.30}</td></tr>
 * </table>
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.2.0
 */
public final class DnsListChecks {

    /** Public resolvers that DNS list operators refuse. */
    static final Set<String> PUBLIC_RESOLVERS = Set.of("8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9",
            "149.112.112.112", "208.67.222.222", "208.67.220.220", "2001:4860:4860:0:0:0:0:8888",
            "2001:4860:4860:0:0:0:0:8844", "2606:4700:4700:0:0:0:0:1111", "2606:4700:4700:0:0:0:0:1001",
            "2620:fe:0:0:0:0:0:fe", "2620:fe:0:0:0:0:0:9");

    private DnsListChecks() {
    }

    /**
     * @param rule the rule to check
     * @return the findings, in the order found
     */
    public static List<PolicyFinding> check(DnsListRule rule) {
        List<PolicyFinding> out = new ArrayList<>();
        for (InetSocketAddress s : rule.servers()) {
            String ip = s.getAddress().getHostAddress();
            if (PUBLIC_RESOLVERS.contains(ip)) {
                out.add(PolicyFinding.warning("dns-public-resolver", "DNS server " + ip
                        + (rule.usesSystemServers() ? " (the system resolver)" : "") + " is a public resolver:"
                        + " Spamhaus and other DNS lists refuse its queries (answer 127.255.255.254), so no client"
                        + " is ever found listed; use a local resolver (relay.dns.servers)"));
            }
        }
        for (DnsList l : rule.lists()) {
            String z = l.zone();
            boolean spamhaus = z.endsWith(".spamhaus.org") || z.endsWith(".spamhaus.net");
            if (spamhaus && l.filter().isEmpty()) {
                out.add(PolicyFinding.warning("dns-spamhaus-no-filter", "DNS list " + z + " has no filter: every"
                        + " answer code counts (in zen, PBL's 127.0.0.10/11 too, which lists dynamic addresses);"
                        + " write the codes you mean, e.g. " + z + "=127.0.0.[2..11] (BCL is 127.0.0.30)"));
            }
        }
        return out;
    }
}
