package io.relaycontrol.core.penalty;

/**
 * What a {@link PenaltyStore} keeps about one client: how many times it was boxed, until when the current (or
 * last) ban runs, and when the record may be forgotten (the offence count then starts again at one).
 *
 * <p>Times are wall-clock epoch milliseconds, so that servers sharing a store compare them with their own clocks
 * (which must agree, as for shared rate limits). Immutable and thread-safe; equal records are equal values, which
 * {@link PenaltyStore#compareAndSet} relies on.
 *
 * @param offences how many times the client was boxed while remembered, at least 1
 * @param bannedUntilMillis when the ban ends (exclusive), epoch milliseconds
 * @param forgetAtMillis when the record may be forgotten, epoch milliseconds, not before the ban ends
 * @since 0.2.0
 */
public record PenaltyRecord(int offences, long bannedUntilMillis, long forgetAtMillis) {

    /**
     * Validates the record.
     *
     * @param offences how many times the client was boxed, at least 1
     * @param bannedUntilMillis when the ban ends
     * @param forgetAtMillis when the record may be forgotten
     * @throws IllegalArgumentException if {@code offences < 1} or the record would be forgotten before its ban ends
     */
    public PenaltyRecord {
        if (offences < 1) {
            throw new IllegalArgumentException("offences must be at least 1, was " + offences);
        }
        if (forgetAtMillis < bannedUntilMillis) {
            throw new IllegalArgumentException("a penalty record cannot be forgotten (" + forgetAtMillis
                    + ") before its ban ends (" + bannedUntilMillis + ")");
        }
    }

    /**
     * @param nowMillis the time now, epoch milliseconds
     * @return whether the client is banned at {@code nowMillis}
     */
    public boolean bannedAt(long nowMillis) {
        return nowMillis < bannedUntilMillis;
    }

    /**
     * @param nowMillis the time now, epoch milliseconds
     * @return whether the offence count still counts at {@code nowMillis} (the record is not yet forgettable)
     */
    public boolean rememberedAt(long nowMillis) {
        return nowMillis < forgetAtMillis;
    }

    /**
     * The text form a shared store keeps: {@code v1:<offences>:<bannedUntilMillis>:<forgetAtMillis>}.
     *
     * @return the encoded record
     */
    public String encode() {
        return "v1:" + offences + ":" + bannedUntilMillis + ":" + forgetAtMillis;
    }

    /**
     * Reads {@link #encode()}'s form.
     *
     * @param text the encoded record
     * @return the record
     * @throws IllegalArgumentException naming the text if it is not an encoded record
     */
    public static PenaltyRecord decode(String text) {
        String[] p = text.split(":", -1);
        if (p.length != 4 || !p[0].equals("v1")) {
            throw new IllegalArgumentException("not a penalty record: '" + text + "'");
        }
        try {
            return new PenaltyRecord(Integer.parseInt(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a penalty record: '" + text + "'", e);
        }
    }
}
