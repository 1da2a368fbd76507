package io.vncgate.gateway.front;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vncgate.gateway.config.ConfigException;
import io.vncgate.gateway.config.GatewayConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * The certificate and key of {@code server.tls}, read and checked together: both PEM, the key
 * matching the first certificate, the certificate valid now. Blocking (file reads): call it at
 * start or on a worker thread.
 *
 * @param sha256 of both files' bytes, to tell a change
 * @param leaf the served certificate
 */
public record TlsFiles(Buffer cert, Buffer key, byte[] sha256, X509Certificate leaf) {
  /** TLS 1.2 and 1.3; older versions are refused at the handshake. */
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  private static final String CERT_KEY = "server.tls.cert-file";
  private static final String KEY_KEY = "server.tls.key-file";

  /** Reads and checks both files; a problem is a {@link ConfigException} naming the key. */
  public static TlsFiles read(Vertx vertx, GatewayConfig.Tls tls) {
    byte[] certBytes = bytes(tls.certFile(), CERT_KEY);
    byte[] keyBytes = bytes(tls.keyFile(), KEY_KEY);
    List<X509Certificate> chain = certificates(tls.certFile(), certBytes);
    X509Certificate leaf = chain.get(0);
    Date now = new Date();
    if (now.after(leaf.getNotAfter())) {
      throw new ConfigException(CERT_KEY + ": the certificate in " + tls.certFile() + " (" + subject(leaf)
          + ") expired on " + leaf.getNotAfter().toInstant() + "; renew it (certbot renew, or a new one from your CA)");
    }
    if (now.before(leaf.getNotBefore())) {
      throw new ConfigException(CERT_KEY + ": the certificate in " + tls.certFile() + " (" + subject(leaf)
          + ") is valid only from " + leaf.getNotBefore().toInstant() + "; check this machine's clock");
    }
    Buffer cert = Buffer.buffer(certBytes);
    Buffer key = Buffer.buffer(keyBytes);
    PrivateKey privateKey = privateKey(vertx, tls, cert, key);
    requireMatch(tls, leaf, privateKey);
    return new TlsFiles(cert, key, sha256(certBytes, keyBytes), leaf);
  }

  /** What the HTTP server is given: this key and chain, TLS 1.2+ only. */
  public ServerSSLOptions sslOptions() {
    ServerSSLOptions o = new ServerSSLOptions().setKeyCertOptions(keyCertOptions());
    o.setEnabledSecureTransportProtocols(PROTOCOLS);
    return o;
  }

  public PemKeyCertOptions keyCertOptions() {
    return new PemKeyCertOptions().setCertValue(cert).setKeyValue(key);
  }

  /** The leaf's SHA-256 fingerprint in hex, as browsers show it. */
  public String fingerprint() {
    try {
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(
          MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A one-line description for the log: subject, expiry, fingerprint. */
  public String describe() {
    return subject(leaf) + ", valid until " + leaf.getNotAfter().toInstant() + ", SHA-256 " + fingerprint();
  }

  /** SHA-256 of the two files as they are now; null if one cannot be read (blocking). */
  static byte[] currentHash(GatewayConfig.Tls tls) {
    try {
      return sha256(Files.readAllBytes(tls.certFile()), Files.readAllBytes(tls.keyFile()));
    } catch (IOException e) {
      return null;
    }
  }

  private static byte[] bytes(Path file, String key) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(key + ": file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException(key + ": file " + file + " cannot be read (" + e.getClass().getSimpleName()
          + "); check its owner and mode");
    }
  }

  private static List<X509Certificate> certificates(Path file, byte[] bytes) {
    String text = new String(bytes, StandardCharsets.US_ASCII);
    if (!text.contains("-----BEGIN CERTIFICATE-----")) {
      throw new ConfigException(CERT_KEY + ": " + file + " is not a PEM certificate (expected -----BEGIN CERTIFICATE-----)"
          + (text.contains("PRIVATE KEY-----") ? "; it holds a private key: did you swap cert-file and key-file?" : ""));
    }
    try {
      List<X509Certificate> chain = new ArrayList<>();
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes))) {
        chain.add((X509Certificate) c);
      }
      if (chain.isEmpty()) throw new CertificateException("no certificate found");
      return Collections.unmodifiableList(chain);
    } catch (CertificateException e) {
      throw new ConfigException(CERT_KEY + ": " + file + " holds no readable PEM certificate (" + e.getMessage() + ")");
    }
  }

  private static PrivateKey privateKey(Vertx vertx, GatewayConfig.Tls tls, Buffer cert, Buffer key) {
    String text = key.toString(StandardCharsets.US_ASCII);
    if (!text.contains("PRIVATE KEY-----")) {
      throw new ConfigException(KEY_KEY + ": " + tls.keyFile() + " is not a PEM private key (expected -----BEGIN PRIVATE KEY-----,"
          + " RSA PRIVATE KEY or EC PRIVATE KEY)" + (text.contains("CERTIFICATE-----") ? "; it holds a certificate: did you swap"
          + " cert-file and key-file?" : ""));
    }
    if (text.contains("ENCRYPTED")) {
      throw new ConfigException(KEY_KEY + ": " + tls.keyFile() + " is encrypted; give the gateway an unencrypted key"
          + " (`openssl pkey -in key.pem -out plain.pem`) readable only by its user");
    }
    try {
      var options = new PemKeyCertOptions().setCertValue(cert).setKeyValue(key);
      var ks = options.loadKeyStore(vertx);
      String alias = ks.aliases().nextElement();
      for (KeyManager km : options.getKeyManagerFactory(vertx).getKeyManagers()) {
        if (km instanceof X509KeyManager x) {
          PrivateKey pk = x.getPrivateKey(alias);
          if (pk != null) return pk;
        }
      }
      throw new IllegalStateException("no key");
    } catch (Exception e) {
      // never the key's content: only that it could not be used
      throw new ConfigException(KEY_KEY + ": " + tls.keyFile() + " holds no usable RSA or EC private key ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  /** Signs with the key and verifies with the certificate: they belong together or the handshake would fail. */
  private static void requireMatch(GatewayConfig.Tls tls, X509Certificate leaf, PrivateKey key) {
    String alg = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> throw new ConfigException(KEY_KEY + ": " + tls.keyFile() + " is a " + key.getAlgorithm()
          + " key; use an RSA or EC key");
    };
    boolean matches;
    try {
      byte[] probe = "vncgate tls key check".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(leaf.getPublicKey());
      v.update(probe);
      matches = v.verify(sig);
    } catch (GeneralSecurityException e) {
      matches = false;
    }
    if (!matches) {
      throw new ConfigException(KEY_KEY + ": the key in " + tls.keyFile() + " does not belong to the certificate in "
          + tls.certFile() + " (" + subject(leaf) + "); give the key the certificate was issued for");
    }
  }

  private static String subject(X509Certificate c) {
    return c.getSubjectX500Principal().getName();
  }

  private static byte[] sha256(byte[] a, byte[] b) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(a);
      d.update(new byte[] {0});
      d.update(b);
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
