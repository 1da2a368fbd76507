package io.vncgate.testbeds.kubevirt;

import io.vncgate.testbeds.impl.Launcher;
import io.vncgate.testbeds.impl.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A cluster's certificates, made with {@code openssl} at start as kubeadm lays them out: a
 * self-signed cluster CA ({@code ca.crt}, CN {@code kubernetes}) that signs the API server's
 * certificate (for 127.0.0.1 and {@code kubernetes.default.svc}) and the client certificates of
 * users (CN = user name, O = groups), whose keys are PKCS#1 RSA as kubeadm writes them.
 */
record KubeCertificates(Path dir, Path caFile, Path caKey, Path certFile, Path keyFile) {
  private static final Duration OPENSSL_TIMEOUT = Duration.ofSeconds(30);

  static KubeCertificates create(Path dir) {
    Path caKey = dir.resolve("ca.key");
    Path ca = dir.resolve("ca.crt");
    Path key = dir.resolve("apiserver.key");
    Path csr = dir.resolve("apiserver.csr");
    Path cert = dir.resolve("apiserver.crt");
    Path ext = Launcher.writePrivate(dir.resolve("apiserver.ext"), String.join("\n",
        "basicConstraints=CA:FALSE",
        "keyUsage=digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth",
        "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc",
        "").getBytes(StandardCharsets.US_ASCII));
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "3",
        "-subj", "/CN=kubernetes", "-keyout", caKey.toString(), "-out", ca.toString());
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-subj", "/CN=kube-apiserver", "-keyout", key.toString(), "-out", csr.toString());
    openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
        "-set_serial", serial(), "-days", "2", "-extfile", ext.toString(), "-out", cert.toString());
    return new KubeCertificates(dir, ca, caKey, cert, key);
  }

  /** A client certificate for {@code user} signed by the cluster CA: {cert file, key file (PKCS#1 RSA)}. */
  Path[] clientCertificate(String user, String group) {
    String base = "client-" + HexFormat.of().formatHex(randomBytes(4));
    Path key = dir.resolve(base + ".key");
    Path csr = dir.resolve(base + ".csr");
    Path cert = dir.resolve(base + ".crt");
    Path ext = Launcher.writePrivate(dir.resolve(base + ".ext"), String.join("\n",
        "basicConstraints=CA:FALSE", "keyUsage=digitalSignature,keyEncipherment", "extendedKeyUsage=clientAuth", "")
        .getBytes(StandardCharsets.US_ASCII));
    openssl("genrsa", "-traditional", "-out", key.toString(), "2048");
    openssl("req", "-new", "-key", key.toString(), "-subj", "/O=" + group + "/CN=" + user, "-out", csr.toString());
    openssl("x509", "-req", "-in", csr.toString(), "-CA", caFile.toString(), "-CAkey", caKey.toString(),
        "-set_serial", serial(), "-days", "2", "-extfile", ext.toString(), "-out", cert.toString());
    return new Path[] {cert, key};
  }

  private static String serial() {
    return "0x" + HexFormat.of().formatHex(randomBytes(8));
  }

  private static void openssl(String... args) {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Tools.check(Map.of(), null, OPENSSL_TIMEOUT, command);
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    ThreadLocalRandom.current().nextBytes(bytes);
    bytes[0] &= 0x7f;
    return bytes;
  }
}
