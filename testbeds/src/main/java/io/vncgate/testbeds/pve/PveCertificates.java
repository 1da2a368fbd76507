package io.vncgate.testbeds.pve;

import io.vncgate.testbeds.impl.OpenSsl;
import io.vncgate.testbeds.TestbedException;
import io.vncgate.testbeds.impl.Launcher;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * The certificates of a fresh PVE cluster, made with {@code openssl} at start: a self-signed
 * cluster CA ({@code pve-root-ca.pem}, "PVE Cluster Manager CA") and the node's API certificate
 * ({@code pve-ssl.pem}) signed by it, valid for 127.0.0.1, localhost and the node's name. EC P-256
 * keys (PVE uses RSA 2048; the difference does not show in TLS verification and EC keys are made in
 * milliseconds).
 */
record PveCertificates(Path caFile, Path certFile, Path keyFile, String fingerprint) {

  static PveCertificates create(Path dir, String nodeName) {
    Path caKey = dir.resolve("pve-root-ca.key");
    Path ca = dir.resolve("pve-root-ca.pem");
    Path key = dir.resolve("pve-ssl.key");
    Path csr = dir.resolve("pve-ssl.csr");
    Path cert = dir.resolve("pve-ssl.pem");
    Path ext = Launcher.writePrivate(dir.resolve("pve-ssl.ext"), String.join("\n",
        "basicConstraints=CA:FALSE",
        "keyUsage=digitalSignature,keyEncipherment,keyAgreement",
        "extendedKeyUsage=serverAuth",
        "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:" + nodeName,
        "").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    String clusterId = OpenSsl.randomHex(8);
    OpenSsl.run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-days", "3", "-subj", "/CN=Proxmox Virtual Environment/OU=" + clusterId + "/O=PVE Cluster Manager CA",
        "-keyout", caKey.toString(), "-out", ca.toString());
    OpenSsl.run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-subj", "/OU=PVE Cluster Node/O=Proxmox Virtual Environment/CN=" + nodeName,
        "-keyout", key.toString(), "-out", csr.toString());
    OpenSsl.run("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
        "-set_serial", OpenSsl.serial(), "-days", "2",
        "-extfile", ext.toString(), "-out", cert.toString());
    return new PveCertificates(ca, cert, key, fingerprint(cert));
  }

  /** SHA-256 of the certificate's DER bytes as PVE shows it: {@code AB:CD:…}, upper case. */
  static String fingerprint(Path pem) {
    try (InputStream in = Files.newInputStream(pem)) {
      X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (IOException | CertificateException | NoSuchAlgorithmException e) {
      throw new TestbedException("cannot read the certificate " + pem + ": " + e.getMessage(), e);
    }
  }
}
