package io.relaycontrol.core.config;

import io.relaycontrol.testkit.LogCapture;
import static io.relaycontrol.testkit.PolicyAssertions.assertThat;
import static io.relaycontrol.testkit.Requests.mail;
import static io.relaycontrol.testkit.Requests.rcpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.core.check.PolicyFinding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The properties loader: every key, every error path, include files, DROP-format lines, the policy check. */
class RelayPropertiesTest {

    @TempDir
    Path dir;

    static Map<String, String> keys(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    RelayProperties parse(String... kv) {
        try (LogCapture ignored = new LogCapture()) {
            return RelayProperties.parse(keys(kv), dir);
        }
    }

    static RelayRequest relayFrom(String client) {
        return rcpt(client, "<x@elsewhere.test>", "<friend@far.test>").build();
    }

    @Test
    void parseWhenEveryKeyGivenThenPolicyUsesThem() throws Exception {
        Files.writeString(dir.resolve("logins.txt"), "alice: alice@example.com\n");
        RelayProperties p = parse(
                "relay.name", "edge",
                "relay.local-domains", "example.com, .example.com",
                "relay.relay-domains", "backup.example.net",
                "relay.trusted-networks", "192.0.2.0/24, 2001:db8::/32, !192.0.2.128/25",
                "relay.blocked-networks", "203.0.113.0/24",
                "relay.sender-logins", "logins.txt",
                "relay.sender-logins.protect-local-domains", "false",
                "relay.auth.require-tls", "false",
                "relay.limit.client.recipients", "100/1h, 1000/1d",
                "relay.limit.client.messages", "50/1h",
                "relay.limit.user.recipients", "500/1d",
                "relay.limit.user.messages", "30/1m",
                "relay.limit.ipv6-prefix", "56",
                "relay.limit.max-keys", "1000",
                "relay.limit.charge-refused", "true",
                "relay.check", "refuse",
                "relay.mode", "enforce",
                "relay.audit.all-decisions", "true");
        StandardRelayPolicy policy = p.policy();
        assertThat(policy.name()).isEqualTo("edge");
        assertThat(policy.localDomains().size()).isEqualTo(2);
        assertThat(policy.relayDomains().size()).isEqualTo(1);
        assertThat(policy.limits()).extracting(l -> l.name())
                .containsExactly("client-recipients", "client-messages", "user-recipients", "user-messages");
        assertThat(policy.requiresTlsForAuth()).isFalse();
        assertThat(p.sources()).containsExactly(dir.resolve("logins.txt"));
        assertThat(policy).allows(relayFrom("192.0.2.1")).decidedBy("trusted-networks");
        assertThat(policy).denies(relayFrom("192.0.2.200")).decidedBy("default");
        assertThat(policy).allows(relayFrom("2001:db8::5")).decidedBy("trusted-networks");
        assertThat(policy).denies(relayFrom("203.0.113.9")).decidedBy("blocked-networks");
        assertThat(policy).allows(rcpt("198.51.100.7", "<x@elsewhere.test>", "<a@backup.example.net>").build())
                .decidedBy("relay-domains");
        assertThat(policy).allows(mail("198.51.100.7", "<ceo@example.com>").build());
        assertThat(policy).denies(mail("198.51.100.7", "<bob@example.com>").authenticated("alice").build())
                .withReply(553, "5.7.1");
        assertThat(policy).allows(rcpt("198.51.100.7", "<alice@example.com>", "<friend@far.test>").authenticated("alice")
                .build()).decidedBy("authenticated-relay");
        assertThat(p.monitored().isDryRun()).isFalse();
    }

    @Test
    void parseWhenFileIncludesThenListsComeFromFilesAndTheyAreWatched() throws Exception {
        Files.writeString(dir.resolve("domains.txt"), "# local domains\nexample.org\n\n.example.org ; subdomains\n");
        Files.writeString(dir.resolve("drop.txt"), "; Spamhaus DROP List\n203.0.113.0/24 ; SBL123\n"
                + "198.51.100.0/24 ; SBL456\n");
        Files.writeString(dir.resolve("trusted.txt"), "192.0.2.0/24 # office\n");
        RelayProperties p = parse(
                "relay.local-domains", "example.com, file:domains.txt",
                "relay.trusted-networks", "file:trusted.txt",
                "relay.blocked-networks", "file:" + dir.resolve("drop.txt"));
        assertThat(p.policy()).allows(rcpt("192.0.2.9", "<a@b.test>", "<x@mail.example.org>").build())
                .decidedBy("local-domains");
        assertThat(p.policy()).allows(rcpt("192.0.2.9", "<a@b.test>", "<x@example.com>").build());
        assertThat(p.policy()).denies(relayFrom("198.51.100.7")).decidedBy("blocked-networks")
                .withReasonContaining("SBL456");
        assertThat(p.policy()).allows(relayFrom("192.0.2.9")).decidedBy("trusted-networks");
        assertThat(p.sources()).containsExactlyInAnyOrder(dir.resolve("domains.txt"), dir.resolve("trusted.txt"),
                dir.resolve("drop.txt"));
    }

    @Test
    void parseWhenUnknownKeyThenErrorNamesItAndTheKnownKeys() {
        assertThatThrownBy(() -> parse("relay.local-domain", "example.com"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("relay.local-domain: unknown key")
                .hasMessageContaining("relay.local-domains");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "relay.local-domains | example..com | relay.local-domains",
        "relay.local-domains | *.example.com | relay.local-domains",
        "relay.trusted-networks | 10.1.2.3/8 | relay.trusted-networks",
        "relay.trusted-networks | 10.0.0.0/33 | relay.trusted-networks",
        "relay.blocked-networks | 010.1.2.3 | relay.blocked-networks",
        "relay.limit.client.recipients | 100/1y | relay.limit.client.recipients",
        "relay.limit.client.recipients | lots | relay.limit.client.recipients",
        "relay.limit.user.messages | 0/1h | relay.limit.user.messages",
        "relay.limit.ipv6-prefix | 129 | relay.limit.ipv6-prefix",
        "relay.limit.ipv6-prefix | sixty-four | relay.limit.ipv6-prefix",
        "relay.limit.max-keys | 0 | relay.limit.max-keys",
        "relay.limit.charge-refused | sometimes | relay.limit.charge-refused",
        "relay.auth.require-tls | yes | relay.auth.require-tls",
        "relay.sender-logins.protect-local-domains | 1 | relay.sender-logins.protect-local-domains",
        "relay.audit.all-decisions | maybe | relay.audit.all-decisions",
        "relay.mode | permissive | relay.mode",
        "relay.check | ignore | relay.check",
        "relay.name | '   ' | relay.name"})
    void parseWhenBadValueThenErrorNamesTheKey(String key, String value, String expected) {
        assertThatThrownBy(() -> parse(key, value)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(expected + ":")
                .satisfies(e -> assertThat(((ConfigException) e).key()).contains(expected));
    }

    @Test
    void parseWhenIncludedFileHasABadLineThenErrorNamesKeyFileAndLine() throws Exception {
        Files.writeString(dir.resolve("drop.txt"), "203.0.113.0/24 ; SBL1\n\nnot-a-network ; SBL2\n");
        assertThatThrownBy(() -> parse("relay.blocked-networks", "file:drop.txt"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("relay.blocked-networks")
                .hasMessageContaining("drop.txt line 3")
                .satisfies(e -> assertThat(((ConfigException) e).line()).isEqualTo(3));
        Files.writeString(dir.resolve("domains.txt"), "example.com\nbad domain\n");
        assertThatThrownBy(() -> parse("relay.local-domains", "file:domains.txt"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("relay.local-domains").hasMessageContaining("domains.txt")
                .hasMessageContaining("2");
        Files.writeString(dir.resolve("logins.txt"), "alice alice@example.com\n");
        assertThatThrownBy(() -> parse("relay.sender-logins", "logins.txt"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("relay.sender-logins")
                .hasMessageContaining("logins.txt");
    }

    @Test
    void parseWhenIncludedFileIsMissingThenErrorNamesKeyAndFile() {
        assertThatThrownBy(() -> parse("relay.trusted-networks", "file:nowhere.txt"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("relay.trusted-networks")
                .hasMessageContaining("nowhere.txt");
        assertThatThrownBy(() -> parse("relay.local-domains", "file:nowhere.txt"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("nowhere.txt");
        assertThatThrownBy(() -> parse("relay.sender-logins", "nowhere.txt"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("nowhere.txt");
        assertThatThrownBy(() -> parse("relay.local-domains", "file:"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("empty file path");
    }

    @Test
    void checkWhenEverythingIsTrustedThenRefusedAsAnOpenRelay() {
        assertThatThrownBy(() -> parse("relay.trusted-networks", "0.0.0.0/0"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("open-relay-network")
                .hasMessageContaining("0.0.0.0/0");
        assertThatThrownBy(() -> parse("relay.trusted-networks", "::/0"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("::/0");
        RelayProperties warned = parse("relay.trusted-networks", "0.0.0.0/0", "relay.check", "warn");
        assertThat(warned.findings()).extracting(PolicyFinding::code).contains("open-relay-network");
    }

    @Test
    void checkWhenHostNameWhereANetworkIsExpectedThenReported() {
        assertThatThrownBy(() -> parse("relay.trusted-networks", "192.0.2.0/24, mail.example.com"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("host-name-network")
                .hasMessageContaining("mail.example.com");
        RelayProperties warned = parse("relay.trusted-networks", "192.0.2.0/24, mail.example.com",
                "relay.check", "warn");
        assertThat(warned.findings()).extracting(PolicyFinding::code).contains("host-name-network");
        assertThat(warned.policy()).allows(relayFrom("192.0.2.1"));
    }

    @Test
    void checkWhenADomainIsAPublicSuffixThenRefused() {
        for (String suffix : new String[] {"com", "co.uk", ".com"}) {
            assertThatThrownBy(() -> parse("relay.local-domains", "example.com, " + suffix))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("public-suffix-domain")
                    .hasMessageContaining(suffix);
        }
        assertThatThrownBy(() -> parse("relay.relay-domains", "co.uk"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("relay domains");
    }

    @Test
    void checkWhenListsAreEmptyOrMissingThenWarnings() {
        RelayProperties p = parse("relay.local-domains", " , ", "relay.auth.require-tls", "false");
        assertThat(p.findings()).extracting(PolicyFinding::code)
                .contains("empty-list", "no-local-domains", "sender-not-bound-to-login", "auth-without-tls");
        assertThat(p.findings()).allMatch(f -> f.severity() == PolicyFinding.Severity.WARNING);
    }

    @Test
    void modeWhenDryRunThenRefusalsAreNotEnforcedAndTheCheckWarns() {
        RelayProperties p = parse("relay.local-domains", "example.com", "relay.mode", "dry-run");
        assertThat(p.isDryRun()).isTrue();
        assertThat(p.findings()).extracting(PolicyFinding::code).contains("dry-run");
        MonitoredPolicy m = p.monitored();
        try (LogCapture ignored = new LogCapture()) {
            assertThat(m).allows(relayFrom("198.51.100.7")).withReasonContaining("dry run");
        }
        assertThat(m.metrics().dryRunOverrides()).isEqualTo(1);
    }

    @Test
    void fromPropertiesWhenMinimalThenSafeDefaults() {
        StandardRelayPolicy p;
        try (LogCapture ignored = new LogCapture()) {
            p = StandardRelayPolicy.fromProperties(Map.of("relay.local-domains", "example.com"), dir);
        }
        assertThat(p.requiresTlsForAuth()).isTrue();
        assertThat(p.limits()).isEmpty();
        assertThat(p).denies(relayFrom("127.0.0.1")).withReply(554, "5.7.1");
    }
}
