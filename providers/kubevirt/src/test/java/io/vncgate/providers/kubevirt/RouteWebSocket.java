package io.vncgate.providers.kubevirt;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vncgate.spi.Route;
import io.vncgate.testbeds.plugin.RouteWebSocketStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/**
 * Opens a provider's {@link Route.WebSocket} the way the route says — URL, headers, subprotocols,
 * the CA and client certificate of its {@code Tls} — with the JDK's WebSocket client (the testbeds'
 * {@link RouteWebSocketStreams}; Vert.x's when the route has a client certificate: the JDK cannot
 * read a PKCS#1 key), and offers the binary stream as plain streams for an RFB client: a test's
 * stand-in for the gateway's connector, to show the route itself opens the VMI's console.
 */
final class RouteWebSocket implements AutoCloseable {
  private final RouteWebSocketStreams jdk;
  private final Vertx vertx;
  /**
   * Held for the socket's lifetime: Vert.x closes a client its caller no longer references (a
   * {@code Cleaner}), and with it a connection still in its handshake.
   */
  private final WebSocketClient client;
  private final ClientWebSocket socket;
  private final RouteWebSocketStreams.Received received;

  private RouteWebSocket(RouteWebSocketStreams jdk, Vertx vertx, WebSocketClient client, ClientWebSocket socket,
                         RouteWebSocketStreams.Received received) {
    this.jdk = jdk;
    this.vertx = vertx;
    this.client = client;
    this.socket = socket;
    this.received = received;
  }

  /**
   * A refused upgrade: its HTTP status and body (the JDK's or Vert.x's exception, whichever client
   * opened it).
   */
  record Refusal(int status, String body) {
    static Refusal of(Throwable e) {
      if (e instanceof io.vertx.core.http.UpgradeRejectedException u) {
        return new Refusal(u.getStatus(), u.getBody() == null ? "" : u.getBody().toString());
      }
      if (e instanceof java.net.http.WebSocketHandshakeException h) {
        Object body = h.getResponse().body();
        return new Refusal(h.getResponse().statusCode(), body == null ? "" : body.toString());
      }
      throw new AssertionError("not a refused upgrade: " + e, e);
    }
  }

  /** With the JDK's client, trusting exactly the route's CA (PEM). */
  private static RouteWebSocket openJdk(Route.WebSocket route, String query) throws Throwable {
    java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
    trust.load(null, null);
    int i = 0;
    for (java.security.cert.Certificate c : java.security.cert.CertificateFactory.getInstance("X.509")
        .generateCertificates(new java.io.ByteArrayInputStream(route.tls().caPem().getBytes(
            java.nio.charset.StandardCharsets.US_ASCII)))) {
      trust.setCertificateEntry("ca" + i++, c);
    }
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().sslContext(ssl).build();
    return new RouteWebSocket(RouteWebSocketStreams.open(http, route, query), null, null, null, null);
  }

  /** Opens the route; a refused upgrade throws its client's exception ({@link Refusal#of} reads it). */
  static RouteWebSocket open(Route.WebSocket route) throws Throwable {
    return open(route, "");
  }

  /** With {@code query} appended to the route's URL (e.g. {@code ?preserveSession=true}). */
  static RouteWebSocket open(Route.WebSocket route, String query) throws Throwable {
    if (route.tls().clientCertificate() == null) return openJdk(route, query);
    Vertx vertx = Vertx.vertx();
    PemTrustOptions trust = new PemTrustOptions();
    if (route.tls().caPem() != null) trust.addCertValue(Buffer.buffer(route.tls().caPem()));
    ClientSSLOptions ssl = new ClientSSLOptions().setTrustOptions(trust).setHostnameVerificationAlgorithm("HTTPS");
    if (route.tls().clientCertificate() != null) {
      ssl.setKeyCertOptions(new PemKeyCertOptions()
          .addCertValue(Buffer.buffer(route.tls().clientCertificate().certificatePem()))
          .addKeyValue(Buffer.buffer(route.tls().clientCertificate().keyPem().bytes())));
    }
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost(route.uri().getHost()).setPort(route.uri().getPort()).setSsl(true).setSslOptions(ssl)
        .setURI(route.uri().getRawPath() + query)
        .setSubProtocols(route.subprotocols());
    route.headers().forEach((name, value) -> options.putHeader(name, value.reveal()));
    RouteWebSocketStreams.Received received = new RouteWebSocketStreams.Received();
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions());
    ClientWebSocket ws = client.webSocket();
    ws.handler(b -> received.add(b.getBytes()));
    ws.closeHandler(v -> received.end());
    ws.exceptionHandler(e -> received.end());
    try {
      ws.connect(options).toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      vertx.close();
      throw e.getCause();
    }
    return new RouteWebSocket(null, vertx, client, ws, received);
  }

  String subprotocol() {
    return jdk != null ? jdk.subprotocol() : socket.subProtocol();
  }

  /** Whether the server closed the connection within {@code millis}, reading (and dropping) what came before. */
  boolean closedWithin(long millis) throws InterruptedException {
    return jdk != null ? jdk.closedWithin(millis) : received.closedWithin(millis);
  }

  InputStream in() {
    return jdk != null ? jdk.in() : received.in();
  }

  OutputStream out() {
    if (jdk != null) return jdk.out();
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        try {
          socket.writeBinaryMessage(Buffer.buffer(java.util.Arrays.copyOfRange(b, off, off + len))).toCompletionStage()
              .toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IOException("write failed: " + e, e);
        }
      }
    };
  }

  @Override
  public void close() {
    if (jdk != null) jdk.close();
    if (client != null) client.close();
    if (vertx != null) vertx.close();
  }
}
