package io.relaycontrol.core.limit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.FailureMode;
import io.relaycontrol.core.limit.GuardedLimitStore;
import io.relaycontrol.core.limit.LimitKeys;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.limit.RateLimit;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 3-node Redis Cluster on loopback ({@code redis-server --cluster-enabled yes} three times and
 * {@code redis-cli --cluster create}): two limiters seeded from different nodes share one budget; the node that
 * holds a bucket killed moves that limit to its failure mode, and its restart brings it back. Skipped without
 * {@code redis-server}/{@code redis-cli}, failing instead when {@code CI=true}.
 */
class RedisClusterTest {

    @TempDir
    Path dir;

    private static final RelayRequest RCPT = RelayRequest.builder(Stage.RCPT).client("192.0.2.77")
            .sender("<a@example.org>").recipient("<b@example.com>").build();

    private final List<Process> nodes = new ArrayList<>();
    private final int[] ports = new int[3];

    private static File cli() {
        for (String d : List.of("/usr/bin", "/usr/local/bin")) {
            File f = new File(d, "redis-cli");
            if (f.canExecute()) {
                return f;
            }
        }
        return null;
    }

    private Process startNode(int port) throws IOException {
        File nodeDir = dir.resolve("node-" + port).toFile();
        nodeDir.mkdirs();
        return new ProcessBuilder(RedisServer.findBinary().getPath(), "--port", String.valueOf(port), "--bind",
                "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
                "--cluster-node-timeout", "3000", "--save", "", "--appendonly", "no", "--dir", nodeDir.getPath())
                .redirectErrorStream(true).redirectOutput(new File(nodeDir, "log")).start();
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    private String cli(int port, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(cli().getPath(), "-h", "127.0.0.1", "-p", String.valueOf(port)));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(new String[0]));
    }

    /** Waits (bounded) until every running node reports {@code cluster_state:ok}. */
    private void awaitClusterOk(int... on) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            boolean ok = true;
            for (int p : on) {
                ok &= cli(p, "cluster", "info").contains("cluster_state:ok");
            }
            if (ok) {
                return;
            }
        }
        throw new AssertionError("the cluster did not become ok");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void decideWhenTwoLimitersOnDifferentNodesThenOneBudgetAndAKilledNodeMeansFailureModeAndBack()
            throws Exception {
        RedisServer.requireBinary(RedisServer.findBinary(), System.getenv("CI"));
        RedisServer.requireBinary(cli(), System.getenv("CI"));
        try {
            for (int i = 0; i < 3; i++) {
                ports[i] = freePort();
                nodes.add(startNode(ports[i]));
            }
            for (int p : ports) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!cli(p, "ping").contains("PONG") && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            }
            String created = run(cli().getPath(), "--cluster", "create", "127.0.0.1:" + ports[0],
                    "127.0.0.1:" + ports[1], "127.0.0.1:" + ports[2], "--cluster-replicas", "0", "--cluster-yes");
            assertThat(created).contains("All 16384 slots covered");
            awaitClusterOk(ports);

            try (GuardedLimitStore a = guard("redis-cluster://127.0.0.1:" + ports[0]);
                    GuardedLimitStore b = guard("redis-cluster://127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2])) {
                RateLimit onA = limit(a);
                RateLimit onB = limit(b);
                // Lettuce opens the connection to each node on first use; warm both up on another limit
                warmUp(a);
                warmUp(b);
                Decision first = onA.decide(RCPT);
                assertThat(first.details()).as("%s", first.error()).containsEntry("tokensLeft", "3");
                assertThat(onB.decide(RCPT).details()).containsEntry("tokensLeft", "2");
                assertThat(onA.decide(RCPT).details()).containsEntry("tokensLeft", "1");
                assertThat(onB.decide(RCPT).details()).containsEntry("tokensLeft", "0");
                Decision over = onA.decide(RCPT);
                assertThat(over.verdict()).isEqualTo(Verdict.DEFER);
                assertThat(over.details()).doesNotContainKey("store");

                // the node that holds the bucket
                String slot = cli(ports[0], "cluster", "keyslot", "relaycontrol:limit:{cluster-rcpt:192.0.2.77}").trim();
                int owner = -1;
                for (int i = 0; i < 3; i++) {
                    if (cli(ports[i], "cluster", "countkeysinslot", slot).trim().equals("1")) {
                        owner = i;
                    }
                }
                assertThat(owner).as("one node holds the bucket's slot " + slot).isNotNegative();
                nodes.get(owner).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                for (int i = 0; i < 6; i++) {
                    Decision d = onA.decide(RCPT);
                    assertThat(d.verdict()).isEqualTo(Verdict.DEFER);
                    assertThat(d.details()).containsEntry("store", "failed");
                    Decision e = onB.decide(RCPT);
                    assertThat(e.verdict()).isEqualTo(Verdict.DEFER);
                    assertThat(e.details()).containsEntry("store", "failed");
                }
                assertThat(a.state()).isEqualTo(GuardedLimitStore.State.OPEN);

                nodes.set(owner, startNode(ports[owner]));
                awaitClusterOk(ports);
                Decision back = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < deadline) {
                    a.probeNow();
                    back = onA.decide(RCPT);
                    if (!back.details().containsKey("store")) {
                        break;
                    }
                }
                assertThat(back.details()).as("the limit reaches the restarted node").doesNotContainKey("store");
                // the restarted node kept nothing (--save ""): the bucket is new there
                assertThat(back.details()).containsEntry("tokensLeft", "3");
                assertThat(a.state()).isEqualTo(GuardedLimitStore.State.CLOSED);
            }
        } finally {
            for (Process p : nodes) {
                p.destroyForcibly();
            }
        }
    }

    private static void warmUp(GuardedLimitStore store) {
        RateLimit warm = RateLimit.builder("warm-up").key(LimitKeys.clientAddress()).counting(Counted.RECIPIENTS)
                .rates(Rate.parseList("1000000/1h")).store(store).onStoreFailure(FailureMode.DEFER).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            store.probeNow();
            if (!warm.decide(RCPT).details().containsKey("store")) {
                return;
            }
        }
        throw new AssertionError("the cluster store never answered");
    }

    private static GuardedLimitStore guard(String uri) {
        return GuardedLimitStore.builder(RedisLimitStore.builder(uri).requestTimeout(Duration.ofSeconds(2)).build())
                .timeout(Duration.ofSeconds(2)).failureThreshold(3).openFor(Duration.ofHours(1)).build();
    }

    private static RateLimit limit(GuardedLimitStore store) {
        return RateLimit.builder("cluster-rcpt").key(LimitKeys.clientAddress()).counting(Counted.RECIPIENTS)
                .rates(Rate.parseList("4/1h")).store(store).onStoreFailure(FailureMode.DEFER).build();
    }
}
