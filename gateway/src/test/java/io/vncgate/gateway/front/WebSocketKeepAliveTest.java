package io.vncgate.gateway.front;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.demo.DemoRfbServer;
import io.vncgate.gateway.e2e.GatewayHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The gateway pings a browser's relayed WebSocket every server.ws-keepalive; the RFB stream is untouched. */
@Timeout(60)
class WebSocketKeepAliveTest {
  @TempDir Path dir;

  @Test
  void relayedWebSocketIsPingedEveryInterval() throws Exception {
    System.setProperty("java.awt.headless", "true");
    Vertx vertx = Vertx.vertx();
    try {
      DemoRfbServer desktop = new DemoRfbServer();
      vertx.deployVerticle(desktop).await(10, TimeUnit.SECONDS);
      try (GatewayHarness gateway = GatewayHarness.in(dir).noTcp().server("  ws-keepalive: 1s\n")
          .targets(GatewayHarness.target("demo", desktop.port(), null)).start()) {
        String base = gateway.origin();
        HttpClient http = HttpClient.newHttpClient();
        JsonObject session = gateway.session(gateway.token("alice", "**", Role.CONTROL), "static/demo", "control");
        List<String> protocols = session.getJsonObject("websocket").getJsonArray("protocols").stream()
            .map(String::valueOf).toList();

        AtomicInteger pings = new AtomicInteger();
        CountDownLatch banner = new CountDownLatch(1);
        CountDownLatch threePings = new CountDownLatch(3);
        WebSocket ws = http.newWebSocketBuilder().subprotocols(protocols.get(0), protocols.get(1))
            .buildAsync(URI.create(base.replace("http", "ws") + "/ws/v1/connect"), new WebSocket.Listener() {
              @Override
              public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                banner.countDown();
                webSocket.request(1);
                return CompletableFuture.completedFuture(null);
              }

              @Override
              public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
                pings.incrementAndGet();
                threePings.countDown();
                return WebSocket.Listener.super.onPing(webSocket, message);
              }
            }).get(10, TimeUnit.SECONDS);
        assertEquals("binary", ws.getSubprotocol());
        assertTrue(banner.await(10, TimeUnit.SECONDS), "the RFB banner arrives");
        assertTrue(threePings.await(6, TimeUnit.SECONDS), "three pings within 6 s at a 1 s interval; got " + pings.get());
        ws.abort();
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theTimerEndsWhenTheSocketCloses() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      CompletableFuture<io.vertx.core.http.ServerWebSocket> accepted = new CompletableFuture<>();
      CompletableFuture<Long> timer = new CompletableFuture<>();
      var server = vertx.createHttpServer().webSocketHandler(ws -> {
        timer.complete(WebSocketKeepAlive.start(vertx, ws, Duration.ofHours(1)));
        accepted.complete(ws);
      }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      var client = vertx.createWebSocketClient();
      var ws = client.connect(server.actualPort(), "127.0.0.1", "/").await(10, TimeUnit.SECONDS);
      long id = timer.get(10, TimeUnit.SECONDS);
      ws.close().await(10, TimeUnit.SECONDS);
      client.close().await(10, TimeUnit.SECONDS); // also keeps it reachable: Vert.x closes an unreferenced client
      var serverSide = accepted.get(10, TimeUnit.SECONDS);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!serverSide.isClosed() && System.nanoTime() < end) Thread.sleep(10);
      Thread.sleep(100);
      // still scheduled, it would hold the socket (and the relay behind it) until its next tick, an hour away
      assertTrue(!vertx.cancelTimer(id), "the ping timer outlived its socket");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
