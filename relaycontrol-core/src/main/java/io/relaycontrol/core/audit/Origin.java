package io.relaycontrol.core.audit;

/**
 * Where a probe form comes from.
 *
 * @since 0.2.0
 */
public enum Origin {
    /**
     * The 16 tests of nmap's {@code scripts/smtp-open-relay.nse} (also Metasploit's
     * {@code auxiliary/scanner/smtp/smtp_relay} {@code EXTENDED} tests 1 to 16, which copy them).
     */
    NMAP,
    /** A test where Metasploit's {@code smtp_relay} module differs from nmap's (its test 4). */
    METASPLOIT,
    /** The MAPS relay test ({@code relay-test.mail-abuse.org}): quote test, sender {@code localhost}, unqualified sender. */
    MAPS,
    /** relaycontrol's own: routing, literals, suffix confusion, case, trailing dots, IDN, stage checks. */
    RELAYCONTROL
}
