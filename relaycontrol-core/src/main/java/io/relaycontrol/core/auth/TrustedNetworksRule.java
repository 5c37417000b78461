package io.relaycontrol.core.auth;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Rule;
import java.util.Objects;

/**
 * <em>Trusted networks may relay</em> (Postfix {@code permit_mynetworks}, Exim {@code relay_from_hosts}): allows
 * a client for which the trusted-client condition holds, without AUTH, whatever its sender. Abstains otherwise.
 *
 * <p>The condition is kept so that {@link AuthChecks} can check it at load time: a condition that holds for
 * clients all over the address space (as {@code 0.0.0.0/0} or {@code ::/0} do) makes an open relay and is an
 * error ({@code open-relay-network}).
 *
 * <p><b>Proxies and load balancers.</b> The client address must be the real client's. If a load balancer or a
 * content filter connects on behalf of others, its address in the trusted networks makes every client trusted:
 * pass the original client address to the request (PROXY protocol, XCLIENT) instead of trusting the proxy.
 *
 * <p>Decisions are precomputed. Instances are immutable and thread-safe if the condition is.
 *
 * @since 0.1.0
 */
public final class TrustedNetworksRule implements Rule {

    /** The default name, {@code trusted-networks}. */
    public static final String DEFAULT_NAME = "trusted-networks";

    private final String name;
    private final Condition trustedClients;
    private final Decision allow;
    private final Decision abstain;

    private TrustedNetworksRule(String name, Condition trustedClients) {
        this.name = name;
        this.trustedClients = trustedClients;
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
        if (name.isBlank()) {
            throw new IllegalArgumentException("rule name must not be blank");
        }
        return new TrustedNetworksRule(name, trustedClients);
    }

    @Override
    public Decision decide(RelayRequest request) {
        try {
            return trustedClients.test(request) ? allow : abstain;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            return Decision.failed(name, t);
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the trusted-client condition */
    public Condition trustedClients() {
        return trustedClients;
    }

    @Override
    public String describe() {
        return name + ": allow clients where " + trustedClients.description();
    }

    @Override
    public String toString() {
        return describe();
    }
}
