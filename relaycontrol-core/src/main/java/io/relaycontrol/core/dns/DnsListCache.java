package io.relaycontrol.core.dns;

import io.relaycontrol.api.RelayClock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.Resolver;

/**
 * The answers of DNS lists, kept apart from the {@link DnsListRule}s that ask them so that they outlive a
 * policy: a reloaded policy whose rule is built on the same cache ({@link DnsListRule.Builder#cache}) finds every
 * answer the previous one cached, and a client is not made to wait again because an operator edited the
 * configuration (state outlives configuration, as the rate limits' buckets do).
 *
 * <p>Answers are kept per (zone, key): the key is the client address, the sender's domain or the HELO name, and
 * filters and weights are applied when a rule decides, never when an answer is stored, so a reload that changes
 * a list's filter or weight reads the same answers correctly. Each zone has its own bounded Caffeine cache of at
 * most {@link #maximumSize()} answers, each expiring after its own TTL on the cache's {@link RelayClock}.
 * {@link #retain} drops the zones a new configuration no longer names and applies a new size bound.
 *
 * <pre>{@code
 * DnsListCache answers = DnsListCache.create();              // lives as long as the server
 * DnsListRule rule = DnsListRule.builder("dns-lists")        // rebuilt on every reload
 *         .list(DnsList.parse("zen.spamhaus.org=127.0.0.[2..11]", DnsList.Target.CLIENT))
 *         .cache(answers)
 *         .build();
 * answers.retain(List.of("zen.spamhaus.org"), 100_000);       // after the new policy was accepted
 * }</pre>
 *
 * <p>Thread-safe: rules read and fill it concurrently, and {@link #retain} may run while they do (a rule that
 * still uses a dropped zone then asks DNS again; it never sees another zone's answers).
 *
 * @since 0.2.0
 */
public final class DnsListCache {

    /** The default bound: 100,000 answers per zone. */
    public static final long DEFAULT_MAXIMUM_SIZE = 100_000;

    private final RelayClock clock;
    private final long base;
    private final Map<String, ZoneCache> zones = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private volatile long maximumSize;
    /**
     * Counts the calls that may have dropped answers ({@link #retain}): a rule's table in front of the zone caches
     * ({@code ClientScores}) holds verdicts of one generation only, so nothing a retain dropped is read from it.
     */
    private volatile int generation;
    private List<?> servers;
    /** For tests: rules built on this cache ask this resolver instead of the network. */
    private volatile Resolver resolver;

    private DnsListCache(RelayClock clock, long maximumSize) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.base = clock.epochNanos();
        this.maximumSize = checkSize(maximumSize);
    }

    /**
     * @return a cache on the system clock, {@link #DEFAULT_MAXIMUM_SIZE} answers per zone
     */
    public static DnsListCache create() {
        return new DnsListCache(RelayClock.system(), DEFAULT_MAXIMUM_SIZE);
    }

    /**
     * @param clock the clock TTLs are measured on (tests pass a manual clock)
     * @param maximumSize most answers kept per zone, at least 1
     * @return a cache
     * @throws IllegalArgumentException if {@code maximumSize} is below 1
     */
    public static DnsListCache create(RelayClock clock, long maximumSize) {
        return new DnsListCache(clock, maximumSize);
    }

    private static long checkSize(long entries) {
        if (entries < 1) {
            throw new IllegalArgumentException("DNS cache size must be at least 1, was " + entries);
        }
        return entries;
    }

    /** @return the clock TTLs are measured on */
    public RelayClock clock() {
        return clock;
    }

    /** @return most answers kept per zone */
    public long maximumSize() {
        return maximumSize;
    }

    /**
     * Keeps the answers of the named zones and drops every other zone's, then bounds each zone at
     * {@code maximumSize} answers (a smaller bound evicts at once). A policy loader calls this after a new
     * configuration was accepted, so that a reload that fails keeps everything.
     *
     * @param keep the zones the new configuration asks (canonical, as {@link DnsList#zone()})
     * @param newMaximumSize most answers kept per zone, at least 1
     * @throws IllegalArgumentException if {@code newMaximumSize} is below 1
     */
    public void retain(Collection<String> keep, long newMaximumSize) {
        Objects.requireNonNull(keep, "keep");
        checkSize(newMaximumSize);
        Set<String> names = Set.copyOf(keep);
        synchronized (lock) {
            generation++;
            maximumSize = newMaximumSize;
            zones.entrySet().removeIf(e -> {
                if (names.contains(e.getKey())) {
                    return false;
                }
                e.getValue().clear();
                return true;
            });
            zones.values().forEach(z -> z.resize(newMaximumSize));
        }
    }

    /**
     * As {@link #retain(Collection, long)}, and also drops every answer when the DNS servers are not the ones
     * of the previous call: answers (error codes included) that another resolver gave are not kept.
     *
     * @param keep the zones the new configuration asks
     * @param newMaximumSize most answers kept per zone, at least 1
     * @param dnsServers the servers the new configuration asks, in order
     * @throws IllegalArgumentException if {@code newMaximumSize} is below 1
     */
    public void retain(Collection<String> keep, long newMaximumSize, List<?> dnsServers) {
        Objects.requireNonNull(dnsServers, "dnsServers");
        synchronized (lock) {
            List<?> now = List.copyOf(dnsServers);
            if (servers != null && !servers.equals(now)) {
                zones.values().forEach(ZoneCache::clear); // the retain below moves the generation on
            }
            servers = now;
            retain(keep, newMaximumSize);
        }
    }

    /** @return the zones that have a cache now, sorted */
    public Set<String> zones() {
        return new TreeSet<>(zones.keySet());
    }

    /**
     * @param zone a zone
     * @return about how many answers the zone has cached now (expired ones may still count until cleaned up);
     *     0 for a zone without a cache
     */
    public long estimatedSize(String zone) {
        ZoneCache z = zones.get(Objects.requireNonNull(zone, "zone"));
        return z == null ? 0 : z.estimatedSize();
    }

    /** @return the number of {@link #retain} calls so far that may have dropped answers */
    int generation() {
        return generation;
    }

    /** The zone's cache, created on first use. */
    ZoneCache zone(String name) {
        ZoneCache z = zones.get(name);
        if (z != null) {
            return z;
        }
        synchronized (lock) {
            return zones.computeIfAbsent(name, n -> new ZoneCache(n, maximumSize, () -> clock.epochNanos() - base));
        }
    }

    /** For tests: queries of rules built on this cache go to {@code r}. */
    DnsListCache resolver(Resolver r) {
        this.resolver = Objects.requireNonNull(r, "resolver");
        return this;
    }

    Resolver resolver() {
        return resolver;
    }

    @Override
    public String toString() {
        return "DnsListCache{zones=" + zones() + ", maximumSize=" + maximumSize + "}";
    }
}
