/**
 * Domain lists and the conditions and rules built on envelope addresses. Entry points:
 * {@link io.relaycontrol.core.address.DomainSet} (immutable set of {@code example.com} / {@code .example.com}
 * entries, from code or list files), {@link io.relaycontrol.core.address.ReloadableDomainSet},
 * {@link io.relaycontrol.core.address.AddressConditions} and {@link io.relaycontrol.core.address.AddressRules}.
 * Parsing and canonical forms live in the API: {@link io.relaycontrol.api.address.EnvelopeAddress} and
 * {@link io.relaycontrol.api.address.DomainNames}.
 *
 * <p>Null policy: arguments must not be {@code null} ({@link java.lang.NullPointerException} naming the
 * argument); methods never return {@code null} (absent values are {@link java.util.Optional} or empty lists);
 * rules never return {@code null} and never throw from {@code decide}.
 */
package io.relaycontrol.core.address;
