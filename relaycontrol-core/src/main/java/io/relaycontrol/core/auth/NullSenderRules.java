package io.relaycontrol.core.auth;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.address.EnvelopeAddress;
import io.relaycontrol.core.rules.Condition;
import io.relaycontrol.core.rules.GuardedRule;
import io.relaycontrol.core.rules.Rule;
import java.util.Objects;

/**
 * Rules and conditions for the null sender {@code <>} (bounces and other delivery notifications).
 *
 * <p>The principle: a bounce gets no relay privilege it would not otherwise have. No rule of this package allows
 * because the sender is {@code <>}: {@link AllowListedDevicesRule} matches {@code <>} only when a device lists it,
 * {@link SenderLoginRule} never allows, and {@link AuthenticatedRelayRule} and the trusted-networks rule ignore the
 * sender. So a null sender from an untrusted, unauthenticated client to an external recipient falls through to the
 * policy's default refusal, like any other sender.
 *
 * <p>{@link #multiRecipientBounce()} adds Postfix's {@code reject_multi_recipient_bounce}: a real bounce goes to
 * exactly one recipient (the original sender), so a null-sender transaction with several recipients is spam or
 * backscatter.
 *
 * <p>All rules returned are immutable and thread-safe, with precomputed decisions.
 *
 * @since 0.1.0
 */
public final class NullSenderRules {

    /** The default name of {@link #multiRecipientBounce()}, {@code multi-recipient-bounce}. */
    public static final String MULTI_RECIPIENT_BOUNCE = "multi-recipient-bounce";

    /** {@code 550 5.5.3 Multi-recipient bounce}: the reply of {@link #multiRecipientBounce()}. */
    public static final SmtpReply MULTI_RECIPIENT_BOUNCE_REPLY = SmtpReply.of(550, "5.5.3", "Multi-recipient bounce");

    private NullSenderRules() {
    }

    /** @return a condition that holds when the envelope sender is known and is the null sender {@code <>} */
    public static Condition nullSender() {
        return Condition.of("sender is the null sender <>", r -> {
            EnvelopeAddress s = r.senderOrNull();
            return s != null && s.isNullPath();
        });
    }

    /**
     * Refuses a null-sender transaction with more than one recipient, with
     * {@link #MULTI_RECIPIENT_BOUNCE_REPLY 550 5.5.3}: at RCPT when a recipient was already accepted
     * ({@code recipientCount() >= 1}, so the current one would be the second), and at DATA when more than one
     * recipient was accepted (for servers that decide only at the end of DATA). Abstains otherwise, including for
     * every request whose sender is not {@code <>}. Never allows.
     *
     * @return the rule, named {@value #MULTI_RECIPIENT_BOUNCE}
     */
    public static Rule multiRecipientBounce() {
        return multiRecipientBounce(MULTI_RECIPIENT_BOUNCE, MULTI_RECIPIENT_BOUNCE_REPLY);
    }

    /**
     * {@link #multiRecipientBounce()} with another name and reply.
     *
     * @param name the rule's name
     * @param reply a 5xx or 4xx reply
     * @return the rule
     * @throws IllegalArgumentException if {@code name} is blank or {@code reply} is 2xx
     */
    public static Rule multiRecipientBounce(String name, SmtpReply reply) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(reply, "reply");
        if (name.isBlank()) {
            throw new IllegalArgumentException("rule name must not be blank");
        }
        if (reply.isPositive()) {
            throw new IllegalArgumentException("a multi-recipient bounce reply must be 4xx or 5xx, was " + reply);
        }
        return new MultiRecipientBounce(name, reply);
    }

    /** The rule of {@link #multiRecipientBounce()}; package-private so that {@link AuthChecks} can find it. */
    static final class MultiRecipientBounce extends GuardedRule {
        private final String name;
        private final Decision notNull;
        private final Decision single;
        private final Decision atRcpt;
        private final Decision atData;

        MultiRecipientBounce(String name, SmtpReply reply) {
            this.name = name;
            this.notNull = Decision.noOpinion(name, "sender is not the null sender");
            this.single = Decision.noOpinion(name, "null sender with a single recipient so far");
            String rcpt = "null sender <> with a second recipient: a bounce has exactly one recipient";
            String data = "null sender <> with more than one recipient: a bounce has exactly one recipient";
            this.atRcpt = reply.isPermanentFailure() ? Decision.deny(name, rcpt, reply) : Decision.defer(name, rcpt, reply);
            this.atData = reply.isPermanentFailure() ? Decision.deny(name, data, reply) : Decision.defer(name, data, reply);
        }

        @Override
        protected Decision decideUnguarded(RelayRequest request) {
            EnvelopeAddress s = request.senderOrNull();
            if (s == null || !s.isNullPath()) {
                return notNull;
            }
            if (request.stage() == Stage.RCPT && request.recipientCount() >= 1) {
                return atRcpt;
            }
            if (request.stage() == Stage.DATA && request.recipientCount() > 1) {
                return atData;
            }
            return single;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String describe() {
            return name + ": refuse null-sender transactions with more than one recipient ["
                    + atRcpt.reply().orElseThrow() + "]";
        }

        @Override
        public String toString() {
            return describe();
        }
    }
}
