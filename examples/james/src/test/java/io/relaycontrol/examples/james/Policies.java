package io.relaycontrol.examples.james;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.address.EnvelopeAddress;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.Conditions;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rules;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** A stage-aware relay policy built with the policy engine, and a recording decider. */
final class Policies {

    static final SmtpReply BLOCKED = SmtpReply.of(554, "5.7.1", "Access denied: client is blocked");
    static final SmtpReply NOT_OWNED = SmtpReply.of(553, "5.7.1", "Sender address rejected: not owned by user");

    private Policies() {
    }

    /** Local domain example.com; 127.0.0.1 trusted; 127.0.0.3 blocked; alice owns @example.com; more than two
     * recipients from 127.0.0.5 are deferred. */
    static Policy standard() {
        Condition blocked = Condition.of("client is blocked", r -> r.clientAddress().getHostAddress().equals("127.0.0.3"));
        Condition trusted = Condition.of("client is trusted", r -> r.clientAddress().getHostAddress().equals("127.0.0.1"));
        Condition local = Condition.of("recipient is local", r -> {
            EnvelopeAddress a = r.recipientOrNull();
            return a != null && a.isMailbox() && !a.isRouted() && a.domain().equals("example.com");
        });
        Condition notOwned = Condition.of("sender not owned", r -> r.isAuthenticated()
                && !(r.senderOrNull().isMailbox() && r.senderOrNull().domain().equals("example.com")));
        Condition overLimit = Condition.of("over the limit", r -> r.clientAddress().getHostAddress().equals("127.0.0.5")
                && r.recipientCount() >= 2);
        return Policy.builder("relay-policy")
                .rule(Rules.when(blocked).deny("blocked-clients", BLOCKED))
                .rule(Rules.when(Conditions.stage(Stage.CONNECT, Stage.HELO)).allow("connect"))
                .rule(Rules.when(Conditions.stage(Stage.MAIL).and(notOwned)).deny("sender-logins", NOT_OWNED))
                .rule(Rules.when(Conditions.stage(Stage.MAIL)).allow("mail"))
                .rule(Rules.when(overLimit).defer("recipient-limit", SmtpReply.RATE_LIMITED))
                .rule(Rules.when(local).allow("local-domains"))
                .rule(Rules.when(trusted).allow("trusted-networks"))
                .rule(Rules.when(Conditions.authenticated()).allow("authenticated"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .build();
    }

    /** Records requests on their way to a delegate. */
    static final class Recorder implements RelayDecider {
        final List<RelayRequest> requests = new CopyOnWriteArrayList<>();
        private final RelayDecider delegate;

        Recorder(RelayDecider delegate) {
            this.delegate = delegate;
        }

        @Override
        public Decision decide(RelayRequest request) {
            requests.add(request);
            return delegate.decide(request);
        }

        RelayRequest last(Stage stage) {
            for (int i = requests.size() - 1; i >= 0; i--) {
                if (requests.get(i).stage() == stage) {
                    return requests.get(i);
                }
            }
            throw new AssertionError("no " + stage + " request in " + requests);
        }
    }
}
