package io.vncgate.providers.kubevirt;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vncgate.spi.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Opens a provider's {@link Route.WebSocket} the way the route says — URL, headers, subprotocols,
 * the CA and client certificate of its {@code Tls} — with the JDK's WebSocket client (Vert.x's when
 * the route has a client certificate: the JDK cannot read a PKCS#1 key), and offers the
 * binary stream as plain streams for an RFB client: a test's stand-in for the gateway's connector,
 * to show the route itself opens the VMI's console.
 */
final class RouteWebSocket implements AutoCloseable {
  private static final byte[] END = new byte[0];

  private final Vertx vertx;
  private final ClientWebSocket socket;
  private final java.net.http.WebSocket jdk;
  private final LinkedBlockingQueue<byte[]> received;

  private RouteWebSocket(Vertx vertx, ClientWebSocket socket, java.net.http.WebSocket jdk,
                         LinkedBlockingQueue<byte[]> received) {
    this.vertx = vertx;
    this.socket = socket;
    this.jdk = jdk;
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
    LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    java.net.http.WebSocket.Builder builder = http.newWebSocketBuilder();
    route.headers().forEach((name, value) -> builder.header(name, value.reveal()));
    List<String> protocols = route.subprotocols();
    builder.subprotocols(protocols.get(0), protocols.subList(1, protocols.size()).toArray(String[]::new));
    java.net.http.WebSocket.Listener listener = new java.net.http.WebSocket.Listener() {
      @Override
      public java.util.concurrent.CompletionStage<?> onBinary(java.net.http.WebSocket ws, java.nio.ByteBuffer data,
                                                              boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        received.add(bytes);
        ws.request(1);
        return null;
      }

      @Override
      public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket ws, int code, String reason) {
        received.add(END);
        return null;
      }

      @Override
      public void onError(java.net.http.WebSocket ws, Throwable error) {
        received.add(END);
      }
    };
    try {
      java.net.http.WebSocket ws = builder.buildAsync(java.net.URI.create(route.uri() + query), listener)
          .get(15, TimeUnit.SECONDS);
      return new RouteWebSocket(null, null, ws, received);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause();
    }
  }

  /** Opens the route; a refused upgrade throws Vert.x's {@code UpgradeRejectedException} (status and body). */
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
    LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    ClientWebSocket ws = vertx.createWebSocketClient(new WebSocketClientOptions()).webSocket();
    ws.handler(b -> received.add(b.getBytes()));
    ws.closeHandler(v -> received.add(END));
    ws.exceptionHandler(e -> received.add(END));
    try {
      ws.connect(options).toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      vertx.close();
      throw e.getCause();
    }
    return new RouteWebSocket(vertx, ws, null, received);
  }

  String subprotocol() {
    return jdk != null ? jdk.getSubprotocol() : socket.subProtocol();
  }

  /** Whether the server closed the connection within {@code millis}, reading (and dropping) what came before. */
  boolean closedWithin(long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < deadline) {
      byte[] next = received.poll(50, TimeUnit.MILLISECONDS);
      if (next == END) return true;
    }
    return false;
  }

  InputStream in() {
    return new InputStream() {
      private byte[] current = new byte[0];
      private int at;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        while (at == current.length) {
          if (current == END) return -1;
          try {
            byte[] next = received.poll(30, TimeUnit.SECONDS);
            if (next == null) throw new IOException("nothing received within 30 s");
            current = next;
            at = 0;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
          }
        }
        int n = Math.min(len, current.length - at);
        System.arraycopy(current, at, b, off, n);
        at += n;
        return n;
      }
    };
  }

  OutputStream out() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
        try {
          if (jdk != null) {
            jdk.sendBinary(java.nio.ByteBuffer.wrap(copy), true).get(10, TimeUnit.SECONDS);
          } else {
            socket.writeBinaryMessage(Buffer.buffer(copy)).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
          }
        } catch (Exception e) {
          throw new IOException("write failed: " + e, e);
        }
      }
    };
  }

  @Override
  public void close() {
    if (jdk != null) jdk.abort();
    if (vertx != null) vertx.close();
  }
}
