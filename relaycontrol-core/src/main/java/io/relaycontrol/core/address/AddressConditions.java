package io.relaycontrol.core.address;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.address.EnvelopeAddress;
import io.relaycontrol.core.rules.Condition;
import java.util.Objects;

/**
 * {@link Condition}s about the envelope sender and recipient, for composition with the policy engine
 * ({@link io.relaycontrol.core.rules.Rules#when(Condition)}).
 *
 * <p>The safety rule: a routed recipient ({@code user%evil.com@local.com}, {@code "a@b"@local.com},
 * {@code evil.com!user@local.com}, {@code @a:user@local.com}) or an invalid one is <em>never</em> in a domain
 * set, so a routed address can never be treated as local or as relay-domain mail. The "not in" conditions are
 * the exact negations, so they hold for routed, invalid and missing addresses: a rule "deny when the recipient
 * domain is not in the relay domains" refuses them (fail closed).
 *
 * <p>Address literals are only "in" a set that lists them as literals. Every condition returned is immutable
 * and thread-safe, allocates nothing when tested, and is {@code false} when the address it asks about is absent
 * (no recipient at stage MAIL).
 *
 * @since 0.1.0
 */
public final class AddressConditions {

    private AddressConditions() {
    }

    /**
     * The recipient is a well-formed, unrouted mailbox whose domain is in {@code set}.
     *
     * @param set the domains, e.g. the local domains
     * @return the condition
     */
    public static Condition recipientDomainIn(DomainSet set) {
        Objects.requireNonNull(set, "set");
        return Condition.of("recipient domain in " + set.describe(), r -> inSet(r.recipientOrNull(), set));
    }

    /**
     * The recipient is a well-formed, unrouted mailbox whose domain is in the set now in force.
     *
     * @param set a reloadable set, read at each test
     * @return the condition
     */
    public static Condition recipientDomainIn(ReloadableDomainSet set) {
        Objects.requireNonNull(set, "set");
        return Condition.of("recipient domain in " + set.description(), r -> inSet(r.recipientOrNull(), set.current()));
    }

    /**
     * Negation of {@link #recipientDomainIn(DomainSet)}: also holds for routed, invalid and absent recipients.
     *
     * @param set the domains
     * @return the condition
     */
    public static Condition recipientDomainNotIn(DomainSet set) {
        Objects.requireNonNull(set, "set");
        return Condition.of("recipient domain not in " + set.describe()
                + " (or recipient routed or malformed)", r -> !inSet(r.recipientOrNull(), set));
    }

    /**
     * The sender is a well-formed, unrouted mailbox whose domain is in {@code set} (never the null sender).
     *
     * @param set the domains
     * @return the condition
     */
    public static Condition senderDomainIn(DomainSet set) {
        Objects.requireNonNull(set, "set");
        return Condition.of("sender domain in " + set.describe(), r -> inSet(r.senderOrNull(), set));
    }

    /**
     * The sender domain is in the set now in force.
     *
     * @param set a reloadable set, read at each test
     * @return the condition
     */
    public static Condition senderDomainIn(ReloadableDomainSet set) {
        Objects.requireNonNull(set, "set");
        return Condition.of("sender domain in " + set.description(), r -> inSet(r.senderOrNull(), set.current()));
    }

    /**
     * Negation of {@link #senderDomainIn(DomainSet)}: also holds for the null sender and routed, invalid or
     * absent senders.
     *
     * @param set the domains
     * @return the condition
     */
    public static Condition senderDomainNotIn(DomainSet set) {
        Objects.requireNonNull(set, "set");
        return Condition.of("sender domain not in " + set.describe()
                + " (or sender null, routed or malformed)", r -> !inSet(r.senderOrNull(), set));
    }

    /**
     * The recipient is the domain-less {@code <Postmaster>} of RFC 5321 section 4.1.1.3 (any case), which a
     * server must accept for its own postmaster (sections 4.1.1.3 and 4.5.1). It names no domain and is routed
     * nowhere: the "domain in" conditions never hold for it.
     *
     * @return the condition
     * @since 0.2.0
     */
    public static Condition recipientPostmaster() {
        return Condition.of("recipient is the local <Postmaster>", r -> {
            EnvelopeAddress a = r.recipientOrNull();
            return a != null && a.isPostmaster();
        });
    }

    /** @return holds when the recipient carries sender-specified routing (source route, {@code %}, {@code !}, {@code @}) */
    public static Condition recipientRouted() {
        return Condition.of("recipient uses sender-specified routing", r -> {
            EnvelopeAddress a = r.recipientOrNull();
            return a != null && a.isRouted();
        });
    }

    /** @return holds when the recipient domain is an address literal such as {@code [192.0.2.1]} */
    public static Condition recipientLiteral() {
        return Condition.of("recipient domain is an address literal", r -> {
            EnvelopeAddress a = r.recipientOrNull();
            return a != null && a.isMailbox() && a.isAddressLiteral();
        });
    }

    /** @return holds when the recipient could not be parsed */
    public static Condition recipientInvalid() {
        return Condition.of("recipient address is malformed", r -> {
            EnvelopeAddress a = r.recipientOrNull();
            return a != null && a.isInvalid();
        });
    }

    /** @return holds when the sender could not be parsed */
    public static Condition senderInvalid() {
        return Condition.of("sender address is malformed", r -> {
            EnvelopeAddress a = r.senderOrNull();
            return a != null && a.isInvalid();
        });
    }

    /** @return holds when the sender carries sender-specified routing */
    public static Condition senderRouted() {
        return Condition.of("sender uses sender-specified routing", r -> {
            EnvelopeAddress a = r.senderOrNull();
            return a != null && a.isRouted();
        });
    }

    /** @return holds for the null sender {@code <>} (bounces) */
    public static Condition nullSender() {
        return Condition.of("sender is the null path <>", r -> {
            EnvelopeAddress a = r.senderOrNull();
            return a != null && a.isNullPath();
        });
    }

    private static boolean inSet(EnvelopeAddress a, DomainSet set) {
        return a != null && a.isMailbox() && !a.isRouted() && set.contains(a.domain());
    }
}
