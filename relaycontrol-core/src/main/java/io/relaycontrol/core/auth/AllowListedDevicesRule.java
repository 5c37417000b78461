package io.relaycontrol.core.auth;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.address.EnvelopeAddress;
import io.relaycontrol.api.address.IpAddresses;
import io.relaycontrol.core.net.NetworkRules;
import io.relaycontrol.core.net.NetworkSet;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.GuardedRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * <em>Allow-listed devices</em> (printers, scanners, applications) that may relay without AUTH, but only from
 * their networks and only with their sender addresses; after James's {@code AllowedUnauthenticatedSender}.
 * Each device is a name, a client condition (its networks) and the envelope senders it uses.
 *
 * <table>
 * <caption>Decisions</caption>
 * <tr><th>request</th><th>verdict</th></tr>
 * <tr><td>client authenticated (this rule is for clients without AUTH)</td><td>NO_OPINION</td></tr>
 * <tr><td>sender not yet known</td><td>NO_OPINION</td></tr>
 * <tr><td>sender listed for a device whose client condition holds</td><td>ALLOW, naming the device</td></tr>
 * <tr><td>sender listed only for devices elsewhere (a device address used from another network)</td>
 *     <td>NO_OPINION</td></tr>
 * <tr><td>sender not listed, routed or invalid</td><td>NO_OPINION</td></tr>
 * <tr><td>with {@link Builder#refuseUnlistedSenders(boolean) refuseUnlistedSenders(true)}: client in a
 *     device's networks, sender not allowed there</td><td>DENY {@link #SENDER_NOT_ALLOWED 553 5.7.1}</td></tr>
 * </table>
 *
 * <p><b>Null sender.</b> {@code <>} is matched only when a device lists {@code "<>"} explicitly, so a bounce gets no
 * privilege from this rule that it would not otherwise have; listing it is reported by {@link AuthChecks} as a
 * warning ({@code device-null-sender}). Senders are compared exactly on their canonical form (domain
 * case-insensitive, local part case-preserving); routed senders never match.
 *
 * <p>Decisions are precomputed per device; {@code decide} allocates nothing on the allow and abstain paths.
 * Instances are immutable and thread-safe if the client conditions are.
 *
 * @since 0.1.0
 */
public final class AllowListedDevicesRule extends GuardedRule {

    /** The default name, {@code allow-listed-devices}. */
    public static final String DEFAULT_NAME = "allow-listed-devices";

    /** {@code 553 5.7.1 Sender address not allowed for unauthenticated devices}. */
    public static final SmtpReply SENDER_NOT_ALLOWED =
            SmtpReply.of(553, "5.7.1", "Sender address not allowed for unauthenticated devices");

    private static final String NULL_KEY = "<>";

    private final String name;
    private final List<Device> devices;
    private final Map<String, Map<String, Device[]>> bySender;
    private final Device[] nullSenderDevices;
    private final boolean refuseUnlisted;
    private final Decision authenticated;
    private final Decision senderUnknown;
    private final Decision notListed;
    private final Decision listedElsewhere;

    private AllowListedDevicesRule(Builder b) {
        this.name = b.name == null ? DEFAULT_NAME : b.name;
        this.refuseUnlisted = Boolean.TRUE.equals(b.refuseUnlisted);
        List<Device> ds = new ArrayList<>();
        Map<String, List<Device>> index = new LinkedHashMap<>();
        for (Builder.Spec s : b.devices.values()) {
            Device d = new Device(s.name, s.clients, s.networks, s.senders, Decision.allow(name,
                    "allow-listed device '" + s.name + "': listed sender from " + s.clients.description()));
            ds.add(d);
            for (String key : s.senders) {
                index.computeIfAbsent(key, k -> new ArrayList<>()).add(d);
            }
        }
        this.devices = List.copyOf(ds);
        Map<String, Map<String, Device[]>> bs = new HashMap<>();
        Device[] nullDevices = null;
        for (Map.Entry<String, List<Device>> e : index.entrySet()) {
            Device[] ds2 = e.getValue().toArray(new Device[0]);
            if (e.getKey().equals(NULL_KEY)) {
                nullDevices = ds2;
                continue;
            }
            int at = e.getKey().lastIndexOf('@');
            bs.computeIfAbsent(e.getKey().substring(at + 1), k -> new HashMap<>()).put(e.getKey().substring(0, at), ds2);
        }
        bs.replaceAll((k, v) -> Map.copyOf(v));
        this.bySender = Map.copyOf(bs);
        this.nullSenderDevices = nullDevices;
        this.authenticated = Decision.noOpinion(name, "client is authenticated; this rule is for devices without AUTH");
        this.senderUnknown = Decision.noOpinion(name, "sender not yet known");
        this.notListed = Decision.noOpinion(name, "sender is not listed for any allow-listed device");
        this.listedElsewhere = Decision.noOpinion(name,
                "sender is listed for allow-listed devices, but the client is not in their networks");
    }

    /**
     * Starts a rule; add at least one device.
     *
     * @return a builder (not thread-safe)
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected Decision decideUnguarded(RelayRequest request) {
        if (request.isAuthenticated()) {
            return authenticated;
        }
        EnvelopeAddress sender = request.senderOrNull();
        if (sender == null) {
            return senderUnknown;
        }
        Device[] candidates = null;
        if (sender.isNullPath()) {
            candidates = nullSenderDevices;
        } else if (sender.isMailbox() && !sender.isRouted()) {
            Map<String, Device[]> byLocal = bySender.get(sender.domain());
            candidates = byLocal == null ? null : byLocal.get(sender.localPart());
        }
        if (candidates != null) {
            for (Device d : candidates) {
                if (d.clients.test(request)) {
                    return d.allow;
                }
            }
        }
        if (refuseUnlisted) {
            for (Device d : devices) {
                if (d.clients.test(request)) {
                    return Decision.deny(name, "client " + IpAddresses.format(request.clientAddress())
                            + " is in the networks of allow-listed device '" + d.name + "' but sender "
                            + Senders.render(sender) + " is not allowed there", SENDER_NOT_ALLOWED);
                }
            }
        }
        return candidates == null ? notListed : listedElsewhere;
    }

    private static String key(EnvelopeAddress a) {
        return a.localPart() + "@" + a.domain();
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the device names, in the order they were added */
    public List<String> deviceNames() {
        List<String> out = new ArrayList<>(devices.size());
        for (Device d : devices) {
            out.add(d.name);
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * @param deviceName a device's name
     * @return the client condition of that device
     * @throws IllegalArgumentException if there is no such device
     */
    public Condition clientsOf(String deviceName) {
        return device(deviceName).clients;
    }

    /**
     * @param deviceName a device's name
     * @return the networks of that device, when it was added with a {@link NetworkSet}; empty for a condition
     * @throws IllegalArgumentException if there is no such device
     */
    public Optional<NetworkSet> networksOf(String deviceName) {
        return Optional.ofNullable(device(deviceName).networks);
    }

    /**
     * @param deviceName a device's name
     * @return the senders of that device, canonical, {@code <>} for the null sender; unmodifiable
     * @throws IllegalArgumentException if there is no such device
     */
    public Set<String> sendersOf(String deviceName) {
        return device(deviceName).senders;
    }

    /** @return whether unlisted senders from device networks are refused */
    public boolean refusesUnlistedSenders() {
        return refuseUnlisted;
    }

    private Device device(String deviceName) {
        Objects.requireNonNull(deviceName, "deviceName");
        for (Device d : devices) {
            if (d.name.equals(deviceName)) {
                return d;
            }
        }
        throw new IllegalArgumentException("no allow-listed device named '" + deviceName + "'");
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder(name).append(": allow unauthenticated devices with listed senders"
                + " from their networks" + (refuseUnlisted ? "; refuse other senders from those networks" : ""));
        for (Device d : devices) {
            sb.append("\n  ").append(d.name).append(": ").append(d.senders).append(" from ")
                    .append(d.clients.description());
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return name + "{" + devices.size() + " devices}";
    }

    private static final class Device {
        final String name;
        final Condition clients;
        final NetworkSet networks;
        final Set<String> senders;
        final Decision allow;

        Device(String name, Condition clients, NetworkSet networks, Set<String> senders, Decision allow) {
            this.name = name;
            this.clients = clients;
            this.networks = networks;
            this.senders = senders;
            this.allow = allow;
        }
    }

    /** Builds an {@link AllowListedDevicesRule}. Options may be set once. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Spec> devices = new LinkedHashMap<>();
        private String name;
        private Boolean refuseUnlisted;

        private Builder() {
        }

        /**
         * @param name the rule's name; default {@value AllowListedDevicesRule#DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if blank
         * @throws IllegalStateException if already set
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("rule name must not be blank");
            }
            if (this.name != null) {
                throw new IllegalStateException("name is already set to " + this.name);
            }
            this.name = name;
            return this;
        }

        /**
         * Adds a device.
         *
         * @param deviceName a unique name, e.g. "printer-2nd-floor"
         * @param fromClients where the device connects from, e.g. a network condition; must be thread-safe
         * @param senders its envelope senders ({@code scan@example.com}), at least one; {@code "<>"} allows the
         *        null sender and must be listed explicitly
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or taken, no sender is given, or a sender is
         *         unreadable or routed
         */
        public Builder device(String deviceName, Condition fromClients, String... senders) {
            return add(deviceName, Objects.requireNonNull(fromClients, "fromClients"), null, senders);
        }

        /**
         * Adds a device that connects from a set of networks; {@link AuthChecks} checks the set for
         * {@code 0.0.0.0/0} and {@code ::/0}.
         *
         * @param deviceName a unique name, e.g. "printer-2nd-floor"
         * @param fromNetworks the networks it connects from
         * @param senders its envelope senders, at least one; {@code "<>"} allows the null sender
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or taken, no sender is given, or a sender is
         *         unreadable or routed
         */
        public Builder device(String deviceName, NetworkSet fromNetworks, String... senders) {
            Objects.requireNonNull(fromNetworks, "fromNetworks");
            Objects.requireNonNull(deviceName, "deviceName");
            return add(deviceName, NetworkRules.clientIn("client in the networks of device " + deviceName,
                    fromNetworks), fromNetworks, senders);
        }

        private Builder add(String deviceName, Condition fromClients, NetworkSet networks, String... senders) {
            Objects.requireNonNull(deviceName, "deviceName");
            Objects.requireNonNull(senders, "senders");
            if (deviceName.isBlank()) {
                throw new IllegalArgumentException("device name must not be blank");
            }
            if (devices.containsKey(deviceName)) {
                throw new IllegalArgumentException("device '" + deviceName + "' is already added");
            }
            if (senders.length == 0) {
                throw new IllegalArgumentException("device '" + deviceName + "' needs at least one sender");
            }
            Set<String> keys = new LinkedHashSet<>();
            for (String s : senders) {
                Objects.requireNonNull(s, "sender");
                String t = s.strip();
                if (t.equals("<>")) {
                    keys.add(NULL_KEY);
                    continue;
                }
                if (t.isEmpty()) {
                    throw new IllegalArgumentException("device '" + deviceName + "': empty sender; write \"<>\" for"
                            + " the null sender");
                }
                EnvelopeAddress a = EnvelopeAddress.parse(t);
                if (!a.isMailbox()) {
                    throw new IllegalArgumentException("device '" + deviceName + "': '" + s + "' is not an address"
                            + a.error().map(r -> ": " + r).orElse(""));
                }
                if (a.isRouted()) {
                    throw new IllegalArgumentException("device '" + deviceName + "': '" + s
                            + "' is a routed address; routed senders never match");
                }
                keys.add(key(a));
            }
            devices.put(deviceName, new Spec(deviceName, fromClients, networks, Set.copyOf(keys)));
            return this;
        }

        /**
         * Refuse (553 5.7.1) an unauthenticated client that is in some device's networks but uses a sender not
         * listed for a device there, as James's {@code AllowedUnauthenticatedSender} does. Default {@code false}:
         * such a request gets no opinion from this rule. Turn it on when device networks are also trusted
         * networks and should only send as their devices; place this rule before the trusted-networks rule.
         *
         * @param refuse whether to refuse
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder refuseUnlistedSenders(boolean refuse) {
            if (refuseUnlisted != null) {
                throw new IllegalStateException("refuseUnlistedSenders is already set to " + refuseUnlisted);
            }
            this.refuseUnlisted = refuse;
            return this;
        }

        /**
         * @return the rule
         * @throws IllegalStateException if no device was added
         */
        public AllowListedDevicesRule build() {
            if (devices.isEmpty()) {
                throw new IllegalStateException("an allow-listed devices rule needs at least one device");
            }
            return new AllowListedDevicesRule(this);
        }

        private static final class Spec {
            final String name;
            final Condition clients;
            final NetworkSet networks;
            final Set<String> senders;

            Spec(String name, Condition clients, NetworkSet networks, Set<String> senders) {
                this.name = name;
                this.clients = clients;
                this.networks = networks;
                this.senders = senders;
            }
        }
    }
}
