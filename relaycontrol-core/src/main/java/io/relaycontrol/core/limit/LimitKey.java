package io.relaycontrol.core.limit;

import io.relaycontrol.api.RelayRequest;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which bucket a request is charged to: a function of the request to a key, with a description for people.
 * Requests with equal keys share one bucket. A request without a key (for example a per-login limit asked
 * about an unauthenticated client) is not limited: the {@link RateLimit} has no opinion.
 *
 * <p>A key is a compact value, read on every decision without building text: a client address is kept as
 * its number (the IPv4 address, or the IPv6 prefix as two {@code long}s), a login or domain as the string the
 * request already holds. Every key has {@code equals}/{@code hashCode} and renders its stable text form with
 * {@code toString()} ({@code 192.0.2.7}, {@code 2001:db8:1:2::/64}, {@code alice}): that text names the bucket
 * in a shared store and in decisions, and is rendered only when someone reads it.
 *
 * <p>Ready-made keys are in {@link LimitKeys}. Implementations must be thread-safe and side-effect free.
 *
 * @since 0.1.0
 */
public interface LimitKey {

    /**
     * The key of a request, on the hot path. Returns {@code null} rather than an empty {@code Optional} for
     * "no key", so that a decision allocates nothing to say so.
     *
     * @param request the request
     * @return the key (with value equality and its text form as {@code toString()}), or {@code null} when the
     *         request has none
     * @since 0.2.0
     */
    Object keyOf(RelayRequest request);

    /**
     * The key's text form, for people and tests.
     *
     * @param request the request
     * @return the text form of {@link #keyOf}, or empty when the request has none; never {@code null}
     */
    default Optional<String> key(RelayRequest request) {
        Object k = keyOf(request);
        return k == null ? Optional.empty() : Optional.of(k.toString());
    }

    /**
     * Reads a key written as text (a per-key override in a configuration) into the value {@link #keyOf}
     * produces for the requests it names. The default returns the text itself, which is right for keys that
     * are strings.
     *
     * @param text the key as its text form, e.g. {@code 192.0.2.25} or {@code 2001:db8::/64}
     * @return the key
     * @throws IllegalArgumentException if {@code text} cannot be such a key; the message names it
     * @since 0.2.0
     */
    default Object parseKey(String text) {
        return text;
    }

    /** @return what the key is, e.g. {@code client address (IPv6 /64)}, for {@code describe()} and decisions */
    String description();

    /**
     * A key from a function.
     *
     * @param description what the key is, e.g. "HELO name"
     * @param function the key of a request; {@code null} or an empty string means "no key"; must be thread-safe
     * @return the key
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code description} is blank
     */
    static LimitKey of(String description, Function<RelayRequest, String> function) {
        return LimitKeys.of(description, function);
    }
}
