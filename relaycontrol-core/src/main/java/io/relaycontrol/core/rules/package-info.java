/**
 * The policy engine: {@link io.relaycontrol.core.rules.Rule}s, {@link io.relaycontrol.core.rules.Condition}s,
 * the combinators in {@link io.relaycontrol.core.rules.Rules} (whose javadoc holds the algebra and its truth
 * table) and the top-level {@link io.relaycontrol.core.rules.Policy} with its mandatory default.
 *
 * <p>Entry points: {@link io.relaycontrol.core.rules.Policy#builder(String)},
 * {@link io.relaycontrol.core.rules.Rules}, {@link io.relaycontrol.core.rules.Conditions}.
 *
 * <p>Null policy: arguments must not be {@code null} ({@link java.lang.NullPointerException} naming the
 * argument); rules never return {@code null} and never throw from {@code decide}.
 */
package io.relaycontrol.core.rules;
