package io.relaycontrol.core.limit.redis;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.limit.Counted;
import io.relaycontrol.core.limit.FailureMode;
import io.relaycontrol.core.limit.LimitKeys;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.core.limit.RateLimit;
import java.time.Duration;

/**
 * Not a test: how long decisions keep failing after a killed {@code redis-server} is started again. Kills
 * Redis, keeps it down for the given seconds (while Lettuce's reconnect delay grows), restarts it on the same
 * port, and prints the time from "ready" to the first decision that reached Redis. Run from the module
 * directory after {@code mvn test-compile} and {@code mvn dependency:build-classpath -Dmdep.outputFile=cp.txt}:
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat cp.txt) \
 *     io.relaycontrol.core.limit.redis.RedisRecoveryMeasurement 8 200 30000
 * </pre>
 * Arguments: seconds down, then one or more maximum reconnect delays in milliseconds to compare (30000 is
 * Lettuce's own default bound).
 */
public final class RedisRecoveryMeasurement {

    private RedisRecoveryMeasurement() {
    }

    /**
     * @param args seconds down, then max reconnect delays in ms
     * @throws Exception if Redis does not start
     */
    public static void main(String[] args) throws Exception {
        int down = Integer.parseInt(args[0]);
        RelayRequest rcpt = RelayRequest.builder(Stage.RCPT).client("192.0.2.1").sender("<a@example.org>")
                .recipient("<b@example.com>").build();
        for (int i = 1; i < args.length; i++) {
            long maxDelay = Long.parseLong(args[i]);
            for (int round = 0; round < 3; round++) {
                RedisServer redis = RedisServer.start();
                RedisServer again = null;
                try (RedisLimitStore store = RedisLimitStore.builder(redis.uri())
                        .maxReconnectDelay(Duration.ofMillis(maxDelay)).build()) {
                    RateLimit limit = RateLimit.builder("m").key(LimitKeys.clientAddress()).counting(Counted.RECIPIENTS)
                            .rates(Rate.parseList("1000000000/1h")).store(store).onStoreFailure(FailureMode.DEFER)
                            .build();
                    limit.decide(rcpt);
                    redis.kill();
                    Thread.sleep(down * 1000L); // a measurement program, not a test: Redis stays down this long
                    again = RedisServer.restart(redis);
                    long ready = System.nanoTime();
                    long failures = 0;
                    while (limit.decide(rcpt).verdict() != Verdict.NO_OPINION) {
                        failures++;
                        Thread.sleep(1);
                    }
                    long ms = (System.nanoTime() - ready) / 1_000_000;
                    System.out.printf("max reconnect delay %5d ms, down %d s: first decision through Redis %5d ms"
                            + " after it was ready (%d failed decisions meanwhile)%n", maxDelay, down, ms, failures);
                } finally {
                    redis.stop();
                    if (again != null) {
                        again.stop();
                    }
                }
            }
        }
    }
}
