package io.vncgate.testbeds.kubevirt;

import io.vncgate.testbeds.impl.OpenSsl;
import io.vncgate.testbeds.impl.Launcher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A cluster's certificates, made with {@code openssl} at start as kubeadm lays them out: a
 * self-signed cluster CA ({@code ca.crt}, CN {@code kubernetes}) that signs the API server's
 * certificate (for 127.0.0.1 and {@code kubernetes.default.svc}) and the client certificates of
 * users (CN = user name, O = groups), whose keys are PKCS#1 RSA as kubeadm writes them.
 */
record KubeCertificates(Path dir, Path caFile, Path caKey, Path certFile, Path keyFile) {

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
    OpenSsl.run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "3",
        "-subj", "/CN=kubernetes", "-keyout", caKey.toString(), "-out", ca.toString());
    OpenSsl.run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-subj", "/CN=kube-apiserver", "-keyout", key.toString(), "-out", csr.toString());
    OpenSsl.run("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
        "-set_serial", OpenSsl.serial(), "-days", "2", "-extfile", ext.toString(), "-out", cert.toString());
    return new KubeCertificates(dir, ca, caKey, cert, key);
  }

  /** A client certificate for {@code user} signed by the cluster CA: {cert file, key file (PKCS#1 RSA)}. */
  Path[] clientCertificate(String user, String group) {
    String base = "client-" + OpenSsl.randomHex(4);
    Path key = dir.resolve(base + ".key");
    Path csr = dir.resolve(base + ".csr");
    Path cert = dir.resolve(base + ".crt");
    Path ext = Launcher.writePrivate(dir.resolve(base + ".ext"), String.join("\n",
        "basicConstraints=CA:FALSE", "keyUsage=digitalSignature,keyEncipherment", "extendedKeyUsage=clientAuth", "")
        .getBytes(StandardCharsets.US_ASCII));
    OpenSsl.run("genrsa", "-traditional", "-out", key.toString(), "2048");
    OpenSsl.run("req", "-new", "-key", key.toString(), "-subj", "/O=" + group + "/CN=" + user, "-out", csr.toString());
    OpenSsl.run("x509", "-req", "-in", csr.toString(), "-CA", caFile.toString(), "-CAkey", caKey.toString(),
        "-set_serial", OpenSsl.serial(), "-days", "2", "-extfile", ext.toString(), "-out", cert.toString());
    return new Path[] {cert, key};
  }
}
