package io.vncgate.testbeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.net.NetClient;
import io.vertx.core.streams.Pipe;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bridge in front of a small websockify-like Vert.x server: {@code /websockify} relays to a
 * {@link ScriptedRfbServer}, {@code /closing} closes with a reason, other paths are rejected.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WebSocketTcpBridgeTest {

  private static final Duration SHORT = Duration.ofSeconds(5);

  private final List<Map<String, String>> handshakes = new CopyOnWriteArrayList<>();
  private ScriptedRfbServer rfb;
  private HttpServer http;
  private NetClient upstream;

  @BeforeEach
  void startServers(Vertx vertx) throws Exception {
    rfb = ScriptedRfbServer.builder().desktop(800, 600, "bridged").fillColour(0x00aa55).start();
    upstream = vertx.createNetClient();
    http = vertx.createHttpServer(new HttpServerOptions().addWebSocketSubProtocol("binary"))
        .webSocketHandshakeHandler(this::handshake)
        .webSocketHandler(this::serve)
        .listen(0, "127.0.0.1")
        .await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stopServers() throws Exception {
    http.close().await(10, TimeUnit.SECONDS);
    upstream.close().await(10, TimeUnit.SECONDS);
    rfb.close();
  }

  private void handshake(ServerWebSocketHandshake handshake) {
    handshakes.add(Map.of(
        "path", handshake.path(),
        "origin", String.join(" | ", handshake.headers().getAll("Origin")),
        "protocols", String.valueOf(handshake.headers().get("Sec-WebSocket-Protocol"))));
    if (handshake.path().equals("/websockify") || handshake.path().equals("/closing")) {
      handshake.accept();
    } else {
      handshake.reject(404);
    }
  }

  private void serve(ServerWebSocket ws) {
    if (ws.path().equals("/closing")) {
      ws.close((short) 4403, "ticket expired");
      return;
    }
    Pipe<Buffer> fromBrowser = ws.pipe();
    upstream.connect(rfb.port(), rfb.host())
        .onSuccess(tcp -> {
          fromBrowser.to(tcp);
          tcp.pipeTo(ws);
        })
        .onFailure(e -> {
          fromBrowser.close();
          ws.close((short) 1011, "upstream unreachable");
        });
  }

  @Test
  void tcpClientRunsAWholeRfbSessionThroughTheWebSocket(Vertx vertx) throws Exception {
    try (WebSocketTcpBridge bridge = WebSocketTcpBridge.to(vertx, "127.0.0.1", http.actualPort(), "/websockify")
        .protocols("binary", "vncgate.ticket.XYZ")
        .origin("http://127.0.0.1:6080")
        .start()) {
      try (RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
        assertEquals("bridged", client.handshakeNone().name());
        Framebuffer fb = client.readFramebufferUpdateRaw();
        assertEquals(0x00aa55, fb.rgb(799, 599), "1.9 MB of Raw pixels crossed the bridge");
        client.sendKeyEvent(true, 0xff0d);
        rfb.awaitConnections(1, SHORT).get(0).awaitMessage(4, SHORT);
      }
      assertTrue(rfb.connections().get(0).awaitClosed(SHORT), "TCP close reaches the RFB server");

      Map<String, String> seen = handshakes.get(0);
      assertEquals("/websockify", seen.get("path"));
      assertEquals("http://127.0.0.1:6080", seen.get("origin"));
      assertEquals("binary,vncgate.ticket.XYZ", seen.get("protocols").replace(" ", ""));
      assertEquals(List.of("binary"), bridge.acceptedSubProtocols());
    }
  }

  @Test
  void serverCloseStatusAndReasonAreKeptAndTheTcpSideCloses(Vertx vertx) throws Exception {
    try (WebSocketTcpBridge bridge = WebSocketTcpBridge.to(vertx, "127.0.0.1", http.actualPort(), "/closing")
        .origin(null)
        .start();
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      assertTrue(client.isClosedByPeer(SHORT));
      assertEquals(new WebSocketClose(4403, "ticket expired"), bridge.awaitClose(1, SHORT));
      assertEquals(bridge.closes().get(0), bridge.lastCloseReason().orElseThrow());
      assertEquals("", handshakes.get(0).get("origin"), "origin(null) sends no Origin");
      assertEquals("null", handshakes.get(0).get("protocols"), "no subprotocol offered");
    }
  }

  @Test
  void rejectedUpgradeIsKeptAndTheTcpSideCloses(Vertx vertx) throws Exception {
    try (WebSocketTcpBridge bridge = WebSocketTcpBridge.to(vertx, "127.0.0.1", http.actualPort(), "/nope")
        .start();
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      assertTrue(client.isClosedByPeer(SHORT));
      Throwable failure = bridge.awaitConnectFailure(1, SHORT);
      assertEquals(404, assertInstanceOf(UpgradeRejectedException.class, failure).getStatus());
      assertTrue(bridge.closes().isEmpty());
      assertEquals("http://127.0.0.1:" + http.actualPort(), handshakes.get(0).get("origin"),
          "Vert.x's default Origin");
    }
  }
}
