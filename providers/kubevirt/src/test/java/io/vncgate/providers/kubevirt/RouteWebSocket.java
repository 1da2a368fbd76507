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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Opens a provider's {@link Route.WebSocket} the way the route says — URL, headers, subprotocols,
 * the CA and client certificate of its {@code Tls} — with a Vert.x WebSocket client, and offers the
 * binary stream as plain streams for an RFB client: a test's stand-in for the gateway's connector,
 * to show the route itself opens the VMI's console.
 */
final class RouteWebSocket implements AutoCloseable {
  private static final byte[] END = new byte[0];

  private final Vertx vertx;
  private final ClientWebSocket socket;
  private final LinkedBlockingQueue<byte[]> received;

  private RouteWebSocket(Vertx vertx, ClientWebSocket socket, LinkedBlockingQueue<byte[]> received) {
    this.vertx = vertx;
    this.socket = socket;
    this.received = received;
  }

  /** Opens the route; a refused upgrade throws Vert.x's {@code UpgradeRejectedException} (status and body). */
  static RouteWebSocket open(Route.WebSocket route) throws Throwable {
    return open(route, "");
  }

  /** With {@code query} appended to the route's URL (e.g. {@code ?preserveSession=true}). */
  static RouteWebSocket open(Route.WebSocket route, String query) throws Throwable {
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
    return new RouteWebSocket(vertx, ws, received);
  }

  String subprotocol() {
    return socket.subProtocol();
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
        try {
          socket.writeBinaryMessage(Buffer.buffer(java.util.Arrays.copyOfRange(b, off, off + len)))
              .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IOException("write failed: " + e, e);
        }
      }
    };
  }

  @Override
  public void close() {
    vertx.close();
  }
}
