package io.relaycontrol.core.audit;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import java.util.Objects;

/**
 * The answer to one probe in one context, and whether it was the right one.
 *
 * @param probe the probe
 * @param context the client context
 * @param expectation what a correct policy answers
 * @param answeredAt the stage whose answer decided the probe (MAIL when the sender was already refused)
 * @param decision the decision at that stage (for a network audit, the server's reply as a decision)
 * @since 0.2.0
 */
public record AuditResult(AuditProbe probe, AuditContext context, Expectation expectation, Stage answeredAt,
        Decision decision) {

    /** How an answer is judged. */
    public enum Judgement {
        /** The answer was the expected one. */
        CORRECT,
        /** A probe that must be refused was accepted: the server relays where it must not. */
        WRONGLY_ALLOWED,
        /** A probe that must be accepted was refused: legitimate mail is lost. */
        WRONGLY_REFUSED,
        /** Either answer is correct. */
        NOT_JUDGED
    }

    /**
     * Validates the parts.
     *
     * @param probe the probe
     * @param context the context
     * @param expectation the expectation
     * @param answeredAt the deciding stage
     * @param decision the decision
     * @throws NullPointerException if any part is null
     */
    public AuditResult {
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(expectation, "expectation");
        Objects.requireNonNull(answeredAt, "answeredAt");
        Objects.requireNonNull(decision, "decision");
    }

    /**
     * Whether the probe got through: ALLOW, or NO_OPINION (a decider that abstains leaves the answer to the
     * server's default, which for a relay must not be trusted to refuse).
     *
     * @return true unless the decision is DENY or DEFER
     */
    public boolean accepted() {
        return !decision.verdict().isRefusal();
    }

    /** @return the judgement of this answer */
    public Judgement judgement() {
        switch (expectation) {
            case REFUSE:
                return accepted() ? Judgement.WRONGLY_ALLOWED : Judgement.CORRECT;
            case ACCEPT:
                return accepted() ? Judgement.CORRECT : Judgement.WRONGLY_REFUSED;
            default:
                return Judgement.NOT_JUDGED;
        }
    }

    /**
     * @return one line: probe, context, envelope, answer and expectation
     */
    public String summary() {
        String answer = decision.verdict() == Verdict.NO_OPINION ? "not refused (no opinion)"
                : accepted() ? "accepted" : "refused";
        return "[" + probe.id() + "] " + context.name() + ": " + probe.envelope(context) + " -> " + answer
                + " at " + answeredAt + decision.reply().map(r -> " (" + r + ")").orElse("")
                + ", expected " + expectation.name().toLowerCase(java.util.Locale.ROOT)
                + " (" + probe.description() + ")";
    }
}
