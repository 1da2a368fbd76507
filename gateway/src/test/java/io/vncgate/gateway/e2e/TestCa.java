package io.vncgate.gateway.e2e;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A CA and server certificates for 127.0.0.1, made with the openssl CLI in {@code dir}. */
public final class TestCa {
  public record Result(int exit, String out) {}

  private final Path dir;

  public TestCa(Path dir) throws Exception {
    this.dir = dir;
    require(run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=vncgate test CA"));
    Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  }

  /** {@code name.pem} (leaf then CA: a chain) and {@code name.key}; {@code kind} rsa:2048 or ec. */
  public void issue(String name, String kind) throws Exception {
    List<String> newkey = kind.equals("ec")
        ? List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256") : List.of("-newkey", kind);
    var req = new java.util.ArrayList<>(List.of("openssl", "req"));
    req.addAll(newkey);
    req.addAll(List.of("-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name));
    require(run(dir, req.toArray(String[]::new)));
    require(run(dir, "openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "1", "-extfile", "san.ext", "-out", name + ".leaf"));
    Files.writeString(dir.resolve(name + ".pem"), Files.readString(dir.resolve(name + ".leaf"))
        + Files.readString(dir.resolve("ca.pem")));
  }

  public SSLContext trustingContext() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(dir.resolve("ca.pem")))));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext c = SSLContext.getInstance("TLS");
    c.init(null, tmf.getTrustManagers(), null);
    return c;
  }

  /** Chromium's {@code --ignore-certificate-errors-spki-list} value for {@code pemFile}'s first certificate. */
  public String spkiHash(String pemFile) throws Exception {
    X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(dir.resolve(pemFile))));
    return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(c.getPublicKey().getEncoded()));
  }

  public String fingerprint(String pemFile) throws Exception {
    X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(dir.resolve(pemFile))));
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
  }

  public static Result run(Path dir, String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in 30 s");
    }
    return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private static void require(Result r) {
    if (r.exit() != 0) throw new AssertionError("openssl failed: " + r.out());
  }
}
