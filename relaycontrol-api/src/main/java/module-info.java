/**
 * relaycontrol's API: {@link io.relaycontrol.api.RelayDecider}, the request and the decision, typed SMTP replies, the
 * clock and the exception family for bad input ({@code io.relaycontrol.api}), and the envelope address types
 * ({@code io.relaycontrol.api.address}). It depends on {@code java.base} alone.
 *
 * @since 0.2.0
 */
module io.relaycontrol.api {
    exports io.relaycontrol.api;
    exports io.relaycontrol.api.address;
}
