package io.relaycontrol.core.audit;

/**
 * Where a probe's recipient really leads, which decides its {@link Expectation} in each context.
 *
 * @since 0.2.0
 */
public enum Destination {
    /** Not a recipient probe: a stage check (CONNECT, HELO, MAIL, DATA) that a correct policy lets through. */
    NONE,
    /** A legitimate recipient of a local or relay domain (or {@code <Postmaster>}): must be accepted. */
    LOCAL,
    /** A foreign destination, plainly or through a routing, literal or look-alike trick. */
    FOREIGN,
    /** Harmless either way (the server's own address literal, a trailing-dot or IDN spelling of a local domain). */
    HARMLESS
}
