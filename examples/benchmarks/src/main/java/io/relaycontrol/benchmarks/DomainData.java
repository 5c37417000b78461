package io.relaycontrol.benchmarks;

import com.google.common.net.InternetDomainName;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Domain lists and recipient-domain queries for {@link DomainSetBenchmark} and {@link StandardPolicyBenchmark},
 * from a fixed seed.
 *
 * <p>Domains: one random label of 3 to 14 characters ({@code [a-z0-9]}, an inner hyphen now and then) under one
 * of 24 common public suffixes ({@code com}, {@code co.uk}, {@code de}, ...). Entries: 40% exact only
 * ({@code example.com}), 30% subdomains only ({@code .example.com}), 30% both, as local-domain lists are written.
 *
 * <p>Queries: half hits, half misses, in random order. A hit is drawn from the whole list: the domain of an
 * exact entry, or one or two labels ({@code mail}, {@code mx1}, {@code smtp}, {@code lists}, a random label)
 * under the domain of a subdomain entry. A miss is a random domain under the same suffixes that is not covered
 * (a third of them look-alikes: a listed domain with one letter changed, or a listed domain as a label of an
 * unlisted one). Mixed case: every letter upper-case with probability 1/3, at least one per query.
 */
final class DomainData {

    private static final String[] SUFFIXES = {"com", "net", "org", "de", "co.uk", "fr", "nl", "it", "es", "io",
            "info", "eu", "ch", "at", "be", "se", "pl", "com.au", "co.jp", "ca", "us", "biz", "org.uk", "dk"};
    private static final String[] SUBS = {"mail", "mx1", "smtp", "lists", "www"};
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    /** The entries as written: {@code example.com} or {@code .example.com}. */
    final List<String> entries;
    /** Domains with an exact entry, and parents of subdomain entries (the model). */
    final Set<String> exact;
    final Set<String> parents;
    /** Distinct listed domains (for drawing recipients). */
    final List<String> domains;
    /** Parallel to {@link #domains}: bit 0 exact entry, bit 1 subdomain entry. */
    final byte[] kinds;
    final SplittableRandom rnd;

    DomainData(int count, long seed) {
        rnd = new SplittableRandom(seed);
        entries = new ArrayList<>(count * 13 / 10);
        exact = new HashSet<>(count * 2);
        parents = new HashSet<>(count * 2);
        domains = new ArrayList<>(count);
        kinds = new byte[count];
        Set<String> seen = new HashSet<>(count * 2);
        while (domains.size() < count) {
            String d = label(3 + rnd.nextInt(12)) + "." + SUFFIXES[rnd.nextInt(SUFFIXES.length)];
            if (!seen.add(d) || InternetDomainName.from(d).isPublicSuffix()) {
                continue; // a random label can be a real public suffix (emr.it): the policy check refuses those
            }
            int r = rnd.nextInt(10);
            byte kind = (byte) (r < 4 ? 1 : r < 7 ? 2 : 3);
            if ((kind & 1) != 0) {
                entries.add(d);
                exact.add(d);
            }
            if ((kind & 2) != 0) {
                entries.add("." + d);
                parents.add(d);
            }
            kinds[domains.size()] = kind;
            domains.add(d);
        }
    }

    String label(int len) {
        StringBuilder sb = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            // a hyphen now and then, never first or last, never doubled, never at the third or fourth place
            // (RFC 5891 reserves "??--" labels: xn--a is an invalid A-label)
            boolean hyphenOk = i > 0 && i < len - 1 && i != 2 && i != 3 && sb.charAt(i - 1) != '-';
            sb.append(hyphenOk && rnd.nextInt(20) == 0 ? '-' : ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    /** @return a domain the list covers, drawn uniformly from the whole list */
    String hit() {
        int i = rnd.nextInt(domains.size());
        String d = domains.get(i);
        byte kind = kinds[i];
        boolean sub = kind == 2 || kind == 3 && rnd.nextBoolean();
        if (!sub) {
            return d;
        }
        String s = rnd.nextInt(3) == 0 ? label(3 + rnd.nextInt(8)) : SUBS[rnd.nextInt(SUBS.length)];
        return rnd.nextInt(4) == 0 ? SUBS[rnd.nextInt(SUBS.length)] + "." + s + "." + d : s + "." + d;
    }

    /** @return a domain the list does not cover */
    String miss() {
        while (true) {
            String q;
            int r = rnd.nextInt(3);
            if (r == 0) {
                String d = domains.get(rnd.nextInt(domains.size()));
                int at = rnd.nextInt(d.indexOf('.'));
                q = d.substring(0, at) + (d.charAt(at) == 'x' ? 'y' : 'x') + d.substring(at + 1);
            } else if (r == 1) {
                String d = domains.get(rnd.nextInt(domains.size()));
                q = d.substring(0, d.indexOf('.')) + "." + label(5) + "." + SUFFIXES[rnd.nextInt(SUFFIXES.length)];
            } else {
                q = (rnd.nextBoolean() ? SUBS[rnd.nextInt(SUBS.length)] + "." : "") + label(3 + rnd.nextInt(12)) + "."
                        + SUFFIXES[rnd.nextInt(SUFFIXES.length)];
            }
            if (!covered(q)) {
                return q;
            }
        }
    }

    /** The model: an exact entry equals q, or a subdomain entry names a proper parent of q. */
    boolean covered(String q) {
        if (exact.contains(q)) {
            return true;
        }
        for (int i = q.indexOf('.'); i >= 0; i = q.indexOf('.', i + 1)) {
            if (parents.contains(q.substring(i + 1))) {
                return true;
            }
        }
        return false;
    }

    /** @return q with each letter upper-case with probability 1/3, and at least one upper-case letter */
    String mixedCase(String q) {
        char[] c = q.toCharArray();
        boolean any = false;
        for (int i = 0; i < c.length; i++) {
            if (c[i] >= 'a' && c[i] <= 'z' && rnd.nextInt(3) == 0) {
                c[i] = (char) (c[i] - 32);
                any = true;
            }
        }
        if (!any) {
            for (int i = 0; i < c.length; i++) {
                if (c[i] >= 'a' && c[i] <= 'z') {
                    c[i] = (char) (c[i] - 32);
                    break;
                }
            }
        }
        return new String(c);
    }

    /**
     * @param n how many
     * @param mixed whether to change letter case ({@link #mixedCase})
     * @param expected receives whether each query is covered
     * @return queries, half hits and half misses, in random order; strings created in that order
     */
    String[] queries(int n, boolean mixed, boolean[] expected) {
        String[] q = new String[n];
        for (int i = 0; i < n; i++) {
            q[i] = i % 2 == 0 ? hit() : miss();
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            String t = q[i];
            q[i] = q[j];
            q[j] = t;
        }
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            expected[i] = covered(q[i]);
            out[i] = mixed ? mixedCase(q[i]) : new String(q[i].toLowerCase(Locale.ROOT).toCharArray());
        }
        return out;
    }
}
