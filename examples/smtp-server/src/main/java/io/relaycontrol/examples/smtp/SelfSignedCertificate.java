package io.relaycontrol.examples.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes a self-signed certificate and its PKCS#8 key as PEM files, with the JDK's own {@code keytool} (run as a
 * process, into a temporary PKCS#12 store that is deleted) and {@link KeyStore}: no third-party crypto code.
 * Used for the demo's certificate at first start and by the tests. Stateless.
 */
final class SelfSignedCertificate {

    private SelfSignedCertificate() {
    }

    /**
     * Generates a pair.
     *
     * @param certificateFile where the PEM certificate goes
     * @param keyFile where the PEM PKCS#8 key goes (owner-only permissions where the file system has them)
     * @param distinguishedName the subject, e.g. {@code CN=localhost}
     * @param keyAlgorithm {@code EC} (P-256) or {@code RSA} (2048 bits)
     * @param startDate keytool's {@code -startdate}, e.g. {@code -10d} for ten days ago; null for now
     * @param validityDays days from the start date
     * @param sanNames DNS names and IP addresses for the subject alternative name ({@code dns:x}, {@code ip:y})
     * @throws UncheckedIOException if keytool fails or the files cannot be written
     */
    static void generate(Path certificateFile, Path keyFile, String distinguishedName, String keyAlgorithm,
            String startDate, int validityDays, String sanNames) {
        Path dir = certificateFile.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Files.createDirectories(keyFile.toAbsolutePath().getParent());
            Path store = Files.createTempFile(dir, ".keytool-", ".p12");
            Files.delete(store);
            try {
                List<String> cmd = new ArrayList<>(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                        "-genkeypair", "-noprompt", "-alias", "server", "-dname", distinguishedName,
                        "-validity", String.valueOf(validityDays), "-storetype", "PKCS12",
                        "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit"));
                if (keyAlgorithm.equals("EC")) {
                    cmd.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA"));
                } else if (keyAlgorithm.equals("RSA")) {
                    cmd.addAll(List.of("-keyalg", "RSA", "-keysize", "2048", "-sigalg", "SHA256withRSA"));
                } else {
                    throw new IllegalArgumentException("key algorithm must be EC or RSA, was " + keyAlgorithm);
                }
                if (startDate != null) {
                    cmd.addAll(List.of("-startdate", startDate));
                }
                if (sanNames != null) {
                    cmd.addAll(List.of("-ext", "SAN=" + sanNames));
                }
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String output;
                try (InputStream in = p.getInputStream()) {
                    output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IOException("keytool failed: " + output.strip());
                }
                KeyStore ks = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(store)) {
                    ks.load(in, "changeit".toCharArray());
                }
                Key key = ks.getKey("server", "changeit".toCharArray());
                Certificate cert = ks.getCertificate("server");
                Files.writeString(certificateFile, pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
                Files.deleteIfExists(keyFile);
                Files.createFile(keyFile);
                try {
                    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: the directory's permissions apply
                }
                Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
            } finally {
                Files.deleteIfExists(store);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot generate a certificate into " + certificateFile + ": "
                    + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new UncheckedIOException(new IOException("cannot read keytool's store: " + e, e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while running keytool", e));
        }
    }

    /** @return PEM text of one block */
    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
