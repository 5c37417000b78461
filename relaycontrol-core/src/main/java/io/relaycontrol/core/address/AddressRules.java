package io.relaycontrol.core.address;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.api.address.EnvelopeAddress;
import io.relaycontrol.api.address.ParseError;
import io.relaycontrol.api.address.Routing;
import io.relaycontrol.core.rules.GuardedRule;
import io.relaycontrol.core.rules.Rule;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Ready-made {@link Rule}s about envelope addresses.
 *
 * <p>Every rule returned is immutable and thread-safe, never returns {@code null} and never throws from
 * {@code decide} (a failure becomes 451 4.3.0). Their NO_OPINION decisions and replies are precomputed.
 *
 * @since 0.1.0
 */
public final class AddressRules {

    private AddressRules() {
    }

    /**
     * Refuses malformed and routed recipients; meant for clients that are neither trusted nor authenticated
     * (Postfix's {@code allow_untrusted_routing = no}, Exim's {@code deny local_parts = ^.*[@%!/|]}):
     * <ul>
     * <li>malformed recipient: DENY {@code 501 5.1.3 Bad recipient address syntax (<summary>)}, the decision's
     *     reason giving the details (e.g. {@code recipient address is malformed: local part of 65 octets; at
     *     most 64 allowed});</li>
     * <li>routed recipient: DENY {@code 554 5.7.1 Relay access denied: sender-specified routing (<kind>)}, the
     *     reason naming the trick (e.g. {@code recipient local part contains '%': sender-specified routing
     *     (percent hack)});</li>
     * <li>anything else, including no recipient yet: NO_OPINION.</li>
     * </ul>
     * Decisions carry the details {@code parseError} or {@code routing}.
     *
     * <pre>{@code
     * Rules.when(Conditions.authenticated().negate()).then(AddressRules.refuseMalformedOrRouted("address-hygiene"))
     * }</pre>
     *
     * @param name the rule's name
     * @return the rule
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Rule refuseMalformedOrRouted(String name) {
        return new RefuseMalformedOrRouted(requireName(name));
    }

    /**
     * Refuses a malformed envelope sender with {@code 501 5.1.7 Bad sender address syntax (<summary>)}, and
     * the domain-less {@code <Postmaster>}, which RFC 5321 allows only as a recipient, with
     * {@code 501 5.1.7 Bad sender address syntax (<Postmaster> without a domain is only a recipient)};
     * NO_OPINION otherwise (including the null sender and routed senders).
     *
     * @param name the rule's name
     * @return the rule
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Rule refuseMalformedSender(String name) {
        return new RefuseMalformedSender(requireName(name));
    }

    private static String requireName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("rule name must not be blank");
        }
        return name;
    }

    private static Map<ParseError, SmtpReply> syntaxReplies(int code, String status, String text) {
        Map<ParseError, SmtpReply> m = new EnumMap<>(ParseError.class);
        for (ParseError e : ParseError.values()) {
            m.put(e, SmtpReply.of(code, status, text + " (" + e.summary() + ")"));
        }
        return m;
    }

    static final class RefuseMalformedOrRouted extends GuardedRule {
        private final String name;
        private final Decision noRecipient;
        private final Decision clean;
        private final Map<ParseError, SmtpReply> syntax = syntaxReplies(501, "5.1.3", "Bad recipient address syntax");
        private final Map<Routing, SmtpReply> routed = new EnumMap<>(Routing.class);

        RefuseMalformedOrRouted(String name) {
            this.name = name;
            this.noRecipient = Decision.noOpinion(name, "no recipient to check");
            this.clean = Decision.noOpinion(name, "recipient is well-formed and not routed");
            for (Routing r : Routing.values()) {
                if (r != Routing.NONE) {
                    routed.put(r, SmtpReply.of(554, "5.7.1",
                            "Relay access denied: sender-specified routing (" + r.summary() + ")"));
                }
            }
        }

        @Override
        protected Decision decideUnguarded(RelayRequest request) {
            EnvelopeAddress rcpt = request.recipientOrNull();
            if (rcpt == null) {
                return noRecipient;
            }
            if (rcpt.isInvalid()) {
                ParseError e = rcpt.parseError().orElseThrow();
                return Decision.builder(Verdict.DENY, name, "recipient address is malformed: "
                        + rcpt.error().orElse(e.summary()))
                        .reply(syntax.get(e)).detail("parseError", e.code()).build();
            }
            if (rcpt.isRouted()) {
                return Decision.builder(Verdict.DENY, name, "recipient " + rcpt.routingReason().orElseThrow())
                        .reply(routed.get(rcpt.routing())).detail("routing", rcpt.routing()).build();
            }
            return clean;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String describe() {
            return name + ": deny malformed recipients [501 5.1.3] and routed recipients [554 5.7.1]";
        }
    }

    static final class RefuseMalformedSender extends GuardedRule {
        private final String name;
        private final Decision ok;
        private final Map<ParseError, SmtpReply> syntax = syntaxReplies(501, "5.1.7", "Bad sender address syntax");
        private final Decision postmaster;

        RefuseMalformedSender(String name) {
            this.name = name;
            this.ok = Decision.noOpinion(name, "sender is well-formed or not known yet");
            this.postmaster = Decision.builder(Verdict.DENY, name, "sender <Postmaster> has no domain; RFC 5321"
                    + " 4.1.1.3 allows the domain-less form only as a recipient")
                    .reply(SmtpReply.of(501, "5.1.7",
                            "Bad sender address syntax (<Postmaster> without a domain is only a recipient)"))
                    .build();
        }

        @Override
        protected Decision decideUnguarded(RelayRequest request) {
            EnvelopeAddress sender = request.senderOrNull();
            if (sender != null && sender.isPostmaster()) {
                return postmaster;
            }
            if (sender == null || !sender.isInvalid()) {
                return ok;
            }
            ParseError e = sender.parseError().orElseThrow();
            return Decision.builder(Verdict.DENY, name, "sender address is malformed: "
                    + sender.error().orElse(e.summary()))
                    .reply(syntax.get(e)).detail("parseError", e.code()).build();
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String describe() {
            return name + ": deny malformed senders and a domain-less <Postmaster> sender [501 5.1.7]";
        }
    }
}
