package io.relaycontrol.core.dns;

import java.util.concurrent.CompletableFuture;

/**
 * What one (zone, key) lookup found: listed with its answer codes (all in {@code 127.0.0.0/8} outside the error
 * range), not listed, or failed with a reason. Immutable apart from the TXT future, which completes once.
 */
final class DnsAnswer {

    enum Status { LISTED, NOT_LISTED, FAILED }

    private static final int[] NO_CODES = new int[0];
    /** What the cache stores for every negative answer: the TTL lives in the cache entry, not here. */
    private static final DnsAnswer NOT_LISTED = new DnsAnswer(Status.NOT_LISTED, NO_CODES, null, 0, null);

    final Status status;
    final int[] codes;
    /** For FAILED: why, for people; also the health state logged once per change. */
    final String failure;
    /** How long the answer may be cached (0 in the shared values the cache stores, see {@link #forCache}). */
    final long ttlNanos;
    /** For LISTED: the TXT reason (null when there is none); completes within the timeout. */
    final CompletableFuture<String> text;

    private DnsAnswer(Status status, int[] codes, String failure, long ttlNanos, CompletableFuture<String> text) {
        this.status = status;
        this.codes = codes;
        this.failure = failure;
        this.ttlNanos = Math.max(0, ttlNanos);
        this.text = text;
    }

    static DnsAnswer listed(int[] codes, long ttlNanos, CompletableFuture<String> text) {
        return new DnsAnswer(Status.LISTED, codes, null, ttlNanos, text);
    }

    static DnsAnswer notListed(long ttlNanos) {
        return new DnsAnswer(Status.NOT_LISTED, NO_CODES, null, ttlNanos, null);
    }

    static DnsAnswer failed(String why, long ttlNanos) {
        return new DnsAnswer(Status.FAILED, NO_CODES, why, ttlNanos, null);
    }

    /**
     * The value to cache: negative answers share one object (the TTL is kept by the cache entry), so that a
     * cached "not listed" costs no per-client object to read; a listing is copied, so that it is allocated next
     * to the cache entry that holds it.
     */
    DnsAnswer forCache() {
        switch (status) {
            case NOT_LISTED:
                return NOT_LISTED;
            case LISTED:
                return new DnsAnswer(Status.LISTED, codes.clone(), null, 0, text); // allocated beside the entry
            default:
                return this;
        }
    }

    static String dotted(int ip) {
        return (ip >>> 24) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff);
    }

    String codesText() {
        StringBuilder sb = new StringBuilder();
        for (int c : codes) {
            sb.append(sb.length() == 0 ? "" : ",").append(dotted(c));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        switch (status) {
            case LISTED:
                return "listed " + codesText();
            case NOT_LISTED:
                return "not listed";
            default:
                return "failed: " + failure;
        }
    }
}
