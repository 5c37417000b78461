package io.relaycontrol.core.dns;

import io.relaycontrol.api.address.DomainNames;
import java.util.Objects;
import java.util.Optional;

/**
 * One DNS list as an operator writes it, in Postfix postscreen's syntax {@code zone[=filter][*weight]}: the
 * zone to ask, which answers count ({@link AnswerFilter}; without a filter every answer in {@code 127.0.0.0/8}
 * outside the error range counts), and the weight a listing adds to the score. A negative weight makes it an
 * allow list (DNSWL): a listing lowers the score.
 *
 * <pre>{@code
 * DnsList zen = DnsList.parse("zen.spamhaus.org=127.0.0.[2..11]*3", DnsList.Target.CLIENT);
 * DnsList swl = DnsList.parse("list.dnswl.org=127.0.[0..255].[1..3]*-2", DnsList.Target.CLIENT);
 * DnsList dbl = DnsList.parse("dbl.spamhaus.org=127.0.1.[2..99]", DnsList.Target.SENDER_DOMAIN)
 *         .withLookupUrl("https://check.spamhaus.org/results/?query={key}");
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.2.0
 */
public final class DnsList {

    /** What a list is asked about. */
    public enum Target {
        /** The client's IP address: IPv4 octets reversed, IPv6 nibbles reversed (RFC 5782). */
        CLIENT,
        /** The envelope sender's domain (RHSBL, e.g. a DBL-style list). The null sender is not looked up. */
        SENDER_DOMAIN,
        /** The HELO/EHLO name, when it is a domain (address literals are not looked up). */
        HELO_DOMAIN
    }

    private final String zone;
    private final AnswerFilter filter;
    private final int weight;
    private final Target target;
    private final String lookupUrl;

    private DnsList(String zone, AnswerFilter filter, int weight, Target target, String lookupUrl) {
        this.zone = zone;
        this.filter = filter;
        this.weight = weight;
        this.target = target;
        this.lookupUrl = lookupUrl;
    }

    /**
     * Parses {@code zone[=filter][*weight]}.
     *
     * @param spec e.g. {@code zen.spamhaus.org=127.0.0.[2..11]*3}, {@code bl.example=&0.0.0.4},
     *     {@code list.dnswl.org*-2}
     * @param target what the list is asked about
     * @return the list
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException naming the value, if the zone, filter or weight is invalid or the weight
     *     is 0
     */
    public static DnsList parse(String spec, Target target) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(target, "target");
        String s = spec.trim();
        int weight = 1;
        int star = s.lastIndexOf('*');
        if (star >= 0) {
            String w = s.substring(star + 1).trim();
            try {
                weight = Integer.parseInt(w);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid DNS list '" + spec + "': weight '" + w
                        + "' is not a whole number");
            }
            s = s.substring(0, star).trim();
        }
        AnswerFilter filter = null;
        int eq = s.indexOf('=');
        if (eq >= 0) {
            try {
                filter = AnswerFilter.parse(s.substring(eq + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid DNS list '" + spec + "': " + e.getMessage(), e);
            }
            s = s.substring(0, eq).trim();
        }
        return of(s, filter, weight, target, spec);
    }

    /**
     * A list with a zone, an optional filter and a weight.
     *
     * @param zone the zone, e.g. {@code zen.spamhaus.org}
     * @param filter which answers count; {@code null} for every answer in {@code 127.0.0.0/8} outside the error range
     * @param weight what a listing adds to the score; negative for an allow list; never 0
     * @param target what the list is asked about
     * @return the list
     * @throws NullPointerException if {@code zone} or {@code target} is null
     * @throws IllegalArgumentException if the zone is not a domain or the weight is 0
     */
    public static DnsList of(String zone, AnswerFilter filter, int weight, Target target) {
        return of(zone, filter, weight, target, zone);
    }

    private static DnsList of(String zone, AnswerFilter filter, int weight, Target target, String spec) {
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(target, "target");
        String z;
        try {
            z = DomainNames.canonicalize(zone.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid DNS list '" + spec + "': zone: " + e.getMessage(), e);
        }
        if (z.startsWith("[") || !z.contains(".")) {
            throw new IllegalArgumentException("invalid DNS list '" + spec + "': zone '" + zone
                    + "' must be a domain with at least two labels");
        }
        if (weight == 0) {
            throw new IllegalArgumentException("invalid DNS list '" + spec + "': weight 0 would never count");
        }
        return new DnsList(z, filter, weight, target, null);
    }

    /**
     * The same list with a URL where people can look the listing up, named in the refusal.
     *
     * @param template a URL in which {@code {key}} is replaced by the address or domain, e.g.
     *     {@code https://check.spamhaus.org/results/?query={key}}
     * @return a new list
     * @throws IllegalArgumentException if the template is blank or has spaces or control characters
     */
    public DnsList withLookupUrl(String template) {
        Objects.requireNonNull(template, "template");
        String t = template.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("lookup URL for " + zone + " must not be blank");
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new IllegalArgumentException("lookup URL '" + template + "' for " + zone
                        + " contains a space, a control or a non-ASCII character at index " + i);
            }
        }
        return new DnsList(zone, filter, weight, target, t);
    }

    /**
     * The same list with another weight.
     *
     * @param newWeight the weight, not 0
     * @return a new list
     * @throws IllegalArgumentException if the weight is 0
     */
    public DnsList withWeight(int newWeight) {
        if (newWeight == 0) {
            throw new IllegalArgumentException("DNS list " + zone + ": weight 0 would never count");
        }
        return new DnsList(zone, filter, newWeight, target, lookupUrl);
    }

    /** @return the zone, canonical (lower case, no trailing dot) */
    public String zone() {
        return zone;
    }

    /** @return the filter, empty when every non-error answer in {@code 127.0.0.0/8} counts */
    public Optional<AnswerFilter> filter() {
        return Optional.ofNullable(filter);
    }

    /** @return what a listing adds to the score; negative for an allow list */
    public int weight() {
        return weight;
    }

    /** @return whether this is an allow list (negative weight) */
    public boolean isAllowList() {
        return weight < 0;
    }

    /** @return what the list is asked about */
    public Target target() {
        return target;
    }

    /** @return the lookup URL template, if one was given */
    public Optional<String> lookupUrl() {
        return Optional.ofNullable(lookupUrl);
    }

    /**
     * Whether an answer in {@code 127.0.0.0/8}, outside the error range, counts as a listing.
     *
     * @param code the answer as a big-endian int
     * @return whether it counts
     */
    boolean counts(int code) {
        return filter == null || filter.matches(code);
    }

    /** @return the list in postscreen syntax, e.g. {@code zen.spamhaus.org=127.0.0.[2..11]*3} */
    @Override
    public String toString() {
        return zone + (filter == null ? "" : "=" + filter) + (weight == 1 ? "" : "*" + weight);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DnsList)) {
            return false;
        }
        DnsList d = (DnsList) o;
        return zone.equals(d.zone) && Objects.equals(filter, d.filter) && weight == d.weight
                && target == d.target && Objects.equals(lookupUrl, d.lookupUrl);
    }

    @Override
    public int hashCode() {
        return Objects.hash(zone, filter, weight, target, lookupUrl);
    }
}
