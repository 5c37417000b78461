package io.relaycontrol.core.auth;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.core.rules.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks a client condition about clients spread over the whole address space, to find conditions that behave like
 * {@code 0.0.0.0/0} or {@code ::/0} whatever way they were written ({@code 0.0.0.0/1} plus {@code 128.0.0.0/1}
 * is {@code 0.0.0.0/0} too). Conditions are side-effect free by contract, so asking them is safe.
 *
 * <p>The probes are public unicast addresses, one in each eighth of the space, and avoid loopback, private and
 * unique-local ranges, which trusted networks often contain on purpose. Package-private; thread-safe.
 */
final class ClientProbes {

    /** One probe in each /3 of IPv4, none private or loopback. */
    static final List<String> IPV4 = List.of("1.1.1.1", "44.44.44.44", "77.77.77.77", "109.109.109.109",
            "141.141.141.141", "172.217.0.1", "203.0.113.7", "240.0.0.1");

    /** One probe in each /3 of IPv6, none loopback, link-local or unique-local. */
    static final List<String> IPV6 = List.of("1000::1", "2001:db8::7", "2a03:2880::1", "4000::1", "8000::1",
            "a000::1", "c000::1", "e000::1");

    private static final String PROBE_ADDRESS = "<probe@relaycontrol-probe.invalid>";

    private ClientProbes() {
    }

    /** The result of probing one address family. */
    static final class Result {
        final String family;
        final List<String> holding;
        final int probes;

        Result(String family, List<String> holding, int probes) {
            this.family = family;
            this.holding = holding;
            this.probes = probes;
        }

        /** @return the condition held for every probe: it behaves like {@code /0} */
        boolean all() {
            return holding.size() == probes;
        }

        /** @return the condition held for at least half of the probes */
        boolean broad() {
            return holding.size() * 2 >= probes;
        }
    }

    /**
     * Asks {@code condition} about an unauthenticated relay attempt (RCPT, no TLS, external sender and recipient)
     * from each probe address of one family. A condition that throws counts as not holding.
     */
    static Result probe(Condition condition, boolean ipv6) {
        List<String> probes = ipv6 ? IPV6 : IPV4;
        List<String> holding = new ArrayList<>();
        for (String p : probes) {
            RelayRequest r = RelayRequest.builder(Stage.RCPT).client(p).sender(PROBE_ADDRESS)
                    .recipient(PROBE_ADDRESS).build();
            boolean holds;
            try {
                holds = condition.test(r);
            } catch (RuntimeException e) {
                holds = false;
            }
            if (holds) {
                holding.add(p);
            }
        }
        return new Result(ipv6 ? "IPv6" : "IPv4", List.copyOf(holding), probes.size());
    }
}
