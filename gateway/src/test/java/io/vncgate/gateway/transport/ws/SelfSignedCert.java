package io.vncgate.gateway.transport.ws;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/** A self-signed certificate for 127.0.0.1 made with openssl in a test's folder, as Proxmox makes its own. */
public record SelfSignedCert(Path certPem, Path keyPem, String sha256) {

  /** For 127.0.0.1 and the DNS name {@code name}. */
  public static SelfSignedCert create(Path dir, String name) throws Exception {
    return create(dir, name, true);
  }

  /** @param forLoopback whether the certificate names 127.0.0.1 (else only the DNS name {@code name}) */
  public static SelfSignedCert create(Path dir, String name, boolean forLoopback) throws Exception {
    Path cert = dir.resolve(name + ".crt.pem");
    Path key = dir.resolve(name + ".key.pem");
    Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + name,
        "-addext", "subjectAltName=" + (forLoopback ? "IP:127.0.0.1," : "") + "DNS:" + name)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("openssl failed: " + out);
    X509Certificate x509;
    try (InputStream in = Files.newInputStream(cert)) {
      x509 = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    String hex = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(x509.getEncoded()));
    return new SelfSignedCert(cert, key, hex.replaceAll("(..)(?!$)", "$1:"));
  }
}
