package io.vncgate.gateway.transport;

import io.vertx.core.Vertx;
import io.vertx.core.net.TrustOptions;
import io.vncgate.spi.Tls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HexFormat;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A route's {@link Tls} as Vert.x trust options: the JDK's CA certificates, a CA file, or one
 * pinned certificate, never trust-all. Vert.x builds the trust manager on a worker thread (the CA
 * file is read there) and caches the TLS context by these options, which are equal when their
 * {@code Tls} is: one context per distinct trust setting, not per connection.
 *
 * <p>A refused certificate fails the handshake with a {@link Refused} whose words say what to
 * change, with the fingerprint the server showed.
 */
final class TlsTrust implements TrustOptions {
  private final Tls tls;
  private TrustManagerFactory factory;

  TlsTrust(Tls tls) {
    this.tls = tls;
  }

  /** Whether the host name in the URL is checked against the certificate: not with a pin (the pin is the check). */
  boolean verifiesHostName() {
    return tls.pinnedSha256() == null;
  }

  @Override
  public TrustOptions copy() {
    return this;
  }

  @Override
  public synchronized TrustManagerFactory getTrustManagerFactory(Vertx vertx) throws Exception {
    if (factory == null) {
      X509ExtendedTrustManager delegate = tls.pinnedSha256() != null ? null : pkix(tls);
      factory = TrustOptions.wrap(new Check(tls, delegate)).getTrustManagerFactory(vertx);
    }
    return factory;
  }

  @Override
  public Function<String, TrustManager[]> trustManagerMapper(Vertx vertx) throws Exception {
    TrustManagerFactory f = getTrustManagerFactory(vertx);
    return serverName -> f.getTrustManagers();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TlsTrust t && t.tls.equals(tls);
  }

  @Override
  public int hashCode() {
    return tls.hashCode();
  }

  /** The SHA-256 fingerprint of a certificate as {@code AB:CD:…}. */
  static String fingerprint(X509Certificate cert) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
      return Tls.fingerprint(HexFormat.of().formatHex(digest));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The JDK's PKIX checks (chain and host name), against the system's CAs or those of the CA file
   * or the route's CA certificates (PEM).
   */
  private static X509ExtendedTrustManager pkix(Tls tls) throws GeneralSecurityException, CaFileUnusable {
    KeyStore store = null;
    if (tls.caFile() != null || tls.caPem() != null) {
      store = KeyStore.getInstance(KeyStore.getDefaultType());
      try {
        store.load(null, null);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      Collection<? extends Certificate> certs;
      try (InputStream in = tls.caFile() != null ? Files.newInputStream(tls.caFile())
          : new ByteArrayInputStream(tls.caPem().getBytes(StandardCharsets.US_ASCII))) {
        certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      } catch (IOException e) {
        throw new CaFileUnusable(tls, "cannot read it: " + e);
      } catch (CertificateException e) {
        throw new CaFileUnusable(tls, "it holds no PEM certificate that can be read: " + e.getMessage());
      }
      if (certs.isEmpty()) throw new CaFileUnusable(tls, "it holds no certificate");
      int i = 0;
      for (Certificate c : certs) store.setCertificateEntry("ca-" + i++, c);
    }
    TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    f.init(store);
    for (TrustManager tm : f.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) return x;
    }
    throw new IllegalStateException("no X.509 trust manager in " + f.getAlgorithm());
  }

  /** A refused server certificate, in words that say what to change. Safe to show a user: fingerprints are public. */
  static final class Refused extends CertificateException {
    Refused(String words, Throwable cause) {
      super(words, cause);
    }
  }

  /** The CA file (or the route's CA certificates) cannot be used: its path and the cause are for the operator's log only. */
  static final class CaFileUnusable extends GeneralSecurityException {
    CaFileUnusable(Tls tls, String problem) {
      super((tls.caFile() != null ? "CA file " + tls.caFile()
          : "the CA certificates of " + (tls.setting() != null ? tls.setting() : "the route")) + " cannot be used: " + problem);
    }
  }

  /** Checks the server's certificate: the pin, or the delegate's chain and host-name checks. */
  private static final class Check extends X509ExtendedTrustManager {
    private final Tls tls;
    private final X509ExtendedTrustManager delegate;

    Check(Tls tls, X509ExtendedTrustManager delegate) {
      this.tls = tls;
      this.delegate = delegate;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      check(chain, () -> delegate.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      check(chain, () -> delegate.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      check(chain, () -> delegate.checkServerTrusted(chain, authType));
    }

    private interface Pkix {
      void run() throws CertificateException;
    }

    private void check(X509Certificate[] chain, Pkix pkix) throws CertificateException {
      if (chain == null || chain.length == 0) throw new Refused("the target's TLS server sent no certificate", null);
      String seen = fingerprint(chain[0]);
      if (tls.pinnedSha256() != null) {
        if (!tls.pinnedSha256().equals(seen)) {
          throw new Refused("the target's TLS certificate is not the pinned one: expected SHA-256 fingerprint "
              + tls.pinnedSha256() + ", the server showed " + seen + "; if its certificate was changed on purpose, set "
              + setting() + " to the new fingerprint", null);
        }
        return;
      }
      try {
        pkix.run();
      } catch (CertificateException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        String trusted = tls.caFile() != null ? "the CA file given for it"
            : tls.caPem() != null ? "the CA given for it (" + setting() + ")" : "a CA the gateway trusts (the system's)";
        if (m.contains("subject alternative") || m.contains("No name matching")) {
          throw new Refused("the target's TLS certificate does not name the host in its URL (" + m
              + "): use a host name the certificate holds, or pin its SHA-256 fingerprint " + seen + " (" + setting()
              + ") after checking it on the server", e);
        }
        throw new Refused("the target's TLS certificate is not signed by " + trusted + ": pin its SHA-256 fingerprint "
            + seen + " (" + setting() + ") after checking it on the server (Proxmox: pvenode cert info), or give the"
            + " CA file that signed it", e);
      }
    }

    private String setting() {
      return tls.setting() != null ? tls.setting() : "the target's pinned certificate fingerprint";
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      throw new CertificateException("the gateway does not take client certificates here");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      throw new CertificateException("the gateway does not take client certificates here");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("the gateway does not take client certificates here");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate == null ? new X509Certificate[0] : ((X509TrustManager) delegate).getAcceptedIssuers();
    }
  }
}
