package io.relaycontrol.core.auth;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.core.net.NetworkRules;
import io.relaycontrol.core.net.NetworkSet;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.GuardedRule;
import io.relaycontrol.core.rules.Rule;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * <em>Trusted networks may relay</em> (Postfix {@code permit_mynetworks}, Exim {@code relay_from_hosts}): allows
 * a client in the trusted networks, without AUTH, whatever its sender. Abstains otherwise.
 *
 * <p>Built from a {@link NetworkSet} ({@link #of(String, NetworkSet)}, or a reloadable set as a
 * {@code Supplier<NetworkSet>}), it decides with {@link NetworkRules#allowClientsIn}, so the reason names the
 * matching entry and where it came from ({@code client 192.168.1.20 is in 192.168.0.0/16 from mynetworks.txt
 * line 3}). Built from any client {@link Condition} ({@link #of(String, Condition)}), the reason names the
 * condition.
 *
 * <p>The set and the condition are kept so that {@link AuthChecks} can check them at load time: a set holding
 * {@code 0.0.0.0/0} or {@code ::/0}, or a condition that holds for clients all over the address space (however
 * it is written, e.g. {@code 0.0.0.0/1} plus {@code 128.0.0.0/1}), makes an open relay and is an error
 * ({@code open-relay-network}).
 *
 * <p><b>Proxies and load balancers.</b> The client address must be the real client's. If a load balancer or a
 * content filter connects on behalf of others, its address in the trusted networks makes every client trusted:
 * pass the original client address to the request (PROXY protocol, XCLIENT) instead of trusting the proxy.
 *
 * <p>Decisions are precomputed for the condition form; the set form allocates one decision per allowed client
 * (to name the entry). Instances are immutable and thread-safe if the condition or supplier is.
 *
 * @since 0.1.0
 */
public final class TrustedNetworksRule extends GuardedRule {

    /** The default name, {@code trusted-networks}. */
    public static final String DEFAULT_NAME = "trusted-networks";

    private final String name;
    private final Condition trustedClients;
    private final Supplier<NetworkSet> networks;
    private final Rule networkRule;
    private final Decision allow;
    private final Decision abstain;

    private TrustedNetworksRule(String name, Condition trustedClients, Supplier<NetworkSet> networks,
            Rule networkRule) {
        this.name = name;
        this.trustedClients = trustedClients;
        this.networks = networks;
        this.networkRule = networkRule;
        this.allow = Decision.allow(name, "client is trusted: " + trustedClients.description());
        this.abstain = Decision.noOpinion(name, "client is not trusted: not " + trustedClients.description());
    }

    /**
     * A rule named {@value #DEFAULT_NAME}.
     *
     * @param trustedClients the trusted clients, e.g. a client-in-networks condition; must be thread-safe
     * @return the rule
     * @throws NullPointerException if {@code trustedClients} is null
     */
    public static TrustedNetworksRule of(Condition trustedClients) {
        return of(DEFAULT_NAME, trustedClients);
    }

    /**
     * @param name the rule's name
     * @param trustedClients the trusted clients; must be thread-safe
     * @return the rule
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static TrustedNetworksRule of(String name, Condition trustedClients) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(trustedClients, "trustedClients");
        requireName(name);
        return new TrustedNetworksRule(name, trustedClients, null, null);
    }

    private static void requireName(String name) {
        if (name.isBlank()) {
            throw new IllegalArgumentException("rule name must not be blank");
        }
    }

    /**
     * A rule named {@value #DEFAULT_NAME} over a set of networks.
     *
     * @param networks the trusted networks
     * @return the rule
     * @throws NullPointerException if {@code networks} is null
     */
    public static TrustedNetworksRule of(NetworkSet networks) {
        return of(DEFAULT_NAME, networks);
    }

    /**
     * A rule over a set of networks; decisions name the matching entry.
     *
     * @param name the rule's name
     * @param networks the trusted networks
     * @return the rule
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static TrustedNetworksRule of(String name, NetworkSet networks) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(networks, "networks");
        requireName(name);
        return new TrustedNetworksRule(name, NetworkRules.clientIn("client in the trusted networks of " + name,
                networks), () -> networks, NetworkRules.allowClientsIn(name, networks));
    }

    /**
     * A rule over a set of networks that may change, such as a {@code ReloadableNetworkSet}: the supplier is asked
     * on every request, and by {@link AuthChecks} when it checks.
     *
     * @param name the rule's name
     * @param networks gives the current trusted networks; must be thread-safe and never return {@code null}
     * @return the rule
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static TrustedNetworksRule of(String name, Supplier<NetworkSet> networks) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(networks, "networks");
        requireName(name);
        return new TrustedNetworksRule(name, NetworkRules.clientIn("client in the trusted networks of " + name,
                networks), networks, NetworkRules.allowClientsIn(name, networks));
    }

    @Override
    protected Decision decideUnguarded(RelayRequest request) {
        if (networkRule != null) {
            return networkRule.decide(request);
        }
        return trustedClients.test(request) ? allow : abstain;
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the trusted-client condition (for a rule over networks, "client in the trusted networks of ...") */
    public Condition trustedClients() {
        return trustedClients;
    }

    /** @return the current trusted networks, when the rule was built over a set; empty for a condition */
    public Optional<NetworkSet> networks() {
        return networks == null ? Optional.empty() : Optional.ofNullable(networks.get());
    }

    @Override
    public String describe() {
        return networkRule != null ? networkRule.describe()
                : name + ": allow clients where " + trustedClients.description();
    }

    @Override
    public String toString() {
        return describe();
    }
}
