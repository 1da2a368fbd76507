package io.vncgate.providers.proxmox.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS trust for one cluster's API: its pinned certificate fingerprint, a CA file (with the
 * usual host name check), or the JVM's trust store (a publicly signed, e.g. ACME, certificate).
 * There is no trust-all.
 */
public final class TlsContexts {
  private TlsContexts() {}

  public static SSLContext forCluster(String fingerprint, Path caFile) throws IOException, GeneralSecurityException {
    if (fingerprint == null && caFile == null) return SSLContext.getDefault();
    TrustManager[] trust = fingerprint != null
        ? new TrustManager[] {new PinnedTrustManager(fingerprint)}
        : caTrust(caFile).getTrustManagers();
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust, null);
    return context;
  }

  /** Trust managers for the certificates of a PEM file; fails when it holds none. */
  public static TrustManagerFactory caTrust(Path caFile) throws IOException, GeneralSecurityException {
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(caFile)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (NoSuchFileException e) {
      throw new IOException("file " + caFile + " does not exist");
    }
    if (certificates.isEmpty()) throw new GeneralSecurityException("file " + caFile + " holds no PEM certificate");
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    for (Certificate c : certificates) store.setCertificateEntry("ca-" + i++, c);
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return factory;
  }
}
