package io.vncgate.testbeds.plugin;

import io.vncgate.spi.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A provider's {@link Route.WebSocket} opened the way the route says — URL, headers, subprotocols —
 * with the JDK's WebSocket client over the caller's {@link HttpClient} (which carries the route's
 * TLS trust), its binary messages offered as plain streams for an RFB client: the provider plugins'
 * tests' stand-in for the gateway's connector. {@link Received} also serves a caller that opens
 * the route with another client.
 */
public final class RouteWebSocketStreams implements AutoCloseable {
  private final WebSocket socket;
  private final Received received;

  private RouteWebSocketStreams(WebSocket socket, Received received) {
    this.socket = socket;
    this.received = received;
  }

  /**
   * Opens {@code route} with {@code query} appended to its URL (e.g. {@code ?preserveSession=true},
   * or empty), within 15 s.
   *
   * @throws java.net.http.WebSocketHandshakeException a refused upgrade, with the server's reply
   */
  public static RouteWebSocketStreams open(HttpClient http, Route.WebSocket route, String query) throws Exception {
    Received received = new Received();
    WebSocket.Builder builder = http.newWebSocketBuilder();
    route.headers().forEach((name, value) -> builder.header(name, value.reveal()));
    List<String> protocols = route.subprotocols();
    if (!protocols.isEmpty()) {
      builder.subprotocols(protocols.get(0), protocols.subList(1, protocols.size()).toArray(String[]::new));
    }
    try {
      WebSocket ws = builder.buildAsync(URI.create(route.uri() + query), received.listener()).get(15, TimeUnit.SECONDS);
      return new RouteWebSocketStreams(ws, received);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) throw cause;
      throw e;
    }
  }

  /** The subprotocol the server chose (empty when none). */
  public String subprotocol() {
    return socket.getSubprotocol();
  }

  /** The binary messages received, as one stream. */
  public InputStream in() {
    return received.in();
  }

  /** Each write a binary message, sent within 10 s. */
  public OutputStream out() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        try {
          socket.sendBinary(ByteBuffer.wrap(Arrays.copyOfRange(b, off, off + len)), true).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IOException("write failed: " + e, e);
        }
      }
    };
  }

  /** {@link Received#closedWithin}. */
  public boolean closedWithin(long millis) throws InterruptedException {
    return received.closedWithin(millis);
  }

  @Override
  public void close() {
    socket.abort();
  }

  /** The binary messages a WebSocket received, in order, and its end (a close or an error). */
  public static final class Received {
    private static final byte[] END = new byte[0];
    private final LinkedBlockingQueue<byte[]> messages = new LinkedBlockingQueue<>();

    /** A binary message came (any thread). */
    public void add(byte[] message) {
      messages.add(message);
    }

    /** The connection closed or failed (any thread). */
    public void end() {
      messages.add(END);
    }

    /** A JDK WebSocket listener that feeds this. */
    public WebSocket.Listener listener() {
      return new WebSocket.Listener() {
        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
          byte[] bytes = new byte[data.remaining()];
          data.get(bytes);
          add(bytes);
          ws.request(1);
          return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
          end();
          return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
          end();
        }
      };
    }

    /** Whether the connection ended within {@code millis}, reading (and dropping) what came before. */
    public boolean closedWithin(long millis) throws InterruptedException {
      long deadline = System.currentTimeMillis() + millis;
      while (System.currentTimeMillis() < deadline) {
        if (messages.poll(50, TimeUnit.MILLISECONDS) == END) return true;
      }
      return false;
    }

    /** The messages as one stream: end of stream at the end; a read waits at most 30 s for a message. */
    public InputStream in() {
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
              byte[] next = messages.poll(30, TimeUnit.SECONDS);
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
  }
}
