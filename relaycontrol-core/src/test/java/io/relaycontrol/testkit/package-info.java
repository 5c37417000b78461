/**
 * The policy test kit, shipped as relaycontrol-core's test-jar: request builders ({@link
 * io.relaycontrol.testkit.Requests}), fluent assertions ({@link io.relaycontrol.testkit.PolicyAssertions#assertThat})
 * and the contract test every rule's test can extend ({@link io.relaycontrol.testkit.RelayDeciderContract}).
 *
 * <p>Null policy: arguments must not be {@code null}.
 */
package io.relaycontrol.testkit;
