package io.relaycontrol.examples.smtp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Reads a certificate chain and its private key from PEM files with the JDK alone ({@link CertificateFactory},
 * {@link PKCS8EncodedKeySpec}), the Postfix convention ({@code smtpd_tls_cert_file}, {@code smtpd_tls_key_file}),
 * checks them (the key belongs to the first certificate, which is valid now) and builds a TLS server context.
 * Stateless.
 */
final class TlsFiles {

    /** The protocols offered, best first: TLS 1.3 and 1.2 only. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final char[] NO_PASSWORD = "relaycontrol".toCharArray();

    /** A loaded pair and the context built from it. */
    record Material(List<X509Certificate> chain, PrivateKey key, SSLContext context, Path certificateFile,
            Path keyFile) {
        X509Certificate leaf() {
            return chain.get(0);
        }

        /** @return the leaf's subject, serial and expiry, for logs */
        String describe() {
            X509Certificate c = leaf();
            return "'" + c.getSubjectX500Principal().getName() + "' serial " + c.getSerialNumber().toString(16)
                    + ", valid until " + c.getNotAfter().toInstant();
        }
    }

    /** A certificate file or key file that cannot be used; the message names the file and the reason. */
    static final class TlsFileException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final Path file;

        TlsFileException(Path file, String message, Throwable cause) {
            super(message, cause);
            this.file = file;
        }

        /** @return the file at fault */
        Path file() {
            return file;
        }
    }

    private TlsFiles() {
    }

    /**
     * Loads and checks a pair.
     *
     * @param certificateFile PEM, one or more {@code CERTIFICATE} blocks, leaf first
     * @param keyFile PEM, one unencrypted PKCS#8 {@code PRIVATE KEY} block (RSA or EC)
     * @param now the time the leaf must be valid at
     * @return the material
     * @throws TlsFileException naming the file: missing, unreadable, not PEM, not a certificate or key, the key
     *     does not belong to the certificate, the certificate is expired or not yet valid
     */
    static Material load(Path certificateFile, Path keyFile, Instant now) {
        Objects.requireNonNull(certificateFile, "certificateFile");
        Objects.requireNonNull(keyFile, "keyFile");
        List<X509Certificate> chain = readCertificates(certificateFile);
        PrivateKey key = readKey(keyFile);
        X509Certificate leaf = chain.get(0);
        if (!matches(key, leaf)) {
            throw new TlsFileException(keyFile, "private key " + keyFile + " does not belong to the first certificate in "
                    + certificateFile + " (" + leaf.getSubjectX500Principal().getName() + ")", null);
        }
        try {
            leaf.checkValidity(Date.from(now));
        } catch (CertificateExpiredException e) {
            throw new TlsFileException(certificateFile, "certificate " + certificateFile + " ("
                    + leaf.getSubjectX500Principal().getName() + ") expired at " + leaf.getNotAfter().toInstant(), e);
        } catch (CertificateNotYetValidException e) {
            throw new TlsFileException(certificateFile, "certificate " + certificateFile + " ("
                    + leaf.getSubjectX500Principal().getName() + ") is not valid before "
                    + leaf.getNotBefore().toInstant(), e);
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", key, NO_PASSWORD, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, NO_PASSWORD);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return new Material(List.copyOf(chain), key, ctx, certificateFile, keyFile);
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsFileException(certificateFile, "cannot build a TLS context from " + certificateFile + " and "
                    + keyFile + ": " + e, e);
        }
    }

    private static String read(Path file, String what) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new TlsFileException(file, what + " " + file + " not found", e);
        } catch (AccessDeniedException e) {
            throw new TlsFileException(file, what + " " + file + " is not readable (permission denied)", e);
        } catch (IOException e) {
            throw new TlsFileException(file, what + " " + file + " cannot be read: " + e, e);
        }
    }

    private static List<byte[]> blocks(Path file, String text, String type, String what) {
        List<byte[]> out = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        List<String> seen = new ArrayList<>();
        while (m.find()) {
            seen.add(m.group(1));
            if (m.group(1).equals(type)) {
                try {
                    out.add(Base64.getMimeDecoder().decode(m.group(2)));
                } catch (IllegalArgumentException e) {
                    throw new TlsFileException(file, what + " " + file + ": bad base64 in a " + type + " block", e);
                }
            }
        }
        if (out.isEmpty()) {
            throw new TlsFileException(file, what + " " + file + " is not PEM with a '-----BEGIN " + type
                    + "-----' block" + (seen.isEmpty() ? "" : " (found " + seen + ")"), null);
        }
        return out;
    }

    static List<X509Certificate> readCertificates(Path file) {
        String text = read(file, "certificate file");
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(file, text, "CERTIFICATE", "certificate file")) {
                chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException e) {
            throw new TlsFileException(file, "certificate file " + file + " holds a CERTIFICATE block that is not an "
                    + "X.509 certificate: " + e.getMessage(), e);
        }
        return chain;
    }

    static PrivateKey readKey(Path file) {
        String text = read(file, "private key file");
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new TlsFileException(file, "private key file " + file + " is encrypted; give an unencrypted "
                    + "PKCS#8 key (openssl pkcs8 -topk8 -nocrypt), readable only by the server's user", null);
        }
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new TlsFileException(file, "private key file " + file + " is in the traditional (PKCS#1/SEC1) "
                    + "format; convert it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW", null);
        }
        List<byte[]> keys = blocks(file, text, "PRIVATE KEY", "private key file");
        if (keys.size() != 1) {
            throw new TlsFileException(file, "private key file " + file + " holds " + keys.size()
                    + " PRIVATE KEY blocks; expected one", null);
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(keys.get(0));
        for (String alg : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (InvalidKeySpecException e) {
                // try the next algorithm
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK has no " + alg + " key factory", e);
            }
        }
        throw new TlsFileException(file, "private key file " + file + " holds no RSA or EC PKCS#8 key", null);
    }

    /** Signs a challenge with the key and verifies it with the certificate's public key. */
    private static boolean matches(PrivateKey key, X509Certificate cert) {
        String alg;
        if (key.getAlgorithm().equals("RSA") && cert.getPublicKey().getAlgorithm().equals("RSA")) {
            alg = "SHA256withRSA";
        } else if (key.getAlgorithm().equals("EC") && cert.getPublicKey().getAlgorithm().equals("EC")) {
            alg = "SHA256withECDSA";
        } else {
            return false;
        }
        try {
            byte[] challenge = "relaycontrol key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(challenge);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(cert.getPublicKey());
            v.update(challenge);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
