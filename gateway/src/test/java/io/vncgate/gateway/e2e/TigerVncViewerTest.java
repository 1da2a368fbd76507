package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.testbeds.TigerVncViewer;
import io.vncgate.testbeds.XvncServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TigerVNC's unmodified viewer on the TCP front, the ticket as its password, against a real Xvnc
 * that keeps repainting: Tight with continuous updates, fences, the extended clipboard, and a
 * pixel-format switch in mid-session (it starts at 8 bpp and moves to full colour once it has
 * measured the link, synchronised by a fence) — all of which the gateway follows message by
 * message on the way back. A framer that missed the switch fails here; updates still in flight in
 * the old format at the fence are covered by ServerMessageFramerTest.
 */
@Timeout(90)
class TigerVncViewerTest {
  @TempDir static Path dir;
  static XvncServer target;
  static XvncServer screen;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    TigerVncViewer.require();
    target = XvncServer.builder().geometry(640, 480).start();
    screen = XvncServer.builder().geometry(1024, 768).start(); // the viewer's own display
    gw = new GatewayHarness(dir, GatewayHarness.target("desk", target.port(), null), null);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (screen != null) screen.close();
    if (target != null) target.close();
  }

  @Test
  void tigervncViewerStaysConnectedThroughAPixelFormatSwitchAndRepaints() throws Exception {
    try (TigerVncViewer viewer = TigerVncViewer.start(screen, "127.0.0.1", gw.tcpPort(), gw.ticket("static/desk"),
        "-FullColor=0", "-LowColorLevel=0")) {
      viewer.awaitLog("Using pixel format depth 3 (8bpp)", Duration.ofSeconds(20));
      viewer.awaitLog("Enabling continuous updates", Duration.ofSeconds(20));
      // the viewer measures its throughput on updates: keep the desktop changing until it switches
      for (int i = 0; i < 100 && viewer.isAlive() && !viewer.log().contains("Using pixel format depth 24 (32bpp)"); i++) {
        repaint(i);
      }
      viewer.awaitLog("Using pixel format depth 24 (32bpp)", Duration.ofSeconds(5));
      for (int i = 0; i < 6; i++) repaint(i); // updates in the new format after the switch
      assertTrue(viewer.isAlive(), "the viewer is still connected:\n" + viewer.log());
      assertFalse(viewer.log().contains("CConn:       End of stream"), viewer.log());
      String metrics = gw.get("/metrics", null).body();
      assertTrue(metrics.contains("vncgate_viewers{role=\"control\"} 1.0"), "the gateway still relays it:\n" + metrics);
    }
  }

  private static void repaint(int i) throws Exception {
    target.runOnDisplay("xsetroot", "-mod", String.valueOf(2 + i % 7), String.valueOf(3 + i % 5),
        "-fg", i % 2 == 0 ? "#cc3311" : "#11aa44", "-bg", "#2233cc").waitFor(5, TimeUnit.SECONDS);
    Thread.sleep(200);
  }
}
