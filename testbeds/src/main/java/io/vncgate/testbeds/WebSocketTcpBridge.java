package io.vncgate.testbeds;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback TCP listener that turns every accepted connection into a WebSocket connection to
 * {@code ws://host:port/path} and pipes bytes both ways as binary frames, with backpressure. Plain
 * TCP RFB clients (vernacular, {@link RfbTestClient}) can then drive a WebSocket front.
 *
 * <p>Closing either side closes the other. When the server closes the WebSocket, its status code
 * and reason are kept ({@link #closes()}); a refused upgrade is kept too ({@link #connectFailures()}).
 */
public final class WebSocketTcpBridge implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WebSocketTcpBridge.class);
  private static final Duration BLOCKING_TIMEOUT = Duration.ofSeconds(10);

  private final WebSocketConnectOptions options;
  private final NetServer server;
  private final WebSocketClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private final List<WebSocketClose> closes = new ArrayList<>();
  private final List<Throwable> connectFailures = new ArrayList<>();
  private final List<String> subProtocols = new ArrayList<>();

  private WebSocketTcpBridge(Vertx vertx, WebSocketConnectOptions options) {
    this.options = options;
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(16 << 20).setMaxMessageSize(64 << 20));
    this.server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0));
    server.connectHandler(this::bridge);
  }

  /** A bridge to {@code ws://host:port/path}. */
  public static Builder to(Vertx vertx, String host, int port, String path) {
    return new Builder(vertx, host, port, path);
  }

  public String host() {
    return "127.0.0.1";
  }

  /** The loopback TCP port to connect RFB clients to. */
  public int port() {
    return server.actualPort();
  }

  private void bridge(NetSocket socket) {
    sockets.add(socket);
    socket.closeHandler(v -> sockets.remove(socket));
    Pipe<Buffer> fromTcp = socket.pipe();
    client.connect(options)
        .onSuccess(ws -> {
          record(subProtocols, ws.subProtocol() == null ? "" : ws.subProtocol());
          ws.closeHandler(v -> recordClose(ws));
          fromTcp.to(ws);
          ws.pipeTo(socket);
        })
        .onFailure(failure -> {
          LOG.debug("bridge: WebSocket connect to {} failed: {}", options.getURI(), failure.toString());
          record(connectFailures, failure);
          fromTcp.close();
          socket.close();
        });
  }

  private void recordClose(WebSocket ws) {
    Short code = ws.closeStatusCode();
    WebSocketClose close = new WebSocketClose(code == null ? 1006 : code, ws.closeReason());
    LOG.debug("bridge: WebSocket closed {}", close);
    record(closes, close);
  }

  private <T> void record(List<T> list, T item) {
    synchronized (this) {
      list.add(item);
      notifyAll();
    }
  }

  /** Close status and reason of every WebSocket that has closed, oldest first. */
  public synchronized List<WebSocketClose> closes() {
    return List.copyOf(closes);
  }

  /** The most recent WebSocket close. */
  public synchronized Optional<WebSocketClose> lastCloseReason() {
    return closes.isEmpty() ? Optional.empty() : Optional.of(closes.get(closes.size() - 1));
  }

  /** Waits until {@code n} WebSockets have closed and returns the n-th close. */
  public synchronized WebSocketClose awaitClose(int n, Duration timeout) {
    awaitSize(closes, n, timeout, "WebSocket close");
    return closes.get(n - 1);
  }

  /** Failed WebSocket connects (e.g. {@code UpgradeRejectedException} with the HTTP status). */
  public synchronized List<Throwable> connectFailures() {
    return List.copyOf(connectFailures);
  }

  /** Waits until {@code n} WebSocket connects have failed and returns the n-th failure. */
  public synchronized Throwable awaitConnectFailure(int n, Duration timeout) {
    awaitSize(connectFailures, n, timeout, "WebSocket connect failure");
    return connectFailures.get(n - 1);
  }

  /** Subprotocol the server accepted on each WebSocket ("" for none), oldest first. */
  public synchronized List<String> acceptedSubProtocols() {
    return List.copyOf(subProtocols);
  }

  private void awaitSize(List<?> list, int n, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (list.size() < n) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw new TestbedException("expected " + n + " " + what + "(s) within " + timeout
            + ", got " + list.size());
      }
      try {
        wait(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TestbedException("interrupted", e);
      }
    }
  }

  /** Closes open connections, the listener and the client; blocks up to 10 s. */
  @Override
  public void close() {
    sockets.forEach(NetSocket::close);
    Future<Void> closed = Future.join(server.close(), client.close()).mapEmpty();
    try {
      closed.await(BLOCKING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn("bridge on port {} did not close within {}", port(), BLOCKING_TIMEOUT);
    }
  }

  /** Options of the WebSocket side. */
  public static final class Builder {

    private final Vertx vertx;
    private final String host;
    private final int port;
    private final String path;
    private final List<String> protocols = new ArrayList<>();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String origin;
    private boolean defaultOrigin = true;

    private Builder(Vertx vertx, String host, int port, String path) {
      this.vertx = vertx;
      this.host = host;
      this.port = port;
      this.path = path;
    }

    /** Subprotocols to offer, e.g. "binary", "vncgate.ticket.XYZ". */
    public Builder protocols(String... protocols) {
      this.protocols.addAll(List.of(protocols));
      return this;
    }

    /** The Origin header; null sends none. Default: Vert.x's {@code http://host:port}. */
    public Builder origin(String origin) {
      this.origin = origin;
      this.defaultOrigin = false;
      return this;
    }

    /** Any other handshake header, e.g. a Cookie or Authorization. */
    public Builder header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    /** Starts listening; the future completes with the bridge. */
    public Future<WebSocketTcpBridge> listen() {
      WebSocketConnectOptions options = new WebSocketConnectOptions()
          .setHost(host)
          .setPort(port)
          .setURI(path)
          .setSubProtocols(List.copyOf(protocols))
          .setAllowOriginHeader(defaultOrigin || origin != null);
      if (origin != null) {
        options.putHeader("Origin", origin);
      }
      headers.forEach(options::putHeader);
      WebSocketTcpBridge bridge = new WebSocketTcpBridge(vertx, options);
      return bridge.server.listen().map(bridge);
    }

    /** Starts listening and waits (up to 10 s); not on an event loop thread. */
    public WebSocketTcpBridge start() {
      try {
        return listen().await(BLOCKING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new TestbedException("bridge did not start within " + BLOCKING_TIMEOUT, e);
      }
    }
  }
}
