/**
 * JMH benchmarks of relaycontrol and its peers, measured side by side in one run. Not API.
 *
 * <p>Null policy: not applicable (benchmark code).
 */
package io.relaycontrol.benchmarks;
