/**
 * Envelope addresses: RFC 5321 paths read once, with their canonical form and the routing tricks they
 * carry. Entry point: {@link io.relaycontrol.api.address.EnvelopeAddress#parse(String)}; invalid input is a
 * value with a typed {@link io.relaycontrol.api.address.ParseError}, routing tricks are named by
 * {@link io.relaycontrol.api.address.Routing}, and {@link io.relaycontrol.api.address.DomainNames} gives the
 * canonical form of a domain or address literal on its own (used by domain lists), and
 * {@link io.relaycontrol.api.address.IpAddresses} is the one home of IP address text (strict parsing, RFC 5952
 * formatting, IPv4-mapped detection) for the request, the network sets and the rate-limit keys. JDK only: the
 * IP text handling is written here, the IDN conversion is {@link java.net.IDN}.
 *
 * <p>Null policy: methods reject {@code null} arguments with {@link java.lang.NullPointerException} and
 * never return {@code null}; absent values are {@link java.util.Optional} or, for strings of an invalid
 * address, the empty string.
 */
package io.relaycontrol.api.address;
