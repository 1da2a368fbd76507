package io.vncgate.gateway.transport.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ScriptedRfbServer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large framebuffer updates through a WebSocket route to a viewer that reads nothing: the target
 * is held back by the gateway's pause of the upstream WebSocket (and the WebSocket server's own
 * backpressure), so what the gateway can hold is bounded by socket buffers, not by the updates.
 */
@Timeout(120)
class WebSocketSlowViewerTest {
  static final int W = 1920;
  static final int H = 1080;
  @TempDir Path dir;

  static byte[] update(int seed) {
    int pixels = W * H * 4;
    ByteBuffer b = ByteBuffer.allocate(16 + pixels);
    b.put((byte) 0).put((byte) 0).putShort((short) 1);
    b.putShort((short) 0).putShort((short) 0).putShort((short) W).putShort((short) H).putInt(0);
    for (int i = 0; i < pixels; i++) b.put((byte) (i * 31 + (i >>> 9) + seed));
    return b.array();
  }

  @Test
  void aViewerThatReadsNothingStopsTheTargetBehindTheWebSocket() throws Exception {
    Vertx serverVertx = Vertx.vertx();
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(W, H, "slow").start();
         UpstreamWsServer ws = new UpstreamWsServer(serverVertx, desktop.port());
         GatewayHarness gw = GatewayHarness.in(dir).handshakeTimeout("10s")
             .targets("      - id: d\n        websocket: {url: \"" + ws.url("/relay") + "\", subprotocols: [binary]}\n")
             .start();
         RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      viewer.handshakeVncAuth(gw.ticket("static/d"));
      ScriptedRfbServer.Connection server = desktop.awaitConnections(1, Duration.ofSeconds(10)).get(0);
      byte[] update = update(9);
      int count = 24; // about 200 MB
      AtomicLong sent = new AtomicLong();
      CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
        for (int i = 0; i < count; i++) {
          server.send(update);
          sent.addAndGet(update.length);
        }
      });
      Thread.sleep(2000);
      long whileStalled = sent.get();
      for (int i = 0; i < count; i++) {
        assertArrayEquals(update, viewer.readExactly(update.length), "update " + i);
      }
      sending.get(60, TimeUnit.SECONDS);
      assertTrue(whileStalled < 6L * update.length,
          "the target could send " + whileStalled + " bytes to a viewer that read nothing");
    } finally {
      serverVertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
