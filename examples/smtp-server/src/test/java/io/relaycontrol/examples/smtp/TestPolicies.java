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
import java.util.Set;

/** Small deciders built with the policy engine, for tests about the server rather than the policy. */
final class TestPolicies {

    private TestPolicies() {
    }

    /**
     * Allows connect and MAIL, then only recipients in {@code localDomains} (unrouted mailboxes, domain compared
     * exactly) or, after AUTH, anyone; everything else is {@code 554 5.7.1 Relay access denied}.
     */
    static Policy localOnly(String... localDomains) {
        Set<String> local = Set.of(localDomains);
        Condition localRecipient = Condition.of("recipient domain is local", r -> {
            EnvelopeAddress a = r.recipientOrNull();
            return a != null && a.isMailbox() && !a.isRouted() && local.contains(a.domain());
        });
        return Policy.builder("relay-policy")
                .rule(Rules.when(Conditions.stage(Stage.CONNECT, Stage.HELO, Stage.MAIL)).allow("no-recipient-yet"))
                .rule(Rules.when(localRecipient).allow("local-domains"))
                .rule(Rules.when(Conditions.authenticated()).allow("authenticated"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .build();
    }

    /** A decider for stage tests: allows everything, so that every request reaches the recorder. */
    static RelayDecider allowAll() {
        return r -> Decision.allow("allow-all", "test");
    }
}
