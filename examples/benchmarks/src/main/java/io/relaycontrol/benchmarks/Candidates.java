package io.relaycontrol.benchmarks;

import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv4.IPv4AddressTrie;
import inet.ipaddr.ipv6.IPv6Address;
import inet.ipaddr.ipv6.IPv6AddressTrie;
import io.relaycontrol.core.net.NetworkSet;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.function.Predicate;
import org.apache.james.dnsservice.library.netmatcher.NetMatcher;

/** How each candidate is built from the benchmark data and asked about an {@link InetAddress}. */
final class Candidates {

    /** James's NetMatcher is a linear scan over a TreeSet (about 7 lookups/s at 1M): measured up to this size only. */
    static final int JAMES_MAX = 100_000;

    static final String[] NAMES = {"relaycontrol", "reference", "netty", "ipaddress-trie", "james"};

    private Candidates() {
    }

    static NetworkSet relaycontrol(BenchmarkData d) {
        return NetworkSet.of(d.cidrs);
    }

    static NettyFilter netty(BenchmarkData d) {
        return NettyFilter.of(d);
    }

    static IPv4AddressTrie trie4(BenchmarkData d) {
        IPv4AddressTrie trie = new IPv4AddressTrie();
        for (int i = 0; i < d.size(); i++) {
            trie.add(new IPv4Address(d.networks[i], d.prefixes[i]).toPrefixBlock());
        }
        return trie;
    }

    static IPv6AddressTrie trie6(BenchmarkData d) {
        IPv6AddressTrie trie = new IPv6AddressTrie();
        for (int i = 0; i < d.size(); i++) {
            trie.add(new IPv6Address(d.networks[i], d.prefixes[i]).toPrefixBlock());
        }
        return trie;
    }

    static boolean trieContains(IPv4AddressTrie t4, IPv6AddressTrie t6, InetAddress a) {
        return a instanceof Inet4Address ? t4.elementContains(new IPv4Address((Inet4Address) a))
                : t6.elementContains(new IPv6Address((Inet6Address) a));
    }

    static NetMatcher james(BenchmarkData d) {
        return new NetMatcher(d.cidrs, new JamesDns());
    }

    /** @return the candidate as a predicate, or null when it is not measured at this size */
    static Predicate<InetAddress> predicate(String name, BenchmarkData d) {
        switch (name) {
            case "relaycontrol": {
                NetworkSet s = relaycontrol(d);
                return s::contains;
            }
            case "reference": {
                MergedIntervals m = new MergedIntervals(d);
                return m::contains;
            }
            case "netty": {
                NettyFilter f = netty(d);
                return a -> f.test(new java.net.InetSocketAddress(a, 0));
            }
            case "ipaddress-trie": {
                IPv4AddressTrie t4 = d.v6 ? null : trie4(d);
                IPv6AddressTrie t6 = d.v6 ? trie6(d) : null;
                return a -> trieContains(t4, t6, a);
            }
            case "james": {
                if (d.size() > JAMES_MAX) {
                    return null;
                }
                NetMatcher m = james(d);
                return m::matchInetNetwork;
            }
            default:
                throw new IllegalArgumentException(name);
        }
    }
}
