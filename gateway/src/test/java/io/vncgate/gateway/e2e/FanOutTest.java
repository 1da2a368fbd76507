package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.auth.Role;
import io.vncgate.testbeds.Framebuffer;
import io.vncgate.testbeds.PixelFormat;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.TigerVncViewer;
import io.vncgate.testbeds.WebSocketClose;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fan-out against real servers (docs/fan-out.md): static Xvnc targets configured {@code fan-out},
 * viewers on both fronts (the testbeds' RFB clients, TigerVNC's viewer). The target's own log
 * counts its connections ("Connections: accepted"), and the gateway's metrics count the upstreams
 * its fan-out sessions opened.
 */
@Timeout(180)
class FanOutTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** R3G3B2, 8 bits per pixel: colours of full or no intensity survive it exactly. */
  private static final PixelFormat BGR233 = new PixelFormat(8, 8, false, true, 7, 7, 3, 5, 2, 0);

  @TempDir static Path dir;
  static XvncServer shared;
  static XvncServer late;
  static XvncServer keys;
  static XvncServer grace;
  static XvncServer big;
  static XvncServer tiger;
  static XvncServer alone;
  static XvncServer clip;
  static XvncServer near;
  static XvncServer far;
  static XvncServer continuous;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    XvncServer.require();
    shared = counted(XvncServer.builder().geometry(640, 480).start());
    late = counted(XvncServer.builder().geometry(640, 480).start());
    keys = counted(XvncServer.builder().geometry(320, 240).start());
    grace = counted(XvncServer.builder().geometry(320, 240).start());
    big = counted(XvncServer.builder().geometry(1600, 1200).start());
    tiger = counted(XvncServer.builder().geometry(640, 480).start());
    alone = counted(XvncServer.builder().geometry(320, 240).start());
    clip = counted(XvncServer.builder().geometry(160, 100).start());
    near = XvncServer.builder().geometry(160, 100).start();
    far = XvncServer.builder().geometry(160, 100).start();
    continuous = XvncServer.builder().geometry(160, 100).start();
    gw = new GatewayHarness(dir, GatewayHarness.target("shared", shared.port(), null)
        + GatewayHarness.target("late", late.port(), null)
        + GatewayHarness.target("keys", keys.port(), null)
        + GatewayHarness.target("grace", grace.port(), null)
        + GatewayHarness.target("big", big.port(), null)
        + GatewayHarness.target("tiger", tiger.port(), null)
        + GatewayHarness.target("alone", alone.port(), null)
        + GatewayHarness.target("clip", clip.port(), null)
        + GatewayHarness.target("near", near.port(), null)
        + GatewayHarness.target("continuous", continuous.port(), null),
        "sessions:\n  sharing:\n    \"static/alone\": per-viewer\n    \"static/*\": fan-out\n  fan-out-grace: 2s\n"
            + "audit: {file: audit.log}\n");
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    for (XvncServer s : new XvncServer[] {shared, late, keys, grace, big, tiger, alone, clip, near, far, continuous}) {
      if (s != null) s.close();
    }
  }

  @Test
  void threeViewersAndAnEightBitOneOnBothFrontsShareOneUpstreamAndAllSeeTheDesktop() throws Exception {
    shared.setRootColor("#ff0000");
    double opened = metric("vncgate_fanout_upstreams_opened_total");
    List<RfbTestClient> viewers = new ArrayList<>();
    try (WebSocketTcpBridge browser = gw.bridge(gw.ticket("static/shared"))) {
      for (int i = 0; i < 3; i++) viewers.add(nativeViewer("static/shared"));
      RfbTestClient ws = RfbTestClient.connect(browser.host(), browser.port()).readTimeout(WAIT);
      ws.handshakeNone();
      viewers.add(ws);
      for (RfbTestClient v : viewers) {
        assertEquals(640, v.serverInit().width());
        assertEquals(0xff0000, v.awaitCentreColour(0xff0000, WAIT), "every viewer sees the desktop");
      }
      RfbTestClient low = nativeViewer("static/shared");
      viewers.add(low);
      assertEquals(0xff0000, centre8(low, 640, 480), "the 8-bpp viewer sees it in its own format");
      shared.setRootColor("#00ff00");
      assertEquals(0x00ff00, viewers.get(0).awaitCentreColour(0x00ff00, WAIT));
      assertEquals(0x00ff00, awaitCentre8(low, 640, 480, 0x00ff00), "…and follows a change beside the 32-bpp ones");
      assertEquals(0x00ff00, ws.awaitCentreColour(0x00ff00, WAIT));

      assertEquals(1, upstreams(shared), "five viewers, one connection to the target:\n"
          + shared.logTail());
      assertEquals(opened + 1, metric("vncgate_fanout_upstreams_opened_total"));
      assertTrue(metric("vncgate_fanout_viewers") >= 5, gw.metrics());
    } finally {
      for (RfbTestClient v : viewers) v.close();
    }
  }

  @Test
  void aLateJoinerGetsTheWholeCurrentDesktopInItsFirstUpdate() throws Exception {
    late.setRootColor("#0000ff");
    try (RfbTestClient first = nativeViewer("static/late")) {
      assertEquals(0x0000ff, first.awaitCentreColour(0x0000ff, WAIT));
      late.setRootColor("#ffff00");
      assertEquals(0xffff00, first.awaitCentreColour(0xffff00, WAIT));
      long started = System.nanoTime();
      try (RfbTestClient joiner = nativeViewer("static/late")) {
        Framebuffer fb = joiner.readFramebufferUpdateRaw();
        long ms = (System.nanoTime() - started) / 1_000_000;
        for (int y = 0; y < 480; y += 7) {
          for (int x = 0; x < 640; x += 7) {
            assertTrue(fb.covered(x, y), "the first update covers the whole desktop; not (" + x + "," + y + ")");
            assertEquals(0xffff00, fb.rgb(x, y), "the current picture at (" + x + "," + y + ")");
          }
        }
        System.out.println("late joiner: ticket, handshake and whole desktop in " + ms + " ms");
      }
      assertEquals(1, upstreams(late), late.logTail());
    }
  }

  @Test
  void tigerVncViewerAtEightBitsBesideATrueColourViewer() throws Exception {
    TigerVncViewer.require();
    tiger.setRootColor("#ff00ff");
    try (XvncServer screen = XvncServer.builder().geometry(1024, 768).start();
        RfbTestClient full = nativeViewer("static/tiger");
        TigerVncViewer viewer = TigerVncViewer.start(screen, "127.0.0.1", gw.tcpPort(), gw.ticket("static/tiger"),
            "-FullColor=0", "-LowColorLevel=0", "-AutoSelect=0")) {
      viewer.awaitLog("Using pixel format depth 3 (8bpp)", Duration.ofSeconds(20));
      for (String colour : new String[] {"#00ffff", "#ffffff", "#ff0000"}) {
        tiger.setRootColor(colour);
        int rgb = Integer.parseInt(colour.substring(1), 16);
        assertEquals(rgb, full.awaitCentreColour(rgb, WAIT));
      }
      Thread.sleep(500);
      assertTrue(viewer.isAlive(), "the viewer is still connected:\n" + viewer.log());
      assertFalse(viewer.log().contains("End of stream"), viewer.log());
      // the viewer's own window shows the target's desktop: read it back from its display
      assertEquals(0xff0000, readWindow(screen), "TigerVNC's window shows the desktop\n" + viewer.log());
      assertEquals(1, upstreams(tiger), tiger.logTail());
    }
  }

  @Test
  void observersKeysNeverReachTheTargetWhileTheControllersDo() throws Exception {
    try (RfbTestClient controller = nativeViewer("static/keys");
        RfbTestClient observer = viewer("static/keys", gw.token("bob", "**", Role.VIEW), "view")) {
      controller.readFramebufferUpdateRaw();
      observer.readFramebufferUpdateRaw();
      assertFalse(keys.capsLockOn());
      observer.sendKeyEvent(true, 0xFFE5); // Caps_Lock
      observer.sendKeyEvent(false, 0xFFE5);
      observer.sendPointerEvent(0, 17, 19);
      observer.readFramebufferUpdateRaw(); // the observer's messages were handled before this answer
      Thread.sleep(300);
      assertFalse(keys.capsLockOn(), "the observer's Caps Lock never reached the X server");
      assertFalse(keys.pointer().equals("x:17 y:19"), keys.pointer());
      controller.sendKeyEvent(true, 0xFFE5);
      controller.sendKeyEvent(false, 0xFFE5);
      controller.sendPointerEvent(0, 101, 71);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!keys.capsLockOn() && System.nanoTime() < deadline) Thread.sleep(50);
      assertTrue(keys.capsLockOn(), "the controller's Caps Lock reached the X server");
      assertEquals("x:101 y:71", keys.pointer());
      assertEquals(1, upstreams(keys), keys.logTail());
    }
  }

  @Test
  void theDesktopsClipboardReachesEveryViewer() throws Exception {
    try (RfbTestClient a = nativeViewer("static/clip"); RfbTestClient b = nativeViewer("static/clip")) {
      a.readFramebufferUpdateRaw(); // both are in the session before the clipboard changes
      b.readFramebufferUpdateRaw();
      clip.setClipboard("copied on the shared desktop");
      assertEquals("copied on the shared desktop", a.readServerCutText());
      assertEquals("copied on the shared desktop", b.readServerCutText());
      assertEquals(1, upstreams(clip), clip.logTail());
    }
  }

  /**
   * A clipboard past {@code limits.clipboard.max-bytes} (set with xclip on the Xvnc desktop) is
   * skipped and counted as dropped for each viewer (reason size, as the per-viewer relay counts
   * it); the session stays: the same upstream, the desktop still updating, a small clipboard
   * after it still arriving.
   */
  @Test
  void aClipboardPastTheCapIsDroppedAndCountedWhileTheSessionGoesOn() throws Exception {
    Files.createDirectories(dir.resolve("bigclip"));
    try (XvncServer target = counted(XvncServer.builder().geometry(320, 240).start());
        GatewayHarness own = new GatewayHarness(dir.resolve("bigclip"), GatewayHarness.target("desk", target.port(), null),
            "sessions:\n  sharing: {\"**\": fan-out}\nlimits:\n  clipboard: {max-bytes: 1000}\n")) {
      target.setRootColor("#ff0000");
      List<RfbTestClient> viewers = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          RfbTestClient v = RfbTestClient.connect("127.0.0.1", own.tcpPort()).readTimeout(WAIT);
          v.handshakeVncAuth(own.ticket("static/desk"));
          viewers.add(v);
          assertEquals(0xff0000, v.awaitCentreColour(0xff0000, WAIT), "both are in the session");
        }
        target.setClipboard("x".repeat(50_000));
        awaitDropped(own, "size", 2);
        target.setRootColor("#0000ff");
        for (RfbTestClient v : viewers) {
          assertEquals(0x0000ff, v.awaitCentreColour(0x0000ff, WAIT), "the desktop still updates");
        }
        target.setClipboard("small enough");
        for (RfbTestClient v : viewers) {
          assertEquals("small enough", v.readServerCutText(), "a clipboard under the cap still arrives");
          assertFalse(v.isClosedByPeer(Duration.ofMillis(200)), "the viewer's connection stays up");
        }
        assertTrue(viewers.stream().allMatch(v -> v.serverCutTexts().stream().noneMatch(t -> t.length() > 1000)),
            "no viewer got the big clipboard");
        assertEquals(1, upstreams(target), "the same upstream all along:\n" + target.logTail());
      } finally {
        for (RfbTestClient v : viewers) v.close();
      }
    }
  }

  /** Waits until the gateway counted at least {@code atLeast} ServerCutText dropped for {@code reason}. */
  private static void awaitDropped(GatewayHarness own, String reason, int atLeast) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String metrics = "";
    while (System.nanoTime() < deadline) {
      metrics = own.metrics();
      for (String line : metrics.split("\n")) {
        if (line.startsWith("vncgate_dropped_messages_total{") && line.contains("type=\"ServerCutText\"")
            && line.contains("reason=\"" + reason + "\"")
            && Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) >= atLeast) {
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no " + atLeast + " ServerCutText counted as dropped (" + reason + ") within " + WAIT + ":\n"
        + metrics);
  }

  @Test
  void theLastViewersGraceKeepsTheUpstreamForAReconnectAndThenClosesIt() throws Exception {
    try (RfbTestClient first = nativeViewer("static/grace")) {
      first.readFramebufferUpdateRaw();
    }
    Thread.sleep(500); // well within the 2 s grace
    try (RfbTestClient again = nativeViewer("static/grace")) {
      again.readFramebufferUpdateRaw();
      assertEquals(1, upstreams(grace), "the reload joined the open upstream:\n" + grace.logTail());
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
    while (closed(grace) == 0 && System.nanoTime() < deadline) Thread.sleep(100);
    assertEquals(1, closed(grace), "after the grace the upstream is closed:\n" + grace.logTail());
    try (RfbTestClient later = nativeViewer("static/grace")) {
      later.readFramebufferUpdateRaw();
      assertEquals(2, upstreams(grace), "a viewer after the grace opens a new one");
    }
  }

  @Test
  void aTargetOnThisHostIsAskedForHextileAndTheSettingKeepsZrleForAFarOne() throws Exception {
    // full-colour pixels on both desktops: a server sends them in the encoding listed first (Xvnc
    // keeps ZRLE, when listed, for flat and few-colour areas)
    paintNoise(near);
    paintNoise(far);
    // this gateway's setting is auto, and the target's round trip (this host) is far under 2 ms
    double hextile0 = metric(RECTANGLES + "{encoding=\"hextile\"}");
    try (RfbTestClient v = nativeViewer("static/near")) {
      awaitNoise(v);
      assertTrue(metric(RECTANGLES + "{encoding=\"hextile\"}") > hextile0, gw.metrics());
    }
    // the setting overrides auto: ZRLE first, as for a target over a WAN or an SSH route
    try (GatewayHarness zrle = new GatewayHarness(Files.createDirectories(dir.resolve("zrle")),
        GatewayHarness.target("far", far.port(), null),
        "sessions:\n  sharing: {\"static/*\": fan-out}\n  fan-out-upstream-encoding: zrle\n");
        RfbTestClient v = RfbTestClient.connect("127.0.0.1", zrle.tcpPort()).readTimeout(WAIT)) {
      v.handshakeVncAuth(zrle.ticket("static/far"));
      awaitNoise(v);
      String metrics = zrle.metrics();
      assertTrue(metricIn(metrics, RECTANGLES + "{encoding=\"zrle\"}") > 0, metrics);
      assertEquals(0, metricIn(metrics, RECTANGLES + "{encoding=\"hextile\"}"), metrics);
    }
  }

  @Test
  void aViewerWithContinuousUpdatesOnGetsEveryChangeUnaskedUntilItTurnsThemOff() throws Exception {
    continuous.setRootColor("#ff0000");
    try (RfbTestClient v = nativeViewer("static/continuous"); RfbTestClient asking = nativeViewer("static/continuous")) {
      v.sendSetPixelFormat(PixelFormat.RGB888_LE);
      v.sendSetEncodings(0, CONTINUOUS_UPDATES);
      assertEquals(END_OF_CONTINUOUS_UPDATES, v.readU8(), "listing them, the viewer is told the session serves them");
      v.sendFramebufferUpdateRequest(false, 0, 0, 160, 100);
      assertEquals(0xff0000, awaitCentre32(v, 0xff0000));
      v.send(enableContinuousUpdates(true));
      // from here on the viewer sends no request: each change comes as it happens
      for (String colour : new String[] {"#00ff00", "#0000ff", "#ffffff"}) {
        int rgb = Integer.parseInt(colour.substring(1), 16);
        continuous.setRootColor(colour);
        assertEquals(rgb, awaitCentre32(v, rgb), "unasked update with " + colour);
      }
      v.send(enableContinuousUpdates(false));
      int type;
      while ((type = nextMessage(v)[0]) != END_OF_CONTINUOUS_UPDATES) {
        assertEquals(0, type, "only updates before the end of continuous updates");
      }
      // off: a change the session has (another viewer sees it) is not sent until asked for
      continuous.setRootColor("#ffff00");
      assertEquals(0xffff00, asking.awaitCentreColour(0xffff00, WAIT));
      v.readTimeout(Duration.ofMillis(700));
      assertThrows(SocketTimeoutException.class, v::readU8, "nothing comes unasked once they are off");
      v.readTimeout(WAIT);
      v.sendFramebufferUpdateRequest(true, 0, 0, 160, 100);
      assertEquals(0xffff00, awaitCentre32(v, 0xffff00), "asked for, the change comes");
    }
  }

  @Test
  void aViewerTurningOnContinuousUpdatesItDidNotListIsEndedWithTheReason() throws Exception {
    try (RfbTestClient v = nativeViewer("static/continuous")) {
      v.sendSetEncodings(0);
      v.send(enableContinuousUpdates(true));
      assertTrue(v.isClosedByPeer(WAIT), "ended");
    }
    Path audit = dir.resolve("audit.log");
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<String> lines;
    do {
      lines = Files.readAllLines(audit);
    } while (lines.stream().noneMatch(l -> l.contains("without listing them (pseudo-encoding -313)")) && System.nanoTime() < deadline);
    assertTrue(lines.stream().anyMatch(l -> l.contains("\"outcome\":\"viewer-protocol\"")
        && l.contains("turned on continuous updates without listing them (pseudo-encoding -313)")), lines.toString());
  }

  private static final int CONTINUOUS_UPDATES = -313;
  private static final int END_OF_CONTINUOUS_UPDATES = 150;

  /** EnableContinuousUpdates for the whole (160x100) desktop. */
  private static byte[] enableContinuousUpdates(boolean on) {
    return new byte[] {(byte) 150, (byte) (on ? 1 : 0), 0, 0, 0, 0, 0, (byte) 160, 0, 100};
  }

  /** Reads server messages until an update shows {@code rgb} at the centre of the 160x100 desktop; the last colour seen. */
  private static int awaitCentre32(RfbTestClient c, int rgb) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    int seen = -1;
    while (seen != rgb && System.nanoTime() < deadline) {
      int[] m = nextMessage(c);
      if (m[0] == 0 && m[1] >= 0) seen = m[1];
    }
    return seen;
  }

  /**
   * The next server message at 32 bpp, Raw: its type and, for an update covering the centre of the
   * 160x100 desktop, the centre's colour (else -1).
   */
  private static int[] nextMessage(RfbTestClient c) throws Exception {
    int type = c.readU8();
    if (type == END_OF_CONTINUOUS_UPDATES || type == 2) return new int[] {type, -1};
    if (type != 0) throw new AssertionError("unexpected message type " + type);
    return new int[] {0, rawUpdateCentre(c, PixelFormat.RGB888_LE, 160, 100)};
  }

  /** Random pixels over the whole (160x100) desktop, once they show in a direct connection's picture. */
  private static void paintNoise(XvncServer server) throws Exception {
    server.runOnDisplay("java", "-cp",
        System.getProperty("java.class.path"), NoisePainter.class.getName(), "160", "100");
    try (RfbTestClient direct = RfbTestClient.connect("127.0.0.1", server.port()).readTimeout(WAIT)) {
      direct.handshakeNone();
      awaitNoise(direct);
    }
  }

  /** Reads whole pictures until one is noise (more than 256 colours). */
  private static void awaitNoise(RfbTestClient viewer) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Framebuffer picture = viewer.readFramebufferUpdateRaw();
      Set<Integer> colours = new HashSet<>();
      for (int y = 0; y < 100; y++) {
        for (int x = 0; x < 160; x++) colours.add(picture.rgb(x, y));
      }
      if (colours.size() > 256) return;
      if (System.nanoTime() > deadline) throw new AssertionError("no noise in the picture, " + colours.size() + " colours");
      Thread.sleep(100);
    }
  }

  private static final String RECTANGLES = "vncgate_fanout_upstream_rectangles_total";

  @Test
  void perViewerTargetsKeepOneUpstreamPerViewer() throws Exception {
    try (RfbTestClient a = nativeViewer("static/alone"); RfbTestClient b = nativeViewer("static/alone")) {
      a.readFramebufferUpdateRaw(0, 0, 64, 64);
      b.readFramebufferUpdateRaw(0, 0, 64, 64);
      assertEquals(2, upstreams(alone), alone.logTail());
    }
  }

  @Test
  void aStalledViewerFallsBehindOnlyItselfAndThenCatchesUpWithTheCurrentPicture() throws Exception {
    big.setRootColor("#ff0000");
    try (RfbTestClient active = nativeViewer("static/big")) {
      assertEquals(0xff0000, active.awaitCentreColour(0xff0000, WAIT));
      // a viewer whose socket takes almost nothing, and which stops reading after its first picture
      Socket socket = new Socket();
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", gw.tcpPort()));
      try (RfbTestClient stalled = RfbTestClient.over(socket)) {
        stalled.readTimeout(Duration.ofSeconds(20));
        stalled.handshakeVncAuth(gw.ticket("static/big"));
        assertEquals(0xff0000, stalled.readFramebufferUpdateRaw().rgb(800, 600));
        stalled.sendFramebufferUpdateRequest(false, 0, 0, 1600, 1200); // 7.7 MB of Raw it will not read
        stalled.sendFramebufferUpdateRequest(false, 0, 0, 1600, 1200);
        String[] colours = {"#00ff00", "#0000ff", "#ffff00", "#00ffff", "#ff00ff", "#ffffff"};
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int seen = 0;
        for (int i = 0; System.nanoTime() < until; i++) {
          String colour = colours[i % colours.length];
          big.setRootColor(colour);
          int rgb = Integer.parseInt(colour.substring(1), 16);
          assertEquals(rgb, active.awaitCentreColour(rgb, WAIT), "the other viewer keeps getting updates");
          seen++;
          Thread.sleep(1000);
        }
        assertTrue(seen >= 10, "updates seen while the other stalled: " + seen);
        big.setRootColor("#808080");
        assertEquals(0x808080, active.awaitCentreColour(0x808080, WAIT));
        // it reads again: what was on its way is stale, then it gets the current picture, not a queue
        int reads = 0;
        int centre;
        do {
          centre = stalled.readFramebufferUpdateRaw().rgb(800, 600);
          reads++;
        } while (centre != 0x808080 && reads < 4);
        assertEquals(0x808080, centre, "the resumed viewer gets the current picture");
        assertTrue(reads <= 3, "at most the update in flight and its pending request came first: " + reads);
        assertEquals(1, upstreams(big), big.logTail());
      }
    }
  }

  @Test
  void aViewerStalledPastTheBoundIsCutOffWithTheReasonWhileTheOtherStays() throws Exception {
    Files.createDirectories(dir.resolve("strict"));
    try (XvncServer target = XvncServer.builder().geometry(1600, 1200).start();
        GatewayHarness strict = new GatewayHarness(dir.resolve("strict"), GatewayHarness.target("desk", target.port(), null),
            "sessions:\n  sharing: {\"**\": fan-out}\n  fan-out-stall-timeout: 2s\naudit: {file: audit.log}\n");
        RfbTestClient active = RfbTestClient.connect("127.0.0.1", strict.tcpPort()).readTimeout(WAIT)) {
      active.handshakeVncAuth(strict.ticket("static/desk"));
      active.readFramebufferUpdateRaw(0, 0, 16, 16);
      Socket socket = new Socket();
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", strict.tcpPort()));
      try (RfbTestClient stalled = RfbTestClient.over(socket)) {
        stalled.handshakeVncAuth(strict.ticket("static/desk"));
        stalled.sendSetEncodings(0);
        stalled.sendFramebufferUpdateRequest(false, 0, 0, 1600, 1200); // never read
        Thread.sleep(5000);
        Path audit = dir.resolve("strict").resolve("audit.log");
        List<String> lines = Files.readAllLines(audit);
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"outcome\":\"viewer-stalled\"")
            && l.contains("took no screen update for 2 s (sessions.fan-out-stall-timeout)")), lines.toString());
        target.setRootColor("#00ff00");
        assertEquals(0x00ff00, active.awaitCentreColour(0x00ff00, WAIT), "the other viewer stays");
      }
    }
  }

  @Test
  void theTargetKilledMidSessionEndsEveryViewerWithTheReason() throws Exception {
    Files.createDirectories(dir.resolve("killed"));
    try (XvncServer target = counted(XvncServer.builder().geometry(320, 240).start());
        GatewayHarness own = new GatewayHarness(dir.resolve("killed"), GatewayHarness.target("desk", target.port(), null),
            "sessions:\n  sharing: {\"**\": fan-out}\naudit: {file: audit.log}\n")) {
      List<WebSocketTcpBridge> bridges = new ArrayList<>();
      List<RfbTestClient> viewers = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          WebSocketTcpBridge b = own.bridge(own.ticket("static/desk"));
          bridges.add(b);
          RfbTestClient v = RfbTestClient.connect(b.host(), b.port()).readTimeout(WAIT);
          v.handshakeNone();
          viewers.add(v);
        }
        RfbTestClient nativeOne = RfbTestClient.connect("127.0.0.1", own.tcpPort()).readTimeout(WAIT);
        nativeOne.handshakeVncAuth(own.ticket("static/desk"));
        viewers.add(nativeOne);
        for (RfbTestClient v : viewers) v.readFramebufferUpdateRaw(0, 0, 32, 32);
        assertEquals(1, upstreams(target), target.logTail());
        target.kill();
        for (WebSocketTcpBridge b : bridges) {
          WebSocketClose close = b.awaitClose(1, WAIT);
          assertTrue(close.reason().contains("the VNC server closed the connection"), close.toString());
        }
        assertTrue(nativeOne.isClosedByPeer(WAIT), "the native viewer's connection is closed");
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> audit = List.of();
        while (System.nanoTime() < deadline) {
          audit = Files.readAllLines(dir.resolve("killed").resolve("audit.log")).stream()
              .filter(l -> l.contains("\"outcome\":\"target-ended\"")).toList();
          if (audit.size() == 3) break;
          Thread.sleep(100);
        }
        assertEquals(3, audit.size(), "every viewer ended with the target's end: " + audit);
      } finally {
        for (RfbTestClient v : viewers) v.close();
        for (WebSocketTcpBridge b : bridges) b.close();
      }
    }
  }

  /**
   * Connections the gateway made to the target: those its log accepted, less the one the fixture
   * made to see it was up (the count at start).
   */
  private static int upstreams(XvncServer server) {
    return server.logLines("Connections: accepted").size() - BASELINE.getOrDefault(server, 0);
  }

  private static int closed(XvncServer server) {
    return server.logLines("Connections: closed").size() - BASELINE.getOrDefault(server, 0);
  }

  private static final java.util.Map<XvncServer, Integer> BASELINE = new java.util.concurrent.ConcurrentHashMap<>();

  private static XvncServer counted(XvncServer server) {
    BASELINE.put(server, server.logLines("Connections: accepted").size());
    return server;
  }

  private static RfbTestClient nativeViewer(String target) throws Exception {
    RfbTestClient c = RfbTestClient.connect("127.0.0.1", gw.tcpPort()).readTimeout(WAIT);
    c.handshakeVncAuth(gw.ticket(target));
    return c;
  }

  private static RfbTestClient viewer(String target, String token, String role) throws Exception {
    RfbTestClient c = RfbTestClient.connect("127.0.0.1", gw.tcpPort()).readTimeout(WAIT);
    c.handshakeVncAuth(gw.session(token, target, role).getString("ticket"));
    return c;
  }

  private static double metric(String name) throws Exception {
    return metricIn(gw.metrics(), name);
  }

  private static double metricIn(String metrics, String name) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + " ")) return Double.parseDouble(line.substring(name.length() + 1).trim());
    }
    throw new AssertionError("no metric " + name + " in\n" + metrics);
  }

  /** A whole-desktop Raw update at 8 bpp (R3G3B2), and the colour of its centre pixel. */
  private static int centre8(RfbTestClient c, int width, int height) throws Exception {
    c.sendSetPixelFormat(BGR233);
    c.sendSetEncodings(0);
    c.sendFramebufferUpdateRequest(false, 0, 0, width, height);
    int type;
    while ((type = c.readU8()) != 0) {
      if (type != 2) throw new AssertionError("unexpected message type " + type);
    }
    return rawUpdateCentre(c, BGR233, width, height);
  }

  /**
   * The rest of a FramebufferUpdate (its type read) of Raw rectangles in {@code format}: the
   * colour of the desktop's centre pixel, or -1 when no rectangle covers it.
   */
  private static int rawUpdateCentre(RfbTestClient c, PixelFormat format, int width, int height) throws Exception {
    c.readU8();
    byte[] count = c.readExactly(2);
    int rects = (count[0] & 0xFF) << 8 | count[1] & 0xFF;
    int centre = -1;
    int bpp = format.bytesPerPixel();
    for (int i = 0; i < rects; i++) {
      byte[] h = c.readExactly(12);
      int x = u16(h, 0);
      int y = u16(h, 2);
      int w = u16(h, 4);
      int hh = u16(h, 6);
      int encoding = (h[8] & 0xFF) << 24 | (h[9] & 0xFF) << 16 | (h[10] & 0xFF) << 8 | h[11] & 0xFF;
      assertEquals(0, encoding, "Raw, as asked");
      byte[] pixels = c.readExactly(w * hh * bpp);
      int cx = width / 2;
      int cy = height / 2;
      if (cx >= x && cx < x + w && cy >= y && cy < y + hh) centre = format.decode(pixels, bpp * ((cy - y) * w + (cx - x)));
    }
    return centre;
  }

  private static int awaitCentre8(RfbTestClient c, int width, int height, int rgb) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    int seen;
    do {
      seen = centre8(c, width, height);
      if (seen != rgb) Thread.sleep(100);
    } while (seen != rgb && System.nanoTime() < deadline);
    return seen;
  }

  private static int u16(byte[] b, int at) {
    return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
  }

  /**
   * A colour inside the viewer's window (at the top left of its display; its centre shows the
   * viewer's own "Press F8" overlay for a while), read back with a raw RFB client of that Xvnc.
   */
  private static int readWindow(XvncServer screen) throws Exception {
    try (RfbTestClient c = RfbTestClient.connect("127.0.0.1", screen.port()).readTimeout(WAIT)) {
      c.handshakeNone();
      Framebuffer fb = c.readFramebufferUpdateRaw();
      return fb.rgb(100, 100);
    }
  }
}
