package io.relaycontrol.core.dns;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Asks the zones through one dnsjava {@link Resolver}, for one rule: builds the query name, reads the answer
 * (codes, TTL, negative TTL from the SOA, error codes, answers outside {@code 127.0.0.0/8}) and bounds every
 * query by the timeout ({@link CompletableFuture#completeOnTimeout}), whatever the resolver does. The answers
 * are kept by the {@link ZoneCache}s of a {@link DnsListCache}, which outlive the rule. Thread-safe.
 */
final class DnsQueries {

    private static final Executor DIRECT = Runnable::run;
    private static final int MAX_TEXT = 200;

    private final Resolver resolver;
    private final Duration timeout;
    private final long maxTtlNanos;
    private final long failureTtlNanos;
    private final long defaultNegativeTtlNanos;
    private final DnsAnswer timedOut;

    DnsQueries(Resolver resolver, Duration timeout, Duration maxTtl, Duration failureTtl) {
        this.resolver = resolver;
        this.timeout = timeout;
        this.maxTtlNanos = maxTtl.toNanos();
        this.failureTtlNanos = Math.min(failureTtl.toNanos(), maxTtlNanos);
        this.defaultNegativeTtlNanos = Math.min(TimeUnit.SECONDS.toNanos(60), maxTtlNanos);
        this.timedOut = DnsAnswer.failed("no answer within " + timeout.toMillis() + " ms", failureTtlNanos);
    }

    Duration timeout() {
        return timeout;
    }

    /**
     * The key of an IPv4 client: its address as an int. A compact key makes the cache's equality check one
     * field of an object stored beside Caffeine's node, instead of an {@code InetAddress} and its holder
     * elsewhere in memory; the rule creates it on the stack of the deciding thread (scalar-replaced by the JIT:
     * {@code DnsListBenchmark -prof gc} reports no allocation). IPv6 clients are keyed by their
     * {@code Inet6Address} (the JDK gives no allocation-free access to its 16 bytes), domains by the domain.
     */
    static final class V4Key {
        final int ip;

        V4Key(int ip) {
            this.ip = ip;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof V4Key && ((V4Key) o).ip == ip;
        }

        @Override
        public int hashCode() {
            return ip;
        }

        @Override
        public String toString() {
            return DnsAnswer.dotted(ip);
        }
    }

    /** @return the cache key of a client address: a {@link V4Key} for IPv4, the address itself for IPv6 */
    static Object clientKey(InetAddress a) {
        // Inet4Address.hashCode() is the address as an int in every OpenJDK (holder().getAddress()), read without
        // the copy getAddress() makes; queryNameWhenIpv4ThenOctetsReversed fails if a JDK ever changes that.
        return a instanceof Inet4Address ? new V4Key(a.hashCode()) : a;
    }

    /** The name asked for a key under a zone: reversed IPv4, nibble-reversed IPv6 (RFC 5782), or a domain. */
    static String queryName(Object key, String zone) {
        StringBuilder sb = new StringBuilder(80);
        if (key instanceof V4Key) {
            int ip = ((V4Key) key).ip;
            for (int shift = 0; shift < 32; shift += 8) {
                sb.append((ip >>> shift) & 0xff).append('.');
            }
        } else if (key instanceof Inet4Address) {
            return queryName(clientKey((InetAddress) key), zone);
        } else if (key instanceof Inet6Address) {
            byte[] b = ((InetAddress) key).getAddress();
            for (int i = 15; i >= 0; i--) {
                sb.append(Character.forDigit(b[i] & 0xf, 16)).append('.')
                        .append(Character.forDigit((b[i] >>> 4) & 0xf, 16)).append('.');
            }
        } else {
            sb.append((String) key).append('.');
        }
        return sb.append(zone).append('.').toString();
    }

    /** Asks {@code zone} about {@code key}; the future completes within the timeout. */
    CompletableFuture<DnsAnswer> query(String zone, Object key) {
        CompletableFuture<DnsAnswer> f;
        try {
            Name name = Name.fromString(queryName(key, zone));
            f = resolver.sendAsync(Message.newQuery(Record.newRecord(name, Type.A, DClass.IN)), DIRECT)
                    .toCompletableFuture()
                    .handle((m, e) -> e != null ? failure(e) : readA(name, m));
        } catch (TextParseException e) {
            f = CompletableFuture.completedFuture(DnsAnswer.failed("cannot ask " + key + " under " + zone
                    + ": " + e.getMessage(), failureTtlNanos));
        } catch (RuntimeException e) {
            f = CompletableFuture.completedFuture(failure(e));
        }
        if (!f.isDone()) {
            f.completeOnTimeout(timedOut, timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        return f;
    }

    private DnsAnswer failure(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        String what = t instanceof java.util.concurrent.TimeoutException || t instanceof java.net.SocketTimeoutException
                ? "no answer (resolver timeout)"
                : "lookup error: " + t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        return DnsAnswer.failed(what, failureTtlNanos);
    }

    private DnsAnswer readA(Name name, Message m) {
        int rcode = m.getRcode();
        if (rcode == Rcode.NXDOMAIN) {
            return DnsAnswer.notListed(negativeTtl(m));
        }
        if (rcode != Rcode.NOERROR) {
            return DnsAnswer.failed("server answered " + Rcode.string(rcode), failureTtlNanos);
        }
        List<Record> answers = m.getSection(Section.ANSWER);
        int[] codes = new int[answers.size()];
        int n = 0;
        long ttl = Long.MAX_VALUE;
        int error = 0;
        int outside = 0;
        boolean anyA = false;
        for (Record r : answers) {
            if (!(r instanceof ARecord)) {
                continue;
            }
            anyA = true;
            byte[] b = ((ARecord) r).getAddress().getAddress();
            int ip = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            ttl = Math.min(ttl, TimeUnit.SECONDS.toNanos(r.getTTL()));
            if (!ErrorCodes.isLoopbackRange(ip)) {
                outside = ip;
            } else if (ErrorCodes.isError(ip)) {
                error = ip;
            } else {
                codes[n++] = ip;
            }
        }
        if (!anyA) {
            return DnsAnswer.notListed(negativeTtl(m)); // NODATA: the name exists without an address
        }
        long capped = Math.min(ttl, maxTtlNanos);
        if (error != 0) {
            return DnsAnswer.failed(DnsAnswer.dotted(error) + ": " + ErrorCodes.meaning(error), capped);
        }
        if (n == 0) {
            return DnsAnswer.failed("answer outside 127.0.0.0/8 (" + DnsAnswer.dotted(outside)
                    + "): not a DNS list answer; does the resolver rewrite NXDOMAIN, or is the zone wrong?", capped);
        }
        return DnsAnswer.listed(java.util.Arrays.copyOf(codes, n), capped, text(name));
    }

    private long negativeTtl(Message m) {
        for (Record r : m.getSection(Section.AUTHORITY)) {
            if (r instanceof SOARecord) {
                long s = Math.min(r.getTTL(), ((SOARecord) r).getMinimum());
                return Math.min(TimeUnit.SECONDS.toNanos(s), maxTtlNanos);
            }
        }
        return defaultNegativeTtlNanos;
    }

    private CompletableFuture<String> text(Name name) {
        CompletableFuture<String> f;
        try {
            f = resolver.sendAsync(Message.newQuery(Record.newRecord(name, Type.TXT, DClass.IN)), DIRECT)
                    .toCompletableFuture()
                    .handle((m, e) -> e != null || m.getRcode() != Rcode.NOERROR ? null : firstText(m));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(null);
        }
        return f.completeOnTimeout(null, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static String firstText(Message m) {
        for (Record r : m.getSection(Section.ANSWER)) {
            if (r instanceof TXTRecord) {
                StringBuilder sb = new StringBuilder();
                for (byte[] part : ((TXTRecord) r).getStringsAsByteArrays()) {
                    sb.append(new String(part, java.nio.charset.StandardCharsets.ISO_8859_1));
                }
                return printable(sb.toString());
            }
        }
        return null;
    }

    /** A TXT reason as one safe line of an SMTP reply: control characters and non-ASCII become '?'. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_TEXT));
        for (int i = 0; i < s.length() && sb.length() < MAX_TEXT; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c >= 0x7f ? '?' : c);
        }
        String t = sb.toString().strip();
        return t.isEmpty() ? null : t;
    }
}
