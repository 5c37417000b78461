package io.relaycontrol.core.config;

import io.relaycontrol.core.check.PolicyFinding;
import io.relaycontrol.core.limit.GuardedLimitStore;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.limit.redis.RedisPenaltyStore;
import io.relaycontrol.core.net.NetworkRules;
import io.relaycontrol.core.net.NetworkSet;
import io.relaycontrol.core.penalty.GuardedPenaltyStore;
import io.relaycontrol.core.penalty.PenaltyBox;
import io.relaycontrol.core.penalty.PenaltyStore;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code relay.penalty.*} keys (see {@link RelayProperties}) and the penalty stores that outlive reloads. The
 * box is on when {@code relay.penalty.after} is set; any other penalty key without it is an error. Not API.
 */
final class PenaltyKeys {

    static final String AFTER = "relay.penalty.after";
    static final String BAN = "relay.penalty.ban";
    static final String FACTOR = "relay.penalty.factor";
    static final String MAX = "relay.penalty.max";
    static final String FORGET = "relay.penalty.forget";
    static final String JITTER = "relay.penalty.jitter";
    static final String EXEMPT = "relay.penalty.exempt";
    static final String IPV6_PREFIX = "relay.penalty.ipv6-prefix";
    static final String MAX_KEYS = "relay.penalty.max-keys";
    static final String COUNT = "relay.penalty.count";

    /** Every penalty key. */
    static final Set<String> KEYS = Set.of(AFTER, BAN, FACTOR, MAX, FORGET, JITTER, EXEMPT, IPV6_PREFIX, MAX_KEYS,
            COUNT);

    private PenaltyKeys() {
    }

    /** A configured box and what it counts. */
    record Spec(PenaltyBox box, Set<StandardRelayPolicy.Violation> counted) {
    }

    /**
     * Reads the penalty keys.
     *
     * @param keys the configuration
     * @param networks reads a networks key (as trusted-networks)
     * @param limitStore the rate limits' store (violations are counted there), or null for a box of its own
     * @param stores the penalty stores that outlive this load, or null for a store of this load's own
     * @param findings where warnings go
     * @return the box, or null when {@code relay.penalty.after} is absent
     * @throws ConfigException naming the key and the bad value
     */
    static Spec parse(Map<String, String> keys, Function<String, NetworkSet> networks, LimitStore limitStore,
            Stores stores, List<PolicyFinding> findings) {
        if (!keys.containsKey(AFTER)) {
            for (String k : KEYS) {
                if (keys.containsKey(k)) {
                    throw new ConfigException(k, "has no effect without " + AFTER
                            + " (the violations per period that box a client, e.g. 5/10m), which turns the penalty"
                            + " box on");
                }
            }
            return null;
        }
        PenaltyBox.Builder b = PenaltyBox.builder();
        try {
            b.after(Rate.parse(keys.get(AFTER).trim()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(AFTER, null, 0, e.getMessage(), e);
        }
        Duration ban = duration(keys, BAN);
        Duration max = duration(keys, MAX);
        // duration() admits nothing shorter than a second, which is all the builder checks here
        if (ban != null) {
            b.ban(ban);
        }
        if (max != null) {
            b.max(max);
        }
        Duration forget = duration(keys, FORGET);
        if (forget != null) {
            b.forget(forget);
        }
        if (keys.containsKey(FACTOR)) {
            double f = number(keys, FACTOR);
            if (!(f >= 1 && f <= 100)) {
                throw new ConfigException(FACTOR, "must be from 1 to 100, was '" + keys.get(FACTOR).trim() + "'");
            }
            b.factor(f);
        }
        if (keys.containsKey(JITTER)) {
            String v = keys.get(JITTER).trim();
            boolean percent = v.endsWith("%");
            double j = percent ? number(JITTER, v.substring(0, v.length() - 1).trim()) / 100 : number(JITTER, v);
            if (!(j >= 0 && j <= 1)) {
                throw new ConfigException(JITTER, "must be from 0% to 100% (or 0 to 1), was '" + v + "'");
            }
            b.jitter(j);
        }
        if (keys.containsKey(IPV6_PREFIX)) {
            b.ipv6PrefixLength((int) whole(keys, IPV6_PREFIX, 1, 128));
        }
        long maxKeys = keys.containsKey(MAX_KEYS) ? whole(keys, MAX_KEYS, 1, Integer.MAX_VALUE)
                : io.relaycontrol.core.limit.RateLimit.DEFAULT_MAX_KEYS;
        b.maxKeys(maxKeys);
        if (keys.containsKey(EXEMPT)) {
            b.exempt(NetworkRules.clientIn("client in " + EXEMPT, networks.apply(EXEMPT)));
        }
        Set<StandardRelayPolicy.Violation> counted = EnumSet.allOf(StandardRelayPolicy.Violation.class);
        if (keys.containsKey(COUNT)) {
            counted = EnumSet.noneOf(StandardRelayPolicy.Violation.class);
            for (String item : keys.get(COUNT).split(",")) {
                String t = item.trim().toLowerCase(Locale.ROOT);
                if (t.isEmpty()) {
                    continue;
                }
                Optional<StandardRelayPolicy.Violation> v = StandardRelayPolicy.Violation.byLabel(t);
                if (v.isEmpty()) {
                    throw new ConfigException(COUNT, "'" + item.trim() + "' is not a violation (expected some of "
                            + "relay, sender-login, rate-limit, dns-list)");
                }
                counted.add(v.get());
            }
            if (counted.isEmpty()) {
                throw new ConfigException(COUNT, "is empty: the box would count nothing (remove " + AFTER
                        + " to turn it off)");
            }
        }
        if (limitStore != null) {
            b.violationStore(limitStore);
        }
        // without a loader's stores (a one-shot parse) the bans are this load's own, but still beside a Redis store
        PenaltyStore store = (stores == null ? new Stores(RelayMetricsSink.NONE) : stores)
                .storeFor(limitStore, ConfiguredLimitStore.spec(keys));
        if (limitStore != null && limitStore.shared() && !store.shared()) {
            findings.add(PolicyFinding.warning("penalty-store-local", "the rate limits' store ("
                    + limitStore.description() + ") is shared but not Redis: violations are counted there, while the"
                    + " bans stay on this server"));
        }
        b.store(store);
        try {
            return new Spec(b.build(), counted);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(MAX, null, 0, e.getMessage(), e);
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(s|m|h|d)");

    /** {@code 30s}, {@code 10m}, {@code 1h}, {@code 1d}: at least one second. */
    static Duration duration(Map<String, String> keys, String key) {
        if (!keys.containsKey(key)) {
            return null;
        }
        String v = keys.get(key).trim();
        Matcher m = DURATION.matcher(v.toLowerCase(Locale.ROOT));
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new ConfigException(key, "expected a positive duration like 30s, 10m, 1h or 1d, was '" + v + "'");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            case "h":
                return Duration.ofHours(n);
            default:
                return Duration.ofDays(n);
        }
    }

    private static double number(Map<String, String> keys, String key) {
        return number(key, keys.get(key).trim());
    }

    private static double number(String key, String v) {
        try {
            double d = Double.parseDouble(v);
            if (Double.isNaN(d) || Double.isInfinite(d) || !v.matches("[0-9.]+")) {
                throw new NumberFormatException(v);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "expected a number, was '" + v + "'");
        }
    }

    private static long whole(Map<String, String> keys, String key, long min, long max) {
        String v = keys.get(key).trim();
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "expected a whole number, was '" + v + "'");
        }
        if (n < min || n > max) {
            throw new ConfigException(key, "must be between " + min + " and " + max + ", was " + n);
        }
        return n;
    }

    /**
     * The penalty stores of one loader, kept across its reloads: one local store for its whole life (a reload never
     * releases a boxed client), and a Redis one on the connection of the rate limits' Redis store, guarded by a
     * circuit breaker, made again only when that store is replaced. Thread-safe.
     */
    static final class Stores {
        private static final Logger LOG = LoggerFactory.getLogger(Stores.class);

        private final PenaltyStore local;
        private final RelayMetricsSink sink;
        private LimitStore sharedFor;
        private PenaltyStore shared;

        Stores(RelayMetricsSink sink) {
            this(PenaltyStore.local(), sink);
        }

        Stores(PenaltyStore local, RelayMetricsSink sink) {
            this.local = local;
            this.sink = sink;
        }

        /** @return the penalty store that goes with {@code limits}: Redis beside a Redis store, else the local one */
        synchronized PenaltyStore storeFor(LimitStore limits, ConfiguredLimitStore.Spec spec) {
            if (limits == null || !limits.shared()) {
                return local;
            }
            if (limits == sharedFor) {
                return shared;
            }
            Optional<PenaltyStore> redis = RedisPenaltyStore.sharing(limits);
            if (redis.isEmpty()) {
                return local;
            }
            shared = GuardedPenaltyStore.of(redis.get(), spec.breakerFailures(), spec.breakerOpen(),
                    (GuardedLimitStore.Listener) (store, state) -> {
                        try {
                            sink.limitStoreState(store, state);
                        } catch (RuntimeException e) {
                            LOG.warn("metrics sink failed", e);
                        }
                    });
            sharedFor = limits;
            return shared;
        }
    }
}
