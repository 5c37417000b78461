package io.relaycontrol.core.address;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.rules.Conditions;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README snippet for addresses and domain lists, compiled and checked so that it cannot rot. */
class AddressSnippetsTest {

    @TempDir
    Path dir;

    @Test
    void readmeSnippetWhenRoutedOrForeignRecipientThenRefused() throws IOException {
        Path relayFile = Files.writeString(dir.resolve("relay-domains"), "# domains we relay for\n.partner.example\n");

        // --- README snippet start
        DomainSet local = DomainSet.of("example.com", ".example.com");
        ReloadableDomainSet relay = ReloadableDomainSet.load(relayFile);

        Policy policy = Policy.builder("relay")
                .rule(Rules.when(Conditions.authenticated().negate())
                        .then(AddressRules.refuseMalformedOrRouted("address-hygiene")))
                .rule(Rules.when(AddressConditions.recipientDomainIn(local)).allow("local-domain"))
                .rule(Rules.when(AddressConditions.recipientDomainIn(relay)).allow("relay-domain"))
                .rule(Rules.when(Conditions.authenticated()).allow("authenticated"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .build();
        // --- README snippet end

        assertThat(verdict(policy, "<bob@Mail.Example.COM.>")).isEqualTo(Verdict.ALLOW);
        assertThat(verdict(policy, "<bob@mx.partner.example>")).isEqualTo(Verdict.ALLOW);
        assertThat(verdict(policy, "<bob@notexample.com>")).isEqualTo(Verdict.DENY);
        Decision routed = policy.decide(request("<bob%victim.test@example.com>"));
        assertThat(routed.verdict()).isEqualTo(Verdict.DENY);
        assertThat(routed.decisive().rule()).isEqualTo("address-hygiene");
        assertThat(routed.reason()).contains("local part contains '%': sender-specified routing");
        assertThat(local.publicSuffixEntries()).isEmpty();
    }

    private static RelayRequest request(String rcpt) {
        return RelayRequest.builder(Stage.RCPT).client("198.51.100.9").sender("<a@b.example>").recipient(rcpt).build();
    }

    private static Verdict verdict(Policy policy, String rcpt) {
        return policy.decide(request(rcpt)).verdict();
    }
}
