package io.relaycontrol.core.config;

import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.auth.AuthChecks;
import io.relaycontrol.core.check.PolicyFinding;
import java.util.ArrayList;
import java.util.List;

/**
 * The policy check run at load time on a {@link StandardRelayPolicy}: configurations that make an open relay,
 * and known traps.
 *
 * <table>
 * <caption>Findings</caption>
 * <tr><th>code</th><th>severity</th><th>when</th></tr>
 * <tr><td>{@code open-relay-network}</td><td>ERROR</td><td>the trusted networks contain all of IPv4
 *     ({@code 0.0.0.0/0}) or all of IPv6 ({@code ::/0}), or behave as if they did: anyone may relay
 *     (found by {@link AuthChecks})</td></tr>
 * <tr><td>{@code host-name-network}</td><td>ERROR</td><td>a host name where a network is expected (reported by
 *     the properties parser, which never resolves it)</td></tr>
 * <tr><td>{@code public-suffix-domain}</td><td>ERROR</td><td>a local or relay domain entry is a public suffix
 *     ({@code com}, {@code co.uk}, {@code .com}): mail for a whole registry would be accepted</td></tr>
 * <tr><td>{@code no-local-domains}</td><td>WARNING</td><td>no local domains: the server accepts no mail for
 *     itself</td></tr>
 * <tr><td>{@code empty-list}</td><td>WARNING</td><td>a list key is present but empty</td></tr>
 * <tr><td>(the codes of {@link io.relaycontrol.core.dns.DnsListChecks})</td><td>WARNING</td><td>a public
 *     resolver as DNS server ({@code dns-public-resolver}), a Spamhaus zone without a filter
 *     ({@code dns-spamhaus-no-filter})</td></tr>
 * <tr><td>(the codes of {@link AuthChecks})</td><td></td><td>e.g. {@code sender-not-bound-to-login} without a
 *     sender login map, {@code auth-without-tls}, {@code broad-trusted-network}</td></tr>
 * </table>
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class PolicyChecks {

    private PolicyChecks() {
    }

    /**
     * @param policy the policy to check
     * @return the findings, errors first
     */
    public static List<PolicyFinding> check(StandardRelayPolicy policy) {
        List<PolicyFinding> out = new ArrayList<>();
        // open-relay-network (0.0.0.0/0, ::/0, or anything that behaves like them), auth-without-tls,
        // sender-not-bound-to-login and the other traps of the identity rules
        out.addAll(AuthChecks.check(policy.rules()));
        publicSuffixes(out, "local domains", policy.localDomains());
        publicSuffixes(out, "relay domains", policy.relayDomains());
        if (policy.localDomains().size() == 0) {
            out.add(PolicyFinding.warning("no-local-domains",
                    "no local domains: the server accepts no mail for itself (relay.local-domains)"));
        }
        policy.dnsLists().ifPresent(d -> out.addAll(io.relaycontrol.core.dns.DnsListChecks.check(d)));
        out.sort((a, b) -> a.severity().compareTo(b.severity()));
        return out;
    }

    private static void publicSuffixes(List<PolicyFinding> out, String what, DomainSet set) {
        for (String entry : set.publicSuffixEntries()) {
            out.add(PolicyFinding.error("public-suffix-domain", what + " entry '" + entry
                    + "' is a public suffix: mail for every domain under it would be accepted"));
        }
    }
}
