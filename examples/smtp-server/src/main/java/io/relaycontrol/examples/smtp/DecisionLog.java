package io.relaycontrol.examples.smtp;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.core.rules.Rules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the decider safely and logs every decision: one line at INFO (stage, client, envelope, verdict,
 * reply, deciding rule), the whole {@link Decision#explain()} tree at DEBUG. Text that came from the
 * client is escaped so that it cannot forge log lines. Thread-safe.
 */
final class DecisionLog {

    private static final Logger LOG = LoggerFactory.getLogger("io.relaycontrol.examples.smtp.decisions");

    private final RelayDecider decider;

    DecisionLog(RelayDecider decider) {
        this.decider = decider;
    }

    /**
     * Decides and logs. Never throws: a decider that throws or returns null yields a 451 4.3.0 decision.
     */
    Decision decide(RelayRequest request) {
        Decision d = Rules.decideSafely("relay-policy", decider, request);
        if (LOG.isInfoEnabled()) {
            Decision leaf = d.decisive();
            LOG.info("{} -> {}{} by {}: {}", printable(request.toString()), d.verdict(),
                    d.reply().map(r -> " [" + r + "]").orElse(""), leaf.rule(), printable(leaf.reason()));
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("decision for {}:\n{}", printable(request.toString()), printable(d.explain()));
        }
        d.error().ifPresent(e -> LOG.warn("relay policy failed for " + printable(request.toString()), e));
        return d;
    }

    /** Escapes control characters (except newline) and non-ASCII as {@code \\uXXXX}, for logs. */
    static String printable(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean plain = c == '\n' || (c >= 0x20 && c < 0x7f);
            if (!plain && sb == null) {
                sb = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (sb != null) {
                if (plain) {
                    sb.append(c);
                } else {
                    sb.append(String.format("\\u%04x", (int) c));
                }
            }
        }
        return sb == null ? s : sb.toString();
    }
}
