package io.relaycontrol.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.address.AddressConditions;
import io.relaycontrol.core.address.DomainSet;
import io.relaycontrol.core.check.PolicyFinding;
import io.relaycontrol.core.net.NetworkRules;
import io.relaycontrol.core.net.NetworkSet;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rule;
import io.relaycontrol.core.rules.Rules;
import io.relaycontrol.testkit.Requests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's auth example, compiled and run so that it cannot rot. */
class AuthReadmeSnippetTest {

    @Test
    void readmeExampleWhenRunThenNoFindingsAndExpectedVerdicts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sender_logins");
        Files.writeString(file, "# login: addresses and @domains it may send as\n"
                + "alice: alice@example.com, @alice.example\n");

        // --- README snippet begins ---
        SenderLoginMap logins = SenderLoginMap.load(file);
        NetworkSet mynetworks = NetworkSet.of("127.0.0.0/8", "192.168.0.0/16");
        DomainSet local = DomainSet.of("example.com");

        AllowListedDevicesRule devices = AllowListedDevicesRule.builder()   // printers: no AUTH, own sender only
                .device("scanner", NetworkSet.of("10.9.0.0/24"), "scan@example.com")
                .build();
        List<Rule> rules = List.of(
                NullSenderRules.multiRecipientBounce(),                // <> with 2+ recipients: 550 5.5.3
                SenderLoginRule.builder(logins)                         // sender not owned by login: 553 5.7.1
                        .protectLocalSenders(local, NetworkRules.clientIn("client in mynetworks", mynetworks))
                        .exemptAllowListedDevices(devices)
                        .build(),
                devices,
                TrustedNetworksRule.of("mynetworks", mynetworks),
                AuthenticatedRelayRule.builder().build());              // verified login, over TLS
        List<PolicyFinding> findings = AuthChecks.check(rules);         // run at load time; refuse on ERROR

        Policy.Builder builder = Policy.builder("relay");
        rules.forEach(builder::rule);
        Policy policy = builder
                .rule(Rules.when(AddressConditions.recipientDomainIn(local)).allow("local-domains"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .build();
        // --- README snippet ends ---

        assertThat(findings).isEmpty();
        Decision aliceAsBob = policy.decide(Requests.mail("203.0.113.7", "<bob@example.com>")
                .authenticated("alice").tls(true).build());
        assertThat(aliceAsBob.verdict()).isEqualTo(Verdict.DENY);
        assertThat(aliceAsBob.reply().orElseThrow().toString())
                .isEqualTo("553 5.7.1 Sender address rejected: not owned by the authenticated user");
        Decision alice = policy.decide(Requests.rcpt("203.0.113.7", "<alice@example.com>", "<x@elsewhere.example>")
                .authenticated("alice").tls(true).build());
        assertThat(alice.verdict()).isEqualTo(Verdict.ALLOW);
        Decision scanner = policy.decide(Requests.rcpt("10.9.0.5", "<scan@example.com>", "<x@elsewhere.example>")
                .build());
        assertThat(scanner.decisive().reason()).isEqualTo(
                "allow-listed device 'scanner': listed sender from client in the networks of device scanner");
        Decision spoof = policy.decide(Requests.rcpt("203.0.113.7", "<ceo@example.com>", "<x@example.com>").build());
        assertThat(spoof.reply().orElseThrow().toString())
                .isEqualTo("553 5.7.1 Sender address rejected: authentication required to use this sender");
    }
}
