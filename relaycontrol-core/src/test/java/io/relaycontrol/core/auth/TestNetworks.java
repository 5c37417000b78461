package io.relaycontrol.core.auth;

import io.relaycontrol.core.rules.Condition;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Client-network conditions for the auth tests: a naive CIDR scan with BigInteger masks. The auth rules take any
 * client {@code Condition}; this reference model keeps their tests independent of the network package (tests of
 * the {@code NetworkSet} overloads use {@code NetworkSet} itself).
 */
final class TestNetworks {

    private TestNetworks() {
    }

    /** A condition that holds when the client is in one of the CIDR blocks, described as "client in ...". */
    static Condition clientIn(String description, String... cidrs) {
        List<BigInteger[]> blocks = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        for (String c : cidrs) {
            String[] parts = c.split("/");
            byte[] net = address(parts[0]).getAddress();
            int prefix = Integer.parseInt(parts[1]);
            int bits = net.length * 8;
            BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                    .xor(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
            blocks.add(new BigInteger[] {new BigInteger(1, net).and(mask), mask});
            lengths.add(net.length);
        }
        return Condition.of(description, r -> {
            byte[] a = r.clientAddress().getAddress();
            BigInteger v = new BigInteger(1, a);
            for (int i = 0; i < blocks.size(); i++) {
                if (lengths.get(i) == a.length && v.and(blocks.get(i)[1]).equals(blocks.get(i)[0])) {
                    return true;
                }
            }
            return false;
        });
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
