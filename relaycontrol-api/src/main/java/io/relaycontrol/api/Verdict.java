package io.relaycontrol.api;

/**
 * What a decision says.
 *
 * @since 0.1.0
 */
public enum Verdict {
    /** The request may proceed. */
    ALLOW,
    /** Refused permanently: the reply is a 5xx. */
    DENY,
    /** Refused temporarily: the reply is a 4xx; the client should retry later. */
    DEFER,
    /** The decider has nothing to say; the next rule, or the policy's default, decides. */
    NO_OPINION;

    /** @return {@code true} for {@link #DENY} and {@link #DEFER} */
    public boolean isRefusal() {
        return this == DENY || this == DEFER;
    }

    /** @return {@code true} for anything but {@link #NO_OPINION} */
    public boolean isDecisive() {
        return this != NO_OPINION;
    }
}
