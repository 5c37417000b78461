/**
 * The policy-server benchmark's load generator: entry point {@link io.relaycontrol.examples.policy.bench.LoadGenerator}
 * ({@code java -cp relaycontrol-policy-server.jar io.relaycontrol.examples.policy.bench.LoadGenerator}), driven by
 * {@code examples/policy-server/bench/run-benchmark.sh}, which runs relaycontrol's policy server, postfwd and
 * policyd-rate-limit with the same policy on loopback.
 *
 * <p>Null policy: no method accepts or returns {@code null}.
 *
 * @since 0.2.0
 */
package io.relaycontrol.examples.policy.bench;
