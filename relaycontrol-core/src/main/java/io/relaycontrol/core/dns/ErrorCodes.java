package io.relaycontrol.core.dns;

/**
 * The error range {@code 127.255.255.0/24}: answers that say the query failed, never that anything is listed
 * (Spamhaus introduced it in 2019 and recommends every DNS list client treat it so). The meanings are
 * Spamhaus's; other lists that answer from this range mean an error too.
 */
final class ErrorCodes {

    private ErrorCodes() {
    }

    static boolean isError(int ip) {
        return (ip >>> 8) == 0x7fffff;
    }

    static boolean isLoopbackRange(int ip) {
        return (ip >>> 24) == 127;
    }

    static String meaning(int ip) {
        switch (ip & 0xff) {
            case 252:
                return "typing error in the DNS list name: the zone does not exist";
            case 254:
                return "query via a public or open resolver, or from a host with generic reverse DNS: "
                        + "Spamhaus refuses these queries (use your own resolver or its Data Query Service)";
            case 255:
                return "excessive number of queries: over the list's free-use limit";
            default:
                return "an error code of the list (127.255.255.0/24 is reserved for errors), not a listing";
        }
    }
}
