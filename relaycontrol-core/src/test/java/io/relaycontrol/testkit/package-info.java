/**
 * The policy test kit, shipped as relaycontrol-core's test-jar: request builders ({@link
 * io.relaycontrol.testkit.Requests}), fluent assertions ({@link io.relaycontrol.testkit.PolicyAssertions#assertThat},
 * with {@code decidedBy} for the deciding rule, {@code decidedByPath} for the chain and
 * {@code acceptsStrangersBeforeRecipient} for the stages before RCPT), the contract test every rule's test can extend
 * ({@link io.relaycontrol.testkit.RelayDeciderContract}), a clock that tests advance instead of sleeping
 * ({@link io.relaycontrol.testkit.ManualClock}), and {@link io.relaycontrol.testkit.ReadmeCode}, which compiles and
 * runs the Java blocks of a README.
 *
 * <p>Null policy: arguments must not be {@code null}.
 */
package io.relaycontrol.testkit;
