package io.vncgate.gateway.transport.ws;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real upstream WebSocket server for tests, on 127.0.0.1, with what it saw recorded: each
 * upgrade's path, query and headers, the subprotocol it chose, and the size of every frame the
 * gateway sent. What it does depends on the path:
 *
 * <ul>
 *   <li>{@code /relay}: relays to the VNC server at {@code vncPort} (as websockify, Proxmox or
 *       KubeVirt do), one binary frame per read of the VNC socket;
 *   <li>{@code /reject/NNN}: refuses the upgrade with HTTP status NNN;
 *   <li>{@code /text}: accepts, then sends a text frame;
 *   <li>{@code /close}: accepts, then closes with 1011 "backend gone";
 *   <li>{@code /huge}: accepts, then sends one 17 MiB frame;
 *   <li>{@code /flood}: sends 64 KiB binary frames as fast as its write queue allows;
 *   <li>{@code /record}: records the frames it gets, answers nothing;
 *   <li>{@code /sink}: accepts and reads nothing until {@link #resumeSink()}.
 * </ul>
 */
public final class UpstreamWsServer implements AutoCloseable {
  /** One upgrade request as the server saw it. */
  public record Upgrade(String path, String query, Map<String, String> headers) {}

  public final List<Upgrade> upgrades = new CopyOnWriteArrayList<>();
  public final List<Integer> frameSizes = new CopyOnWriteArrayList<>();
  public final List<String> chosenSubprotocols = new CopyOnWriteArrayList<>();
  public final AtomicLong floodSent = new AtomicLong();
  public final AtomicLong sinkReceived = new AtomicLong();
  private final AtomicReference<ServerWebSocket> sink = new AtomicReference<>();
  private final List<ServerWebSocket> relays = new CopyOnWriteArrayList<>();
  private final Vertx vertx;
  private final HttpServer server;
  private final NetClient vnc;
  private final int vncPort;
  private final boolean secure;

  public UpstreamWsServer(Vertx vertx, int vncPort) throws Exception {
    this(vertx, vncPort, null);
  }

  /** @param cert served over TLS with this certificate ({@code wss}), or null for plain {@code ws} */
  public UpstreamWsServer(Vertx vertx, int vncPort, SelfSignedCert cert) throws Exception {
    this.vertx = vertx;
    this.vncPort = vncPort;
    this.secure = cert != null;
    this.vnc = vertx.createNetClient();
    HttpServerOptions options = new HttpServerOptions();
    if (cert != null) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.certPem().toString())
          .setKeyPath(cert.keyPem().toString()));
    }
    this.server = vertx.createHttpServer(options
        .setHost("127.0.0.1").setPort(0)
        .setWebSocketSubProtocols(List.of("binary", "plain.kubevirt.io"))
        // larger than any frame the gateway should send, so an over-sized one is seen, not refused
        .setMaxWebSocketFrameSize(4 * 1024 * 1024)
        .setMaxWebSocketMessageSize(4 * 1024 * 1024));
    server.webSocketHandshakeHandler(this::onHandshake);
    server.webSocketHandler(this::onWebSocket);
    server.listen().await(10, TimeUnit.SECONDS);
  }

  public int port() {
    return server.actualPort();
  }

  public String url(String path) {
    return (secure ? "wss" : "ws") + "://127.0.0.1:" + port() + path;
  }

  public Upgrade lastUpgrade() {
    return upgrades.isEmpty() ? null : upgrades.get(upgrades.size() - 1);
  }

  public void resumeSink() {
    ServerWebSocket ws = sink.get();
    ws.handler(b -> sinkReceived.addAndGet(b.length()));
    ws.resume();
  }

  private void onHandshake(ServerWebSocketHandshake hs) {
    Map<String, String> headers = new LinkedHashMap<>();
    hs.headers().forEach(e -> headers.merge(e.getKey().toLowerCase(), e.getValue(), (a, b) -> a + ", " + b));
    upgrades.add(new Upgrade(hs.path(), hs.query(), headers));
    if (hs.path().startsWith("/reject/")) {
      hs.reject(Integer.parseInt(hs.path().substring("/reject/".length())));
    } else {
      hs.accept();
    }
  }

  private void onWebSocket(ServerWebSocket ws) {
    chosenSubprotocols.add(String.valueOf(ws.subProtocol()));
    switch (ws.path()) {
      case "/text" -> ws.writeTextMessage("hello");
      case "/close" -> ws.close((short) 1011, "backend gone");
      case "/huge" -> ws.write(Buffer.buffer(new byte[17 * 1024 * 1024]));
      case "/flood" -> flood(ws, Buffer.buffer(new byte[64 * 1024]));
      case "/record" -> ws.frameHandler(f -> {
        if (f.isBinary() || f.isContinuation()) frameSizes.add(f.binaryData().length());
      });
      case "/sink" -> {
        ws.pause();
        sink.set(ws);
      }
      default -> relay(ws);
    }
  }

  private void flood(ServerWebSocket ws, Buffer chunk) {
    if (ws.isClosed()) return;
    while (!ws.writeQueueFull()) {
      ws.write(chunk);
      floodSent.addAndGet(chunk.length());
    }
    ws.drainHandler(v -> flood(ws, chunk));
  }

  private void relay(ServerWebSocket ws) {
    ws.pause();
    vnc.connect(vncPort, "127.0.0.1").onComplete(ar -> {
      if (ar.failed()) {
        ws.close((short) 1011, "no VNC server");
        return;
      }
      var socket = ar.result();
      // with backpressure, as websockify and Proxmox have: a gateway that reads nothing stops the VNC server
      socket.pipeTo(ws);
      ws.frameHandler(f -> {
        if (f.isBinary() || f.isContinuation()) {
          frameSizes.add(f.binaryData().length());
          socket.write(f.binaryData());
        }
      });
      socket.closeHandler(v -> ws.close());
      ws.closeHandler(v -> socket.close());
      relays.add(ws);
      ws.resume();
    });
  }

  /** Closes every relaying WebSocket with this code and reason, as a console proxy going away would. */
  public void closeRelays(short code, String reason) {
    for (ServerWebSocket ws : relays) ws.close(code, reason);
    relays.clear();
  }

  /** The largest frame the gateway sent so far. */
  public int largestFrame() {
    return new ArrayList<>(frameSizes).stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  @Override
  public void close() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
    vnc.close().await(10, TimeUnit.SECONDS);
  }
}
