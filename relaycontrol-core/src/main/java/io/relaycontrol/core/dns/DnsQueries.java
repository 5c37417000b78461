package io.relaycontrol.core.dns;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import io.relaycontrol.api.RelayClock;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * Asks the zones through one dnsjava {@link Resolver} and caches the answers: one bounded Caffeine cache per
 * zone, keyed by the client address ({@link InetAddress}) or the domain ({@link String}), so that a cached
 * lookup builds no name and allocates nothing. Listings are cached for their TTL, negative answers for
 * min(SOA TTL, SOA minimum) (RFC 2308), failures for a short fixed time; all capped. A query that is still in
 * flight is shared: a lookup started at CONNECT is the one RCPT waits for. Every query completes, with an
 * answer or as failed, within the timeout ({@link CompletableFuture#completeOnTimeout}), whatever the resolver
 * does. Thread-safe.
 */
final class DnsQueries {

    private static final Logger LOG = LoggerFactory.getLogger(DnsQueries.class);
    private static final Executor DIRECT = Runnable::run;
    private static final int MAX_TEXT = 200;

    private final Resolver resolver;
    private final RelayClock clock;
    private final long base;
    private final Duration timeout;
    private final long maxTtlNanos;
    private final long failureTtlNanos;
    private final long defaultNegativeTtlNanos;
    private final long cacheSize;
    private final Map<String, Zone> zones = new ConcurrentHashMap<>();
    private final DnsAnswer timedOut;

    DnsQueries(Resolver resolver, RelayClock clock, Duration timeout, Duration maxTtl, Duration failureTtl,
            long cacheSize) {
        this.resolver = resolver;
        this.clock = clock;
        this.base = clock.epochNanos();
        this.timeout = timeout;
        this.maxTtlNanos = maxTtl.toNanos();
        this.failureTtlNanos = Math.min(failureTtl.toNanos(), maxTtlNanos);
        this.defaultNegativeTtlNanos = Math.min(TimeUnit.SECONDS.toNanos(60), maxTtlNanos);
        this.cacheSize = cacheSize;
        this.timedOut = DnsAnswer.failed("no answer within " + timeout.toMillis() + " ms", failureTtlNanos);
    }

    /** The zone's cache and health; one per zone, however many lists name it. */
    Zone zone(String zone) {
        return zones.computeIfAbsent(zone, Zone::new);
    }

    /** The zones, for tests and describe(). */
    Map<String, Zone> zones() {
        return zones;
    }

    Duration timeout() {
        return timeout;
    }

    final class Zone {
        final String name;
        final AsyncCache<Object, DnsAnswer> cache;
        final BiFunction<Object, Executor, CompletableFuture<DnsAnswer>> loader;
        private final Policy<Object, DnsAnswer> policy;
        private final AtomicReference<String> health = new AtomicReference<>("ok");

        Zone(String name) {
            this.name = name;
            this.cache = Caffeine.newBuilder()
                    .maximumSize(cacheSize)
                    // Maintenance on the calling thread: handing it to the common pool allocates a task per
                    // drain (DnsListBenchmark.cachedScore -prof gc: 0.75 B/op with the default executor, 0.02 with
                    // this one), and the hot path must allocate nothing.
                    .executor(DIRECT)
                    // relative to the clock's first reading, so that Caffeine's arithmetic stays far from overflow
                    .ticker(() -> clock.epochNanos() - base)
                    .expireAfter(new Expiry<Object, DnsAnswer>() {
                        @Override
                        public long expireAfterCreate(Object key, DnsAnswer value, long currentTime) {
                            return value.ttlNanos;
                        }

                        @Override
                        public long expireAfterUpdate(Object key, DnsAnswer value, long currentTime,
                                long currentDuration) {
                            return value.ttlNanos;
                        }

                        @Override
                        public long expireAfterRead(Object key, DnsAnswer value, long currentTime,
                                long currentDuration) {
                            return currentDuration;
                        }
                    })
                    .buildAsync();
            this.loader = (key, executor) -> query(this, key);
            this.policy = cache.synchronous().policy();
        }

        /**
         * The cached, unexpired answer for {@code key}, or {@code null} (also while a query is in flight); allocates
         * nothing. A quiet read: the eviction policy does not see it. A recorded read costs Caffeine its
         * read-buffer bookkeeping (frequency sketch, access-order and timer-wheel moves: several random memory
         * accesses per read, done on the deciding thread); in {@code DnsListBenchmark.cachedScore} (65,536 random
         * cached clients, loaded machine) it cost 3,603 ns against 316 ns for a plain {@code ConcurrentHashMap} in
         * the same run. Without it, eviction (W-TinyLFU) still sees every write, that is every answer once per
         * TTL, so under a flood of new addresses the clients asked again and again keep their entries better
         * than one-off ones; expiry is checked on every quiet read.
         */
        DnsAnswer cached(Object key) {
            return policy.getIfPresentQuietly(key);
        }

        /** The cached or in-flight answer, starting a query if there is none. */
        CompletableFuture<DnsAnswer> lookup(Object key) {
            CompletableFuture<DnsAnswer> f = cache.getIfPresent(key);
            return f != null ? f : cache.get(key, loader);
        }

        /** Records the zone's health; logs once per change of state. */
        void health(DnsAnswer a) {
            String state = a.status == DnsAnswer.Status.FAILED ? a.failure : "ok";
            String before = health.getAndSet(state);
            if (before.equals(state)) {
                return;
            }
            if (state.equals("ok")) {
                LOG.info("DNS list {} answers again (was: {})", name, before);
            } else if (state.startsWith("127.255.255.") || state.startsWith("answer outside")) {
                LOG.warn("DNS list {} configuration problem: {}; its answers do not count until this is fixed",
                        name, state);
            } else {
                LOG.warn("DNS list {} failed: {}; it counts as not listed while this lasts", name, state);
            }
        }

        String health() {
            return health.get();
        }
    }

    /** The name asked for a key under a zone: reversed IPv4, nibble-reversed IPv6 (RFC 5782), or a domain. */
    static String queryName(Object key, String zone) {
        StringBuilder sb = new StringBuilder(80);
        if (key instanceof Inet4Address) {
            byte[] b = ((InetAddress) key).getAddress();
            for (int i = 3; i >= 0; i--) {
                sb.append(b[i] & 0xff).append('.');
            }
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

    private CompletableFuture<DnsAnswer> query(Zone zone, Object key) {
        CompletableFuture<DnsAnswer> f;
        try {
            Name name = Name.fromString(queryName(key, zone.name));
            f = resolver.sendAsync(Message.newQuery(Record.newRecord(name, Type.A, DClass.IN)), DIRECT)
                    .toCompletableFuture()
                    .handle((m, e) -> e != null ? failure(e) : readA(name, m));
        } catch (TextParseException e) {
            f = CompletableFuture.completedFuture(DnsAnswer.failed("cannot ask " + key + " under " + zone.name
                    + ": " + e.getMessage(), failureTtlNanos));
        } catch (RuntimeException e) {
            f = CompletableFuture.completedFuture(failure(e));
        }
        if (!f.isDone()) {
            f.completeOnTimeout(timedOut, timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        return f.thenApply(a -> {
                    zone.health(a);
                    return a;
                });
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
