package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {

    @TempDir
    Path tmp;

    private static Map<String, String> minimal() {
        return Map.of("server.listen", "127.0.0.1:2525");
    }

    @Test
    void parseListenAcceptsIpv4Ipv6AndHostNames() {
        assertThat(ServerConfig.parseListen("127.0.0.1:2525")).isEqualTo(new InetSocketAddress("127.0.0.1", 2525));
        assertThat(ServerConfig.parseListen("[::1]:25").getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(ServerConfig.parseListen("[::1]:25").getPort()).isEqualTo(25);
        assertThat(ServerConfig.parseListen("localhost:0").getAddress().isLoopbackAddress()).isTrue();
        assertThat(ServerConfig.parseListen("0.0.0.0:65535").getPort()).isEqualTo(65535);
    }

    @Test
    void parseListenRejectsBadFormsNamingThem() {
        for (String bad : new String[] {"127.0.0.1", "::1:25", "[::1]25", "[127.0.0.1]:25", "127.0.0.1:65536",
                "127.0.0.1:-1", "127.0.0.1:", ":25", "127.0.0.1:2x", "[::1]"}) {
            assertThatThrownBy(() -> ServerConfig.parseListen(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.isEmpty() ? "" : bad);
        }
    }

    @Test
    void fromWhenMinimalThenDefaults() {
        ServerConfig c = ServerConfig.from(minimal(), tmp.resolve("x.properties"));
        assertThat(c.hostName()).isEqualTo("localhost");
        assertThat(c.users()).isEmpty();
        assertThat(c.spool()).isEmpty();
        assertThat(c.relayKeys()).isEmpty();
    }

    @Test
    void fromSplitsServerAndRelayKeysAndResolvesSpoolAgainstTheFile() {
        Path file = tmp.resolve("conf/relay.properties");
        ServerConfig c = ServerConfig.from(Map.of("server.listen", "[::1]:2525", "server.hostname", "mx.example.com",
                "server.users", " alice:secret , bob:pa:ss ", "server.spool", "spool",
                "relay.local-domains", "example.com", "relay.trusted-networks", "192.0.2.0/24"), file);
        assertThat(c.hostName()).isEqualTo("mx.example.com");
        assertThat(c.users()).containsExactly(Map.entry("alice", "secret"), Map.entry("bob", "pa:ss"));
        assertThat(c.spool()).contains(tmp.resolve("conf/spool").toAbsolutePath());
        assertThat(c.relayKeys()).containsOnlyKeys("relay.local-domains", "relay.trusted-networks");
    }

    @Test
    void fromWhenUnknownOrBadKeysThenErrorNamesFileAndKey() {
        Path f = tmp.resolve("bad.properties");
        assertThatThrownBy(() -> ServerConfig.from(Map.of("server.listen", "127.0.0.1:1", "server.port", "25"), f))
                .hasMessageContaining(f.toString()).hasMessageContaining("server.port")
                .hasMessageContaining("unknown server key");
        assertThatThrownBy(() -> ServerConfig.from(Map.of("server.listen", "127.0.0.1:1", "rely.local-domains", "x"), f))
                .hasMessageContaining("rely.local-domains");
        assertThatThrownBy(() -> ServerConfig.from(Map.of(), f)).hasMessageContaining("server.listen")
                .hasMessageContaining("required");
        assertThatThrownBy(() -> ServerConfig.from(Map.of("server.listen", "nowhere"), f))
                .hasMessageContaining("server.listen").hasMessageContaining("nowhere");
        assertThatThrownBy(() -> ServerConfig.from(Map.of("server.listen", "127.0.0.1:1", "server.users", "alice"), f))
                .hasMessageContaining("server.users").hasMessageContaining("alice");
        assertThatThrownBy(() -> ServerConfig.from(
                Map.of("server.listen", "127.0.0.1:1", "server.users", "a:1, a:2"), f))
                .hasMessageContaining("defined twice");
        assertThatThrownBy(() -> ServerConfig.from(
                Map.of("server.listen", "127.0.0.1:1", "server.hostname", "two words"), f))
                .hasMessageContaining("server.hostname");
    }

    @Test
    void loadReadsTheBundledDemoConfiguration() throws Exception {
        // a copy, so that the demo certificate written at first start lands in the temporary directory
        for (String f : new String[] {"relay-demo.properties", "drop.txt", "sender-logins.txt"}) {
            Files.copy(Path.of("demo", f), tmp.resolve(f));
        }
        Path demo = tmp.resolve("relay-demo.properties");
        ServerConfig c = ServerConfig.load(demo);
        assertThat(c.relayKeys()).containsEntry("relay.auth.require-tls", "true");
        assertThat(c.tlsCertificate()).hasValue(tmp.resolve("tls/demo-cert.pem"));
        assertThat(c.listenTls()).isPresent();
        assertThat(c.metricsListen()).isPresent();
        assertThat(RelaySmtpServer.format(c.listen())).isEqualTo("127.0.0.1:2525");
        assertThat(c.users()).containsOnlyKeys("alice");
        assertThat(c.spool()).contains(demo.toAbsolutePath().getParent().resolve("spool").normalize());
        assertThat(c.relayKeys()).containsKeys("relay.local-domains", "relay.trusted-networks",
                "relay.blocked-networks", "relay.sender-logins", "relay.limit.client.recipients");
        assertThat(c.relayKeys().get("relay.trusted-networks")).doesNotContain("127.");
        assertThat(Files.exists(demo.resolveSibling("drop.txt"))).isTrue();
        assertThat(Files.exists(demo.resolveSibling("sender-logins.txt"))).isTrue();
    }

    @Test
    void loadWhenFileMissingThenUncheckedIoNamingIt() {
        Path missing = tmp.resolve("missing.properties");
        assertThatThrownBy(() -> ServerConfig.load(missing)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(missing.toString());
    }
}
