package io.relaycontrol.examples.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up errors for the TLS keys: each names the key and the file, and why. */
class TlsConfigTest {

    @TempDir
    static Path certs;
    static TestCerts.Pair ec;
    static TestCerts.Pair rsa;
    static TestCerts.Pair expired;

    @TempDir
    Path tmp;

    @BeforeAll
    static void generate() {
        ec = TestCerts.generate(certs, "good", "EC", null, 30);
        rsa = TestCerts.generate(certs, "other", "RSA", null, 30);
        expired = TestCerts.generate(certs, "old", "RSA", "-10d", 2);
    }

    private Path config(String... lines) throws Exception {
        Path f = tmp.resolve("c.properties");
        Files.writeString(f, "server.listen = 127.0.0.1:0\n" + String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return f;
    }

    private Path config(Path cert, Path key) throws Exception {
        return config("server.tls.certificate = " + cert, "server.tls.private-key = " + key);
    }

    @Test
    void loadWhenPairIsGoodThenTlsConfiguredForRsaAndEc() throws Exception {
        assertThat(ServerConfig.load(config(ec.certificate(), ec.key())).tlsCertificate()).hasValue(ec.certificate());
        assertThat(ServerConfig.load(config(rsa.certificate(), rsa.key())).tlsPrivateKey()).hasValue(rsa.key());
    }

    @Test
    void loadWhenOnlyOneOfTheTwoKeysThenErrorNamingTheMissingOne() throws Exception {
        assertThatThrownBy(() -> ServerConfig.load(config("server.tls.certificate = " + ec.certificate())))
                .hasMessageContaining("server.tls.private-key").hasMessageContaining("both or neither");
        assertThatThrownBy(() -> ServerConfig.load(config("server.tls.private-key = " + ec.key())))
                .hasMessageContaining("server.tls.certificate").hasMessageContaining("both or neither");
    }

    @Test
    void loadWhenCertificateFileMissingThenErrorNamingKeyAndFile() throws Exception {
        Path missing = tmp.resolve("nope.pem");
        assertThatThrownBy(() -> ServerConfig.load(config(missing, ec.key())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("server.tls.certificate").hasMessageContaining(missing.toString())
                .hasMessageContaining("not found");
        assertThatThrownBy(() -> ServerConfig.load(config(ec.certificate(), missing)))
                .hasMessageContaining("server.tls.private-key").hasMessageContaining(missing.toString());
    }

    @Test
    void loadWhenFileUnreadableThenErrorNamingKeyAndFile() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("a-directory.pem"));
        assertThatThrownBy(() -> ServerConfig.load(config(ec.certificate(), dir)))
                .hasMessageContaining("server.tls.private-key").hasMessageContaining(dir.toString())
                .hasMessageContaining("cannot be read");
    }

    @Test
    void loadWhenNotPemThenErrorNamingKeyAndFile() throws Exception {
        Path junk = Files.writeString(tmp.resolve("junk.pem"), "hello, I am not PEM\n");
        assertThatThrownBy(() -> ServerConfig.load(config(junk, ec.key())))
                .hasMessageContaining("server.tls.certificate").hasMessageContaining(junk.toString())
                .hasMessageContaining("is not PEM with a '-----BEGIN CERTIFICATE-----' block");
        // a certificate where the key should be
        assertThatThrownBy(() -> ServerConfig.load(config(ec.certificate(), ec.certificate())))
                .hasMessageContaining("server.tls.private-key").hasMessageContaining("found [CERTIFICATE]");
        Path pkcs1 = Files.writeString(tmp.resolve("pkcs1.pem"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> ServerConfig.load(config(rsa.certificate(), pkcs1)))
                .hasMessageContaining("server.tls.private-key").hasMessageContaining("PKCS#8");
        Path enc = Files.writeString(tmp.resolve("enc.pem"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> ServerConfig.load(config(rsa.certificate(), enc))).hasMessageContaining("encrypted");
        Path badCert = Files.writeString(tmp.resolve("bad-cert.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> ServerConfig.load(config(badCert, ec.key())))
                .hasMessageContaining("server.tls.certificate").hasMessageContaining("not an X.509 certificate");
    }

    @Test
    void loadWhenKeyDoesNotMatchCertificateThenErrorNamingKeyAndBothFiles() throws Exception {
        assertThatThrownBy(() -> ServerConfig.load(config(ec.certificate(), rsa.key())))
                .hasMessageContaining("server.tls.private-key").hasMessageContaining(rsa.key().toString())
                .hasMessageContaining("does not belong to the first certificate in " + ec.certificate());
        assertThatThrownBy(() -> ServerConfig.load(config(rsa.certificate(), expired.key())))
                .hasMessageContaining("does not belong");
    }

    @Test
    void loadWhenCertificateExpiredThenErrorNamingKeyFileAndDate() throws Exception {
        assertThatThrownBy(() -> ServerConfig.load(config(expired.certificate(), expired.key())))
                .hasMessageContaining("server.tls.certificate").hasMessageContaining(expired.certificate().toString())
                .hasMessageContaining("expired at");
    }

    @Test
    void loadWhenListenTlsOrDemoWithoutCertificateThenError() throws Exception {
        assertThatThrownBy(() -> ServerConfig.load(config("server.listen-tls = 127.0.0.1:0")))
                .hasMessageContaining("server.listen-tls").hasMessageContaining("server.tls.certificate");
        assertThatThrownBy(() -> ServerConfig.load(config("server.tls.demo-self-signed = true")))
                .hasMessageContaining("server.tls.demo-self-signed");
        assertThatThrownBy(() -> ServerConfig.load(config("server.tls.demo-self-signed = yes")))
                .hasMessageContaining("must be true or false");
    }

    @Test
    void demoSelfSignedWhenFilesMissingThenGeneratedOnceAndOnlyForLoopback() throws Exception {
        Path f = config("server.hostname = mx.demo.test", "server.tls.certificate = tls/cert.pem",
                "server.tls.private-key = tls/key.pem", "server.tls.demo-self-signed = true");
        ServerConfig c = ServerConfig.load(f);
        Path cert = tmp.resolve("tls/cert.pem");
        assertThat(c.tlsCertificate()).hasValue(cert);
        String first = Files.readString(cert);
        assertThat(TlsFiles.readCertificates(cert).get(0).getSubjectX500Principal().getName())
                .contains("CN=mx.demo.test").contains("DEMO certificate");
        ServerConfig.load(f);
        assertThat(Files.readString(cert)).isEqualTo(first);

        Path open = tmp.resolve("open.properties");
        Files.writeString(open, "server.listen = 0.0.0.0:0\nserver.tls.certificate = other/cert.pem\n"
                + "server.tls.private-key = other/key.pem\nserver.tls.demo-self-signed = true\n");
        assertThatThrownBy(() -> ServerConfig.load(open)).hasMessageContaining("only for loopback");
        assertThat(tmp.resolve("other/cert.pem")).doesNotExist();
    }

    @Test
    void listenTlsOrMetricsWhenNotHostPortThenErrorNamingKey() throws Exception {
        assertThatThrownBy(() -> ServerConfig.load(config("server.tls.certificate = " + ec.certificate(),
                "server.tls.private-key = " + ec.key(), "server.listen-tls = 465")))
                .hasMessageContaining("server.listen-tls").hasMessageContaining("'465'");
        assertThatThrownBy(() -> ServerConfig.load(config("server.metrics.listen = 127.0.0.1:99999")))
                .hasMessageContaining("server.metrics.listen").hasMessageContaining("99999");
    }

    @Test
    void proxyTrustedWhenNotACidrThenErrorNamingKey() throws Exception {
        assertThatThrownBy(() -> ServerConfig.load(config("server.proxy-protocol.trusted = 10.0.0.0/33")))
                .hasMessageContaining("server.proxy-protocol.trusted").hasMessageContaining("10.0.0.0/33");
        assertThat(ServerConfig.load(config("server.proxy-protocol.trusted = 10.0.0.0/8, ::1")).proxyTrusted()).isPresent();
    }
}
