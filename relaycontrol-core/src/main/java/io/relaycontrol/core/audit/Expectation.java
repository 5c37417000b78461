package io.relaycontrol.core.audit;

/**
 * What a correct relay policy answers to one probe in one client context.
 *
 * @since 0.2.0
 */
public enum Expectation {
    /** The probe must be refused (5xx or 4xx): accepting it makes the server an open relay. */
    REFUSE,
    /** The probe must be accepted: refusing it loses legitimate mail. */
    ACCEPT,
    /** Either answer is correct (e.g. mail to the server's own address literal); reported, never judged. */
    EITHER
}
