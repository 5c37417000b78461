package io.relaycontrol.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The explanations of the standard policy's decisions, word for word as they were before the rate limit's details
 * and the blocked client's reason came to be rendered on demand (0.2.0): the texts below were produced by the code
 * before that change (commit a7647d3) and must stay what they were.
 */
class ExplainTextTest {

    @TempDir
    Path dir;

    private StandardRelayPolicy policy() throws Exception {
        Files.writeString(dir.resolve("blocked.txt"), "# drop list\n203.0.113.0/24 ; SBL-1\n198.51.100.0/24\n",
                StandardCharsets.US_ASCII);
        return StandardRelayPolicy.fromProperties(Map.of(
                "relay.local-domains", "example.net",
                "relay.blocked-networks", "file:blocked.txt",
                "relay.trusted-networks", "192.0.2.0/28",
                "relay.limit.client.recipients", "3/1h, 20/1d"), dir);
    }

    private static RelayRequest rcpt(String client, String recipient) {
        return RelayRequest.builder(Stage.RCPT).client(client).sender("<s@example.org>").recipient(recipient).build();
    }

    @Test
    void explainWhenAllowedAndChargedThenTheLimitsDetailsReadAsBefore() throws Exception {
        StandardRelayPolicy p = policy();
        Decision d = p.decide(rcpt("192.0.2.200", "<bob@example.net>"));
        assertThat(d.explain()).isEqualTo(ALLOWED);
        Decision again = p.decide(rcpt("192.0.2.200", "<Bob@EXAMPLE.net>"));
        assertThat(again.explain()).isEqualTo(ALLOWED.replace("tokensLeft=2", "tokensLeft=1")
                .replace("refillIn=PT1H12M", "refillIn=PT2H24M"));
        assertThat(again.decisive().rule()).isEqualTo("local-domains");
    }

    @Test
    void explainWhenTheClientIsBlockedThenTheReasonNamesTheEntryAsBefore() throws Exception {
        StandardRelayPolicy p = policy();
        Decision d = p.decide(rcpt("203.0.113.9", "<bob@example.net>"));
        assertThat(d.explain()).isEqualTo(BLOCKED.replace("{FILE}", dir.resolve("blocked.txt").toString()));
        assertThat(d.reason()).isEqualTo(d.decisive().reason());
        assertThat(d.decisive().details()).containsEntry("network", "203.0.113.0/24");
    }

    @Test
    void explainWhenRelayingIsRefusedByTheDefaultThenAsBefore() throws Exception {
        Decision d = policy().decide(rcpt("192.0.2.200", "<bob@elsewhere.example>"));
        assertThat(d.explain()).isEqualTo(DENIED);
    }

    @Test
    void explainWhenOverTheLimitThenTheDeferralReadsAsBefore() throws Exception {
        StandardRelayPolicy p = policy();
        for (int i = 0; i < 3; i++) {
            p.decide(rcpt("192.0.2.201", "<bob@example.net>"));
        }
        Decision d = p.decide(rcpt("192.0.2.201", "<bob@example.net>"));
        assertThat(d.explain().replaceAll("PT\\d+M\\d*S?|PT\\d+S", "PT?")).isEqualTo(DEFERRED);
    }

    static final String ALLOWED = "ALLOW by standard-relay: recipient domain in relay.local-domains (1 entry)\n"
            + "  NO_OPINION by blocked-networks: client is not in the networks of blocked-networks\n"
            + "  NO_OPINION by recipient-syntax: recipient is well-formed and not routed\n"
            + "  NO_OPINION by sender-syntax: sender is well-formed or not known yet\n"
            + "  NO_OPINION by multi-recipient-bounce: sender is not the null sender\n"
            + "  NO_OPINION by sender-login: sender domain is not one of local domains relay.local-domains (1 entry)\n"
            + "  NO_OPINION by no-recipient-yet: not the case: stage is one of [CONNECT, HELO, MAIL, DATA]\n"
            + "  NO_OPINION by postmaster: not the case: recipient is the local <Postmaster>\n"
            + "  ALLOW by local-domains-limited: recipient domain in relay.local-domains (1 entry)\n"
            + "    ALLOW by local-domains: recipient domain in relay.local-domains (1 entry)\n"
            + "    NO_OPINION by client-recipients: charged 1 recipient {key=192.0.2.200, tokensLeft=2, refillIn=PT1H12M}";
    static final String BLOCKED = "DENY [554 5.7.1 Access denied: your network is blocked] by standard-relay: client 203.0.113.9 is in 203.0.113.0/24 from {FILE} line 2 (SBL-1)\n"
            + "  DENY [554 5.7.1 Access denied: your network is blocked] by blocked-networks: client 203.0.113.9 is in 203.0.113.0/24 from {FILE} line 2 (SBL-1) {network=203.0.113.0/24, source={FILE}, line=2, label=SBL-1}";
    static final String DENIED = "DENY [554 5.7.1 Relay access denied] by standard-relay: no rule allowed this request\n"
            + "  NO_OPINION by blocked-networks: client is not in the networks of blocked-networks\n"
            + "  NO_OPINION by recipient-syntax: recipient is well-formed and not routed\n"
            + "  NO_OPINION by sender-syntax: sender is well-formed or not known yet\n"
            + "  NO_OPINION by multi-recipient-bounce: sender is not the null sender\n"
            + "  NO_OPINION by sender-login: sender domain is not one of local domains relay.local-domains (1 entry)\n"
            + "  NO_OPINION by no-recipient-yet: not the case: stage is one of [CONNECT, HELO, MAIL, DATA]\n"
            + "  NO_OPINION by postmaster: not the case: recipient is the local <Postmaster>\n"
            + "  NO_OPINION by local-domains: not the case: recipient domain in relay.local-domains (1 entry)\n"
            + "  NO_OPINION by relay-domains: not the case: recipient domain in relay.relay-domains (0 entries)\n"
            + "  NO_OPINION by trusted-networks: client is not trusted: not client in trusted networks\n"
            + "  NO_OPINION by authenticated-relay: client is not authenticated\n"
            + "  DENY [554 5.7.1 Relay access denied] by default: no rule allowed this request";
    static final String DEFERRED = "DEFER [451 4.7.1 Rate limit exceeded, please try again later] by standard-relay: rate limit reached for 192.0.2.201: 0 left, 1 needed, next in PT?\n"
            + "  NO_OPINION by blocked-networks: client is not in the networks of blocked-networks\n"
            + "  NO_OPINION by recipient-syntax: recipient is well-formed and not routed\n"
            + "  NO_OPINION by sender-syntax: sender is well-formed or not known yet\n"
            + "  NO_OPINION by multi-recipient-bounce: sender is not the null sender\n"
            + "  NO_OPINION by sender-login: sender domain is not one of local domains relay.local-domains (1 entry)\n"
            + "  NO_OPINION by no-recipient-yet: not the case: stage is one of [CONNECT, HELO, MAIL, DATA]\n"
            + "  NO_OPINION by postmaster: not the case: recipient is the local <Postmaster>\n"
            + "  DEFER [451 4.7.1 Rate limit exceeded, please try again later] by local-domains-limited: rate limit reached for 192.0.2.201: 0 left, 1 needed, next in PT?\n"
            + "    ALLOW by local-domains: recipient domain in relay.local-domains (1 entry)\n"
            + "    DEFER [451 4.7.1 Rate limit exceeded, please try again later] by client-recipients: rate limit reached for 192.0.2.201: 0 left, 1 needed, next in PT? {key=192.0.2.201, tokensLeft=0, retryAfter=PT?}";
}
