package io.relaycontrol.benchmarks;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilter;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's {@code IpSubnetFilter} queried directly: it is a channel handler whose
 * {@code accept(ChannelHandlerContext, InetSocketAddress)} is protected and does not use the context
 * (checked in the 4.2.20 bytecode: a binary search over its sorted rule arrays), so a subclass calls it with
 * {@code null}. All rules are ACCEPT and {@code acceptIfNotFound} is false, so {@code accept} answers
 * "is the address in one of the subnets".
 */
public final class NettyFilter extends IpSubnetFilter {

    NettyFilter(List<IpSubnetFilterRule> rules) {
        super(false, rules);
    }

    static NettyFilter of(BenchmarkData data) {
        List<IpSubnetFilterRule> rules = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            rules.add(new IpSubnetFilterRule(BenchmarkData.address(data.networks[i]), data.prefixes[i],
                    IpFilterRuleType.ACCEPT));
        }
        return new NettyFilter(rules);
    }

    /**
     * @param address the remote address
     * @return whether it is in one of the subnets
     */
    public boolean test(InetSocketAddress address) {
        return accept(null, address);
    }
}
