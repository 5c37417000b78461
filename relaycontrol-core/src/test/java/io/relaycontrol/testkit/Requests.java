package io.relaycontrol.testkit;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;

/**
 * Short request builders for policy tests. Every method returns a {@link RelayRequest.Builder}, so a test can
 * add what it needs ({@code .authenticated("alice").tls(true)}) before {@code build()}.
 *
 * <pre>{@code
 * assertThat(policy).refuses(rcpt("203.0.113.7", "<a@example.org>", "<b@elsewhere.test>").build())
 *         .withReply(554, "5.7.1");
 * }</pre>
 *
 * <p>Client addresses are IP literals; host names are refused, never resolved. Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class Requests {

    private Requests() {
    }

    /**
     * @param client the client's IP literal
     * @return a CONNECT request builder
     */
    public static RelayRequest.Builder connect(String client) {
        return RelayRequest.builder(Stage.CONNECT).client(client);
    }

    /**
     * @param client the client's IP literal
     * @param helo the HELO name
     * @return a HELO request builder
     */
    public static RelayRequest.Builder helo(String client, String helo) {
        return RelayRequest.builder(Stage.HELO).client(client).helo(helo);
    }

    /**
     * @param client the client's IP literal
     * @param sender the MAIL FROM path, {@code <>} for the null sender
     * @return a MAIL request builder
     */
    public static RelayRequest.Builder mail(String client, String sender) {
        return RelayRequest.builder(Stage.MAIL).client(client).sender(sender);
    }

    /**
     * @param client the client's IP literal
     * @param sender the MAIL FROM path
     * @param recipient the RCPT TO path
     * @return a RCPT request builder
     */
    public static RelayRequest.Builder rcpt(String client, String sender, String recipient) {
        return RelayRequest.builder(Stage.RCPT).client(client).sender(sender).recipient(recipient);
    }

    /**
     * @param client the client's IP literal
     * @param sender the MAIL FROM path
     * @param recipients how many recipients were accepted
     * @return a DATA request builder
     * @since 0.2.0
     */
    public static RelayRequest.Builder data(String client, String sender, int recipients) {
        return RelayRequest.builder(Stage.DATA).client(client).sender(sender).recipientCount(recipients);
    }
}
