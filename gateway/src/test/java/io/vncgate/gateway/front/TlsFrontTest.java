package io.vncgate.gateway.front;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.demo.DemoRfbServer;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.gateway.e2e.TestCa;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server.tls}: HTTPS and wss:// on the HTTP port, with certificates from a test CA made by
 * the openssl CLI; real JDK clients trusting only that CA; the files replaced while a viewer's
 * relay is open; TLS 1.1 refused (openssl s_client).
 */
@Timeout(120)
class TlsFrontTest {
  @TempDir Path dir;

  @Test
  void servesHttpsAndWssAndReloadsTheCertificateWithoutDroppingTheViewer() throws Exception {
    System.setProperty("java.awt.headless", "true");
    TestCa ca = new TestCa(dir);
    ca.issue("first", "rsa:2048");
    ca.issue("second", "ec");
    Files.copy(dir.resolve("first.pem"), dir.resolve("cert.pem"));
    Files.copy(dir.resolve("first.key"), dir.resolve("key.pem"));
    Vertx vertx = Vertx.vertx();
    try {
      DemoRfbServer desktop = new DemoRfbServer();
      vertx.deployVerticle(desktop).await(10, TimeUnit.SECONDS);
      int port;
      try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = free.getLocalPort();
      }
      // a fixed port: one front per core, as in production, and every one must take the new certificate
      try (GatewayHarness gateway = GatewayHarness.in(dir).noTcp().httpPort(port)
          .server("  tls: {cert-file: cert.pem, key-file: key.pem, check-interval: 1s}\n")
          .targets(GatewayHarness.target("demo", desktop.port(), null)).start()) {
        SSLContext trust = ca.trustingContext();
        HttpClient http = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(5)).build();
        String base = "https://127.0.0.1:" + gateway.httpPort();

        assertEquals(ca.fingerprint("first.pem"), servedFingerprint(trust, gateway.httpPort()));
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());

        // a viewer over wss://, its session made over https://
        String token = gateway.token("alice", "**", Role.CONTROL);
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/sessions"))
            .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("target", "static/demo").put("role", "control").encode()))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        List<String> protocols = new JsonObject(created.body()).getJsonObject("websocket").getJsonArray("protocols")
            .stream().map(String::valueOf).toList();
        LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        CompletableFuture<String> closed = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder().header("Origin", base).subprotocols(protocols.get(0), protocols.get(1))
            .buildAsync(URI.create("wss://127.0.0.1:" + gateway.httpPort() + "/ws/v1/connect"), new WebSocket.Listener() {
              @Override
              public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                received.add(b);
                webSocket.request(1);
                return null;
              }

              @Override
              public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.complete(statusCode + " " + reason);
                return null;
              }
            }).get(10, TimeUnit.SECONDS);
        byte[] banner = received.poll(10, TimeUnit.SECONDS);
        assertTrue(banner != null && new String(banner, StandardCharsets.US_ASCII).startsWith("RFB 003.008"),
            "the RFB banner over wss://");

        // certbot's way: new files moved into place
        Files.copy(dir.resolve("second.pem"), dir.resolve("cert.new"));
        Files.copy(dir.resolve("second.key"), dir.resolve("key.new"));
        Files.move(dir.resolve("key.new"), dir.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(dir.resolve("cert.new"), dir.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        String expected = ca.fingerprint("second.pem");
        String served = null;
        for (int i = 0; i < 100 && !expected.equals(served); i++) {
          Thread.sleep(100);
          served = servedFingerprint(trust, gateway.httpPort());
        }
        assertEquals(expected, served, "new connections get the new certificate");
        for (int i = 0; i < 8; i++) {
          assertEquals(expected, servedFingerprint(trust, gateway.httpPort()), "connection " + i + " after the reload");
        }
        assertNotEquals(ca.fingerprint("first.pem"), served);

        // the viewer's relay is still there: the RFB handshake goes on
        ws.sendBinary(ByteBuffer.wrap("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII)), true).get(5, TimeUnit.SECONDS);
        byte[] securityTypes = received.poll(10, TimeUnit.SECONDS);
        assertTrue(securityTypes != null && securityTypes.length >= 2 && securityTypes[0] > 0,
            "the security types arrive on the viewer's session opened before the reload; closed: " + closed.getNow("no"));
        assertTrue(!closed.isDone(), "the viewer's WebSocket was not closed: " + closed.getNow(""));
        ws.abort();
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void tls11IsRefusedAndTls12Accepted() throws Exception {
    TestCa ca = new TestCa(dir);
    ca.issue("server", "ec");
    try (GatewayHarness gateway = GatewayHarness.in(dir).noTcp()
        .server("  tls: {cert-file: server.pem, key-file: server.key}\n").start()) {
      String target = "127.0.0.1:" + gateway.httpPort();
      TestCa.Result tls12 = TestCa.run(dir, "openssl", "s_client", "-connect", target, "-tls1_2", "-CAfile", "ca.pem");
      assertTrue(tls12.out().contains("Protocol  : TLSv1.2") || tls12.out().contains("Protocol: TLSv1.2")
          || tls12.out().contains("TLSv1.2,"), tls12.out());
      assertTrue(tls12.out().contains("Verify return code: 0 (ok)"), tls12.out());
      // the client lowered to security level 0 so that it offers TLS 1.1 at all: the refusal is the gateway's
      TestCa.Result tls11 = TestCa.run(dir, "openssl", "s_client", "-connect", target, "-tls1_1",
          "-cipher", "DEFAULT:@SECLEVEL=0");
      assertNotEquals(0, tls11.exit(), tls11.out());
      assertTrue(tls11.out().contains("alert protocol version") || tls11.out().contains("unsupported protocol")
          || tls11.out().contains("wrong version number"), tls11.out());
      assertTrue(!tls11.out().contains("no protocols available"), "the client did offer TLS 1.1: " + tls11.out());
    }
  }

  @Test
  void aKeyThatIsNotTheCertificatesIsAStartError() throws Exception {
    TestCa ca = new TestCa(dir);
    ca.issue("one", "ec");
    ca.issue("two", "ec");
    Throwable e = GatewayHarness.in(dir).noTcp().server("  tls: {cert-file: one.pem, key-file: two.key}\n").startFailure();
    assertTrue(e.getMessage().contains("server.tls.key-file") && e.getMessage().contains("does not belong to the certificate"),
        e.getMessage());
    Throwable swapped = GatewayHarness.in(dir).noTcp().server("  tls: {cert-file: one.key, key-file: one.pem}\n").startFailure();
    assertTrue(swapped.getMessage().contains("server.tls.cert-file") && swapped.getMessage().contains("swap"),
        swapped.getMessage());
  }

  private static String servedFingerprint(SSLContext trust, int port) throws Exception {
    try (SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      s.startHandshake();
      X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));
    }
  }
}
