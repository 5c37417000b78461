package io.relaycontrol.core.auth;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.api.address.EnvelopeAddress;
import io.relaycontrol.api.address.IpAddresses;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.GuardedRule;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * <em>Sender bound to login</em> (Postfix {@code reject_sender_login_mismatch} with
 * {@code smtpd_sender_login_maps}, Haraka {@code constrain_sender}, James {@code verifyIdentity}): an
 * authenticated client may only use an envelope sender that its login owns in a {@link SenderLoginMap}, and,
 * optionally, an unauthenticated client may not use a sender of a protected local domain unless it is a trusted
 * client (office networks and applications send as local users without AUTH).
 *
 * <p>This rule <b>never allows</b>: when the sender is fine it abstains, so that it can be placed first in a
 * policy without granting relay. It must be placed <em>before</em> the rules that allow (authenticated relay,
 * trusted networks), or a first-decisive policy never asks it ({@link AuthChecks} reports that as
 * {@code sender-check-unreachable}). It decides at every stage where the sender is known (MAIL, RCPT, DATA):
 * consult it at MAIL FROM to refuse early; it gives the same answer again at RCPT.
 *
 * <table>
 * <caption>Decisions</caption>
 * <tr><th>request</th><th>verdict</th></tr>
 * <tr><td>sender not yet known (CONNECT, HELO)</td><td>NO_OPINION</td></tr>
 * <tr><td>authenticated, sender owned by the login</td><td>NO_OPINION</td></tr>
 * <tr><td>authenticated, sender not owned (login unknown, other address, other domain)</td>
 *     <td>DENY {@link #NOT_OWNED 553 5.7.1}</td></tr>
 * <tr><td>authenticated, routed ({@code a%b@x}, source route) or invalid sender: owned by nobody</td>
 *     <td>DENY {@link #NOT_OWNED 553 5.7.1}</td></tr>
 * <tr><td>authenticated, with {@link Builder#checkAuthenticatedSenders(boolean) checkAuthenticatedSenders(false)}
 *     (no map yet)</td><td>NO_OPINION</td></tr>
 * <tr><td>authenticated, null sender {@code <>}</td><td>NO_OPINION by default (as Postfix: {@code <>} is owned by
 *     nobody and refused by nobody, since clients send delivery notifications and vacation replies with it);
 *     DENY 553 5.7.1 with {@link Builder#allowNullSenderWhenAuthenticated(boolean) allowNullSenderWhenAuthenticated(false)}</td></tr>
 * <tr><td>not authenticated, protection off (the default)</td><td>NO_OPINION</td></tr>
 * <tr><td>not authenticated, sender in a protected local domain, client not trusted</td>
 *     <td>DENY {@link #AUTHENTICATION_REQUIRED 553 5.7.1}</td></tr>
 * <tr><td>not authenticated, trusted client, or an {@link Builder#exemptAllowListedDevices exempt allow-listed
 *     device} with its own sender, or sender not local, or {@code <>}, or invalid</td>
 *     <td>NO_OPINION</td></tr>
 * </table>
 *
 * <p>Refusal replies are constant (the login and sender are never echoed to the client); the decision's reason
 * names the login and the sender for logs and {@code explain()}. Abstentions are precomputed. Instances are
 * immutable and thread-safe if the domain predicate and trusted-client condition are.
 *
 * @since 0.1.0
 */
public final class SenderLoginRule extends GuardedRule {

    /** The default name, {@code sender-login}. */
    public static final String DEFAULT_NAME = "sender-login";

    /** {@code 553 5.7.1 Sender address rejected: not owned by the authenticated user}. */
    public static final SmtpReply NOT_OWNED =
            SmtpReply.of(553, "5.7.1", "Sender address rejected: not owned by the authenticated user");

    /** {@code 553 5.7.1 Sender address rejected: authentication required to use this sender}. */
    public static final SmtpReply AUTHENTICATION_REQUIRED =
            SmtpReply.of(553, "5.7.1", "Sender address rejected: authentication required to use this sender");

    private final String name;
    private final SenderLoginMap map;
    private final boolean allowNullSenderWhenAuthenticated;
    private final boolean checkAuthenticated;
    private final Predicate<String> localDomains;
    private final String localDomainsDescription;
    private final Condition trustedClients;
    private final AllowListedDevicesRule devices;

    private final Decision senderUnknown;
    private final Decision authenticatedUnchecked;
    private final Decision owned;
    private final Decision nullSenderAllowed;
    private final Decision unauthenticatedUnchecked;
    private final Decision unauthenticatedNotMailbox;
    private final Decision unauthenticatedNotLocal;
    private final Decision unauthenticatedTrusted;
    private final Decision unauthenticatedDevice;

    private SenderLoginRule(Builder b) {
        this.name = b.name == null ? DEFAULT_NAME : b.name;
        this.map = b.map;
        this.allowNullSenderWhenAuthenticated = b.allowNullSender == null || b.allowNullSender;
        this.checkAuthenticated = b.checkAuthenticated == null || b.checkAuthenticated;
        this.localDomains = b.localDomains;
        this.localDomainsDescription = b.localDomainsDescription;
        this.trustedClients = b.trustedClients;
        this.devices = b.devices;
        this.senderUnknown = Decision.noOpinion(name, "sender not yet known");
        this.authenticatedUnchecked = Decision.noOpinion(name,
                "senders of authenticated clients are not checked by this rule (checkAuthenticatedSenders=false)");
        this.owned = Decision.noOpinion(name, "sender is owned by the authenticated login");
        this.nullSenderAllowed = Decision.noOpinion(name,
                "null sender <> from an authenticated client: owned by nobody, allowed for delivery notifications");
        this.unauthenticatedUnchecked = Decision.noOpinion(name,
                "client is not authenticated; senders of unauthenticated clients are not checked by this rule");
        this.unauthenticatedNotMailbox = Decision.noOpinion(name,
                "client is not authenticated and the sender is <> or not a readable mailbox");
        this.unauthenticatedNotLocal = localDomains == null ? null : Decision.noOpinion(name,
                "sender domain is not one of " + localDomainsDescription);
        this.unauthenticatedTrusted = trustedClients == null ? null : Decision.noOpinion(name,
                "unauthenticated client is exempt: " + trustedClients.description());
        this.unauthenticatedDevice = devices == null ? null : Decision.noOpinion(name,
                "unauthenticated client is exempt: an allow-listed device of " + devices.name()
                        + " using its own sender from its networks");
    }

    /**
     * Starts a rule over a map.
     *
     * @param map the logins and the senders they own
     * @return a builder (not thread-safe)
     * @throws NullPointerException if {@code map} is null
     */
    public static Builder builder(SenderLoginMap map) {
        return new Builder(Objects.requireNonNull(map, "map"));
    }

    @Override
    protected Decision decideUnguarded(RelayRequest request) {
        EnvelopeAddress sender = request.senderOrNull();
        if (sender == null) {
            return senderUnknown;
        }
        Optional<String> identity = request.authenticatedIdentity();
        if (identity.isPresent()) {
            return checkAuthenticated ? decideAuthenticated(identity.get(), sender) : authenticatedUnchecked;
        }
        return decideUnauthenticated(request, sender);
    }

    private Decision decideAuthenticated(String login, EnvelopeAddress sender) {
        if (sender.isNullPath()) {
            return allowNullSenderWhenAuthenticated ? nullSenderAllowed
                    : Decision.deny(name, "login '" + login + "' used the null sender <>, which this rule refuses"
                            + " for authenticated clients", NOT_OWNED);
        }
        if (sender.isInvalid()) {
            return Decision.deny(name, "login '" + login + "' used an " + Senders.render(sender)
                    + ", owned by nobody", NOT_OWNED);
        }
        if (sender.isRouted()) {
            return Decision.deny(name, "login '" + login + "' used a routed sender, owned by nobody: "
                    + Senders.render(sender), NOT_OWNED);
        }
        if (map.owns(login, sender)) {
            return owned;
        }
        return Decision.deny(name, "login '" + login + "' does not own sender " + Senders.render(sender),
                NOT_OWNED);
    }

    private Decision decideUnauthenticated(RelayRequest request, EnvelopeAddress sender) {
        if (localDomains == null) {
            return unauthenticatedUnchecked;
        }
        if (!sender.isMailbox()) {
            return unauthenticatedNotMailbox;
        }
        if (!localDomains.test(sender.domain())) {
            return unauthenticatedNotLocal;
        }
        if (trustedClients.test(request)) {
            return unauthenticatedTrusted;
        }
        if (devices != null) {
            Decision device = devices.decide(request);
            if (device.isAllowed()) {
                return unauthenticatedDevice;
            }
            if (device.verdict() == Verdict.DEFER) {
                return Decision.failed(name, device.error()
                        .orElseGet(() -> new IllegalStateException("allow-listed devices deferred: " + device)));
            }
        }
        return Decision.deny(name, "unauthenticated client " + IpAddresses.format(request.clientAddress())
                + " used sender " + Senders.render(sender) + " of " + localDomainsDescription
                + " and is not exempt (" + trustedClients.description() + "); local senders must authenticate",
                AUTHENTICATION_REQUIRED);
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the map this rule checks authenticated senders against */
    public SenderLoginMap map() {
        return map;
    }

    /** @return whether senders of authenticated clients are checked against the map */
    public boolean checksAuthenticatedSenders() {
        return checkAuthenticated;
    }

    /** @return whether an authenticated client may use the null sender {@code <>} */
    public boolean allowsNullSenderWhenAuthenticated() {
        return allowNullSenderWhenAuthenticated;
    }

    /** @return whether unauthenticated clients are refused senders of protected local domains */
    public boolean protectsLocalSenders() {
        return localDomains != null;
    }

    /**
     * Whether a sender domain is protected from unauthenticated clients. For {@link AuthChecks}.
     *
     * @param domain a canonical domain
     * @return whether protection is on and the domain is protected
     */
    boolean protectsDomain(String domain) {
        return localDomains != null && localDomains.test(domain);
    }

    /** @return the allow-listed devices exempt from local-sender protection, if any */
    public Optional<AllowListedDevicesRule> exemptDevices() {
        return Optional.ofNullable(devices);
    }

    /** @return the clients exempt from local-sender protection; empty when protection is off */
    public Optional<Condition> trustedClients() {
        return Optional.ofNullable(trustedClients);
    }

    @Override
    public String describe() {
        return name + (checkAuthenticated ? ": refuse (553 5.7.1) authenticated senders not owned by the login ("
                + map.size() + " logins" + (allowNullSenderWhenAuthenticated ? ", <> allowed" : ", <> refused") + ")"
                : ": authenticated senders not checked")
                + (localDomains == null ? ""
                        : "; refuse unauthenticated senders of " + localDomainsDescription + " unless "
                                + trustedClients.description());
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Builds a {@link SenderLoginRule}. Each option may be set once. Not thread-safe. */
    public static final class Builder {
        private final SenderLoginMap map;
        private String name;
        private Boolean allowNullSender;
        private Boolean checkAuthenticated;
        private Predicate<String> localDomains;
        private String localDomainsDescription;
        private Condition trustedClients;
        private AllowListedDevicesRule devices;

        private Builder(SenderLoginMap map) {
            this.map = map;
        }

        /**
         * @param name the rule's name; default {@value SenderLoginRule#DEFAULT_NAME}
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
         * Whether an authenticated client may use the null sender {@code <>}. Default {@code true}, as Postfix's
         * {@code reject_sender_login_mismatch}: mail clients send read receipts and vacation replies with it.
         * The null sender still gets no relay privilege from this rule (it never allows).
         *
         * @param allowed whether {@code <>} passes
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder allowNullSenderWhenAuthenticated(boolean allowed) {
            if (allowNullSender != null) {
                throw new IllegalStateException("allowNullSenderWhenAuthenticated is already set to " + allowNullSender);
            }
            this.allowNullSender = allowed;
            return this;
        }

        /**
         * Whether senders of authenticated clients are checked against the map. Default {@code true}. Turn it off
         * only when there is no sender login map yet and the rule is wanted for its local-sender protection alone;
         * {@link AuthChecks} then still reports {@code sender-not-bound-to-login} (a login may send as anyone).
         *
         * @param check whether to check authenticated senders
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder checkAuthenticatedSenders(boolean check) {
            if (checkAuthenticated != null) {
                throw new IllegalStateException("checkAuthenticatedSenders is already set to " + checkAuthenticated);
            }
            this.checkAuthenticated = check;
            return this;
        }

        /**
         * Refuse unauthenticated clients that use a sender of a protected local domain (553 5.7.1, "authentication
         * required"), except trusted clients. Default: off (unauthenticated senders are not checked).
         *
         * @param localDomains tests a canonical domain (lower-case A-label, no trailing dot); must be thread-safe
         * @param description what the domains are, for reasons, e.g. "the local domains"
         * @param trustedClients clients exempt from the protection, e.g. the trusted networks; use a condition
         *        that never holds to exempt nobody
         * @return this builder
         * @throws NullPointerException if an argument is null
         * @throws IllegalArgumentException if {@code description} is blank
         * @throws IllegalStateException if already set
         */
        public Builder protectLocalSenders(Predicate<String> localDomains, String description,
                Condition trustedClients) {
            Objects.requireNonNull(localDomains, "localDomains");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(trustedClients, "trustedClients");
            if (description.isBlank()) {
                throw new IllegalArgumentException("local domains description must not be blank");
            }
            if (this.localDomains != null) {
                throw new IllegalStateException("protectLocalSenders is already set for " + localDomainsDescription);
            }
            this.localDomains = localDomains;
            this.localDomainsDescription = description;
            this.trustedClients = trustedClients;
            return this;
        }

        /**
         * {@link #protectLocalSenders(Predicate, String, Condition)} with a {@link DomainSet}: a sender domain is
         * protected when {@link DomainSet#contains(String)} says so (exact entries, and subdomains of
         * {@code .parent} entries).
         *
         * @param localDomains the protected local domains
         * @param trustedClients clients exempt from the protection, e.g. the trusted networks
         * @return this builder
         * @throws NullPointerException if an argument is null
         * @throws IllegalStateException if already set
         */
        public Builder protectLocalSenders(DomainSet localDomains, Condition trustedClients) {
            Objects.requireNonNull(localDomains, "localDomains");
            return protectLocalSenders(localDomains::contains, "local domains " + localDomains.describe(),
                    trustedClients);
        }

        /**
         * Exempts from local-sender protection exactly the requests that {@code devices} allows: an allow-listed
         * device using one of its own senders from its own networks. Printers and applications usually send as a
         * local address ({@code scan@example.com}); without this (or a trusted-client condition covering their
         * networks) they would be refused here before the devices rule is asked. {@link AuthChecks} reports that as
         * {@code device-sender-refused}.
         *
         * @param devices the allow-listed devices rule of the same policy
         * @return this builder
         * @throws NullPointerException if {@code devices} is null
         * @throws IllegalStateException if already set
         */
        public Builder exemptAllowListedDevices(AllowListedDevicesRule devices) {
            Objects.requireNonNull(devices, "devices");
            if (this.devices != null) {
                throw new IllegalStateException("exemptAllowListedDevices is already set to " + this.devices.name());
            }
            this.devices = devices;
            return this;
        }

        /**
         * @return the rule
         * @throws IllegalStateException if devices are exempted but local-sender protection is off
         */
        public SenderLoginRule build() {
            if (devices != null && localDomains == null) {
                throw new IllegalStateException("exemptAllowListedDevices needs protectLocalSenders: without it"
                        + " unauthenticated senders are not checked and there is nothing to exempt from");
            }
            return new SenderLoginRule(this);
        }
    }
}
