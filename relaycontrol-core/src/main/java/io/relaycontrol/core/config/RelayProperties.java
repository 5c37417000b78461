package io.relaycontrol.core.config;

import io.relaycontrol.api.RelayConfigException;
import io.relaycontrol.core.address.DomainListException;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.auth.SenderLoginMap;
import io.relaycontrol.core.check.PolicyFinding;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.LimitKeys;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.limit.RateLimit;
import io.relaycontrol.core.net.InvalidNetworkException;
import io.relaycontrol.core.net.NetworkListException;
import io.relaycontrol.core.net.NetworkSet;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the standard relay policy from flat key-value configuration (a properties file, Spring Boot properties,
 * James configuration, environment variables mapped to these names).
 *
 * <table>
 * <caption>Keys</caption>
 * <tr><th>key</th><th>value</th><th>default</th></tr>
 * <tr><td>{@code relay.local-domains}</td><td>comma-separated domains: {@code example.com} exactly,
 *     {@code .example.com} any subdomain; {@code file:PATH} includes a list file</td><td>none</td></tr>
 * <tr><td>{@code relay.relay-domains}</td><td>as local-domains</td><td>none</td></tr>
 * <tr><td>{@code relay.trusted-networks}</td><td>comma-separated CIDR (IPv4 or IPv6; a bare address is /32 or
 *     /128; {@code !CIDR} excepts); {@code file:PATH} includes a list file (plain, Spamhaus DROP
 *     {@code CIDR ; SBLnnn}, or Postfix cidr table)</td><td>none</td></tr>
 * <tr><td>{@code relay.blocked-networks}</td><td>as trusted-networks</td><td>none</td></tr>
 * <tr><td>{@code relay.sender-logins}</td><td>path of a file of lines {@code login: address-or-@domain, ...}</td>
 *     <td>none (authenticated clients own no sender: every sender they use is refused)</td></tr>
 * <tr><td>{@code relay.sender-logins.protect-local-domains}</td><td>{@code true}/{@code false}: refuse senders of
 *     the local domains from untrusted unauthenticated clients</td><td>{@code true}</td></tr>
 * <tr><td>{@code relay.auth.require-tls}</td><td>{@code true}/{@code false}: authenticated relay only over TLS</td>
 *     <td>{@code true}</td></tr>
 * <tr><td>{@code relay.limit.client.recipients}, {@code relay.limit.client.messages},
 *     {@code relay.limit.user.recipients}, {@code relay.limit.user.messages}</td><td>comma-separated
 *     {@code COUNT/PERIOD} bandwidths, PERIOD like {@code 30s}, {@code 1m}, {@code 1h}, {@code 1d}
 *     (e.g. {@code 100/1h, 1000/1d}); client limits are per client address (IPv6 per prefix), user limits per
 *     login</td><td>no limit</td></tr>
 * <tr><td>{@code relay.limit.sender-domain.messages}, {@code relay.limit.sender-domain.recipients},
 *     {@code relay.limit.recipient-domain.recipients}</td><td>as above, per sender domain (the envelope sender's
 *     domain; the null sender is one key) or per recipient domain</td><td>no limit</td></tr>
 * <tr><td>{@code relay.limit.client.bytes}, {@code relay.limit.user.bytes}, {@code relay.limit.sender-domain.bytes}
 *     </td><td>message bytes per client address, login or sender domain ({@link Counted#MESSAGE_BYTES}: the size
 *     of each message received, charged at the end of the data, never the size a client declares), as
 *     {@code COUNT/PERIOD} where COUNT may end in a binary suffix {@code k}, {@code m}, {@code g} (1024-based,
 *     as Exim's {@code per_byte}): {@code 50m/1h, 500m/1d}. A request without a size (the DATA command, or an
 *     integration that passes none) is not charged, so a byte limit needs the size at the end of the data
 *     (Postfix: {@code smtpd_end_of_data_restrictions}). A message larger than a rate's COUNT is always
 *     deferred</td><td>no limit</td></tr>
 * <tr><td>{@code relay.limit.override.<limit>}</td><td>per-key rates of one limit ({@code client-recipients},
 *     {@code client-messages}, {@code user-recipients}, {@code user-messages}, {@code sender-domain-messages},
 *     {@code sender-domain-recipients}, {@code recipient-domain-recipients}, {@code client-bytes},
 *     {@code user-bytes}, {@code sender-domain-bytes}):
 *     {@code KEY=COUNT/PERIOD[, COUNT/PERIOD], KEY=...}, e.g. {@code 192.0.2.25=5000/1d, lists.example=100/1m}
 *     (byte limits: {@code 192.0.2.25=1g/1d})</td>
 *     <td>none</td></tr>
 * <tr><td>{@code relay.limit.exempt.<limit>}</td><td>client networks (as trusted-networks) that one limit neither
 *     counts nor refuses</td><td>none</td></tr>
 * <tr><td>{@code relay.limit.ipv6-prefix}</td><td>prefix length that one IPv6 client is counted by, 1..128</td>
 *     <td>64</td></tr>
 * <tr><td>{@code relay.limit.max-keys}</td><td>most buckets each limit keeps in memory: a hard bound; a bucket
 *     is forgotten only once full again, and a new key beyond the bound is deferred (451 4.3.0)</td>
 *     <td>{@value RateLimit#DEFAULT_MAX_KEYS}</td></tr>
 * <tr><td>{@code relay.limit.charge-refused}</td><td>{@code true}: every attempt is charged, also those the
 *     policy refuses; {@code false}: only requests the policy allows</td><td>{@code false}</td></tr>
 * <tr><td>{@code relay.limit.store}</td><td>where the limits' buckets live: {@code local}, or a Redis shared by
 *     every server: {@code redis://[user:pass@]host:port[/db]}, {@code rediss://...} (TLS),
 *     {@code redis-cluster://host:port,host:port,...}, {@code redis-sentinel://host:port,.../master-name}.
 *     Only a {@link ReloadingRelayPolicy} (which creates the store once, keeps it across reloads, recreates it
 *     when these store keys change and closes it with itself) reads a shared store from the keys</td>
 *     <td>{@code local}</td></tr>
 * <tr><td>{@code relay.limit.store.failure}</td><td>what a limit does when the shared store fails, times out or
 *     its breaker is open: {@code defer} (451 4.3.0), {@code no-opinion} (not limiting), {@code local} (a
 *     per-server bucket; see {@link io.relaycontrol.core.limit.FailureMode#LOCAL_FALLBACK})</td>
 *     <td>{@code defer}</td></tr>
 * <tr><td>{@code relay.limit.store.timeout}</td><td>the longest a decision waits for the shared store, e.g.
 *     {@code 50ms}</td><td>{@code 50ms}</td></tr>
 * <tr><td>{@code relay.limit.store.breaker.failures}, {@code relay.limit.store.breaker.open}</td><td>consecutive
 *     failures that open the circuit breaker in front of the shared store (1..1000), and how long it stays open
 *     before one probe (see {@link io.relaycontrol.core.limit.GuardedLimitStore})</td><td>5, {@code 1s}</td></tr>
 * <tr><td>{@code relay.penalty.after}</td><td>turns the penalty box on: {@code COUNT/PERIOD} violations a client
 *     may commit (a token bucket per client); the one past it boxes the client (see
 *     {@link io.relaycontrol.core.penalty.PenaltyBox}); every other {@code relay.penalty.*} key needs it</td>
 *     <td>off</td></tr>
 * <tr><td>{@code relay.penalty.ban}, {@code relay.penalty.max}</td><td>the first ban and the longest ban (jitter
 *     included), {@code 30s}, {@code 10m}, {@code 1h}, {@code 1d}</td><td>{@code 10m}, {@code 1d}</td></tr>
 * <tr><td>{@code relay.penalty.factor}</td><td>each repeat ban is this much longer, 1 to 100</td><td>2</td></tr>
 * <tr><td>{@code relay.penalty.forget}</td><td>how long after a ban ends a clean client's offence count is kept
 *     </td><td>the max ban</td></tr>
 * <tr><td>{@code relay.penalty.jitter}</td><td>random extra per ban, {@code 10%} or {@code 0.1}, 0 to 100%</td>
 *     <td>{@code 10%}</td></tr>
 * <tr><td>{@code relay.penalty.exempt}</td><td>client networks (as trusted-networks) never boxed; the trusted
 *     networks never are</td><td>none</td></tr>
 * <tr><td>{@code relay.penalty.ipv6-prefix}</td><td>prefix one IPv6 client is counted and boxed by, 1..128</td>
 *     <td>64</td></tr>
 * <tr><td>{@code relay.penalty.max-keys}</td><td>most clients counted and boxed in memory (local stores; a hard
 *     bound that evicts nothing: beyond it new clients are not boxed)</td><td>100000</td></tr>
 * <tr><td>{@code relay.penalty.count}</td><td>which refusals count: some of {@code relay}, {@code sender-login},
 *     {@code rate-limit}, {@code dns-list}</td><td>all four</td></tr>
 * <tr><td>{@code relay.check}</td><td>{@code refuse}: a policy-check error stops the load; {@code warn}: it is
 *     logged</td><td>{@code refuse}</td></tr>
 * <tr><td>{@code relay.mode}</td><td>{@code enforce} or {@code dry-run} (refusals logged and counted, not
 *     enforced: an open relay while it lasts)</td><td>{@code enforce}</td></tr>
 * <tr><td>{@code relay.audit.all-decisions}</td><td>{@code true}: log allows too, not only refusals</td>
 *     <td>{@code false}</td></tr>
 * <tr><td>{@code relay.dnsbl}</td><td>comma-separated client DNS lists, postscreen syntax
 *     {@code zone[=filter][*weight]}: {@code zen.spamhaus.org=127.0.0.[2..11]*3}, {@code bl.example=&0.0.0.4};
 *     a negative weight is an allow list</td><td>none</td></tr>
 * <tr><td>{@code relay.dnsbl.threshold}</td><td>summed weight at which a client is refused</td><td>1</td></tr>
 * <tr><td>{@code relay.dnswl}</td><td>client allow lists, as dnsbl; weight -1 unless given (negative)</td>
 *     <td>none</td></tr>
 * <tr><td>{@code relay.rhsbl.sender}, {@code relay.rhsbl.helo}</td><td>domain lists asked about the sender's
 *     domain and the HELO name, as dnsbl</td><td>none</td></tr>
 * <tr><td>{@code relay.dns.servers}</td><td>{@code HOST[:PORT], ...} (IP addresses; {@code [::1]:5353})</td>
 *     <td>the system resolver</td></tr>
 * <tr><td>{@code relay.dns.timeout}</td><td>total wait for all lists, {@code 2s}, {@code 500ms}</td>
 *     <td>{@code 2s}</td></tr>
 * <tr><td>{@code relay.dns.fail}</td><td>{@code no-opinion} or {@code defer} (451 4.7.1) when every block list
 *     failed</td><td>{@code no-opinion}</td></tr>
 * <tr><td>{@code relay.dns.cache-size}</td><td>answers cached per zone</td><td>100000</td></tr>
 * <tr><td>{@code relay.dns.lookup-urls}</td><td>comma-separated {@code ZONE=URL}, {@code {key}} replaced by the
 *     address or domain, named in the refusal</td><td>none</td></tr>
 * <tr><td>{@code relay.name}</td><td>the policy's name in decisions and logs</td><td>{@code standard-relay}</td></tr>
 * </table>
 *
 * <p>Unknown keys, bad values and unreadable files are {@link ConfigException}s naming the key, the file and the
 * line. Relative paths resolve against the base directory (the properties file's directory). Thread-safe:
 * parsing has no shared state.
 *
 * @since 0.1.0
 */
public final class RelayProperties {

    private static final Logger LOG = LoggerFactory.getLogger(RelayProperties.class);

    static final String LOCAL_DOMAINS = "relay.local-domains";
    static final String RELAY_DOMAINS = "relay.relay-domains";
    static final String TRUSTED_NETWORKS = "relay.trusted-networks";
    static final String BLOCKED_NETWORKS = "relay.blocked-networks";
    static final String SENDER_LOGINS = "relay.sender-logins";
    static final String PROTECT_LOCAL = "relay.sender-logins.protect-local-domains";
    static final String REQUIRE_TLS = "relay.auth.require-tls";
    static final String CLIENT_RECIPIENTS = "relay.limit.client.recipients";
    static final String CLIENT_MESSAGES = "relay.limit.client.messages";
    static final String USER_RECIPIENTS = "relay.limit.user.recipients";
    static final String USER_MESSAGES = "relay.limit.user.messages";
    static final String SENDER_DOMAIN_MESSAGES = "relay.limit.sender-domain.messages";
    static final String SENDER_DOMAIN_RECIPIENTS = "relay.limit.sender-domain.recipients";
    static final String RECIPIENT_DOMAIN_RECIPIENTS = "relay.limit.recipient-domain.recipients";
    static final String CLIENT_BYTES = "relay.limit.client.bytes";
    static final String USER_BYTES = "relay.limit.user.bytes";
    static final String SENDER_DOMAIN_BYTES = "relay.limit.sender-domain.bytes";
    static final String OVERRIDE_PREFIX = "relay.limit.override.";
    static final String EXEMPT_PREFIX = "relay.limit.exempt.";
    /** The names of the limits the keys can configure, which {@code override.<name>} and {@code exempt.<name>} use. */
    static final List<String> LIMIT_NAMES = List.of("client-recipients", "client-messages", "user-recipients",
            "user-messages", "sender-domain-messages", "sender-domain-recipients", "recipient-domain-recipients",
            "client-bytes", "user-bytes", "sender-domain-bytes");
    static final String IPV6_PREFIX = "relay.limit.ipv6-prefix";
    static final String MAX_KEYS = "relay.limit.max-keys";
    static final String CHARGE_REFUSED = "relay.limit.charge-refused";
    static final String CHECK = "relay.check";
    static final String MODE = "relay.mode";
    static final String AUDIT_ALL = "relay.audit.all-decisions";
    static final String NAME = "relay.name";

    /** Every key this loader understands. */
    public static final Set<String> KEYS = withDnsKeys(Set.of(LOCAL_DOMAINS, RELAY_DOMAINS, TRUSTED_NETWORKS, BLOCKED_NETWORKS,
            SENDER_LOGINS, PROTECT_LOCAL, REQUIRE_TLS, CLIENT_RECIPIENTS, CLIENT_MESSAGES, USER_RECIPIENTS,
            USER_MESSAGES, IPV6_PREFIX, MAX_KEYS, CHARGE_REFUSED, CHECK, MODE, AUDIT_ALL, NAME,
            SENDER_DOMAIN_MESSAGES, SENDER_DOMAIN_RECIPIENTS, RECIPIENT_DOMAIN_RECIPIENTS,
            CLIENT_BYTES, USER_BYTES, SENDER_DOMAIN_BYTES, ConfiguredLimitStore.STORE, ConfiguredLimitStore.FAILURE, ConfiguredLimitStore.TIMEOUT,
            ConfiguredLimitStore.BREAKER_FAILURES, ConfiguredLimitStore.BREAKER_OPEN));

    private static Set<String> withDnsKeys(Set<String> keys) {
        Set<String> all = new java.util.HashSet<>(keys);
        all.addAll(DnsKeys.KEYS);
        all.addAll(PenaltyKeys.KEYS);
        return Set.copyOf(all);
    }

    private final StandardRelayPolicy policy;
    private final List<Path> sources;
    private final List<PolicyFinding> findings;
    private final boolean dryRun;
    private final boolean auditAll;

    private RelayProperties(StandardRelayPolicy policy, List<Path> sources, List<PolicyFinding> findings,
            boolean dryRun, boolean auditAll) {
        this.policy = policy;
        this.sources = List.copyOf(sources);
        this.findings = List.copyOf(findings);
        this.dryRun = dryRun;
        this.auditAll = auditAll;
    }

    /**
     * Reads a properties file (UTF-8, {@link Properties#load(Reader)} syntax) into a map of every key, sorted by
     * key: the one reader of configuration files, used by {@link ReloadingRelayPolicy} and the example servers.
     *
     * @param file the properties file
     * @return every key and value, sorted by key; unmodifiable
     * @throws UncheckedIOException naming the file if it cannot be read
     * @throws IllegalArgumentException if the file holds a malformed {@code \\uXXXX} escape
     * @since 0.2.0
     */
    public static Map<String, String> readFile(Path file) {
        Objects.requireNonNull(file, "file");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> map = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            map.put(k, p.getProperty(k));
        }
        return Collections.unmodifiableMap(map);
    }

    /**
     * Parses {@code keys} into the standard policy, runs the policy check, and applies {@code relay.check}.
     *
     * @param keys the {@code relay.*} keys
     * @param baseDir where relative paths resolve
     * @return the parsed configuration
     * @throws ConfigException naming key, file and line of the first problem, or listing the check's errors
     */
    public static RelayProperties parse(Map<String, String> keys, Path baseDir) {
        return parse(keys, baseDir, b -> {
        });
    }

    /**
     * As {@link #parse(Map, Path)}, letting the caller adjust each rate limit before it is built (for example
     * to give it a shared Redis store or a test clock).
     *
     * @param keys the {@code relay.*} keys
     * @param baseDir where relative paths resolve
     * @param limitCustomizer called with each limit's builder before {@code build()}
     * @return the parsed configuration
     * @throws ConfigException as {@link #parse(Map, Path)}
     */
    public static RelayProperties parse(Map<String, String> keys, Path baseDir,
            Consumer<RateLimit.Builder> limitCustomizer) {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(baseDir, "baseDir");
        Objects.requireNonNull(limitCustomizer, "limitCustomizer");
        return new Parser(keys, baseDir, null, false, limitCustomizer).parse();
    }

    /**
     * As {@link #parse(Map, Path)}, with the rate limits' buckets in {@code limitStore}: a store that outlives
     * this configuration, so that a configuration parsed later with the same store continues every bucket of
     * the limits it keeps (what {@link ReloadingRelayPolicy} does on each reload).
     *
     * @param keys the {@code relay.*} keys
     * @param baseDir where relative paths resolve
     * @param limitStore where the limits' buckets live, e.g. {@link LimitStore#local()}
     * @return the parsed configuration
     * @throws ConfigException as {@link #parse(Map, Path)}
     * @since 0.2.0
     */
    public static RelayProperties parse(Map<String, String> keys, Path baseDir, LimitStore limitStore) {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(baseDir, "baseDir");
        Objects.requireNonNull(limitStore, "limitStore");
        return new Parser(keys, baseDir, limitStore, false, b -> {
        }).parse();
    }

    /** As {@link #parse(Map, Path, LimitStore)}, with the penalty box's stores of the caller's loader. */
    static RelayProperties parse(Map<String, String> keys, Path baseDir, LimitStore limitStore,
            PenaltyKeys.Stores penalties) {
        return parse(keys, baseDir, limitStore, penalties, null);
    }

    /**
     * As {@link #parse(Map, Path, LimitStore, PenaltyKeys.Stores)}, the DNS lists' answers in {@code dnsCache}
     * (which outlives it; {@code null} for a cache of the rule's own).
     */
    static RelayProperties parse(Map<String, String> keys, Path baseDir, LimitStore limitStore,
            PenaltyKeys.Stores penalties, io.relaycontrol.core.dns.DnsListCache dnsCache) {
        Objects.requireNonNull(limitStore, "limitStore");
        Parser p = new Parser(keys, baseDir, limitStore, false, b -> {
        }).penalties(penalties);
        p.dnsCache = dnsCache;
        return p.parse();
    }

    /** As {@link #parse(Map, Path, LimitStore)}, where {@code limitStore} is the one the store keys name. */
    static RelayProperties parseWithConfiguredStore(Map<String, String> keys, Path baseDir, LimitStore limitStore) {
        return new Parser(keys, baseDir, limitStore, true, b -> {
        }).parse();
    }

    /** As {@link #parseWithConfiguredStore(Map, Path, LimitStore)}, with the owner's penalty stores. */
    static RelayProperties parseWithConfiguredStore(Map<String, String> keys, Path baseDir, LimitStore limitStore,
            PenaltyKeys.Stores penalties) {
        return parseWithConfiguredStore(keys, baseDir, limitStore, penalties, null);
    }

    /**
     * As {@link #parseWithConfiguredStore(Map, Path, LimitStore, PenaltyKeys.Stores)}, the DNS lists' answers in
     * {@code dnsCache} ({@code null} for a cache of the rule's own).
     */
    static RelayProperties parseWithConfiguredStore(Map<String, String> keys, Path baseDir, LimitStore limitStore,
            PenaltyKeys.Stores penalties, io.relaycontrol.core.dns.DnsListCache dnsCache) {
        Parser p = new Parser(keys, baseDir, limitStore, true, b -> {
        }).penalties(penalties);
        p.dnsCache = dnsCache;
        return p.parse();
    }

    /** @return the standard policy */
    public StandardRelayPolicy policy() {
        return policy;
    }

    /** @return the policy wrapped for operation: audit log, fresh metrics and dry run as configured */
    public MonitoredPolicy monitored() {
        return monitored(new PolicyMetrics());
    }

    /**
     * @param metrics counters to record into, e.g. shared by every version of a reloaded policy
     * @return the policy wrapped for operation: audit log, metrics and dry run as configured
     */
    public MonitoredPolicy monitored(PolicyMetrics metrics) {
        return monitored(metrics, RelayMetricsSink.NONE);
    }

    /**
     * @param metrics counters to record into, e.g. shared by every version of a reloaded policy
     * @param sink told of every decision with its request, e.g. {@link MicrometerRelayMetrics}
     * @return the policy wrapped for operation: audit log, metrics, metrics sink and dry run as configured
     * @since 0.2.0
     */
    public MonitoredPolicy monitored(PolicyMetrics metrics, RelayMetricsSink sink) {
        return MonitoredPolicy.builder(policy).dryRun(dryRun).auditAllDecisions(auditAll).metrics(metrics)
                .metricsSink(sink).build();
    }

    /** @return every file the configuration read (list files, sender-login map) */
    public List<Path> sources() {
        return sources;
    }

    /** @return what the policy check found (errors only if {@code relay.check=warn}) */
    public List<PolicyFinding> findings() {
        return findings;
    }

    /** @return whether {@code relay.mode=dry-run} */
    public boolean isDryRun() {
        return dryRun;
    }

    /**
     * Parses a byte limit's rates: {@code COUNT/PERIOD, ...} as {@link Rate#parseList(String)}, where COUNT may end
     * in a binary suffix {@code k} (1024), {@code m} (1024<sup>2</sup>) or {@code g} (1024<sup>3</sup>), either case,
     * as Exim's {@code ratelimit} with {@code per_byte}: {@code 50m/1h, 500m/1d}. (In PERIOD, {@code m} stays
     * minutes.)
     *
     * @throws IllegalArgumentException quoting the bad entry and the whole text
     */
    static List<Rate> byteRates(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("rate list is empty: '" + text
                    + "' (expected COUNT/PERIOD entries such as '50m/1h, 500m/1d')");
        }
        List<Rate> out = new ArrayList<>();
        for (String raw : text.split(",", -1)) {
            String entry = raw.strip();
            int slash = entry.indexOf('/');
            if (slash < 0) {
                throw badBytes(entry, text, "expected COUNT/PERIOD, e.g. 50m/1h");
            }
            String count = entry.substring(0, slash).strip();
            long unit = 1;
            if (!count.isEmpty()) {
                switch (Character.toLowerCase(count.charAt(count.length() - 1))) {
                    case 'k':
                        unit = 1L << 10;
                        break;
                    case 'm':
                        unit = 1L << 20;
                        break;
                    case 'g':
                        unit = 1L << 30;
                        break;
                    default:
                        break;
                }
            }
            String digits = unit == 1 ? count : count.substring(0, count.length() - 1);
            Rate one;
            try {
                // the period (and a number with neither sign nor blank) is checked as in any rate
                one = Rate.parse(digits + entry.substring(slash));
            } catch (IllegalArgumentException e) {
                throw badBytes(entry, text, "expected COUNT[k|m|g]/PERIOD, e.g. 50m/1h (" + e.getMessage() + ")");
            }
            long bytes;
            try {
                bytes = Math.multiplyExact(one.count(), unit);
            } catch (ArithmeticException e) {
                throw badBytes(entry, text, "COUNT '" + count + "' is too large");
            }
            out.add(Rate.of(bytes, one.period()));
        }
        return Collections.unmodifiableList(out);
    }

    private static IllegalArgumentException badBytes(String entry, String text, String why) {
        return new IllegalArgumentException("bad byte rate '" + entry + "' in '" + text + "': " + why);
    }

    private static final class Parser {
        private final Map<String, String> keys;
        private final Path baseDir;
        private final Consumer<RateLimit.Builder> limitCustomizer;
        private final LimitStore limitStore;
        private final boolean storeFromKeys;
        private final List<String> configuredLimits = new ArrayList<>();
        private io.relaycontrol.core.limit.FailureMode failureMode;
        private final List<Path> sources = new ArrayList<>();
        private final List<PolicyFinding> findings = new ArrayList<>();
        private io.relaycontrol.core.dns.DnsListCache dnsCache;
        private PenaltyKeys.Stores penalties;

        Parser penalties(PenaltyKeys.Stores stores) {
            this.penalties = stores;
            return this;
        }

        Parser(Map<String, String> keys, Path baseDir, LimitStore limitStore, boolean storeFromKeys,
                Consumer<RateLimit.Builder> limitCustomizer) {
            this.keys = new LinkedHashMap<>(keys);
            this.baseDir = baseDir;
            this.limitStore = limitStore;
            this.storeFromKeys = storeFromKeys;
            this.limitCustomizer = limitCustomizer;
        }

        RelayProperties parse() {
            for (String k : keys.keySet()) {
                if (k.startsWith(OVERRIDE_PREFIX) || k.startsWith(EXEMPT_PREFIX)) {
                    String limit = k.substring(k.startsWith(OVERRIDE_PREFIX) ? OVERRIDE_PREFIX.length()
                            : EXEMPT_PREFIX.length());
                    if (!LIMIT_NAMES.contains(limit)) {
                        throw new ConfigException(k, "names no limit '" + limit + "' (limits: "
                                + String.join(", ", LIMIT_NAMES) + ")");
                    }
                    if (keys.get(k) == null) {
                        throw new ConfigException(k, "value is null");
                    }
                    continue;
                }
                if (!KEYS.contains(k)) {
                    throw new ConfigException(k, "unknown key (known keys: " + String.join(", ",
                            KEYS.stream().sorted().toList()) + ")");
                }
                if (keys.get(k) == null) {
                    throw new ConfigException(k, "value is null");
                }
            }
            StandardRelayPolicy.Builder b = StandardRelayPolicy.builder();
            if (keys.containsKey(NAME)) {
                try {
                    b.name(value(NAME));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(NAME, e.getMessage());
                }
            }
            DomainSet local = domains(LOCAL_DOMAINS);
            DomainSet relay = domains(RELAY_DOMAINS);
            NetworkSet trusted = networks(TRUSTED_NETWORKS);
            NetworkSet blocked = networks(BLOCKED_NETWORKS);
            b.localDomains(local).relayDomains(relay).trustedNetworks(trusted).blockedNetworks(blocked);
            b.sources(sourceOf(LOCAL_DOMAINS), sourceOf(RELAY_DOMAINS), sourceOf(TRUSTED_NETWORKS),
                    sourceOf(BLOCKED_NETWORKS));
            if (keys.containsKey(SENDER_LOGINS)) {
                Path p = path(SENDER_LOGINS, value(SENDER_LOGINS));
                try {
                    b.senderLogins(SenderLoginMap.load(p));
                } catch (RuntimeException e) {
                    throw wrap(SENDER_LOGINS, p, e);
                }
                sources.add(p);
            }
            b.protectLocalSenders(bool(PROTECT_LOCAL, true));
            boolean requireTls = bool(REQUIRE_TLS, true);
            b.requireTlsForAuth(requireTls);
            int v6 = integer(IPV6_PREFIX, 64, 1, 128);
            long maxKeys = integer(MAX_KEYS, RateLimit.DEFAULT_MAX_KEYS, 1, Integer.MAX_VALUE);
            storeKeys();
            limit(b, CLIENT_RECIPIENTS, "client-recipients", LimitKeys.clientAddress(v6), Counted.RECIPIENTS, maxKeys);
            limit(b, CLIENT_MESSAGES, "client-messages", LimitKeys.clientAddress(v6), Counted.MESSAGES, maxKeys);
            limit(b, USER_RECIPIENTS, "user-recipients", LimitKeys.authenticatedIdentity(), Counted.RECIPIENTS,
                    maxKeys);
            limit(b, USER_MESSAGES, "user-messages", LimitKeys.authenticatedIdentity(), Counted.MESSAGES, maxKeys);
            limit(b, SENDER_DOMAIN_MESSAGES, "sender-domain-messages", LimitKeys.senderDomain(), Counted.MESSAGES,
                    maxKeys);
            limit(b, SENDER_DOMAIN_RECIPIENTS, "sender-domain-recipients", LimitKeys.senderDomain(),
                    Counted.RECIPIENTS, maxKeys);
            limit(b, RECIPIENT_DOMAIN_RECIPIENTS, "recipient-domain-recipients", LimitKeys.recipientDomain(),
                    Counted.RECIPIENTS, maxKeys);
            limit(b, CLIENT_BYTES, "client-bytes", LimitKeys.clientAddress(v6), Counted.MESSAGE_BYTES, maxKeys);
            limit(b, USER_BYTES, "user-bytes", LimitKeys.authenticatedIdentity(), Counted.MESSAGE_BYTES, maxKeys);
            limit(b, SENDER_DOMAIN_BYTES, "sender-domain-bytes", LimitKeys.senderDomain(), Counted.MESSAGE_BYTES,
                    maxKeys);
            for (String name : LIMIT_NAMES) {
                for (String prefix : List.of(OVERRIDE_PREFIX, EXEMPT_PREFIX)) {
                    if (keys.containsKey(prefix + name) && !configuredLimits.contains(name)) {
                        throw new ConfigException(prefix + name, "limit '" + name + "' is not configured (set its "
                                + "rates first, e.g. relay.limit." + name.replaceFirst("-(?=[a-z]+$)", ".") + ")");
                    }
                }
            }
            b.chargeRefusedAttempts(bool(CHARGE_REFUSED, false));
            PenaltyKeys.Spec penalty = PenaltyKeys.parse(keys, this::networks, limitStore, penalties, findings);
            if (penalty != null) {
                b.penaltyBox(penalty.box(), penalty.counted());
            }
            io.relaycontrol.core.dns.DnsListRule dns = DnsKeys.parse(keys, findings, dnsCache);
            if (dns != null) {
                b.dnsLists(dns);
            }
            String mode = choice(MODE, "enforce", "enforce", "dry-run");
            boolean dryRun = mode.equals("dry-run");
            boolean auditAll = bool(AUDIT_ALL, false);
            String check = choice(CHECK, "refuse", "refuse", "warn");

            StandardRelayPolicy policy = b.build();
            findings.addAll(PolicyChecks.check(policy));
            if (dryRun) {
                findings.add(PolicyFinding.warning("dry-run",
                        MODE + "=dry-run: refusals are logged but not enforced; the server relays for anyone"));
            }
            List<PolicyFinding> errors = findings.stream()
                    .filter(f -> f.severity() == PolicyFinding.Severity.ERROR).toList();
            for (PolicyFinding f : findings) {
                if (f.severity() == PolicyFinding.Severity.WARNING || check.equals("warn")) {
                    LOG.warn("relay policy check: {}", f);
                }
            }
            if (!errors.isEmpty() && check.equals("refuse")) {
                StringBuilder sb = new StringBuilder("the policy check refused this configuration (set " + CHECK
                        + "=warn to load it anyway):");
                for (PolicyFinding f : errors) {
                    sb.append("\n  ").append(f);
                }
                throw new ConfigException(CHECK, sb.toString());
            }
            return new RelayProperties(policy, sources, findings, dryRun, auditAll);
        }

        private String sourceOf(String key) {
            return keys.containsKey(key) ? key : null;
        }

        private String value(String key) {
            return keys.get(key).trim();
        }

        private List<String> items(String key) {
            List<String> out = new ArrayList<>();
            if (!keys.containsKey(key)) {
                return out;
            }
            for (String s : keys.get(key).split(",")) {
                String t = s.trim();
                if (!t.isEmpty()) {
                    out.add(t);
                }
            }
            if (out.isEmpty()) {
                findings.add(PolicyFinding.warning("empty-list", key + " is set but empty; was it meant to be filled?"));
            }
            return out;
        }

        private Path path(String key, String text) {
            if (text.isEmpty()) {
                throw new ConfigException(key, "empty file path");
            }
            try {
                return baseDir.resolve(text).normalize();
            } catch (java.nio.file.InvalidPathException e) {
                throw new ConfigException(key, "invalid file path '" + text + "': " + e.getMessage());
            }
        }

        private DomainSet domains(String key) {
            DomainSet.Builder db = DomainSet.builder().name(key);
            List<String> inline = new ArrayList<>();
            for (String item : items(key)) {
                if (item.startsWith("file:")) {
                    Path p = path(key, item.substring(5).trim());
                    DomainSet loaded;
                    try {
                        loaded = DomainSet.load(p);
                    } catch (RuntimeException e) {
                        throw wrap(key, p, e);
                    }
                    for (String entry : loaded.entries()) {
                        db.add(entry, p.toString(), 0);
                    }
                    sources.add(p);
                } else {
                    inline.add(item);
                }
            }
            try {
                // parse() validates every inline entry and reports all bad ones at once
                for (String entry : DomainSet.parse(inline, key).entries()) {
                    db.add(entry, key, 0);
                }
                return db.build();
            } catch (RuntimeException e) {
                throw wrap(key, null, e);
            }
        }

        private NetworkSet networks(String key) {
            NetworkSet.Builder nb = NetworkSet.builder();
            for (String item : items(key)) {
                if (item.startsWith("file:")) {
                    Path p = path(key, item.substring(5).trim());
                    try {
                        nb.addFile(p);
                    } catch (RuntimeException e) {
                        throw wrap(key, p, e);
                    }
                    sources.add(p);
                    continue;
                }
                try {
                    if (item.startsWith("!")) {
                        nb.except(item.substring(1).trim(), key);
                    } else {
                        nb.add(item, key, null);
                    }
                } catch (InvalidNetworkException e) {
                    if (e.reason() == InvalidNetworkException.Reason.HOST_NAME) {
                        findings.add(PolicyFinding.error("host-name-network", key + ": '" + item
                                + "' is a host name where a network is expected; host names are never resolved "
                                + "(the entry is ignored)"));
                    } else {
                        throw new ConfigException(key, null, 0, e.getMessage(), e);
                    }
                }
            }
            try {
                return nb.build();
            } catch (RuntimeException e) {
                throw wrap(key, null, e);
            }
        }

        /**
         * {@code KEY=RATE[, RATE...][, KEY=RATE...]}: an item with {@code =} starts a key, an item without adds a
         * rate to the key before it (rates are comma-separated too).
         */
        private void overrides(RateLimit.Builder lb, String key, Counted counted) {
            if (!keys.containsKey(key)) {
                return;
            }
            String k = null;
            List<String> rates = new ArrayList<>();
            List<String[]> entries = new ArrayList<>();
            for (String item : keys.get(key).split(",")) {
                String t = item.trim();
                if (t.isEmpty()) {
                    continue;
                }
                int eq = t.indexOf('=');
                if (eq >= 0) {
                    if (k != null) {
                        entries.add(new String[] {k, String.join(",", rates)});
                    }
                    k = t.substring(0, eq).trim();
                    rates = new ArrayList<>();
                    if (k.isEmpty()) {
                        throw new ConfigException(key, "'" + t + "' has no key before '='");
                    }
                    t = t.substring(eq + 1).trim();
                } else if (k == null) {
                    throw new ConfigException(key, "expected KEY=COUNT/PERIOD, ... but '" + t + "' has no key");
                }
                rates.add(t);
            }
            if (k == null) {
                throw new ConfigException(key, "is empty (expected KEY=COUNT/PERIOD, ...)");
            }
            entries.add(new String[] {k, String.join(",", rates)});
            for (String[] e : entries) {
                try {
                    lb.override(e[0], rates(counted, e[1]));
                } catch (IllegalArgumentException | IllegalStateException ex) {
                    throw new ConfigException(key, null, 0, "override for '" + e[0] + "': " + ex.getMessage(), ex);
                }
            }
        }

        /** Validates the store keys and reads the failure mode. */
        private void storeKeys() {
            ConfiguredLimitStore.Spec spec = ConfiguredLimitStore.spec(keys);
            if (!spec.local() && !storeFromKeys) {
                throw new ConfigException(ConfiguredLimitStore.STORE, "a shared store ('"
                        + ConfiguredLimitStore.redact(spec.uri()) + "') is read from the keys only by "
                        + "ReloadingRelayPolicy.watch, which owns and closes it; here "
                        + (limitStore == null ? "no store owner is given" : "the application gave a store in code")
                        + ": remove the key or load the file with ReloadingRelayPolicy.watch");
            }
            String mode = choice(ConfiguredLimitStore.FAILURE, "defer", "defer", "no-opinion", "local");
            boolean shared = limitStore != null && limitStore.shared();
            if (keys.containsKey(ConfiguredLimitStore.FAILURE) && !shared) {
                findings.add(PolicyFinding.warning("store-failure-unused", ConfiguredLimitStore.FAILURE
                        + " has no effect: the rate limits use the local store, which does not fail"));
            }
            if (shared) {
                failureMode = mode.equals("defer") ? io.relaycontrol.core.limit.FailureMode.DEFER
                        : mode.equals("no-opinion") ? io.relaycontrol.core.limit.FailureMode.NO_OPINION
                        : io.relaycontrol.core.limit.FailureMode.LOCAL_FALLBACK;
            }
        }

        private void limit(StandardRelayPolicy.Builder b, String key, String name,
                io.relaycontrol.core.limit.LimitKey limitKey, Counted counted, long maxKeys) {
            if (!keys.containsKey(key)) {
                return;
            }
            RateLimit.Builder lb;
            try {
                lb = RateLimit.builder(name).key(limitKey).counting(counted).rates(rates(counted, value(key)))
                        .maxKeys(maxKeys);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, null, 0, e.getMessage(), e);
            }
            if (limitStore != null) {
                lb.store(limitStore);
            }
            if (failureMode != null) {
                lb.onStoreFailure(failureMode);
            }
            overrides(lb, OVERRIDE_PREFIX + name, counted);
            String exemptKey = EXEMPT_PREFIX + name;
            if (keys.containsKey(exemptKey)) {
                NetworkSet exempt = networks(exemptKey);
                lb.exempt(io.relaycontrol.core.net.NetworkRules.clientIn("client in " + exemptKey, exempt));
            }
            configuredLimits.add(name);
            limitCustomizer.accept(lb);
            try {
                b.limit(lb.build());
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new ConfigException(keys.containsKey(OVERRIDE_PREFIX + name) ? OVERRIDE_PREFIX + name : key, null,
                        0, e.getMessage(), e);
            }
        }

        /** A limit's rates: {@code COUNT/PERIOD, ...}; a byte limit's COUNT may carry a binary suffix. */
        private static List<Rate> rates(Counted counted, String text) {
            return counted == Counted.MESSAGE_BYTES ? byteRates(text) : Rate.parseList(text);
        }

        private boolean bool(String key, boolean dflt) {
            if (!keys.containsKey(key)) {
                return dflt;
            }
            String v = value(key).toLowerCase(Locale.ROOT);
            if (v.equals("true")) {
                return true;
            }
            if (v.equals("false")) {
                return false;
            }
            throw new ConfigException(key, "expected true or false, was '" + keys.get(key) + "'");
        }

        private int integer(String key, long dflt, long min, long max) {
            if (!keys.containsKey(key)) {
                return (int) Math.min(dflt, Integer.MAX_VALUE);
            }
            try {
                long v = Long.parseLong(value(key));
                if (v < min || v > max) {
                    throw new ConfigException(key, "must be between " + min + " and " + max + ", was " + v);
                }
                return (int) v;
            } catch (NumberFormatException e) {
                throw new ConfigException(key, "expected a whole number, was '" + keys.get(key) + "'");
            }
        }

        private String choice(String key, String dflt, String... allowed) {
            if (!keys.containsKey(key)) {
                return dflt;
            }
            String v = value(key).toLowerCase(Locale.ROOT);
            for (String a : allowed) {
                if (a.equals(v)) {
                    return a;
                }
            }
            throw new ConfigException(key, "expected one of " + String.join(", ", allowed) + ", was '"
                    + keys.get(key) + "'");
        }

        private static ConfigException wrap(String key, Path file, RuntimeException e) {
            if (e instanceof ConfigException) {
                return (ConfigException) e;
            }
            if (e instanceof DomainListException) {
                DomainListException.EntryError first = ((DomainListException) e).first();
                return new ConfigException(key, file, first.line(), e.getMessage(), e);
            }
            if (e instanceof NetworkListException) {
                NetworkListException n = (NetworkListException) e;
                return new ConfigException(key, n.file().orElse(file), n.line(), n.detail(), e);
            }
            if (e instanceof RelayConfigException) {
                RelayConfigException c = (RelayConfigException) e;
                return new ConfigException(key, c.file().orElse(file), c.line(), e.getMessage(), e);
            }
            return new ConfigException(key, file, 0, e.getMessage(), e);
        }
    }
}
