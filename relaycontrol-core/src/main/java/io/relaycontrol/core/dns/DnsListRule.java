package io.relaycontrol.core.dns;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayClock;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.api.address.DomainNames;
import io.relaycontrol.api.address.EnvelopeAddress;
import io.relaycontrol.core.rules.GuardedRule;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SimpleResolver;

/**
 * Refuses clients that DNS lists name: client lists (DNSBL, the address reversed, RFC 5782), domain lists on
 * the sender's domain and the HELO name (RHSBL), and allow lists (DNSWL, negative weights), as Postfix's
 * postscreen scores them. Each listing whose answer passes the list's filter adds the list's weight; a request
 * whose score reaches the {@linkplain Builder#threshold threshold} is refused with
 * {@code 554 5.7.1 Service unavailable; client host [203.0.113.7] blocked using zen.spamhaus.org; <TXT>; see <URL>}.
 * Below it the rule has no opinion, or allows when an allow list brought the score to or below the
 * {@linkplain Builder#allowThreshold allow threshold}. <strong>That allow is a DNS verdict, not relay
 * permission</strong>: place the rule where its allow only ends the DNS question (the standard policy turns it
 * into "no opinion"), never first in a first-decisive policy.
 *
 * <p>The classic mistakes are excluded by construction:
 * <ul>
 * <li>answers outside {@code 127.0.0.0/8} never count (a resolver that rewrites NXDOMAIN to an advertising
 *     page); the list counts as failed for that query;</li>
 * <li>answers in {@code 127.255.255.0/24} never count: they mark the list as failed for that query
 *     (Spamhaus: 252 typo'd zone, 254 query via a public resolver, 255 over quota) and are logged once per
 *     change of state as a configuration problem;</li>
 * <li>every list is asked in parallel, and a decision waits at most the {@linkplain Builder#timeout timeout}
 *     (default 2 s) in total, even for a list that never answers; a list that fails or times out counts as not
 *     listed and the decision says which lists failed ({@code failed} detail). When every block list failed,
 *     {@link FailMode#NO_OPINION} (default, as Postfix) lets the request through to the next rule, and
 *     {@link FailMode#DEFER} refuses it temporarily ({@link #UNAVAILABLE_REPLY}).</li>
 * </ul>
 *
 * <p>Stages: at CONNECT, HELO and MAIL the rule starts the lookups it can (the client at CONNECT, the HELO name
 * at HELO, the sender's domain at MAIL) and has no opinion; at RCPT it decides, waiting only for what is still
 * missing; at DATA it has no opinion (each recipient was decided). Answers are cached per (zone, key) for their
 * TTL, negative answers for their SOA minimum, failures for {@link Builder#failureCacheTime}, all capped by
 * {@link Builder#maxTtl}, in one bounded Caffeine cache per zone ({@link Builder#cacheSize}): a cached
 * lookup builds no DNS name and allocates nothing. The caches belong to a {@link DnsListCache}; give the rules of
 * successive policies the same one ({@link Builder#cache}) and a reload keeps every cached answer. In front of
 * them each rule keeps, for IPv4 clients, the combined verdict of all its client lists in one fixed-size table
 * (one {@code long} per client, expiring no later than the earliest of its answers), so that the cached hot path
 * is one memory read however many client lists there are; what the table forgets is read again from the zone
 * caches.
 *
 * <pre>{@code
 * DnsListRule dns = DnsListRule.builder("dns-lists")
 *         .list(DnsList.parse("zen.spamhaus.org=127.0.0.[2..11]", DnsList.Target.CLIENT))
 *         .list(DnsList.parse("list.dnswl.org=127.0.[0..255].[1..3]*-2", DnsList.Target.CLIENT))
 *         .list(DnsList.parse("dbl.spamhaus.org=127.0.1.[2..99]", DnsList.Target.SENDER_DOMAIN))
 *         .servers(DnsListRule.parseServers("127.0.0.1:53"))
 *         .timeout(Duration.ofSeconds(2))
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe (the caches are concurrent); never throws from {@link #decide} and never
 * returns {@code null}. The caller's thread blocks at RCPT for at most the timeout.
 *
 * @since 0.2.0
 */
public final class DnsListRule extends GuardedRule {

    /** What happens when every block list failed for a request. */
    public enum FailMode {
        /** No opinion: the next rule decides, as Postfix does (the default). */
        NO_OPINION,
        /** A temporary refusal, {@link #UNAVAILABLE_REPLY}: fail closed, but only temporarily. */
        DEFER
    }

    /** The default total wait: 2 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** The default number of answers cached per zone. */
    public static final long DEFAULT_CACHE_SIZE = 100_000;
    /** The default cap on how long any answer is cached: one hour, as postscreen's {@code postscreen_dnsbl_max_ttl}. */
    public static final Duration DEFAULT_MAX_TTL = Duration.ofHours(1);
    /** The default time a failed lookup is cached, so that the next recipients of a session do not wait again. */
    public static final Duration DEFAULT_FAILURE_CACHE_TIME = Duration.ofSeconds(30);
    /** The reply when every block list failed and the fail mode is {@link FailMode#DEFER}. */
    public static final SmtpReply UNAVAILABLE_REPLY =
            SmtpReply.of(451, "4.7.1", "Service temporarily unavailable: DNS block lists did not answer, try again later");

    private final String name;
    private final List<DnsList> lists;
    private final DnsList[] listArray;
    private final ZoneCache[] zones;
    private final Function<Object, CompletableFuture<DnsAnswer>>[] queriers;
    private final DnsQueries queries;
    private final DnsListCache cache;
    private final RelayClock clock;
    /** The lists asked about the client, and the others (sender domain, HELO name), as indices. */
    private final int[] clientLists;
    private final int[] otherLists;
    /** The client lists' verdicts for IPv4 clients, in front of the zone caches; null without client lists. */
    private final ClientScores front;
    private final int threshold;
    private final int allowThreshold;
    private final FailMode failMode;
    private final List<InetSocketAddress> servers;
    private final boolean systemServers;
    private final long timeoutNanos;
    private final Decision notListed;
    private final Decision started;
    private final Decision afterRcpt;

    @SuppressWarnings("unchecked")
    private DnsListRule(Builder b, DnsListCache cache, Resolver resolver, List<InetSocketAddress> servers,
            boolean systemServers) {
        this.name = b.name;
        this.lists = List.copyOf(b.lists);
        this.listArray = lists.toArray(new DnsList[0]);
        this.cache = cache;
        this.queries = new DnsQueries(resolver, b.timeout, b.maxTtl, b.failureCacheTime);
        this.zones = new ZoneCache[listArray.length];
        this.queriers = new Function[listArray.length];
        for (int i = 0; i < listArray.length; i++) {
            String zone = listArray[i].zone();
            zones[i] = cache.zone(zone);
            queriers[i] = key -> queries.query(zone, key);
        }
        this.clock = cache.clock();
        this.clientLists = indices(listArray, true);
        this.otherLists = indices(listArray, false);
        this.front = clientLists.length == 0 ? null
                : new ClientScores(cache.maximumSize(), clock.epochNanos(), cache.generation());
        this.threshold = b.threshold;
        this.allowThreshold = b.allowThreshold;
        this.failMode = b.failMode;
        this.servers = List.copyOf(servers);
        this.systemServers = systemServers;
        this.timeoutNanos = b.timeout.toNanos();
        StringJoiner zs = new StringJoiner(", ");
        lists.forEach(l -> zs.add(l.zone()));
        this.notListed = Decision.builder(Verdict.NO_OPINION, name, "no listing in " + zs)
                .detail("score", 0).detail("threshold", threshold).build();
        this.started = Decision.noOpinion(name, "DNS list lookups started; decided at RCPT");
        this.afterRcpt = Decision.noOpinion(name, "DNS lists are decided per recipient, at RCPT");
    }

    private static int[] indices(DnsList[] lists, boolean client) {
        int[] out = new int[lists.length];
        int n = 0;
        for (int i = 0; i < lists.length; i++) {
            if ((lists[i].target() == DnsList.Target.CLIENT) == client) {
                out[n++] = i;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * @param name the rule's name in decisions, e.g. {@code dns-lists}
     * @return a builder
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Parses DNS servers written {@code HOST[:PORT], ...}: IPv4 {@code 127.0.0.1}, {@code 127.0.0.1:5353}; IPv6
     * {@code ::1}, {@code [::1]:5353}. Only IP addresses: a host name would need a resolver to find the resolver.
     *
     * @param text the servers, comma-separated
     * @return the servers in order; port 53 where none is given
     * @throws IllegalArgumentException naming the entry, if one is not an IP address with an optional port 1..65535
     */
    public static List<InetSocketAddress> parseServers(String text) {
        Objects.requireNonNull(text, "text");
        List<InetSocketAddress> out = new ArrayList<>();
        for (String raw : text.split(",")) {
            String s = raw.trim();
            if (s.isEmpty()) {
                continue;
            }
            String host = s;
            int port = 53;
            if (s.startsWith("[")) {
                int close = s.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("DNS server '" + s + "': '[' without ']'");
                }
                host = s.substring(1, close);
                String rest = s.substring(close + 1);
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(":")) {
                        throw new IllegalArgumentException("DNS server '" + s + "': expected ':PORT' after ']'");
                    }
                    port = port(s, rest.substring(1));
                }
            } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
                host = s.substring(0, s.indexOf(':'));
                port = port(s, s.substring(s.indexOf(':') + 1));
            }
            String literal = host.indexOf(':') >= 0 ? "[IPv6:" + host + "]" : "[" + host + "]";
            if (!DomainNames.isValid(literal)) {
                throw new IllegalArgumentException("DNS server '" + s + "' is not an IP address (host names are"
                        + " not resolved: give the resolver's address, e.g. 127.0.0.1 or [::1]:5353)");
            }
            try {
                out.add(new InetSocketAddress(InetAddress.getByName(host), port));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("DNS server '" + s + "': " + e.getMessage(), e);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no DNS server in '" + text + "'");
        }
        return out;
    }

    private static int port(String entry, String p) {
        try {
            int v = Integer.parseInt(p.trim());
            if (v >= 1 && v <= 65535) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("DNS server '" + entry + "': port '" + p + "' is not 1..65535");
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the lists, in the order given */
    public List<DnsList> lists() {
        return lists;
    }

    /** @return the score at which a request is refused */
    public int threshold() {
        return threshold;
    }

    /** @return the score at or below which a request that an allow list matched is allowed */
    public int allowThreshold() {
        return allowThreshold;
    }

    /** @return what happens when every block list failed */
    public FailMode failMode() {
        return failMode;
    }

    /** @return the total wait for a decision */
    public Duration timeout() {
        return queries.timeout();
    }

    /** @return the DNS servers asked, in order (the system's when none were configured) */
    public List<InetSocketAddress> servers() {
        return servers;
    }

    /** @return whether the servers are the system resolver's (none were configured) */
    public boolean usesSystemServers() {
        return systemServers;
    }

    /** What {@link #cachedScore} returns when some list's answer is not cached (or still in flight). */
    public static final int NOT_CACHED = Integer.MIN_VALUE;

    /**
     * The score the cached answers give this request now, without asking DNS and without waiting: the hot path
     * at RCPT, for monitoring and benchmarks. Failed answers add nothing. Allocates nothing.
     *
     * @param request the request (its client, sender and HELO name are the keys)
     * @return the summed weight of the cached listings, or {@link #NOT_CACHED} if any answer is missing
     */
    public int cachedScore(RelayRequest request) {
        int score = 0;
        InetAddress address = request.clientAddress();
        if (front != null) {
            if (address instanceof Inet4Address) {
                long v = clientVerdict(address.hashCode());
                if (v == MISS) {
                    return NOT_CACHED;
                }
                score = v == CLEAN ? 0 : (int) v;
            } else {
                for (int i : clientLists) {
                    DnsAnswer a = zones[i].cached(address);
                    if (a == null) {
                        return NOT_CACHED;
                    }
                    score += weight(listArray[i], a);
                }
            }
        }
        for (int i : otherLists) {
            Object key = key(listArray[i], request, null);
            if (key == null) {
                continue;
            }
            DnsAnswer a = zones[i].cached(key);
            if (a == null) {
                return NOT_CACHED;
            }
            score += weight(listArray[i], a);
        }
        return score;
    }

    /** The weight a cached answer adds: the list's if the answer is a listing that passes its filter, else 0. */
    private static int weight(DnsList l, DnsAnswer a) {
        if (a.status == DnsAnswer.Status.LISTED) {
            for (int c : a.codes) {
                if (l.counts(c)) {
                    return l.weight();
                }
            }
        }
        return 0;
    }

    /** {@link #clientVerdict}: some answer is not cached. */
    private static final long MISS = Long.MIN_VALUE;
    /** {@link #clientVerdict}: every client list answered "not listed". */
    private static final long CLEAN = Long.MIN_VALUE + 1;

    /**
     * The client lists' verdict for an IPv4 client: {@link #CLEAN} when every one answered "not listed", else
     * their summed score; {@link #MISS} when some answer is not cached. Read from the front table, else from the
     * zone caches and then remembered in the front table until the earliest of the answers expires. Allocates
     * nothing when the front table has it.
     */
    private long clientVerdict(int ip) {
        long now = clock.epochNanos();
        int generation = cache.generation(); // before the zone caches are read: a retain meanwhile voids the entry
        int v = front.get(ip, now, generation);
        if (v != ClientScores.MISS) {
            return v == ClientScores.CLEAN ? CLEAN : v;
        }
        return clientVerdictFromZones(ip, now, generation);
    }

    /** {@link #clientVerdict} when the front table has nothing: kept apart so that the hot part stays small. */
    private long clientVerdictFromZones(int ip, long now, int generation) {
        Object key = new DnsQueries.V4Key(ip);
        int score = 0;
        boolean clean = true;
        long left = Long.MAX_VALUE;
        for (int i : clientLists) {
            DnsAnswer a = zones[i].cached(key);
            long l = zones[i].remainingNanos(key);
            if (a == null || l < 0) {
                return MISS;
            }
            left = Math.min(left, l);
            clean &= a.status == DnsAnswer.Status.NOT_LISTED;
            score += weight(listArray[i], a);
        }
        long expires = left > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + left;
        // A score that cannot be told from CLEAN, or that does not fit the table, is read from the zone caches.
        boolean storable = clean || score != ClientScores.CLEAN && score != ClientScores.MISS;
        front.put(ip, clean ? ClientScores.CLEAN : storable ? score : Integer.MAX_VALUE, now, expires, generation);
        return clean ? CLEAN : score;
    }

    /** @return where the rule keeps its answers (shared with other rules when given to {@link Builder#cache}) */
    public DnsListCache cache() {
        return cache;
    }

    @Override
    protected Decision decideUnguarded(RelayRequest request) {
        Stage stage = request.stage();
        if (stage == Stage.DATA) {
            return afterRcpt;
        }
        if (stage != Stage.RCPT) {
            return startLookups(request);
        }
        // The hot path: every answer cached and none listed or failed. No name is built and nothing allocated;
        // for an IPv4 client all client lists together are one read of the front table.
        InetAddress address = request.clientAddress();
        if (front != null) {
            if (address instanceof Inet4Address) {
                if (clientVerdict(address.hashCode()) != CLEAN) {
                    return decideSlowly(request);
                }
            } else {
                for (int i : clientLists) {
                    DnsAnswer a = zones[i].cached(address);
                    if (a == null || a.status != DnsAnswer.Status.NOT_LISTED) {
                        return decideSlowly(request);
                    }
                }
            }
        }
        for (int i : otherLists) {
            Object key = key(listArray[i], request, null);
            if (key == null) {
                continue;
            }
            DnsAnswer a = zones[i].cached(key);
            if (a == null || a.status != DnsAnswer.Status.NOT_LISTED) {
                return decideSlowly(request);
            }
        }
        return notListed;
    }

    /** CONNECT, HELO, MAIL: starts the lookups that can start (kept apart so that the RCPT path stays small). */
    private Decision startLookups(RelayRequest request) {
        Object client = DnsQueries.clientKey(request.clientAddress());
        for (int i = 0; i < listArray.length; i++) {
            Object key = key(listArray[i], request, client);
            if (key != null) {
                zones[i].lookup(key, queriers[i]);
            }
        }
        return started;
    }

    private Object key(DnsList list, RelayRequest request, Object client) {
        switch (list.target()) {
            case CLIENT:
                return client;
            case SENDER_DOMAIN: {
                EnvelopeAddress s = request.senderOrNull();
                if (s == null || !s.isMailbox() || s.isAddressLiteral()) {
                    return null;
                }
                return fits(s.domain(), list) ? s.domain() : null;
            }
            default: {
                String helo = request.helo().orElse(null);
                if (helo == null || helo.isEmpty() || helo.charAt(0) == '[' || !DomainNames.isValid(helo)) {
                    return null;
                }
                String d = DomainNames.canonicalize(helo);
                return d.indexOf('.') > 0 && !d.startsWith("[") && fits(d, list) ? d : null;
            }
        }
    }

    private static boolean fits(String domain, DnsList list) {
        return domain.length() + 1 + list.zone().length() <= 253;
    }

    private Decision decideSlowly(RelayRequest request) {
        // The deadline counts from the start of the lookup, before any query is built or sent, so that the time
        // spent starting queries is inside the timeout, not added to it. A blocking wait needs the monotonic
        // clock the JDK waits on; the RelayClock governs TTLs, not waits.
        long deadline = System.nanoTime() + timeoutNanos;
        int n = listArray.length;
        Object[] keys = new Object[n];
        @SuppressWarnings("unchecked")
        CompletableFuture<DnsAnswer>[] futures = new CompletableFuture[n];
        Object client = DnsQueries.clientKey(request.clientAddress());
        for (int i = 0; i < n; i++) {
            keys[i] = key(listArray[i], request, client);
            if (keys[i] != null) {
                futures[i] = zones[i].lookup(keys[i], queriers[i]);
            }
        }
        DnsAnswer[] answers = new DnsAnswer[n];
        for (int i = 0; i < n; i++) {
            if (futures[i] != null) {
                answers[i] = await(futures[i], deadline);
            }
        }
        int score = 0;
        int top = -1;
        int topCode = 0;
        boolean allowMatched = false;
        int blockAsked = 0;
        int blockFailed = 0;
        StringJoiner listed = new StringJoiner(", ");
        StringJoiner failed = new StringJoiner(", ");
        StringJoiner ignored = new StringJoiner(", ");
        for (int i = 0; i < n; i++) {
            DnsAnswer a = answers[i];
            if (a == null) {
                continue;
            }
            DnsList l = listArray[i];
            if (!l.isAllowList()) {
                blockAsked++;
            }
            if (a.status == DnsAnswer.Status.FAILED) {
                failed.add(l.zone() + " (" + a.failure + ")");
                if (!l.isAllowList()) {
                    blockFailed++;
                }
                continue;
            }
            if (a.status != DnsAnswer.Status.LISTED) {
                continue;
            }
            int code = 0;
            boolean counts = false;
            for (int c : a.codes) {
                if (l.counts(c)) {
                    code = c;
                    counts = true;
                    break;
                }
            }
            if (!counts) {
                ignored.add(l.zone() + " answered " + a.codesText() + ", outside its filter " + l.filter().orElseThrow());
                continue;
            }
            score += l.weight();
            listed.add(l + " (" + DnsAnswer.dotted(code) + ")");
            if (l.isAllowList()) {
                allowMatched = true;
            } else if (top < 0 || l.weight() > listArray[top].weight()) {
                top = i;
                topCode = code;
            }
        }
        Decision.Builder d;
        if (score >= threshold && top >= 0) {
            DnsList l = listArray[top];
            String text = awaitText(answers[top], deadline);
            String what = what(l, keys[top]);
            d = Decision.builder(Verdict.DENY, name, what + " is listed in " + l.zone() + " ("
                    + DnsAnswer.dotted(topCode) + "), score " + score + " >= threshold " + threshold)
                    .reply(reply(l, keys[top], what, text));
            if (text != null) {
                d.detail("text", text);
            }
        } else if (allowMatched && score <= allowThreshold) {
            d = Decision.builder(Verdict.ALLOW, name, "allow-listed: score " + score + " <= allow threshold "
                    + allowThreshold);
        } else if (blockAsked > 0 && blockFailed == blockAsked && failMode == FailMode.DEFER) {
            d = Decision.builder(Verdict.DEFER, name, "every DNS block list failed: " + failed)
                    .reply(UNAVAILABLE_REPLY);
        } else if (score == 0 && listed.length() == 0 && failed.length() == 0 && ignored.length() == 0) {
            return notListed; // the same answer the cached path gives
        } else {
            d = Decision.builder(Verdict.NO_OPINION, name, "score " + score + " below threshold " + threshold
                    + (failed.length() == 0 ? "" : "; failed (counted as not listed): " + failed));
        }
        d.detail("score", score).detail("threshold", threshold);
        if (listed.length() > 0) {
            d.detail("listed", listed.toString());
        }
        if (failed.length() > 0) {
            d.detail("failed", failed.toString());
        }
        if (ignored.length() > 0) {
            d.detail("ignored", ignored.toString());
        }
        return d.build();
    }

    private DnsAnswer await(CompletableFuture<DnsAnswer> f, long deadline) {
        DnsAnswer a = f.getNow(null);
        if (a != null) {
            return a;
        }
        String late = "no answer within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms";
        long rest = deadline - System.nanoTime();
        if (rest <= 0) {
            return DnsAnswer.failed(late, 0);
        }
        try {
            return f.get(rest, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return DnsAnswer.failed(late, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DnsAnswer.failed("interrupted while waiting", 0);
        } catch (ExecutionException e) {
            return DnsAnswer.failed("lookup error: " + e.getCause(), 0);
        }
    }

    private static String awaitText(DnsAnswer a, long deadline) {
        if (a.text == null) {
            return null;
        }
        String t = a.text.getNow(null);
        if (t != null || a.text.isDone()) {
            return t;
        }
        long rest = deadline - System.nanoTime();
        if (rest <= 0) {
            return null;
        }
        try {
            return a.text.get(rest, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String keyText(Object key) {
        return key instanceof InetAddress ? ((InetAddress) key).getHostAddress() : key.toString();
    }

    private static String what(DnsList l, Object key) {
        switch (l.target()) {
            case CLIENT:
                return "client host [" + keyText(key) + "]";
            case SENDER_DOMAIN:
                return "sender domain " + key;
            default:
                return "HELO name " + key;
        }
    }

    private static SmtpReply reply(DnsList l, Object key, String what, String text) {
        String head = "Service unavailable; " + what + " blocked using " + l.zone();
        String url = l.lookupUrl().map(u -> "; see " + u.replace("{key}", keyText(key))).orElse("");
        String body = text == null ? "" : "; " + text;
        int room = SmtpReply.MAX_TEXT_LENGTH - head.length() - url.length();
        if (room < body.length()) {
            body = room > 5 ? body.substring(0, room - 3) + "..." : "";
        }
        String all = head + body + url;
        if (all.length() > SmtpReply.MAX_TEXT_LENGTH) {
            all = all.substring(0, SmtpReply.MAX_TEXT_LENGTH);
        }
        return SmtpReply.of(554, "5.7.1", all);
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder(name).append(": DNS lists, threshold ").append(threshold)
                .append(", allow threshold ").append(allowThreshold).append(", timeout ")
                .append(timeout().toMillis()).append(" ms, on failure ")
                .append(failMode.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .append(", servers ").append(systemServers ? "system " : "").append(servers);
        for (DnsList l : lists) {
            sb.append("\n  ").append(l.target().name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(' ')
                    .append(l);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "DnsListRule{" + name + ", " + lists + "}";
    }

    /**
     * Builds a {@link DnsListRule}. Not thread-safe; {@link #build()} copies, so a built rule never changes.
     * Bad values fail at once with a message naming them.
     */
    public static final class Builder {
        private final String name;
        private final List<DnsList> lists = new ArrayList<>();
        private int threshold = 1;
        private int allowThreshold = 0;
        private FailMode failMode = FailMode.NO_OPINION;
        private Duration timeout = DEFAULT_TIMEOUT;
        private long cacheSize = DEFAULT_CACHE_SIZE;
        private Duration maxTtl = DEFAULT_MAX_TTL;
        private Duration failureCacheTime = DEFAULT_FAILURE_CACHE_TIME;
        private RelayClock clock = RelayClock.system();
        private boolean clockSet;
        private boolean cacheSizeSet;
        private DnsListCache cache;
        private List<InetSocketAddress> servers;
        private Resolver resolver;

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("rule name must not be blank");
            }
            this.name = name;
        }

        /**
         * @param list a list to ask
         * @return this builder
         */
        public Builder list(DnsList list) {
            lists.add(Objects.requireNonNull(list, "list"));
            return this;
        }

        /**
         * @param all lists to ask
         * @return this builder
         */
        public Builder lists(Iterable<DnsList> all) {
            all.forEach(this::list);
            return this;
        }

        /**
         * @param score the summed weight at which a request is refused; at least 1 (default 1)
         * @return this builder
         * @throws IllegalArgumentException if {@code score} is below 1
         */
        public Builder threshold(int score) {
            if (score < 1) {
                throw new IllegalArgumentException("DNS list threshold must be at least 1, was " + score
                        + " (a threshold of 0 or less would refuse clients that no list names)");
            }
            this.threshold = score;
            return this;
        }

        /**
         * @param score allow a request that an allow list matched when the score is at or below it (default 0)
         * @return this builder
         */
        public Builder allowThreshold(int score) {
            this.allowThreshold = score;
            return this;
        }

        /**
         * @param mode what happens when every block list failed (default {@link FailMode#NO_OPINION})
         * @return this builder
         */
        public Builder onFailure(FailMode mode) {
            this.failMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * @param total the longest a decision waits for all lists together, 1 ms to 60 s (default 2 s)
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder timeout(Duration total) {
            Objects.requireNonNull(total, "total");
            if (total.compareTo(Duration.ofMillis(1)) < 0 || total.compareTo(Duration.ofSeconds(60)) > 0) {
                throw new IllegalArgumentException("DNS timeout must be between 1 ms and 60 s, was " + total);
            }
            this.timeout = total;
            return this;
        }

        /**
         * @param entries most answers cached per zone, at least 1 (default 100,000), in the rule's own cache; a
         *     shared {@link #cache} has its own bound ({@link DnsListCache#retain})
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder cacheSize(long entries) {
            if (entries < 1) {
                throw new IllegalArgumentException("DNS cache size must be at least 1, was " + entries);
            }
            this.cacheSize = entries;
            this.cacheSizeSet = true;
            return this;
        }

        /**
         * Keeps the answers in {@code shared} instead of a cache of the rule's own, so that they outlive the rule:
         * the rule of a reloaded policy, built on the same cache, finds every answer the previous one cached
         * (answers are kept per zone and key; filters and weights apply when deciding). TTLs are then measured on
         * the cache's clock and bounded by its size: {@link #clock} and {@link #cacheSize} cannot also be given.
         *
         * @param shared where answers are kept
         * @return this builder
         * @since 0.2.0
         */
        public Builder cache(DnsListCache shared) {
            this.cache = Objects.requireNonNull(shared, "shared");
            return this;
        }

        /**
         * @param cap the longest any answer is cached, whatever its TTL (default 1 h)
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder maxTtl(Duration cap) {
            Objects.requireNonNull(cap, "cap");
            if (cap.isNegative()) {
                throw new IllegalArgumentException("DNS max TTL must not be negative, was " + cap);
            }
            this.maxTtl = cap;
            return this;
        }

        /**
         * @param time how long a failed lookup (timeout, SERVFAIL) is cached (default 30 s; capped by the max TTL)
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder failureCacheTime(Duration time) {
            Objects.requireNonNull(time, "time");
            if (time.isNegative()) {
                throw new IllegalArgumentException("DNS failure cache time must not be negative, was " + time);
            }
            this.failureCacheTime = time;
            return this;
        }

        /**
         * @param c the clock TTLs are measured on (default {@link RelayClock#system()})
         * @return this builder
         */
        public Builder clock(RelayClock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            this.clockSet = true;
            return this;
        }

        /**
         * @param dnsServers the resolvers to ask, in order (default: the system's, from {@code /etc/resolv.conf})
         * @return this builder
         * @throws IllegalArgumentException if the list is empty
         */
        public Builder servers(List<InetSocketAddress> dnsServers) {
            Objects.requireNonNull(dnsServers, "dnsServers");
            if (dnsServers.isEmpty()) {
                throw new IllegalArgumentException("no DNS servers given");
            }
            dnsServers.forEach(s -> Objects.requireNonNull(s, "server"));
            this.servers = List.copyOf(dnsServers);
            return this;
        }

        /** For tests: a scripted resolver instead of the network. */
        Builder resolver(Resolver r) {
            this.resolver = Objects.requireNonNull(r, "resolver");
            return this;
        }

        /**
         * @return the rule
         * @throws IllegalStateException if no list was given, the allow threshold is not below the threshold, or a
         *     shared {@link #cache} was given together with a clock or a cache size
         */
        public DnsListRule build() {
            if (lists.isEmpty()) {
                throw new IllegalStateException("DNS list rule '" + name + "' has no lists");
            }
            if (allowThreshold >= threshold) {
                throw new IllegalStateException("DNS allow threshold " + allowThreshold
                        + " must be below the threshold " + threshold);
            }
            if (cache != null && (clockSet || cacheSizeSet)) {
                throw new IllegalStateException("DNS list rule '" + name + "': a shared cache brings its own clock"
                        + " and size; do not also set " + (clockSet ? "clock" : "cacheSize"));
            }
            DnsListCache answers = cache != null ? cache : DnsListCache.create(clock, cacheSize);
            boolean system = servers == null;
            List<InetSocketAddress> s = system ? ResolverConfig.getCurrentConfig().servers() : servers;
            Resolver r = resolver != null ? resolver : answers.resolver();
            if (r == null) {
                // Each server gets one try and an equal share of the timeout, so that with several servers the
                // next one is asked while the decision can still use its answer.
                Duration share = timeout.dividedBy(s.size());
                share = share.isZero() ? Duration.ofMillis(1) : share;
                List<Resolver> each = new ArrayList<>();
                for (InetSocketAddress a : s) {
                    SimpleResolver sr = new SimpleResolver(a);
                    sr.setTimeout(s.size() == 1 ? timeout : share);
                    each.add(sr);
                }
                if (each.size() == 1) {
                    r = each.get(0);
                } else {
                    ExtendedResolver er = new ExtendedResolver(each);
                    er.setTimeout(timeout);
                    er.setRetries(1);
                    r = er;
                }
            }
            return new DnsListRule(this, answers, r, s, system);
        }
    }
}
