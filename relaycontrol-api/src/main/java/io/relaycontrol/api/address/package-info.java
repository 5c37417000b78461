/**
 * Envelope addresses: RFC 5321 paths read once, with their canonical form and the routing tricks they
 * carry. Entry point: {@link io.relaycontrol.api.address.EnvelopeAddress#parse(String)}.
 *
 * <p>Null policy: methods reject {@code null} arguments with {@link java.lang.NullPointerException} and
 * never return {@code null}; absent values are {@link java.util.Optional} or, for strings of an invalid
 * address, the empty string.
 */
package io.relaycontrol.api.address;
