package io.vncgate.providers.proxmox.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one server certificate, named by its SHA-256 fingerprint: what a self-signed
 * Proxmox node certificate needs. The pin identifies the certificate, so the host name is not
 * checked against it (a PVE node certificate names the node, not the address the gateway uses).
 * Nor is its validity period: an old self-signed node certificate stays trusted until it is replaced.
 * Being an {@link X509ExtendedTrustManager}, the JDK calls it as is and adds no checks of its own.
 */
final class PinnedTrustManager extends X509ExtendedTrustManager {
  private final String pinned;

  PinnedTrustManager(String pinned) {
    this.pinned = pinned;
  }

  private void check(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) throw new CertificateException("the server sent no certificate");
    String actual = Fingerprints.of(chain[0]);
    if (!actual.equals(pinned)) throw new FingerprintMismatch(pinned, actual);
    // no expiry check: the pin is the identity (as the gateway's WebSocket connector treats pins too)
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("client certificates are not accepted here");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException("client certificates are not accepted here");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("client certificates are not accepted here");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
