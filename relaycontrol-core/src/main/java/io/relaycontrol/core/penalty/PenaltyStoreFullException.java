package io.relaycontrol.core.penalty;

/**
 * Thrown by a bounded {@link PenaltyStore} asked to keep a record for a new client when every slot holds a record
 * that cannot be forgotten yet. Nothing is evicted to make room (that would release a boxed client); the new client
 * is simply not boxed, and the rest of the policy still decides.
 *
 * <p>It carries no stack trace: under a flood it is the expected answer for every new client, and filling a stack
 * trace per violation would make the flood expensive for the server.
 *
 * @since 0.2.0
 */
public final class PenaltyStoreFullException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what is full, and its bound
     */
    public PenaltyStoreFullException(String message) {
        super(message, null, false, false);
    }
}
