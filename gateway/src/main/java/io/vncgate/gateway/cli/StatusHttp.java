package io.vncgate.gateway.cli;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** The HTTP and TLS side of {@code vncgate status}: the gateway's endpoints, trusted as the user's browser or --ca-file would. */
final class StatusHttp {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** An answer: status and body as JSON (null when the body is not a JSON object). */
  record Answer(int status, JsonObject json, String body, long millis) {}

  private final URI base;
  private final SSLContext trust;
  private final HttpClient http;

  StatusHttp(URI base, Path caFile) throws IOException, GeneralSecurityException {
    this.base = base;
    this.trust = caFile == null ? SSLContext.getDefault() : trusting(caFile);
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).sslContext(trust).build();
  }

  /** An SSL context that trusts only the certificates in {@code pem} (a CA or the gateway's own). */
  static SSLContext trusting(Path pem) throws IOException, GeneralSecurityException {
    Collection<? extends Certificate> certs;
    try {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)));
    } catch (CertificateException e) {
      throw new IOException(pem + " holds no PEM certificate: " + e.getMessage());
    }
    if (certs.isEmpty()) throw new IOException(pem + " holds no PEM certificate");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    int i = 0;
    for (Certificate c : certs) ks.setCertificateEntry("ca" + i++, c);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /** Connects a plain TCP socket to the gateway's port (is anything listening?) and closes it. */
  void connect() throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(base.getHost(), port()), (int) CONNECT_TIMEOUT.toMillis());
    }
  }

  /** A TLS handshake as clients do it (trust and host name checked); the served leaf, or the handshake's exception. */
  X509Certificate handshake() throws IOException {
    return handshake(trust, true);
  }

  /**
   * The certificate the gateway serves, read without judging it (to say what is wrong with it);
   * nothing is sent over this connection but the handshake.
   */
  X509Certificate servedCertificate() throws IOException, GeneralSecurityException {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    return handshake(ctx, false);
  }

  private X509Certificate handshake(SSLContext ctx, boolean checkHost) throws IOException {
    try (Socket raw = new Socket()) {
      raw.connect(new InetSocketAddress(base.getHost(), port()), (int) CONNECT_TIMEOUT.toMillis());
      raw.setSoTimeout((int) CONNECT_TIMEOUT.toMillis());
      try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, base.getHost(), port(), false)) {
        if (checkHost) {
          SSLParameters p = s.getSSLParameters();
          p.setEndpointIdentificationAlgorithm("HTTPS");
          s.setSSLParameters(p);
        }
        s.startHandshake();
        return (X509Certificate) s.getSession().getPeerCertificates()[0];
      }
    }
  }

  Answer get(String path, String token) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT).GET();
    if (token != null) b.header("Authorization", "Bearer " + token);
    long t0 = System.nanoTime();
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    long millis = (System.nanoTime() - t0) / 1_000_000;
    JsonObject json;
    try {
      json = new JsonObject(r.body());
    } catch (RuntimeException e) {
      json = null;
    }
    return new Answer(r.statusCode(), json, r.body(), millis);
  }

  int port() {
    return base.getPort() != -1 ? base.getPort() : base.getScheme().equals("https") ? 443 : 80;
  }
}
