package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.testbeds.Framebuffer;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The target's clipboard on its way to viewers, with a real TigerVNC Xvnc whose X clipboard is
 * set by {@code xclip}: it arrives by default, and {@code limits.clipboard.to-viewer: false} keeps
 * it from every viewer while the desktop goes on updating.
 */
@Timeout(120)
class ClipboardToViewerTest {
  @TempDir static Path open;
  @TempDir static Path closed;
  static XvncServer xvnc;
  static GatewayHarness allowing;
  static GatewayHarness denying;

  @BeforeAll
  static void start() throws Exception {
    xvnc = XvncServer.builder().geometry(160, 100).start();
    String target = GatewayHarness.target("desk", xvnc.port(), null);
    allowing = new GatewayHarness(open, target, null);
    denying = new GatewayHarness(closed, target, "limits:\n  clipboard: {to-viewer: false}\n");
  }

  @AfterAll
  static void stop() throws Exception {
    if (allowing != null) allowing.close();
    if (denying != null) denying.close();
    if (xvnc != null) xvnc.close();
  }

  @Test
  void theDesktopsClipboardReachesTheViewerByDefault() throws Exception {
    try (WebSocketTcpBridge bridge = allowing.bridge(allowing.ticket("static/desk"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      client.readTimeout(Duration.ofSeconds(20));
      client.handshakeNone();
      client.readFramebufferUpdateRaw(); // the connection is live before the clipboard changes
      xvnc.setClipboard("copied on the desktop");
      assertEquals("copied on the desktop", client.readServerCutText());
    }
  }

  @Test
  void withToViewerOffNoViewerSeesItAndTheDesktopStillUpdates() throws Exception {
    try (WebSocketTcpBridge bridge = denying.bridge(denying.ticket("static/desk"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      client.readTimeout(Duration.ofSeconds(20));
      client.handshakeNone();
      client.readFramebufferUpdateRaw();
      xvnc.setClipboard("a secret on the desktop");
      // Xvnc sends it at once; the gateway drops it (the metric below proves it was sent)
      awaitDropCount(1);
      Framebuffer fb = client.readFramebufferUpdateRaw();
      assertEquals(160, fb.width());
      assertEquals(List.of(), client.serverCutTexts(), "no ServerCutText reached the viewer");
      assertFalse(client.isClosedByPeer(Duration.ofMillis(300)), "the connection stays up");
    }
  }

  private static void awaitDropCount(int atLeast) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String metrics = "";
    while (System.nanoTime() < deadline) {
      metrics = denying.get("/metrics", null).body();
      for (String line : metrics.split("\n")) {
        if (line.startsWith("vncgate_dropped_messages_total{") && line.contains("type=\"ServerCutText\"")
            && line.contains("reason=\"policy\"") && Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) >= atLeast) {
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no ServerCutText counted as dropped within 10 s:\n" + metrics);
  }
}
