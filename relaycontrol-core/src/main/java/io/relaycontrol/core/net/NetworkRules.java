package io.relaycontrol.core.net;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.api.address.IpAddresses;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.DescribedCondition;
import io.relaycontrol.core.rules.GuardedRule;
import io.relaycontrol.core.rules.Rule;
import java.net.InetAddress;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Conditions and rules about the client's network. A {@link NetworkSet} carries no verdict; these rules do:
 * {@link #allowClientsIn} allows a client inside the set, {@link #denyClientsIn} refuses it, and both have no
 * opinion for a client outside it. The decision's reason names the matching entry and where it came from:
 * {@code client 203.0.113.7 is in 203.0.113.0/24 from drop.txt line 12 (SBL123)}; the details hold
 * {@code network}, {@code source}, {@code line} and {@code label}. Both are rendered when read
 * ({@link Decision#rendered}): deciding costs the allocation-free membership search and the decision, and the
 * matching entry is looked up in the set that decided only when the reason or the details are read.
 *
 * <pre>{@code
 * Policy policy = Policy.builder("relay")
 *         .rule(NetworkRules.denyClientsIn("drop", ReloadableNetworkSet.load(dropFile), SmtpReply.of(554, "5.7.1", "Blocked")))
 *         .rule(NetworkRules.allowClientsIn("mynetworks", NetworkSet.of("127.0.0.0/8", "::1", "192.168.0.0/16")))
 *         .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
 *         .build();
 * }</pre>
 *
 * <p>Every overload taking a {@code Supplier<NetworkSet>} (such as a {@link ReloadableNetworkSet}) asks it on
 * every request, so reloads take effect at once. Rules are immutable and thread-safe, never return
 * {@code null} and never throw: a failure (for example a supplier returning {@code null}) becomes a temporary
 * refusal, 451 4.3.0.
 *
 * @since 0.1.0
 */
public final class NetworkRules {

    private NetworkRules() {
    }

    /**
     * A condition that holds when the client address is in the set.
     *
     * @param description what it asks, e.g. "client in trusted networks"
     * @param set the networks
     * @return the condition
     * @throws IllegalArgumentException if {@code description} is blank
     */
    public static Condition clientIn(String description, NetworkSet set) {
        Objects.requireNonNull(set, "set");
        // a class rather than Condition.of's predicate: the standard policy asks it on every request
        return new DescribedCondition(description) {
            @Override
            public boolean test(RelayRequest request) {
                return set.contains(request.clientAddress());
            }
        };
    }

    /**
     * A condition that holds when the client address is in the set the supplier returns at that moment.
     *
     * @param description what it asks
     * @param sets gives the current set, e.g. a {@link ReloadableNetworkSet}
     * @return the condition
     * @throws IllegalArgumentException if {@code description} is blank
     */
    public static Condition clientIn(String description, Supplier<NetworkSet> sets) {
        Objects.requireNonNull(sets, "sets");
        return Condition.of(description, r -> sets.get().contains(r.clientAddress()));
    }

    /**
     * Allows a client whose address is in the set; no opinion otherwise.
     *
     * @param name the rule's name
     * @param set the networks
     * @return the rule
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Rule allowClientsIn(String name, NetworkSet set) {
        Objects.requireNonNull(set, "set");
        return new ClientNetworkRule(name, () -> set, null, set.toString());
    }

    /**
     * Allows a client whose address is in the supplier's current set; no opinion otherwise.
     *
     * @param name the rule's name
     * @param sets gives the current set, e.g. a {@link ReloadableNetworkSet}
     * @return the rule
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Rule allowClientsIn(String name, Supplier<NetworkSet> sets) {
        return new ClientNetworkRule(name, Objects.requireNonNull(sets, "sets"), null, null);
    }

    /**
     * Refuses permanently a client whose address is in the set; no opinion otherwise.
     *
     * @param name the rule's name
     * @param set the networks
     * @param reply a 5xx reply
     * @return the rule
     * @throws IllegalArgumentException if {@code name} is blank or {@code reply} is not 5xx
     */
    public static Rule denyClientsIn(String name, NetworkSet set, SmtpReply reply) {
        Objects.requireNonNull(set, "set");
        return new ClientNetworkRule(name, () -> set, requireDenyReply(reply), set.toString());
    }

    /**
     * Refuses permanently a client whose address is in the supplier's current set; no opinion otherwise.
     *
     * @param name the rule's name
     * @param sets gives the current set, e.g. a {@link ReloadableNetworkSet}
     * @param reply a 5xx reply
     * @return the rule
     * @throws IllegalArgumentException if {@code name} is blank or {@code reply} is not 5xx
     */
    public static Rule denyClientsIn(String name, Supplier<NetworkSet> sets, SmtpReply reply) {
        return new ClientNetworkRule(name, Objects.requireNonNull(sets, "sets"), requireDenyReply(reply), null);
    }

    private static SmtpReply requireDenyReply(SmtpReply reply) {
        Objects.requireNonNull(reply, "reply");
        if (!reply.isPermanentFailure()) {
            throw new IllegalArgumentException("a deny rule needs a 5xx reply, was " + reply);
        }
        return reply;
    }

    private static final class ClientNetworkRule extends GuardedRule {
        private final String name;
        private final Supplier<NetworkSet> sets;
        private final SmtpReply denyReply;
        private final String fixedDescription;
        private final Decision noOpinion;

        ClientNetworkRule(String name, Supplier<NetworkSet> sets, SmtpReply denyReply, String fixedDescription) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("rule name must not be blank");
            }
            this.name = name;
            this.sets = sets;
            this.denyReply = denyReply;
            this.fixedDescription = fixedDescription;
            this.noOpinion = Decision.noOpinion(name, "client is not in the networks of " + name);
        }

        @Override
        protected Decision decideUnguarded(RelayRequest request) {
            InetAddress client = request.clientAddress();
            NetworkSet set = sets.get();
            if (set == null) {
                throw new IllegalStateException("the network set supplier of rule " + name + " returned null");
            }
            if (!set.contains(client)) {
                return noOpinion; // the common case: the allocation-free membership search only
            }
            // The entry that matched is looked up only when the reason or the details are read: a refused
            // client costs the membership search, a 24-byte rendering and the decision (StandardPolicyBenchmark).
            return Decision.rendered(denyReply == null ? Verdict.ALLOW : Verdict.DENY, name, denyReply,
                    new InSet(client, set));
        }

        /**
         * The reason and details of a client found in a set: {@code client 192.0.2.7 is in 192.0.2.0/24 (from
         * drop.txt line 3)}, details {@code network}, {@code source}, {@code line} and {@code label} as the
         * matching entry has them. The set is the one the decision was made with, so the match read later is
         * the one that decided. Immutable but for the cached match (a benign race: every thread computes the
         * same immutable {@link NetworkMatch}).
         */
        private static final class InSet implements Decision.Rendering {
            private final InetAddress client;
            private final NetworkSet set;
            private NetworkMatch match;

            InSet(InetAddress client, NetworkSet set) {
                this.client = client;
                this.set = set;
            }

            /** @return the entry, or null if the set has none for the client (contains and match disagree) */
            private NetworkMatch match() {
                NetworkMatch m = match;
                if (m == null) {
                    m = set.match(client).orElse(null);
                    match = m;
                }
                return m;
            }

            @Override
            public String reason() {
                NetworkMatch m = match();
                return "client " + IpAddresses.format(client) + " is in " + (m == null ? "the set" : m);
            }

            @Override
            public void details(java.util.function.BiConsumer<String, Object> detail) {
                NetworkMatch m = match();
                if (m == null) {
                    return;
                }
                detail.accept("network", m.entry());
                detail.accept("source", m.source());
                m.line().ifPresent(l -> detail.accept("line", l));
                m.label().ifPresent(l -> detail.accept("label", l));
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String describe() {
            String what = fixedDescription;
            if (what == null) {
                NetworkSet s = sets.get();
                what = String.valueOf(s);
            }
            return name + ": " + (denyReply == null ? "allow" : "deny [" + denyReply + "]") + " clients in " + what;
        }

        @Override
        public String toString() {
            return "Rule{" + name + "}";
        }
    }
}
