package io.relaycontrol.examples.smtp;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.address.EnvelopeAddress;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Conditions;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rules;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Policies for tests that need only the policy engine: a stage-aware relay policy with exact-address
 * "networks", exact local domains, a sender-login map and a per-client recipient counter.
 */
final class TestPolicies {

    static final SmtpReply BLOCKED = SmtpReply.of(554, "5.7.1", "Access denied: client is blocked");
    static final SmtpReply NOT_OWNED = SmtpReply.of(553, "5.7.1", "Sender address rejected: not owned by user");

    private TestPolicies() {
    }

    /** A policy that only lets local recipients through: the relay-refusing default. */
    static Policy localOnly(String... localDomains) {
        return relay(Set.of(localDomains), Set.of(), Set.of(), Map.of(), Integer.MAX_VALUE);
    }

    static Policy relay(Set<String> localDomains, Set<String> trusted, Set<String> blocked,
            Map<String, Set<String>> senderLogins, int recipientsPerClient) {
        Condition isBlocked = Condition.of("client is blocked", r -> blocked.contains(r.clientAddress().getHostAddress()));
        Condition isTrusted = Condition.of("client is trusted", r -> trusted.contains(r.clientAddress().getHostAddress()));
        Condition localRecipient = Condition.of("recipient domain is local", r -> {
            EnvelopeAddress a = r.recipientOrNull();
            return a != null && a.isMailbox() && !a.isRouted() && localDomains.contains(a.domain());
        });
        Condition senderNotOwned = Condition.of("sender not owned by the login", r -> {
            EnvelopeAddress s = r.senderOrNull();
            Set<String> owned = senderLogins.get(r.authenticatedIdentity().orElse(""));
            if (owned == null || s == null) {
                return false;
            }
            return !(s.isMailbox() && (owned.contains(s.canonical()) || owned.contains("@" + s.domain())));
        });
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        RelayDecider limit = r -> {
            int n = counts.computeIfAbsent(r.clientAddress().getHostAddress(), k -> new AtomicInteger()).incrementAndGet();
            return n <= recipientsPerClient
                    ? Decision.allow("client-recipient-limit", n + " of " + recipientsPerClient)
                    : Decision.defer("client-recipient-limit", "over " + recipientsPerClient, SmtpReply.RATE_LIMITED);
        };
        return Policy.builder("relay-policy")
                .rule(Rules.when(isBlocked).deny("blocked-clients", BLOCKED))
                .rule(Rules.when(Conditions.stage(Stage.CONNECT, Stage.HELO)).allow("connect"))
                .rule(Rules.when(Conditions.stage(Stage.MAIL).and(Conditions.authenticated()).and(senderNotOwned))
                        .deny("sender-logins", NOT_OWNED))
                .rule(Rules.when(Conditions.stage(Stage.MAIL)).allow("mail"))
                .rule(Rules.allOf("relay-then-limit",
                        Rules.firstDecisive("relay",
                                Rules.when(localRecipient).allow("local-domains"),
                                Rules.when(isTrusted).allow("trusted-networks"),
                                Rules.when(Conditions.authenticated()).allow("authenticated")),
                        Rules.named("client-recipient-limit", limit)))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .build();
    }

    /** A decider for stage tests: allows everything, so that every request reaches the recorder. */
    static RelayDecider allowAll() {
        return r -> Decision.allow("allow-all", "test");
    }
}
