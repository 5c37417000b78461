package io.relaycontrol.examples.policy;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.SmtpReply;
import java.util.Objects;

/**
 * Turns a {@link Decision} into the {@code action} of a policy reply (any action of Postfix's {@code access(5)}
 * table is allowed there):
 * <table>
 * <caption>verdict to action</caption>
 * <tr><th>verdict</th><th>action</th></tr>
 * <tr><td>ALLOW</td><td>the allow action: {@code DUNNO} by default (Postfix's own restrictions still run), or
 *     {@code OK}</td></tr>
 * <tr><td>DENY, DEFER</td><td>{@code <code> <enhanced status> <text>}, exactly the decision's reply, e.g.
 *     {@code 554 5.7.1 Relay access denied}; without a reply {@code 554 5.7.1 Relay access denied} or
 *     {@code 451 4.3.0 Temporary local problem, please try again later}</td></tr>
 * <tr><td>NO_OPINION</td><td>{@code DUNNO}</td></tr>
 * </table>
 * A reply's text is one printable line by construction ({@link SmtpReply}), so an action can never carry a
 * second reply line.
 *
 * <p>Thread-safe (immutable).
 *
 * @since 0.2.0
 */
public final class PolicyActions {

    /** The action that lets Postfix go on with its own restrictions. */
    public static final String DUNNO = "DUNNO";

    /** The action that accepts the request and ends the restriction list. */
    public static final String OK = "OK";

    /** What ALLOW becomes. */
    public enum AllowAction {
        /** {@code DUNNO}: Postfix's own restrictions still run (the default). */
        DUNNO,
        /** {@code OK}: the request is accepted and the rest of the restriction list is skipped. */
        OK;

        /**
         * Parses {@code DUNNO} or {@code OK}, in any case.
         *
         * @param text the value
         * @return the action
         * @throws IllegalArgumentException naming the value if it is neither
         */
        public static AllowAction parse(String text) {
            Objects.requireNonNull(text, "text");
            String t = text.strip();
            if (t.equalsIgnoreCase("DUNNO")) {
                return DUNNO;
            }
            if (t.equalsIgnoreCase("OK")) {
                return OK;
            }
            throw new IllegalArgumentException("allow action must be DUNNO or OK, was '" + text + "'");
        }
    }

    private final String allow;

    /**
     * @param allow what ALLOW becomes
     */
    public PolicyActions(AllowAction allow) {
        this.allow = Objects.requireNonNull(allow, "allow").name();
    }

    /**
     * The action for a decision.
     *
     * @param decision the decision
     * @return the action, without {@code action=}
     */
    public String action(Decision decision) {
        Objects.requireNonNull(decision, "decision");
        switch (decision.verdict()) {
            case ALLOW:
                return allow;
            case DENY:
                return decision.reply().orElse(SmtpReply.RELAY_ACCESS_DENIED).toString();
            case DEFER:
                return decision.reply().orElse(SmtpReply.TEMPORARY_FAILURE).toString();
            case NO_OPINION:
            default:
                return DUNNO;
        }
    }

    /**
     * The action for a request that could not be decided (it could not be mapped, or the decider failed):
     * fail closed, temporarily.
     *
     * @return {@code 451 4.3.0 Temporary local problem, please try again later}
     */
    public static String failed() {
        return SmtpReply.TEMPORARY_FAILURE.toString();
    }
}
