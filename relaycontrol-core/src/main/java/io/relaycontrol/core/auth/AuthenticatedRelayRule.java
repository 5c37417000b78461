package io.relaycontrol.core.auth;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.core.rules.GuardedRule;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * <em>Authenticated clients may relay</em>: allows a request that carries an identity verified by a successful
 * SMTP AUTH ({@link RelayRequest#authenticatedIdentity()}; never the unverified {@code AUTH=} parameter of
 * MAIL FROM), optionally only for listed identities, and by default only when TLS is active.
 *
 * <table>
 * <caption>Decisions</caption>
 * <tr><th>request</th><th>verdict</th><th>reason</th></tr>
 * <tr><td>not authenticated</td><td>NO_OPINION</td><td>client is not authenticated</td></tr>
 * <tr><td>authenticated, no TLS, {@code requireTls(true)} (the default)</td><td>NO_OPINION</td>
 *     <td>authenticated without TLS; this rule requires TLS</td></tr>
 * <tr><td>authenticated, identity not in {@link Builder#onlyIdentities(Set) onlyIdentities}</td><td>NO_OPINION</td>
 *     <td>identity is not one of the listed identities</td></tr>
 * <tr><td>otherwise</td><td>ALLOW</td><td>client authenticated with a verified identity (over TLS)</td></tr>
 * </table>
 *
 * <p><b>Authenticated without TLS</b> (with the default {@code requireTls(true)}): this rule gives no relay
 * permission and abstains with the reason above, so the request falls through to the next rules and, in a
 * policy ending in {@code otherwiseDeny(RELAY_ACCESS_DENIED)}, is refused with 554 5.7.1. It does not refuse by
 * itself, so a client that is also allowed by another rule (a trusted network) keeps that permission. Servers
 * should not offer AUTH before STARTTLS at all; this rule makes a password sent in clear text worthless for relay.
 *
 * <p>This rule never looks at the sender: pair it with {@link SenderLoginRule}, placed <em>before</em> it in the
 * policy, or any login may send as anyone ({@link AuthChecks} reports both mistakes).
 *
 * <p>All decisions are precomputed; {@code decide} allocates nothing (unless logins are case-insensitive and
 * identities are listed). Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class AuthenticatedRelayRule extends GuardedRule {

    /** The default name, {@code authenticated-relay}. */
    public static final String DEFAULT_NAME = "authenticated-relay";

    private final String name;
    private final boolean requireTls;
    private final Set<String> identities;
    private final boolean caseInsensitiveLogins;
    private final Decision notAuthenticated;
    private final Decision withoutTls;
    private final Decision notListed;
    private final Decision allow;

    private AuthenticatedRelayRule(Builder b) {
        this.name = b.name == null ? DEFAULT_NAME : b.name;
        this.requireTls = b.requireTls == null || b.requireTls;
        this.caseInsensitiveLogins = Boolean.TRUE.equals(b.caseInsensitiveLogins);
        if (b.identities == null) {
            this.identities = null;
        } else {
            Set<String> ids = new LinkedHashSet<>();
            for (String id : b.identities) {
                ids.add(caseInsensitiveLogins ? SenderLoginMap.lower(id) : id);
            }
            this.identities = Set.copyOf(ids);
        }
        this.notAuthenticated = Decision.noOpinion(name, "client is not authenticated");
        this.withoutTls = Decision.noOpinion(name,
                "authenticated without TLS; this rule requires TLS (requireTls=true), so it gives no relay permission");
        this.notListed = Decision.noOpinion(name, "authenticated identity is not one of the "
                + (identities == null ? 0 : identities.size()) + " listed identities");
        this.allow = Decision.allow(name, "client authenticated with a verified identity"
                + (requireTls ? " over TLS" : "") + (identities == null ? "" : " that is listed"));
    }

    /**
     * Starts a rule: any verified identity, TLS required, logins exact.
     *
     * @return a builder (not thread-safe)
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected Decision decideUnguarded(RelayRequest request) {
        Optional<String> identity = request.authenticatedIdentity();
        if (identity.isEmpty()) {
            return notAuthenticated;
        }
        if (requireTls && !request.isTls()) {
            return withoutTls;
        }
        if (identities != null) {
            String id = caseInsensitiveLogins ? SenderLoginMap.lower(identity.get()) : identity.get();
            if (!identities.contains(id)) {
                return notListed;
            }
        }
        return allow;
    }

    @Override
    public String name() {
        return name;
    }

    /** @return whether TLS must be active for this rule to allow */
    public boolean requiresTls() {
        return requireTls;
    }

    /**
     * @return the listed identities (normalised to lower case if logins are case-insensitive), sorted; empty
     *         Optional when any verified identity may relay; an empty set means no identity may
     */
    public Optional<Set<String>> onlyIdentities() {
        return identities == null ? Optional.empty()
                : Optional.of(Collections.unmodifiableSet(new TreeSet<>(identities)));
    }

    /** @return whether identities are compared ignoring case */
    public boolean caseInsensitiveLogins() {
        return caseInsensitiveLogins;
    }

    @Override
    public String describe() {
        return name + ": allow authenticated clients"
                + (identities == null ? "" : " whose identity is one of " + identities.size() + " listed")
                + (requireTls ? ", only over TLS" : ", with or without TLS");
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Builds an {@link AuthenticatedRelayRule}. Each option may be set once. Not thread-safe. */
    public static final class Builder {
        private String name;
        private Boolean requireTls;
        private Set<String> identities;
        private Boolean caseInsensitiveLogins;

        private Builder() {
        }

        /**
         * @param name the rule's name; default {@value AuthenticatedRelayRule#DEFAULT_NAME}
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
         * Only these identities may relay. An empty set is accepted and means that no identity may (reported by
         * {@link AuthChecks} as {@code empty-identity-list}); without this call, any verified identity may.
         *
         * @param identities the logins, compared exactly unless {@link #caseInsensitiveLogins(boolean)}
         * @return this builder
         * @throws NullPointerException if the set or an element is null
         * @throws IllegalArgumentException if an identity is blank
         * @throws IllegalStateException if already set
         */
        public Builder onlyIdentities(Set<String> identities) {
            Objects.requireNonNull(identities, "identities");
            if (this.identities != null) {
                throw new IllegalStateException("onlyIdentities is already set");
            }
            Set<String> copy = new LinkedHashSet<>();
            for (String id : identities) {
                Objects.requireNonNull(id, "identity");
                if (id.isBlank()) {
                    throw new IllegalArgumentException("identity must not be blank: '" + id + "'");
                }
                copy.add(id);
            }
            this.identities = copy;
            return this;
        }

        /**
         * Whether TLS must be active. Default {@code true}: without TLS an authenticated client gets no relay
         * permission from this rule (it abstains with a reason). {@code false} is reported by {@link AuthChecks}
         * as {@code auth-without-tls}.
         *
         * @param required whether TLS is required
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder requireTls(boolean required) {
            if (requireTls != null) {
                throw new IllegalStateException("requireTls is already set to " + requireTls);
            }
            this.requireTls = required;
            return this;
        }

        /**
         * Compare identities ignoring case. Default: exact.
         *
         * @param enabled whether to ignore case
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder caseInsensitiveLogins(boolean enabled) {
            if (caseInsensitiveLogins != null) {
                throw new IllegalStateException("caseInsensitiveLogins is already set to " + caseInsensitiveLogins);
            }
            this.caseInsensitiveLogins = enabled;
            return this;
        }

        /** @return the rule; the builder may be reused, the rule never changes */
        public AuthenticatedRelayRule build() {
            return new AuthenticatedRelayRule(this);
        }
    }
}
