package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.core.rules.Conditions;
import io.relaycontrol.core.rules.Policy;
import io.relaycontrol.core.rules.Rules;
import io.relaycontrol.testkit.ReadmeCode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick-start policy, taken from the README itself (its {@code id: quick-start} block, compiled and run
 * by {@link ReadmeCode}), put into the example server: a stranger's mail to a local recipient is accepted and
 * spooled over a real SMTP dialog, and a relay attempt is refused. Issue 11: a policy composed like the 0.1 quick start
 * refused every stranger at the banner.
 */
class ReadmeQuickStartOverTheWireTest {

    @TempDir
    Path tmp;

    static RelayDecider readmePolicy() {
        ReadmeCode readme = ReadmeCode.parse(ReadmeCode.repositoryRoot().resolve("README.md"), "README.md");
        return (RelayDecider) readme.block("quick-start").run("policy");
    }

    @Test
    void readmeQuickStartWhenAStrangerMailsALocalRecipientThenAcceptedAndSpooled() throws Exception {
        Path spool = tmp.resolve("spool");
        try (RelaySmtpServer server = RelaySmtpServer.builder(readmePolicy())
                .listen(new InetSocketAddress("127.0.0.1", 0)).hostName("mx.example.com").spool(spool).build()) {
            server.start();
            try (Dialog c = new Dialog(server.localAddress())) {
                assertThat(c.banner()).startsWith("220 ");
                assertThat(c.send("EHLO client.stranger.example")).startsWith("250");
                assertThat(c.send("MAIL FROM:<someone@stranger.example>")).startsWith("250");
                assertThat(c.send("RCPT TO:<bob@example.com>")).startsWith("250");
                assertThat(c.send("DATA")).startsWith("354");
                assertThat(c.send("Subject: hello\r\n\r\nfrom a stranger, to a local user\r\n.")).startsWith("250");
                // the same stranger may not relay
                assertThat(c.send("MAIL FROM:<someone@stranger.example>")).startsWith("250");
                assertThat(c.send("RCPT TO:<victim@elsewhere.test>")).isEqualTo("554 5.7.1 Relay access denied");
                assertThat(c.send("QUIT")).startsWith("221");
            }
        }
        try (Stream<Path> files = Files.list(spool)) {
            List<Path> eml = files.filter(p -> p.toString().endsWith(".eml")).toList();
            assertThat(eml).hasSize(1);
            assertThat(Files.readString(eml.get(0))).contains("from a stranger, to a local user");
        }
    }

    /** The counterfactual the test guards against: a policy that refuses before a recipient refuses at the banner. */
    @Test
    void policyWhenItRefusesBeforeARecipientThenTheStrangerIsRefusedAtTheBanner() throws Exception {
        Policy refusing = Policy.builder("relay")
                .rule(Rules.when(Conditions.authenticated()).allow("authenticated"))
                .otherwiseDeny(SmtpReply.RELAY_ACCESS_DENIED)
                .otherwiseBeforeRecipient(Decision.deny("default", "no rule allowed this request",
                        SmtpReply.RELAY_ACCESS_DENIED))
                .build();
        try (RelaySmtpServer server = RelaySmtpServer.builder(refusing)
                .listen(new InetSocketAddress("127.0.0.1", 0)).hostName("mx.example.com").build()) {
            server.start();
            try (Dialog c = new Dialog(server.localAddress())) {
                assertThat(c.banner()).startsWith("554");
            }
        }
    }

    /** A minimal SMTP client over a socket: one command, one (possibly multi-line) reply; the reply's last line. */
    static final class Dialog implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        Dialog(InetSocketAddress server) throws IOException {
            socket = new Socket(server.getAddress(), server.getPort());
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            out = socket.getOutputStream();
        }

        String banner() throws IOException {
            return reply();
        }

        String send(String command) throws IOException {
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return reply();
        }

        private String reply() throws IOException {
            String line;
            do {
                line = in.readLine();
                if (line == null) {
                    return "(connection closed)";
                }
            } while (line.length() > 3 && line.charAt(3) == '-');
            return line.strip();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
