package io.relaycontrol.core.config;

import io.relaycontrol.core.check.PolicyFinding;
import io.relaycontrol.core.dns.DnsList;
import io.relaycontrol.core.dns.DnsListCache;
import io.relaycontrol.core.dns.DnsListRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The DNS list keys of {@link RelayProperties}: parsed here so that the parser's own code stays short. */
final class DnsKeys {

    static final String DNSBL = "relay.dnsbl";
    static final String DNSBL_THRESHOLD = "relay.dnsbl.threshold";
    static final String DNSWL = "relay.dnswl";
    static final String RHSBL_SENDER = "relay.rhsbl.sender";
    static final String RHSBL_HELO = "relay.rhsbl.helo";
    static final String SERVERS = "relay.dns.servers";
    static final String TIMEOUT = "relay.dns.timeout";
    static final String FAIL = "relay.dns.fail";
    static final String CACHE_SIZE = "relay.dns.cache-size";
    static final String LOOKUP_URLS = "relay.dns.lookup-urls";

    static final Set<String> KEYS = Set.of(DNSBL, DNSBL_THRESHOLD, DNSWL, RHSBL_SENDER, RHSBL_HELO, SERVERS, TIMEOUT,
            FAIL, CACHE_SIZE, LOOKUP_URLS);

    private DnsKeys() {
    }

    /**
     * @param cache where the rule keeps its answers, or {@code null} for a cache of its own (sized by
     *     {@code relay.dns.cache-size}); a shared cache is sized by {@link #retain} once the load succeeded
     * @return the rule, or {@code null} when no list key is set
     * @throws ConfigException naming the key and the bad value
     */
    static DnsListRule parse(Map<String, String> keys, List<PolicyFinding> findings, DnsListCache cache) {
        Map<String, String> urls = lookupUrls(keys);
        List<DnsList> lists = new ArrayList<>();
        lists(keys, DNSBL, DnsList.Target.CLIENT, false, urls, lists);
        lists(keys, DNSWL, DnsList.Target.CLIENT, true, urls, lists);
        lists(keys, RHSBL_SENDER, DnsList.Target.SENDER_DOMAIN, false, urls, lists);
        lists(keys, RHSBL_HELO, DnsList.Target.HELO_DOMAIN, false, urls, lists);
        if (lists.isEmpty()) {
            for (String k : KEYS) {
                if (keys.containsKey(k)) {
                    findings.add(PolicyFinding.warning("dns-without-lists", k + " is set but no DNS list is"
                            + " configured (" + DNSBL + ", " + DNSWL + ", " + RHSBL_SENDER + ", " + RHSBL_HELO + ")"));
                    break;
                }
            }
            return null;
        }
        for (String zone : urls.keySet()) {
            if (lists.stream().noneMatch(l -> l.zone().equals(zone))) {
                throw new ConfigException(LOOKUP_URLS, "zone '" + zone + "' is not one of the configured DNS lists");
            }
        }
        DnsListRule.Builder b = DnsListRule.builder("dns-lists").lists(lists);
        try {
            if (keys.containsKey(DNSBL_THRESHOLD)) {
                b.threshold(integer(keys, DNSBL_THRESHOLD));
            }
            if (keys.containsKey(SERVERS)) {
                b.servers(DnsListRule.parseServers(keys.get(SERVERS)));
            }
            if (keys.containsKey(TIMEOUT)) {
                b.timeout(duration(keys.get(TIMEOUT)));
            }
            if (keys.containsKey(CACHE_SIZE)) {
                long size = integer(keys, CACHE_SIZE);
                if (cache == null) {
                    b.cacheSize(size);
                } else if (size < 1) {
                    b.cacheSize(size); // the builder's check and message
                }
            }
            if (cache != null) {
                b.cache(cache);
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException(keyOf(e, keys), e.getMessage());
        }
        if (keys.containsKey(FAIL)) {
            String v = keys.get(FAIL).trim().toLowerCase(Locale.ROOT);
            if (v.equals("defer")) {
                b.onFailure(DnsListRule.FailMode.DEFER);
            } else if (!v.equals("no-opinion")) {
                throw new ConfigException(FAIL, "expected no-opinion or defer, was '" + keys.get(FAIL) + "'");
            }
        }
        return b.build();
    }

    /**
     * After a successful load: keeps the cached answers of the zones {@code policy} asks, drops the others',
     * applies {@code relay.dns.cache-size}, and drops everything if {@code relay.dns.servers} changed.
     */
    static void retain(DnsListCache cache, Map<String, String> keys, StandardRelayPolicy policy) {
        DnsListRule rule = policy.dnsLists().orElse(null);
        if (rule == null) {
            cache.retain(List.of(), cache.maximumSize());
            return;
        }
        List<String> zones = new ArrayList<>();
        rule.lists().forEach(l -> zones.add(l.zone()));
        long size = keys.containsKey(CACHE_SIZE) ? integer(keys, CACHE_SIZE) : DnsListRule.DEFAULT_CACHE_SIZE;
        cache.retain(zones, size, rule.servers());
    }

    /** Which key an IllegalArgumentException from the builder is about: the first settings key whose value it names. */
    private static String keyOf(IllegalArgumentException e, Map<String, String> keys) {
        String m = String.valueOf(e.getMessage());
        if (m.startsWith("DNS server") || m.startsWith("no DNS server")) {
            return SERVERS;
        }
        if (m.startsWith("DNS timeout") || m.startsWith("invalid duration")) {
            return TIMEOUT;
        }
        if (m.startsWith("DNS cache size") || m.contains(CACHE_SIZE)) {
            return CACHE_SIZE;
        }
        return DNSBL_THRESHOLD;
    }

    private static void lists(Map<String, String> keys, String key, DnsList.Target target, boolean allow,
            Map<String, String> urls, List<DnsList> out) {
        if (!keys.containsKey(key)) {
            return;
        }
        for (String raw : keys.get(key).split(",")) {
            String spec = raw.trim();
            if (spec.isEmpty()) {
                continue;
            }
            DnsList l;
            try {
                l = DnsList.parse(spec, target);
                if (allow) {
                    if (!spec.contains("*")) {
                        l = l.withWeight(-1);
                    } else if (l.weight() > 0) {
                        throw new ConfigException(key, "allow list '" + spec + "' needs a negative weight (e.g. *-2);"
                                + " a positive weight belongs in " + DNSBL);
                    }
                }
                String url = urls.get(l.zone());
                if (url != null) {
                    l = l.withLookupUrl(url);
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, e.getMessage());
            }
            out.add(l);
        }
    }

    private static Map<String, String> lookupUrls(Map<String, String> keys) {
        Map<String, String> out = new HashMap<>();
        if (!keys.containsKey(LOOKUP_URLS)) {
            return out;
        }
        for (String raw : keys.get(LOOKUP_URLS).split(",")) {
            String item = raw.trim();
            if (item.isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            if (eq <= 0 || eq == item.length() - 1) {
                throw new ConfigException(LOOKUP_URLS, "expected ZONE=URL, was '" + item + "'");
            }
            String zone = item.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            zone = zone.endsWith(".") ? zone.substring(0, zone.length() - 1) : zone;
            out.put(zone, item.substring(eq + 1).trim());
        }
        return out;
    }

    private static int integer(Map<String, String> keys, String key) {
        try {
            return Integer.parseInt(keys.get(key).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "expected a whole number, was '" + keys.get(key) + "'");
        }
    }

    /** {@code 2s}, {@code 500ms}, or a bare number of seconds. */
    static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
            }
            if (t.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1).trim()));
            }
            return Duration.ofSeconds(Long.parseLong(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid duration '" + text + "': write 2s or 500ms");
        }
    }
}
