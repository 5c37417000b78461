package io.relaycontrol.core.check;

import java.util.Objects;

/**
 * One finding of a policy check (a linter run on a configuration at load time): a configuration that makes an
 * open relay, or a known trap.
 *
 * @param severity how bad it is
 * @param code a stable identifier for the trap, e.g. {@code open-relay-network}, for suppressing or grepping
 * @param message what is wrong and where, naming the offending value, for people
 * @since 0.1.0
 */
public record PolicyFinding(Severity severity, String code, String message) {

    /** How bad a finding is. */
    public enum Severity {
        /** The configuration makes an open relay or cannot work as written: refuse to load by default. */
        ERROR,
        /** Probably a mistake (an empty list that was meant to be filled): load, but say so. */
        WARNING
    }

    /**
     * Validates the finding.
     *
     * @param severity how bad it is
     * @param code a stable identifier for the trap
     * @param message what is wrong and where
     * @throws NullPointerException if any part is null
     * @throws IllegalArgumentException if {@code code} or {@code message} is blank
     */
    public PolicyFinding {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        if (code.isBlank() || message.isBlank()) {
            throw new IllegalArgumentException("finding code and message must not be blank");
        }
    }

    /**
     * @param code the trap's identifier
     * @param message what is wrong
     * @return an error finding
     */
    public static PolicyFinding error(String code, String message) {
        return new PolicyFinding(Severity.ERROR, code, message);
    }

    /**
     * @param code the trap's identifier
     * @param message what is wrong
     * @return a warning finding
     */
    public static PolicyFinding warning(String code, String message) {
        return new PolicyFinding(Severity.WARNING, code, message);
    }

    @Override
    public String toString() {
        return severity + " " + code + ": " + message;
    }
}
