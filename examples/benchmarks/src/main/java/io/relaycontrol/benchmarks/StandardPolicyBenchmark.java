package io.relaycontrol.benchmarks;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.config.StandardRelayPolicy;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.LimitKeys;
import io.relaycontrol.core.limit.RateLimit;
import io.relaycontrol.core.net.NetworkSet;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A full RCPT decision by the standard policy with a 1,000,000-entry blocked list, 100,000 local domains and a
 * per-client recipient limit: decisions per second on one and two threads. Run with {@code -prof gc} for the
 * bytes allocated per decision.
 *
 * <p>Requests are built in setup (the SMTP server builds one per command; parsing the address is measured by
 * the address benchmarks). Clients come from a pool of 4,096 addresses outside the blocked list, so the rate
 * limit keeps 4,096 buckets hot; its budget is large enough never to defer here.
 * {@code path=allow}: a stranger to a local domain (allowed by {@code local-domains}, after every check).
 * {@code path=deny}: a stranger relaying to a remote domain (refused by the default).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class StandardPolicyBenchmark {

    /** Which path through the policy is measured. */
    @Param({"allow", "deny"})
    public String path;

    /** {@code per-client}: a per-client recipient limit, as the issue asks; {@code none}: the policy alone. */
    @Param({"per-client", "none"})
    public String limit;

    private StandardRelayPolicy policy;
    private RelayRequest[] requests;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(20261130);
        NetworkSet.Builder blocked = NetworkSet.builder();
        int added = 0;
        while (added < 1_000_000) {
            int prefix = 16 + random.nextInt(9);
            int addr = random.nextInt() & (prefix == 32 ? -1 : -(1 << (32 - prefix)));
            if ((addr >>> 24) == 198) {
                continue; // keep 198.0.0.0/8 free for the probe clients
            }
            blocked.add(((addr >>> 24) & 255) + "." + ((addr >>> 16) & 255) + "." + ((addr >>> 8) & 255) + "."
                    + (addr & 255) + "/" + prefix);
            added++;
        }
        List<String> domains = new ArrayList<>(100_000);
        for (int i = 0; i < 100_000; i++) {
            domains.add("d" + Integer.toString(random.nextInt(Integer.MAX_VALUE), 36) + i + ".example");
        }
        StandardRelayPolicy.Builder b = StandardRelayPolicy.builder()
                .blockedNetworks(blocked.build())
                .localDomains(DomainSet.of(domains.toArray(new String[0])))
                .trustedNetworks(NetworkSet.of("192.0.2.0/24"));
        if (limit.equals("per-client")) {
            b.limit(RateLimit.builder("client-recipients").key(LimitKeys.clientAddress())
                    .counting(Counted.RECIPIENTS).rates(Rate.parseList("1000000000/1d")).build());
        }
        policy = b.build();
        requests = new RelayRequest[4096];
        for (int i = 0; i < requests.length; i++) {
            String client = "198." + random.nextInt(256) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
            String recipient = path.equals("allow")
                    ? "<user" + i + "@" + domains.get(random.nextInt(domains.size())) + ">"
                    : "<user" + i + "@remote" + i + ".test>";
            requests[i] = RelayRequest.builder(Stage.RCPT).client(client).sender("<sender@elsewhere.test>")
                    .recipient(recipient).build();
        }
        Decision check = policy.decide(requests[0]);
        boolean expectAllow = path.equals("allow");
        if (check.isAllowed() != expectAllow) {
            throw new IllegalStateException("benchmark set-up is wrong:\n" + check.explain());
        }
    }

    /** Per-thread cursor over the requests. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Benchmark
    @Threads(1)
    public Decision rcptOneThread(Cursor c) {
        return policy.decide(requests[c.next++ & 4095]);
    }

    @Benchmark
    @Threads(2)
    public Decision rcptTwoThreads(Cursor c) {
        return policy.decide(requests[c.next++ & 4095]);
    }
}
