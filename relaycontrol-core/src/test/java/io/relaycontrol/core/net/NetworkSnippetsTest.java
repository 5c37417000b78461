package io.relaycontrol.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.core.rules.Policy;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's network-set example, compiled and run so that it cannot rot. */
class NetworkSnippetsTest {

    @TempDir
    Path dir;

    @Test
    void readmeSnippetWhenRunThenExplainsTheMatchingEntry() throws IOException {
        Path dropFile = dir.resolve("drop.txt");
        Files.writeString(dropFile, "; Spamhaus DROP\n203.0.113.0/24 ; SBL123\n");

        // --- README snippet start
        NetworkSet trusted = NetworkSet.builder()
                .add("10.0.0.0/8").except("10.9.0.0/16")          // "these networks except those"
                .add("2001:db8::/32", "config", "office")
                .build();
        ReloadableNetworkSet drop = ReloadableNetworkSet.load(dropFile, NetworkListFormat.SPAMHAUS_DROP);

        Policy policy = Policy.builder("relay")
                .rule(NetworkRules.denyClientsIn("spamhaus-drop", drop, SmtpReply.of(554, "5.7.1", "Listed in DROP")))
                .rule(NetworkRules.allowClientsIn("trusted", trusted))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .build();

        Decision d = policy.decide(RelayRequest.builder(Stage.CONNECT).client("203.0.113.7").build());
        // d.decisive().reason(): "client 203.0.113.7 is in 203.0.113.0/24 from drop.txt line 2 (SBL123)"
        ReloadableNetworkSet.Result r = drop.reload();  // atomic swap; a broken file keeps the old set
        // --- README snippet end

        assertThat(trusted.contains(InetAddress.getByName("10.1.2.3"))).isTrue();
        assertThat(trusted.contains("10.9.0.1")).isFalse();
        assertThat(d.decisive().reason()).isEqualTo("client 203.0.113.7 is in 203.0.113.0/24 from " + dropFile
                + " line 2 (SBL123)");
        assertThat(r.succeeded()).isTrue();
    }
}
