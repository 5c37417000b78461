package io.relaycontrol.benchmarks;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.audit.AuditContext;
import io.relaycontrol.core.audit.AuditPlan;
import io.relaycontrol.core.audit.AuditProbe;
import io.relaycontrol.core.audit.AuditReport;
import io.relaycontrol.core.audit.RelayAudit;
import io.relaycontrol.core.auth.SenderLoginMap;
import io.relaycontrol.core.config.StandardRelayPolicy;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The whole in-process open-relay audit of the standard policy (every probe in every context, the report
 * built), in milliseconds per audit after warm-up; the target is under 50 ms.
 *
 * <p>This is not a lookup benchmark: the audit is a fixed set of probes (a few hundred per context) asked once,
 * so the usual 65,536 random keys do not apply; what is random here is the large configuration
 * ({@code size=large}: 100,000 local domains and 100,000 blocked prefixes, random, which the audit samples).
 * The reference in the same run, {@code decideOnly}, asks the policy the same requests, built beforehand,
 * without the audit's parsing, expectations or report: the ratio is the audit's own overhead.
 * {@code audit} includes deriving the plan from the policy; {@code auditWithPlan} reuses a built plan.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AuditBenchmark {

    /** {@code readme}: the README's standard policy; {@code large}: 100,000 local domains and blocked prefixes. */
    @Param({"readme", "large"})
    public String size;

    private StandardRelayPolicy policy;
    private RelayAudit audit;
    private RelayRequest[] requests;

    @Setup(Level.Trial)
    public void setUp() {
        DomainSet.Builder local = DomainSet.builder();
        local.add("example.com");
        local.add(".example.com");
        NetworkSet.Builder blocked = NetworkSet.builder().add("203.0.113.0/24");
        if (size.equals("large")) {
            SplittableRandom random = new SplittableRandom(20261202);
            for (int i = 0; i < 100_000; i++) {
                local.add("d" + Integer.toString(random.nextInt(Integer.MAX_VALUE), 36) + i + ".example");
                int addr = random.nextInt() & -(1 << 8);
                int first = (addr >>> 24) & 255;
                if (first == 198 || first == 192 || first == 45 || first == 100 || first == 203) {
                    continue; // keep the audit's stranger addresses outside the blocked list
                }
                blocked.add(first + "." + ((addr >>> 16) & 255) + "." + ((addr >>> 8) & 255) + ".0/24");
            }
        }
        policy = StandardRelayPolicy.builder()
                .localDomains(local.build())
                .relayDomains(DomainSet.of("backup.example.net"))
                .trustedNetworks(NetworkSet.of("192.0.2.0/24", "2001:db8:1::/48"))
                .blockedNetworks(blocked.build())
                .senderLogins(SenderLoginMap.parse(List.of("alice: alice@example.com, @alice.example.org"), "inline"))
                .build();
        audit = RelayAudit.of(policy);
        List<RelayRequest> list = new ArrayList<>();
        AuditPlan plan = audit.plan();
        for (AuditContext c : plan.contexts()) {
            for (AuditProbe p : plan.probes()) {
                RelayRequest.Builder b = RelayRequest.builder(p.stage()).client(c.client()).tls(c.tls());
                c.login().ifPresent(b::authenticated);
                if (p.stage() != Stage.CONNECT) {
                    b.helo(c.helo());
                }
                if (p.stage() == Stage.MAIL || p.stage() == Stage.RCPT || p.stage() == Stage.DATA) {
                    b.sender("<" + p.senderIn(c) + ">");
                }
                if (p.stage() == Stage.RCPT) {
                    b.recipient("<" + p.recipient() + ">").recipientCount(1);
                }
                list.add(b.build());
            }
        }
        requests = list.toArray(new RelayRequest[0]);
        AuditReport check = audit.run();
        if (check.isOpenRelay()) {
            throw new IllegalStateException("benchmark policy fails the audit: " + check.verdict());
        }
    }

    /** @return the report of a whole audit, plan derived from the policy */
    @Benchmark
    public AuditReport audit() {
        return RelayAudit.of(policy).run();
    }

    /** @return the report of a whole audit with the plan built once */
    @Benchmark
    public AuditReport auditWithPlan() {
        return audit.run();
    }

    /**
     * Reference: the same number of RCPT/MAIL/... decisions on prebuilt requests.
     *
     * @param bh sink
     */
    @Benchmark
    public void decideOnly(Blackhole bh) {
        for (RelayRequest r : requests) {
            Decision d = policy.decide(r);
            bh.consume(d);
        }
    }
}
