package io.relaycontrol.core.auth;

import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.address.EnvelopeAddress;
import io.relaycontrol.core.check.PolicyFinding;
import io.relaycontrol.core.net.NetworkRules;
import io.relaycontrol.core.net.NetworkSet;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The policy check (a linter run when a configuration is loaded) for the rules of this package: it finds
 * configurations that make an open relay or fall into a known trap of client-identity rules.
 *
 * <p>{@link #check(List)} takes the rules of a first-decisive policy in the order they are asked: pass the very
 * list of rules that is given to {@code Policy.builder(..).rule(..)}, not the built {@link Policy}. A policy
 * wraps each member in a guard, so {@link Policy#rules()} does not show the auth rules themselves; a
 * {@link Policy} in the list is opened, but its wrapped members are not recognised. Rules of other packages,
 * and rules hidden inside combinators ({@code Rules.firstDecisive}, {@code Rules.when(..).then(..)}), are
 * skipped.
 *
 * <table>
 * <caption>Findings</caption>
 * <tr><th>code</th><th>severity</th><th>when</th></tr>
 * <tr><td>{@code open-relay-network}</td><td>ERROR</td><td>a trusted-networks rule or an allow-listed device whose
 *     client condition holds for clients all over the IPv4 or IPv6 space (as {@code 0.0.0.0/0} or {@code ::/0}
 *     do, however written): unauthenticated clients from anywhere may relay</td></tr>
 * <tr><td>{@code broad-trusted-network}</td><td>WARNING</td><td>such a condition holds for at least half of the
 *     probe addresses spread over the space</td></tr>
 * <tr><td>{@code identity-optional-network}</td><td>ERROR</td><td>the clients exempt from a sender-login rule's
 *     local-sender protection are everyone: a network is trusted while identities are optional for all</td></tr>
 * <tr><td>{@code auth-without-tls}</td><td>WARNING</td><td>an authenticated-relay rule with
 *     {@code requireTls(false)}: passwords may cross the network in clear text</td></tr>
 * <tr><td>{@code empty-identity-list}</td><td>WARNING</td><td>{@code onlyIdentities} is empty: the rule never
 *     allows</td></tr>
 * <tr><td>{@code sender-login-map-empty}</td><td>ERROR</td><td>a sender-login rule over an empty map refuses every
 *     authenticated sender</td></tr>
 * <tr><td>{@code sender-not-bound-to-login}</td><td>WARNING</td><td>authenticated clients may relay but no
 *     sender-login rule is present: a login may send as anyone</td></tr>
 * <tr><td>{@code sender-check-unreachable}</td><td>ERROR</td><td>a sender-login rule placed after an
 *     authenticated-relay rule: the relay rule allows first and the sender check is never asked</td></tr>
 * <tr><td>{@code sender-check-bypassed}</td><td>WARNING</td><td>a sender-login rule placed after a trusted-networks
 *     or allow-listed-devices rule: authenticated clients in those networks skip the sender check</td></tr>
 * <tr><td>{@code local-senders-unprotected}</td><td>WARNING</td><td>authenticated clients may relay but no
 *     sender-login rule protects local senders: unauthenticated clients from outside may still use local
 *     senders (AUTH offered but never required)</td></tr>
 * <tr><td>{@code bounce-check-unreachable}</td><td>WARNING</td><td>the multi-recipient-bounce rule placed after a
 *     rule of this package that allows</td></tr>
 * <tr><td>{@code device-sender-refused}</td><td>WARNING</td><td>an allow-listed device (given with a
 *     {@code NetworkSet}) sends as a protected local sender and the sender-login rule would refuse it from its own
 *     network (found by simulating the request): exempt the devices with
 *     {@code SenderLoginRule.Builder.exemptAllowListedDevices}</td></tr>
 * <tr><td>{@code device-null-sender}</td><td>WARNING</td><td>an allow-listed device lists the null sender
 *     {@code <>}</td></tr>
 * </table>
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class AuthChecks {

    /** Finding code: unauthenticated clients from anywhere may relay. */
    public static final String OPEN_RELAY_NETWORK = "open-relay-network";
    /** Finding code: a trusted network that covers much of the address space. */
    public static final String BROAD_TRUSTED_NETWORK = "broad-trusted-network";
    /** Finding code: every client is exempt from local-sender protection. */
    public static final String IDENTITY_OPTIONAL_NETWORK = "identity-optional-network";
    /** Finding code: authenticated relay without TLS. */
    public static final String AUTH_WITHOUT_TLS = "auth-without-tls";
    /** Finding code: an empty list of identities. */
    public static final String EMPTY_IDENTITY_LIST = "empty-identity-list";
    /** Finding code: an empty sender-login map. */
    public static final String SENDER_LOGIN_MAP_EMPTY = "sender-login-map-empty";
    /** Finding code: authenticated relay without a sender-login rule. */
    public static final String SENDER_NOT_BOUND_TO_LOGIN = "sender-not-bound-to-login";
    /** Finding code: a sender-login rule after an authenticated-relay rule. */
    public static final String SENDER_CHECK_UNREACHABLE = "sender-check-unreachable";
    /** Finding code: a sender-login rule after a network-based allow rule. */
    public static final String SENDER_CHECK_BYPASSED = "sender-check-bypassed";
    /** Finding code: local senders usable without AUTH from anywhere. */
    public static final String LOCAL_SENDERS_UNPROTECTED = "local-senders-unprotected";
    /** Finding code: the multi-recipient-bounce rule after an allowing rule. */
    public static final String BOUNCE_CHECK_UNREACHABLE = "bounce-check-unreachable";
    /** Finding code: an allow-listed device whose own local sender the sender-login rule refuses. */
    public static final String DEVICE_SENDER_REFUSED = "device-sender-refused";
    /** Finding code: an allow-listed device that lists the null sender. */
    public static final String DEVICE_NULL_SENDER = "device-null-sender";

    private AuthChecks() {
    }

    /**
     * Checks rules of a first-decisive policy, in the order they are asked.
     *
     * @param rules the rules as given to the policy builder, in order; rules of other packages are skipped
     * @return the findings, errors and warnings in the order found; empty if none; unmodifiable
     * @throws NullPointerException if the list or an element is null
     */
    public static List<PolicyFinding> check(List<? extends RelayDecider> rules) {
        Objects.requireNonNull(rules, "rules");
        List<RelayDecider> flat = new ArrayList<>();
        flatten(rules, flat);
        List<PolicyFinding> out = new ArrayList<>();
        AuthenticatedRelayRule firstAuthRelay = null;
        Rule firstNetworkAllow = null;
        boolean hasSenderLogin = false;
        boolean protectsLocal = false;
        List<SenderLoginRule> senderRules = new ArrayList<>();
        List<AllowListedDevicesRule> deviceRules = new ArrayList<>();
        for (RelayDecider r : flat) {
            if (r instanceof AuthenticatedRelayRule) {
                AuthenticatedRelayRule a = (AuthenticatedRelayRule) r;
                checkAuthenticatedRelay(a, out);
                firstAuthRelay = firstAuthRelay == null ? a : firstAuthRelay;
            } else if (r instanceof TrustedNetworksRule) {
                TrustedNetworksRule t = (TrustedNetworksRule) r;
                String what = "trusted-networks rule '" + t.name() + "'";
                out.addAll(t.networks().map(n -> checkTrustedNetworks(what, n))
                        .orElseGet(() -> checkTrustedClients(what, t.trustedClients())));
                firstNetworkAllow = firstNetworkAllow == null ? t : firstNetworkAllow;
            } else if (r instanceof AllowListedDevicesRule) {
                AllowListedDevicesRule d = (AllowListedDevicesRule) r;
                checkDevices(d, out);
                deviceRules.add(d);
                firstNetworkAllow = firstNetworkAllow == null ? d : firstNetworkAllow;
            } else if (r instanceof SenderLoginRule) {
                SenderLoginRule s = (SenderLoginRule) r;
                hasSenderLogin |= s.checksAuthenticatedSenders();
                protectsLocal |= s.protectsLocalSenders();
                checkSenderLogin(s, out);
                senderRules.add(s);
                if (!s.checksAuthenticatedSenders()) {
                    continue;
                }
                if (firstAuthRelay != null) {
                    out.add(PolicyFinding.error(SENDER_CHECK_UNREACHABLE, "sender-login rule '" + s.name()
                            + "' is placed after authenticated-relay rule '" + firstAuthRelay.name()
                            + "', which allows first: the sender of an authenticated client is never checked;"
                            + " place the sender-login rule before it"));
                } else if (firstNetworkAllow != null) {
                    out.add(PolicyFinding.warning(SENDER_CHECK_BYPASSED, "sender-login rule '" + s.name()
                            + "' is placed after '" + firstNetworkAllow.name()
                            + "', which allows first: authenticated clients in those networks may send as anyone;"
                            + " place the sender-login rule before it"));
                }
            } else if (r instanceof NullSenderRules.MultiRecipientBounce) {
                Rule before = firstAuthRelay != null ? firstAuthRelay : firstNetworkAllow;
                if (before != null) {
                    out.add(PolicyFinding.warning(BOUNCE_CHECK_UNREACHABLE, "rule '"
                            + ((Rule) r).name() + "' is placed after '"
                            + before.name()
                            + "', which allows first: multi-recipient bounces from those clients are not refused"));
                }
            }
        }
        for (SenderLoginRule s : senderRules) {
            for (AllowListedDevicesRule d : deviceRules) {
                checkDeviceSendersPass(s, d, out);
            }
        }
        if (firstAuthRelay != null && !hasSenderLogin) {
            out.add(PolicyFinding.warning(SENDER_NOT_BOUND_TO_LOGIN, "authenticated-relay rule '"
                    + firstAuthRelay.name() + "' lets authenticated clients relay, but no sender-login rule binds"
                    + " senders to logins (or its checkAuthenticatedSenders is off): any login may send as anyone"));
        }
        if (firstAuthRelay != null && !protectsLocal) {
            out.add(PolicyFinding.warning(LOCAL_SENDERS_UNPROTECTED, "authenticated-relay rule '"
                    + firstAuthRelay.name() + "' is present but no sender-login rule protects local senders:"
                    + " unauthenticated clients may still use local sender addresses (AUTH offered but never"
                    + " required); use SenderLoginRule.Builder.protectLocalSenders"));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Checks rules of a first-decisive policy, in the order they are asked; see {@link #check(List)}.
     *
     * @param rules the rules
     * @return the findings; unmodifiable
     */
    public static List<PolicyFinding> check(RelayDecider... rules) {
        return check(List.of(rules));
    }

    /**
     * Checks a condition that grants relay without AUTH (trusted networks, a device's networks) by asking it about
     * unauthenticated relay attempts from public addresses spread over the IPv4 and IPv6 spaces: ERROR
     * {@code open-relay-network} if it holds for all of them in a family (it behaves like {@code 0.0.0.0/0} or
     * {@code ::/0}), else WARNING {@code broad-trusted-network} if it holds for at least half.
     *
     * @param what names the configuration item in messages, e.g. "trusted-networks rule 'mynetworks'"
     * @param trustedClients the condition; it must be side-effect free, as conditions are
     * @return the findings; unmodifiable
     * @throws NullPointerException if an argument is null
     */
    public static List<PolicyFinding> checkTrustedClients(String what, Condition trustedClients) {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(trustedClients, "trustedClients");
        return checkClients(what, trustedClients, null);
    }

    /**
     * Checks networks that grant relay without AUTH: ERROR {@code open-relay-network} if the set holds all of IPv4
     * ({@code 0.0.0.0/0}) or all of IPv6 ({@code ::/0}), however written
     * ({@link NetworkSet#containsAllOfIpv4()}); else WARNING {@code broad-trusted-network} if it holds at least half
     * of the public probe addresses of a family (see {@link #checkTrustedClients}).
     *
     * @param what names the configuration item in messages, e.g. "trusted networks (mynetworks.txt)"
     * @param networks the networks
     * @return the findings; unmodifiable
     * @throws NullPointerException if an argument is null
     */
    public static List<PolicyFinding> checkTrustedNetworks(String what, NetworkSet networks) {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(networks, "networks");
        return checkClients(what, NetworkRules.clientIn("client in " + networks, networks), networks);
    }

    private static List<PolicyFinding> checkClients(String what, Condition trustedClients, NetworkSet networks) {
        List<PolicyFinding> out = new ArrayList<>();
        for (boolean v6 : new boolean[] {false, true}) {
            if (networks != null && (v6 ? networks.containsAllOfIpv6() : networks.containsAllOfIpv4())) {
                out.add(PolicyFinding.error(OPEN_RELAY_NETWORK, what + " contains all of "
                        + (v6 ? "IPv6 (::/0)" : "IPv4 (0.0.0.0/0)") + ": unauthenticated clients from anywhere may"
                        + " relay (" + networks + ")"));
                continue;
            }
            ClientProbes.Result res = ClientProbes.probe(trustedClients, v6);
            if (res.all()) {
                out.add(PolicyFinding.error(OPEN_RELAY_NETWORK, what + " trusts '" + trustedClients.description()
                        + "', which holds for every " + res.family + " probe address (" + res.holding
                        + "): it behaves like " + (v6 ? "::/0" : "0.0.0.0/0")
                        + " and lets unauthenticated clients from anywhere relay"));
            } else if (res.broad()) {
                out.add(PolicyFinding.warning(BROAD_TRUSTED_NETWORK, what + " trusts '"
                        + trustedClients.description() + "', which holds for " + res.holding.size() + " of "
                        + res.probes + " public " + res.family + " probe addresses (" + res.holding
                        + "): it covers a large part of the Internet"));
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static void flatten(List<? extends RelayDecider> rules, List<RelayDecider> out) {
        for (RelayDecider r : rules) {
            Objects.requireNonNull(r, "rule");
            if (r instanceof Policy) {
                flatten(((Policy) r).rules(), out);
            } else {
                out.add(r);
            }
        }
    }

    private static void checkAuthenticatedRelay(AuthenticatedRelayRule a, List<PolicyFinding> out) {
        if (!a.requiresTls()) {
            out.add(PolicyFinding.warning(AUTH_WITHOUT_TLS, "authenticated-relay rule '" + a.name()
                    + "' has requireTls(false): clients that authenticated without TLS may relay, and their"
                    + " passwords crossed the network in clear text"));
        }
        a.onlyIdentities().filter(s -> s.isEmpty()).ifPresent(s -> out.add(PolicyFinding.warning(EMPTY_IDENTITY_LIST,
                "authenticated-relay rule '" + a.name() + "' has an empty onlyIdentities list: it never allows")));
    }

    private static void checkDevices(AllowListedDevicesRule d, List<PolicyFinding> out) {
        for (String device : d.deviceNames()) {
            String what = "allow-listed device '" + device + "' of rule '" + d.name() + "'";
            out.addAll(d.networksOf(device).map(n -> checkTrustedNetworks(what, n))
                    .orElseGet(() -> checkTrustedClients(what, d.clientsOf(device))));
            if (d.sendersOf(device).contains("<>")) {
                out.add(PolicyFinding.warning(DEVICE_NULL_SENDER, "allow-listed device '" + device + "' of rule '"
                        + d.name() + "' lists the null sender <>: bounces from its networks may relay"));
            }
        }
    }

    /**
     * Simulates each device sending as one of its protected local senders from the first address of its first
     * network, and reports the devices that the sender-login rule would refuse before the devices rule is asked.
     * Devices given as conditions cannot be simulated (no address to send from) and are skipped.
     */
    private static void checkDeviceSendersPass(SenderLoginRule s, AllowListedDevicesRule d, List<PolicyFinding> out) {
        if (!s.protectsLocalSenders()) {
            return;
        }
        for (String device : d.deviceNames()) {
            Optional<String> client = d.networksOf(device).flatMap(n -> n.entries().stream()
                    .filter(e -> !e.startsWith("!")).findFirst()).map(e -> e.substring(0, e.indexOf('/') < 0
                            ? e.length() : e.indexOf('/')));
            if (client.isEmpty()) {
                continue;
            }
            for (String sender : new TreeSet<>(d.sendersOf(device))) {
                if (sender.equals("<>")) {
                    continue;
                }
                EnvelopeAddress a = EnvelopeAddress.parse(sender);
                if (!a.isMailbox() || !s.protectsDomain(a.domain())) {
                    continue;
                }
                RelayRequest probe = RelayRequest.builder(Stage.MAIL).client(client.get()).sender(a).build();
                if (s.decide(probe).verdict().isRefusal()) {
                    out.add(PolicyFinding.warning(DEVICE_SENDER_REFUSED, "allow-listed device '" + device
                            + "' of rule '" + d.name() + "' sends as <" + sender + ">, a protected local sender,"
                            + " and sender-login rule '" + s.name() + "' refuses it from " + client.get()
                            + ": use SenderLoginRule.Builder.exemptAllowListedDevices(" + d.name() + ")"));
                }
            }
        }
    }

    private static void checkSenderLogin(SenderLoginRule s, List<PolicyFinding> out) {
        if (s.map().isEmpty() && s.checksAuthenticatedSenders()) {
            out.add(PolicyFinding.error(SENDER_LOGIN_MAP_EMPTY, "sender-login rule '" + s.name()
                    + "' has an empty sender login map: every authenticated sender would be refused"));
        }
        s.trustedClients().ifPresent(c -> {
            for (boolean v6 : new boolean[] {false, true}) {
                ClientProbes.Result res = ClientProbes.probe(c, v6);
                if (res.all()) {
                    out.add(PolicyFinding.error(IDENTITY_OPTIONAL_NETWORK, "sender-login rule '" + s.name()
                            + "' exempts '" + c.description() + "' from local-sender protection, which holds for"
                            + " every " + res.family + " probe address (" + res.holding + "): any client may use"
                            + " local senders without AUTH"));
                }
            }
        });
    }
}
