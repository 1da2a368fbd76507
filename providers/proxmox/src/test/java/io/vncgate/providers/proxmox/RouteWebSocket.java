package io.vncgate.providers.proxmox;

import io.vncgate.providers.proxmox.tls.TlsContexts;
import io.vncgate.spi.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Opens a provider's {@link Route.WebSocket} the way the route says — its URL, headers,
 * subprotocols and TLS trust (the plugin's own pinned/CA trust managers) — with the JDK's
 * WebSocket client, and offers the binary stream as plain streams for an RFB client. A test's
 * stand-in for the gateway's connector, to show the route itself opens the console.
 */
final class RouteWebSocket implements AutoCloseable {
  private static final byte[] END = new byte[0];

  private final WebSocket socket;
  private final LinkedBlockingQueue<byte[]> received;
  private final String subprotocol;

  private RouteWebSocket(WebSocket socket, LinkedBlockingQueue<byte[]> received) {
    this.socket = socket;
    this.received = received;
    this.subprotocol = socket.getSubprotocol();
  }

  static RouteWebSocket open(Route.WebSocket route) throws Exception {
    HttpClient http = HttpClient.newBuilder()
        .sslContext(TlsContexts.forCluster(route.tls().pinnedSha256(), route.tls().caFile()))
        .build();
    LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    WebSocket.Builder builder = http.newWebSocketBuilder();
    route.headers().forEach((name, value) -> builder.header(name, value.reveal()));
    List<String> protocols = route.subprotocols();
    if (!protocols.isEmpty()) {
      builder.subprotocols(protocols.get(0), protocols.subList(1, protocols.size()).toArray(String[]::new));
    }
    WebSocket.Listener listener = new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        received.add(bytes);
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        received.add(END);
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        received.add(END);
      }
    };
    CompletableFuture<WebSocket> ws = builder.buildAsync(route.uri(), listener);
    return new RouteWebSocket(ws.get(15, TimeUnit.SECONDS), received);
  }

  String subprotocol() {
    return subprotocol;
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
      public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
        socket.sendBinary(ByteBuffer.wrap(copy), true).join();
      }
    };
  }

  @Override
  public void close() {
    socket.abort();
  }
}
