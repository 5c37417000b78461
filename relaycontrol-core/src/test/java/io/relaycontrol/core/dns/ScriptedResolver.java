package io.relaycontrol.core.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * A dnsjava {@link Resolver} that answers from a script, without a network: A and TXT answers, NXDOMAIN with or
 * without an SOA, other response codes, exceptions, zones that never answer, and answers the test completes by
 * hand. Unscripted names get NXDOMAIN with an SOA (TTL 300, minimum 300). Counts every query by name and type.
 * Thread-safe. Public so that the config tests can build rules on it ({@link #rule(String)}).
 */
public final class ScriptedResolver implements Resolver {

    private final Map<String, Function<Message, CompletableFuture<Message>>> script = new ConcurrentHashMap<>();
    private final Map<String, Boolean> silentZones = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<CompletableFuture<Message>> neverAnswered = new CopyOnWriteArrayList<>();
    private final AtomicInteger total = new AtomicInteger();
    private volatile boolean countNames = true;

    /** Stops counting queries per name (for floods: a million names would fill the map); totals still count. */
    public ScriptedResolver withoutNameCounts() {
        countNames = false;
        return this;
    }

    /**
     * A rule builder that asks this resolver instead of the network.
     *
     * @param name the rule's name
     * @return the builder
     */
    public DnsListRule.Builder rule(String name) {
        return DnsListRule.builder(name).resolver(this);
    }

    /**
     * A shared answer cache whose rules ask this resolver instead of the network (for the config tests: the
     * standard loader builds rules on it).
     *
     * @param clock the cache's clock
     * @return the cache
     */
    public DnsListCache cache(io.relaycontrol.api.RelayClock clock) {
        return DnsListCache.create(clock, DnsListCache.DEFAULT_MAXIMUM_SIZE).resolver(this);
    }

    private static String key(Name name, int type) {
        return name.toString(true).toLowerCase() + "/" + Type.string(type);
    }

    private static String key(String name, int type) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        return n.toLowerCase() + "/" + Type.string(type);
    }

    /** Answers A records with the given codes and TTL (seconds). */
    public ScriptedResolver listed(String name, long ttl, String... codes) {
        script.put(key(name, Type.A), q -> done(response(q, Rcode.NOERROR, r -> {
            for (String c : codes) {
                r.addRecord(new ARecord(q.getQuestion().getName(), DClass.IN, ttl, ip(c)), Section.ANSWER);
            }
        })));
        return this;
    }

    /** Answers TXT. */
    public ScriptedResolver txt(String name, String text) {
        script.put(key(name, Type.TXT), q -> done(response(q, Rcode.NOERROR, r -> r.addRecord(
                new TXTRecord(q.getQuestion().getName(), DClass.IN, 300, text), Section.ANSWER))));
        return this;
    }

    /** Never answers the TXT query for the name. */
    public ScriptedResolver txtNever(String name) {
        script.put(key(name, Type.TXT), q -> new CompletableFuture<>());
        return this;
    }

    /** Answers NXDOMAIN with an SOA in the authority section. */
    public ScriptedResolver nxdomain(String name, long soaTtl, long soaMinimum) {
        script.put(key(name, Type.A), q -> done(nx(q, soaTtl, soaMinimum)));
        return this;
    }

    /** Answers NXDOMAIN without an SOA. */
    public ScriptedResolver nxdomainWithoutSoa(String name) {
        script.put(key(name, Type.A), q -> done(response(q, Rcode.NXDOMAIN, r -> {
        })));
        return this;
    }

    /** Answers with a response code (SERVFAIL, REFUSED). */
    public ScriptedResolver rcode(String name, int rcode) {
        script.put(key(name, Type.A), q -> done(response(q, rcode, r -> {
        })));
        return this;
    }

    /** Fails the query with an exception. */
    public ScriptedResolver error(String name, Exception e) {
        script.put(key(name, Type.A), q -> CompletableFuture.failedFuture(e));
        return this;
    }

    /** Answers the A query with the future the test completes (or never does). */
    public ScriptedResolver pending(String name, CompletableFuture<Message> answer) {
        script.put(key(name, Type.A), q -> answer);
        return this;
    }

    /** Never answers any query under the zone. */
    public ScriptedResolver silent(String zone) {
        silentZones.put(zone.toLowerCase(), true);
        return this;
    }

    /** @return how many queries were sent for the name and type ("A", "TXT") */
    public int count(String name, String type) {
        AtomicInteger c = counts.get(key(name, Type.value(type)));
        return c == null ? 0 : c.get();
    }

    /** @return how many queries were sent in all */
    public int total() {
        return total.get();
    }

    /** A listed response for a query, for tests that complete {@link #pending} answers by hand. */
    public static Message listedResponse(Message q, long ttl, String code) {
        return response(q, Rcode.NOERROR, r -> r.addRecord(
                new ARecord(q.getQuestion().getName(), DClass.IN, ttl, ip(code)), Section.ANSWER));
    }

    /** A query as the rule sends it, for building responses by hand. */
    public static Message query(String name) {
        try {
            return Message.newQuery(Record.newRecord(Name.fromString(name.endsWith(".") ? name : name + "."),
                    Type.A, DClass.IN));
        } catch (org.xbill.DNS.TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static CompletableFuture<Message> done(Message m) {
        return CompletableFuture.completedFuture(m);
    }

    private static final Name SOA_ZONE = Name.fromConstantString("soa.test.");
    private static final Name SOA_HOST = Name.fromConstantString("ns.soa.test.");
    private static final Name SOA_ADMIN = Name.fromConstantString("hostmaster.soa.test.");

    private static Message nx(Message q, long soaTtl, long soaMinimum) {
        return response(q, Rcode.NXDOMAIN, r -> r.addRecord(new SOARecord(SOA_ZONE, DClass.IN, soaTtl, SOA_HOST,
                SOA_ADMIN, 1, 3600, 600, 86400, soaMinimum), Section.AUTHORITY));
    }

    private static Message response(Message q, int rcode, java.util.function.Consumer<Message> fill) {
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setRcode(rcode);
        r.addRecord(q.getQuestion(), Section.QUESTION);
        fill.accept(r);
        return r;
    }

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query) {
        return sendAsync(query, Runnable::run);
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query, Executor executor) {
        Record question = query.getQuestion();
        total.incrementAndGet();
        if (!countNames && script.isEmpty() && silentZones.isEmpty()) {
            return done(nx(query, 300, 300));
        }
        String k = key(question.getName(), question.getType());
        if (countNames) {
            counts.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
        }
        for (String zone : silentZones.keySet()) {
            if (k.substring(0, k.indexOf('/')).endsWith("." + zone)) {
                CompletableFuture<Message> never = new CompletableFuture<>();
                neverAnswered.add(never);
                return never;
            }
        }
        Function<Message, CompletableFuture<Message>> f = script.get(k);
        if (f != null) {
            return f.apply(query);
        }
        return done(nx(query, 300, 300));
    }

    @Override
    public void setPort(int port) {
    }

    @Override
    public void setTCP(boolean flag) {
    }

    @Override
    public void setIgnoreTruncation(boolean flag) {
    }

    @Override
    public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
    }

    @Override
    public void setTSIGKey(TSIG key) {
    }

    @Override
    public void setTimeout(Duration timeout) {
    }
}
