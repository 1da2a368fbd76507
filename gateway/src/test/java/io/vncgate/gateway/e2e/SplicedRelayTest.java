package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.engine.SplicePipe;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ScriptedRfbServer;
import io.vncgate.testbeds.WebSocketTcpBridge;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay with {@code server.zero-copy: always}: large payloads go from the target's socket to
 * the viewer's through a kernel pipe, never read by the gateway, while the RFB framer keeps count
 * of them. Every byte arrives in order on both fronts (on the WebSocket front each splice is one
 * binary frame), the messages between spliced payloads are still judged (a dropped ServerCutText
 * stays dropped), a viewer that reads nothing stops the target instead of filling memory, and the
 * splicing shows in the metrics ({@code never} splices nothing). LargeUpdatesTest runs the
 * payload cases (updates in order, a target pausing mid-payload) both ways.
 */
@Timeout(120)
class SplicedRelayTest {
  private static final int PIXEL_BYTES = 1920 * 1080 * 4;
  private static final byte[] BELL = {2};
  private static final Pattern SPLICED = Pattern.compile("(?m)^vncgate_spliced_bytes_total (\\S+)$");
  private static final Pattern TO_VIEWER = Pattern.compile("(?m)^vncgate_relayed_bytes_total\\{direction=\"to_viewer\"} (\\S+)$");

  @TempDir Path dir;

  private GatewayHarness gateway(int targetPort, String mode, String extraYaml) throws Exception {
    assertTrue(SplicePipe.available(), "splicing needs Netty's epoll transport and JNA, both of which load on Linux");
    return LargeUpdatesTest.gateway(dir, targetPort, mode, extraYaml);
  }

  @Test
  void tcpFrontUpdatesArriveWholeAndInOrderMostlySpliced() throws Exception {
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(1920, 1080, "big").start();
         GatewayHarness gw = gateway(desktop.port(), "always", null);
         RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      viewer.handshakeVncAuth(gw.ticket("static/d"));
      LargeUpdatesTest.assertUpdatesAndBellsArrive(desktop, viewer);
      assertMostlySpliced(gw);
    }
  }

  @Test
  void webSocketFrontUpdatesArriveWholeAndInOrderMostlySpliced() throws Exception {
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(1920, 1080, "big").start();
         GatewayHarness gw = gateway(desktop.port(), "always", null);
         WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/d"));
         RfbTestClient viewer = RfbTestClient.over(new Socket("127.0.0.1", bridge.port()))) {
      viewer.handshakeNone();
      LargeUpdatesTest.assertUpdatesAndBellsArrive(desktop, viewer);
      assertMostlySpliced(gw);
    }
  }

  @Test
  void neverSplicesAndRelaysTheSame() throws Exception {
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(1920, 1080, "big").start();
         GatewayHarness gw = gateway(desktop.port(), "never", null);
         RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      viewer.handshakeVncAuth(gw.ticket("static/d"));
      LargeUpdatesTest.assertUpdatesAndBellsArrive(desktop, viewer);
      String metrics = gw.get("/metrics", null).body();
      assertEquals(0.0, value(SPLICED, metrics), metrics);
      assertTrue(value(TO_VIEWER, metrics) > 4.0 * PIXEL_BYTES, metrics);
    }
  }

  @Test
  void aDroppedServerCutTextBetweenSplicedUpdatesStaysDropped() throws Exception {
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(1920, 1080, "clip").start();
         GatewayHarness gw = gateway(desktop.port(), "always", "limits:\n  clipboard: {to-viewer: false}\n");
         RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      viewer.handshakeVncAuth(gw.ticket("static/d"));
      ScriptedRfbServer.Connection server = desktop.awaitConnections(1, Duration.ofSeconds(10)).get(0);
      byte[] first = LargeUpdatesTest.update(5);
      byte[] second = LargeUpdatesTest.update(6);
      CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
        server.send(first);
        server.sendServerCutText("secret from the target");
        server.send(second);
        server.send(BELL);
      });
      assertArrayEquals(first, viewer.readExactly(first.length));
      // the cut text is left out: the next byte is the second update's type
      assertArrayEquals(second, viewer.readExactly(second.length), "the update after the dropped cut text");
      assertEquals(2, viewer.readU8(), "the Bell after it");
      sending.get(30, TimeUnit.SECONDS);
      assertMostlySpliced(gw);
    }
  }

  /**
   * 24 full-screen updates (about 200 MB) to a viewer that reads nothing for 2 s: what the target
   * got rid of meanwhile is bounded by socket buffers and the pipe, not by the 200 MB; then the
   * viewer reads and everything arrives, in order.
   */
  @Test
  void aViewerThatReadsNothingStopsTheTarget() throws Exception {
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(1920, 1080, "slow").start();
         GatewayHarness gw = gateway(desktop.port(), "always", null);
         RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      viewer.handshakeVncAuth(gw.ticket("static/d"));
      ScriptedRfbServer.Connection server = desktop.awaitConnections(1, Duration.ofSeconds(10)).get(0);
      byte[] update = LargeUpdatesTest.update(9);
      int count = 24;
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
      sending.get(30, TimeUnit.SECONDS);
      assertTrue(whileStalled < 6L * update.length,
          "the target could send " + whileStalled + " bytes to a viewer that read nothing");
    }
  }

  /** Most bytes relayed to the viewer so far were spliced (all but headers, Bells and lead reads). */
  private static void assertMostlySpliced(GatewayHarness gw) throws Exception {
    String metrics = gw.get("/metrics", null).body();
    double spliced = value(SPLICED, metrics);
    double toViewer = value(TO_VIEWER, metrics);
    assertTrue(toViewer > 2.0 * PIXEL_BYTES, metrics);
    assertTrue(spliced > 0.9 * toViewer, "spliced " + spliced + " of " + toViewer + " bytes to the viewer");
  }

  private static double value(Pattern p, String metrics) {
    Matcher m = p.matcher(metrics);
    if (!m.find()) throw new AssertionError("no " + p + " in\n" + metrics);
    return Double.parseDouble(m.group(1));
  }
}
