package io.relaycontrol.examples.policy;

/**
 * A policy request that breaks the protocol: no empty line within the size bound, a line without {@code =},
 * an empty attribute name, a NUL byte, an over-long line, bytes that are not UTF-8, or a connection closed or
 * timed out inside a request. The protocol asks the server to send <em>no</em> reply then: log and close the
 * connection, so that Postfix applies its own {@code smtpd_policy_service_default_action}.
 *
 * @since 0.2.0
 */
public final class MalformedRequestException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what was wrong, naming the line or the bound
     */
    public MalformedRequestException(String message) {
        super(message);
    }
}
