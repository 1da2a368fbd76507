package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.transport.SplicePipe;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ScriptedRfbServer;
import io.vncgate.testbeds.WebSocketTcpBridge;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
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
 * stays dropped), a target that pauses mid-payload is relayed as far as it got, a viewer that reads
 * nothing stops the target instead of filling memory, and the splicing shows in the metrics.
 * ({@code never} is the same relay reading every byte: LargeUpdatesTest and the rest run with the
 * default, which on a machine with {@code bbr} reads too, so {@link #neverSplicesAndRelaysTheSame}
 * pins that down.)
 */
@Timeout(120)
class SplicedRelayTest {
  private static final int W = 1920;
  private static final int H = 1080;
  private static final int PIXEL_BYTES = W * H * 4;
  private static final byte[] BELL = {2};
  private static final Pattern SPLICED = Pattern.compile("(?m)^vncgate_spliced_bytes_total (\\S+)$");
  private static final Pattern TO_VIEWER = Pattern.compile("(?m)^vncgate_relayed_bytes_total\\{direction=\"to_viewer\"} (\\S+)$");

  @TempDir Path dir;

  /** FramebufferUpdate, one Raw rectangle of the whole screen, patterned by {@code seed}. */
  private static byte[] update(int seed) {
    ByteBuffer b = ByteBuffer.allocate(16 + PIXEL_BYTES);
    b.put((byte) 0).put((byte) 0).putShort((short) 1);
    b.putShort((short) 0).putShort((short) 0).putShort((short) W).putShort((short) H).putInt(0);
    for (int i = 0; i < PIXEL_BYTES; i++) b.put((byte) (i * 31 + (i >>> 9) + seed));
    return b.array();
  }

  private GatewayHarness gateway(int targetPort, String mode, String extraYaml) throws Exception {
    assertTrue(SplicePipe.available(), "splicing needs Netty's epoll transport and JNA, both of which load on Linux");
    return new GatewayHarness(dir, GatewayHarness.target("d", targetPort, null), extraYaml, "10s", "",
        "  zero-copy: " + mode + "\n");
  }

  @Test
  void tcpFrontUpdatesArriveWholeAndInOrderMostlySpliced() throws Exception {
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(W, H, "big").start();
         GatewayHarness gw = gateway(desktop.port(), "always", null);
         RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      viewer.handshakeVncAuth(gw.ticket("static/d"));
      assertUpdatesAndBellsArrive(desktop, viewer);
      assertMostlySpliced(gw);
    }
  }

  @Test
  void webSocketFrontUpdatesArriveWholeAndInOrderMostlySpliced() throws Exception {
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(W, H, "big").start();
         GatewayHarness gw = gateway(desktop.port(), "always", null);
         WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/d"));
         RfbTestClient viewer = RfbTestClient.over(new Socket("127.0.0.1", bridge.port()))) {
      viewer.handshakeNone();
      assertUpdatesAndBellsArrive(desktop, viewer);
      assertMostlySpliced(gw);
    }
  }

  @Test
  void neverSplicesAndRelaysTheSame() throws Exception {
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(W, H, "big").start();
         GatewayHarness gw = gateway(desktop.port(), "never", null);
         RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      viewer.handshakeVncAuth(gw.ticket("static/d"));
      assertUpdatesAndBellsArrive(desktop, viewer);
      String metrics = gw.get("/metrics", null).body();
      assertEquals(0.0, value(SPLICED, metrics), metrics);
      assertTrue(value(TO_VIEWER, metrics) > 4.0 * PIXEL_BYTES, metrics);
    }
  }

  @Test
  void aDroppedServerCutTextBetweenSplicedUpdatesStaysDropped() throws Exception {
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(W, H, "clip").start();
         GatewayHarness gw = gateway(desktop.port(), "always", "limits:\n  clipboard: {to-viewer: false}\n");
         RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      viewer.handshakeVncAuth(gw.ticket("static/d"));
      ScriptedRfbServer.Connection server = desktop.awaitConnections(1, Duration.ofSeconds(10)).get(0);
      byte[] first = update(5);
      byte[] second = update(6);
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

  @Test
  void aTargetPausingMidPayloadIsRelayedAsFarAsItGot() throws Exception {
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(W, H, "pausing").start();
         GatewayHarness gw = gateway(desktop.port(), "always", null);
         RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      viewer.handshakeVncAuth(gw.ticket("static/d"));
      ScriptedRfbServer.Connection server = desktop.awaitConnections(1, Duration.ofSeconds(10)).get(0);
      byte[] update = update(7);
      // the server waits at each point until the viewer has all sent so far: a relay that waited
      // for more (a splice or a read held back for a fuller pipe) would never be sent more
      int[] pauses = {16 + 100, 16 + 3 * 1024 * 1024, 16 + 3 * 1024 * 1024 + 70_001, update.length - 1, update.length};
      CountDownLatch[] received = new CountDownLatch[pauses.length];
      for (int i = 0; i < pauses.length; i++) received[i] = new CountDownLatch(1);
      CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
        int from = 0;
        for (int i = 0; i < pauses.length; i++) {
          server.send(Arrays.copyOfRange(update, from, pauses[i]));
          from = pauses[i];
          try {
            if (!received[i].await(30, TimeUnit.SECONDS)) throw new IllegalStateException("the viewer did not get up to " + from);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        server.send(BELL);
      });
      int from = 0;
      for (int i = 0; i < pauses.length; i++) {
        assertArrayEquals(Arrays.copyOfRange(update, from, pauses[i]), viewer.readExactly(pauses[i] - from), "up to " + pauses[i]);
        from = pauses[i];
        received[i].countDown();
      }
      assertEquals(2, viewer.readU8(), "the Bell after the update");
      sending.get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * 24 full-screen updates (about 200 MB) to a viewer that reads nothing for 2 s: what the target
   * got rid of meanwhile is bounded by socket buffers and the pipe, not by the 200 MB; then the
   * viewer reads and everything arrives, in order.
   */
  @Test
  void aViewerThatReadsNothingStopsTheTarget() throws Exception {
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(W, H, "slow").start();
         GatewayHarness gw = gateway(desktop.port(), "always", null);
         RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      viewer.handshakeVncAuth(gw.ticket("static/d"));
      ScriptedRfbServer.Connection server = desktop.awaitConnections(1, Duration.ofSeconds(10)).get(0);
      byte[] update = update(9);
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

  /** Four full-screen updates, each followed by a Bell; the viewer gets every byte in order. */
  private static void assertUpdatesAndBellsArrive(ScriptedRfbServer desktop, RfbTestClient viewer) throws Exception {
    ScriptedRfbServer.Connection server = desktop.awaitConnections(1, Duration.ofSeconds(10)).get(0);
    byte[][] updates = {update(1), update(2), update(3), update(4)};
    CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
      for (byte[] u : updates) {
        server.send(u);
        server.send(BELL);
      }
    });
    for (byte[] u : updates) {
      assertArrayEquals(u, viewer.readExactly(u.length));
      assertEquals(2, viewer.readU8(), "the Bell after the update");
    }
    sending.get(30, TimeUnit.SECONDS);
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
