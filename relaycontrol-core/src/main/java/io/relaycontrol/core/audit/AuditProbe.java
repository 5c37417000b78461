package io.relaycontrol.core.audit;

import io.relaycontrol.api.Stage;
import java.util.Objects;
import java.util.Optional;

/**
 * One probe of the audit: an envelope (or a stage check) and where its recipient really leads.
 *
 * @param id a short stable identifier, e.g. {@code nmap-5} or {@code percent-hack@example.com}
 * @param origin where the form comes from
 * @param description what it tries, for people
 * @param stage the stage it asks about (RCPT for recipient probes)
 * @param sender the envelope sender without angle brackets ({@code ""} is the null sender), or empty for the
 *     context's own sender
 * @param recipient the recipient without angle brackets, or {@code ""} for a stage check
 * @param destination where the recipient leads
 * @param baseline true for the plain relay probe that a client allowed to relay must get through
 * @since 0.2.0
 */
public record AuditProbe(String id, Origin origin, String description, Stage stage, Optional<String> sender,
        String recipient, Destination destination, boolean baseline) {

    /**
     * Validates the parts.
     *
     * @param id the identifier
     * @param origin the origin
     * @param description the description
     * @param stage the stage
     * @param sender the sender, or empty for the context's
     * @param recipient the recipient, or empty for a stage check
     * @param destination where the recipient leads
     * @param baseline whether it is the plain relay probe
     * @throws NullPointerException if any part is null
     * @throws IllegalArgumentException if a RCPT probe has no recipient, or a stage check has one
     */
    public AuditProbe {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(destination, "destination");
        if ((stage == Stage.RCPT) == recipient.isEmpty()) {
            throw new IllegalArgumentException("probe " + id + ": a RCPT probe needs a recipient, a "
                    + stage + " check has none: '" + recipient + "'");
        }
        if ((stage == Stage.RCPT) == (destination == Destination.NONE)) {
            throw new IllegalArgumentException("probe " + id + ": destination " + destination + " at " + stage);
        }
    }

    /**
     * @param context the client context
     * @return the sender this probe uses in that context, without angle brackets
     */
    public String senderIn(AuditContext context) {
        return sender.orElse(context.sender());
    }

    /**
     * @param context the client context
     * @return the envelope as SMTP commands, e.g. {@code MAIL FROM:<a@b> RCPT TO:<c@d>}
     */
    public String envelope(AuditContext context) {
        switch (stage) {
            case RCPT:
                return "MAIL FROM:<" + senderIn(context) + "> RCPT TO:<" + recipient + ">";
            case MAIL:
            case DATA:
                return "MAIL FROM:<" + senderIn(context) + ">" + (stage == Stage.DATA ? " ... DATA" : "");
            case HELO:
                return "EHLO " + context.helo();
            default:
                return "connect from " + context.client().getHostAddress();
        }
    }
}
