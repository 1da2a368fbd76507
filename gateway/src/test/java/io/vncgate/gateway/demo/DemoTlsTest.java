package io.vncgate.gateway.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code vncgate demo --tls}: an https URL, served with the self-signed certificate the demo names
 * (by its SHA-256); a client that trusts exactly that certificate reaches the page and the API.
 */
@Timeout(60)
class DemoTlsTest {
  @Test
  void servesHttpsWithTheCertificateItNames() throws Exception {
    System.setProperty("java.awt.headless", "true");
    try (Demo demo = Demo.start(new Demo.Options(0, false, Duration.ofMinutes(10), "tester", true))) {
      assertTrue(demo.url().startsWith("https://127.0.0.1:" + demo.gateway().httpPort() + "/#token="), demo.url());
      String note = String.join("\n", demo.notes());
      X509Certificate served = servedCertificate(demo.gateway().httpPort());
      String fingerprint = HexFormat.ofDelimiter(":").withUpperCase()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(served.getEncoded()));
      assertTrue(note.contains("self-signed") && note.contains(fingerprint), note + "\nserved: " + fingerprint);

      KeyStore pinned = KeyStore.getInstance("PKCS12");
      pinned.load(null, null);
      pinned.setCertificateEntry("demo", served);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(pinned);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      HttpClient http = HttpClient.newBuilder().sslContext(ctx).build();
      // the certificate is for localhost (127.0.0.1 here)
      HttpResponse<String> page = http.send(HttpRequest.newBuilder(
          URI.create("https://localhost:" + demo.gateway().httpPort() + "/")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, page.statusCode());
      assertTrue(page.body().contains("app/main.js"), page.body());
    }
  }

  /** The certificate the server presents, accepted without checks only to read it. */
  private static X509Certificate servedCertificate(int port) throws Exception {
    X509Certificate[] seen = new X509Certificate[1];
    SSLContext any = SSLContext.getInstance("TLS");
    any.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {
        seen[0] = chain[0];
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    try (SSLSocket s = (SSLSocket) any.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.startHandshake();
    }
    return seen[0];
  }
}
