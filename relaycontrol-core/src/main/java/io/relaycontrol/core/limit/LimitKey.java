package io.relaycontrol.core.limit;

import io.relaycontrol.api.RelayRequest;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which bucket a request is charged to: a function of the request to a key, with a description for people.
 * Requests with the same key share one bucket. A request without a key (for example a per-login limit
 * asked about an unauthenticated client) is not limited: the {@link RateLimit} has no opinion.
 *
 * <p>Ready-made keys are in {@link LimitKeys}. Implementations must be thread-safe and side-effect free.
 *
 * @since 0.1.0
 */
public interface LimitKey {

    /**
     * @param request the request
     * @return the key, or empty when the request has none; never {@code null}
     */
    Optional<String> key(RelayRequest request);

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
