package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.shinyhut.vernacular.client.VernacularClient;
import com.shinyhut.vernacular.client.VernacularConfig;
import io.vncgate.testbeds.Framebuffer;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.X11vncServer;
import io.vncgate.testbeds.XvncServer;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The desktop of real VNC servers (TigerVNC Xvnc with VNC auth and with None, x11vnc on Xvfb)
 * reaches real RFB clients through both fronts: the first framebuffer has the server's geometry
 * and the root window's colour.
 */
@Timeout(120)
class RelayToRealServersTest {
  @TempDir static Path dir;
  static XvncServer xvncAuth;
  static XvncServer xvncNone;
  static X11vncServer x11vnc;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    x11vnc = X11vncServer.builder().geometry(320, 240).start();
    xvncAuth = XvncServer.builder().geometry(640, 480).password("s3cret-pw").start();
    xvncNone = XvncServer.builder().geometry(320, 200).start();
    xvncAuth.setRootColor("#3366cc");
    xvncNone.setRootColor("#228b22");
    gw = new GatewayHarness(dir,
        GatewayHarness.target("auth", xvncAuth.port(), xvncAuth.passwordFile().toString())
            + GatewayHarness.target("none", xvncNone.port(), null)
            + GatewayHarness.target("x11vnc", x11vnc.port(), null), null);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    for (AutoCloseable c : new AutoCloseable[] {xvncAuth, xvncNone, x11vnc}) if (c != null) c.close();
  }

  /** Reads Raw updates until the centre pixel has the colour (X paints asynchronously). */
  private static void assertDesktopColour(RfbTestClient client, int expectedRgb) throws Exception {
    int rgb = client.awaitCentreColour(expectedRgb, Duration.ofSeconds(10));
    if (rgb != expectedRgb) throw new AssertionError(String.format("centre pixel %06x, expected %06x", rgb, expectedRgb));
  }

  @Test
  void webSocketFrontReachesXvncWithVncAuthWithoutThePasswordReachingTheViewer() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/auth"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      ServerInitInfo init = client.handshakeNone();   // the viewer never sees a VNC password challenge
      assertEquals(640, init.width());
      assertEquals(480, init.height());
      assertDesktopColour(client, 0x3366cc);
      assertEquals(java.util.List.of("binary"), bridge.acceptedSubProtocols(), "the gateway echoes 'binary'");
    }
  }

  @Test
  void webSocketFrontReachesXvncWithSecurityNone() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/none"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      ServerInitInfo init = client.handshakeNone();
      assertEquals(320, init.width());
      assertEquals(200, init.height());
      assertDesktopColour(client, 0x228b22);
    }
  }

  @Test
  void webSocketFrontReachesX11vnc() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/x11vnc"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      ServerInitInfo init = client.handshakeNone();
      assertEquals(320, init.width());
      assertEquals(240, init.height());
      // a whole Raw framebuffer of the server's size arrives (x11vnc's own colour check lives in testbeds)
      Framebuffer fb = client.readFramebufferUpdateRaw();
      assertEquals(320, fb.width());
      assertTrue(fb.covered(0, 0) && fb.covered(319, 239), "the update covers the screen");
    }
  }

  @Test
  void tcpFrontTakesTheTicketAsVncPassword() throws Exception {
    for (int version : new int[] {8, 7, 3}) {
      try (RfbTestClient client = RfbTestClient.connect("127.0.0.1", gw.tcpPort()).version(version)) {
        ServerInitInfo init = client.handshakeVncAuth(gw.ticket("static/auth"));
        assertEquals(640, init.width(), "RFB 3." + version);
        assertDesktopColour(client, 0x3366cc);
      }
    }
  }

  @Test
  void vernacularClientOverTcpFrontGetsTheDesktop() throws Exception {
    String ticket = gw.ticket("static/auth");
    CompletableFuture<BufferedImage> frame = new CompletableFuture<>();
    CompletableFuture<Throwable> error = new CompletableFuture<>();
    VernacularConfig config = new VernacularConfig();
    config.setPasswordSupplier(() -> ticket);
    config.setShared(true);
    config.setColorDepth(com.shinyhut.vernacular.client.rendering.ColorDepth.BPP_24_TRUE);
    config.setErrorListener(error::complete);
    config.setScreenUpdateListener(image -> {
      BufferedImage b = (BufferedImage) image;
      if ((b.getRGB(b.getWidth() / 2, b.getHeight() / 2) & 0xffffff) == 0x3366cc) frame.complete(b);
    });
    VernacularClient client = new VernacularClient(config);
    client.start("127.0.0.1", gw.tcpPort());
    try {
      BufferedImage image = CompletableFuture.anyOf(frame, error).thenApply(o -> {
        if (o instanceof Throwable t) throw new AssertionError("vernacular failed", t);
        return (BufferedImage) o;
      }).get(20, TimeUnit.SECONDS);
      assertEquals(640, image.getWidth());
      assertEquals(480, image.getHeight());
    } finally {
      client.stop();
    }
  }

  /**
   * Vernacular asks for Hextile, RRE, zlib, CopyRect and Raw at the pixel format given: real
   * servers answer in those encodings at 8 and 16 bits per pixel (and with a colour map for
   * indexed colour), which the gateway must follow rectangle by rectangle on the way back.
   */
  @ParameterizedTest(name = "{0} at {1}")
  @CsvSource({"auth, BPP_8_INDEXED", "auth, BPP_8_TRUE", "auth, BPP_16_TRUE", "x11vnc, BPP_8_INDEXED", "x11vnc, BPP_16_TRUE",
      "x11vnc, BPP_24_TRUE"})
  void nativeViewersAtEveryColourDepthAreFollowedRectangleByRectangle(String target, String depth) throws Exception {
    String ticket = gw.ticket("static/" + target);
    CompletableFuture<BufferedImage> frame = new CompletableFuture<>();
    CompletableFuture<Throwable> error = new CompletableFuture<>();
    VernacularConfig config = new VernacularConfig();
    config.setPasswordSupplier(() -> ticket);
    config.setShared(true);
    config.setColorDepth(com.shinyhut.vernacular.client.rendering.ColorDepth.valueOf(depth));
    config.setErrorListener(error::complete);
    java.util.concurrent.atomic.AtomicInteger updates = new java.util.concurrent.atomic.AtomicInteger();
    config.setScreenUpdateListener(image -> {
      BufferedImage b = (BufferedImage) image;
      int rgb = b.getRGB(b.getWidth() / 2, b.getHeight() / 2);
      int red = rgb >> 16 & 0xff;
      int blue = rgb & 0xff;
      // the Xvnc root is blue (#3366cc, or a grid of it and #2255bb while repainted): blue stays
      // the strongest at any depth; x11vnc's root is not set
      boolean painted = !target.equals("auth") || blue > red + 0x40;
      if (updates.incrementAndGet() >= 3 && painted) frame.complete(b);
    });
    VernacularClient client = new VernacularClient(config);
    client.start("127.0.0.1", gw.tcpPort());
    try {
      // more updates after the first, so a framing slip would surface as a cut-off connection
      for (int i = 0; i < 20 && !frame.isDone() && !error.isDone(); i++) {
        if (target.equals("x11vnc")) {
          client.moveMouse(10 + i * 5, 10 + i * 3);
        } else {
          if (i % 2 == 0) {
            // a fine two-colour grid: Hextile tiles with subrectangles, RRE with many
            xvncAuth.runOnDisplay("xsetroot", "-mod", "5", "7", "-fg", "#2255bb", "-bg", "#3366cc")
                .waitFor(5, TimeUnit.SECONDS);
          } else {
            xvncAuth.setRootColor("#3366cc");
          }
        }
        Thread.sleep(150);
      }
      if (target.equals("auth")) xvncAuth.setRootColor("#3366cc");
      BufferedImage image = CompletableFuture.anyOf(frame, error).thenApply(o -> {
        if (o instanceof Throwable t) throw new AssertionError("vernacular failed at " + depth, t);
        return (BufferedImage) o;
      }).get(20, TimeUnit.SECONDS);
      assertEquals(target.equals("auth") ? 640 : 320, image.getWidth());
      assertFalse(error.isDone(), () -> "vernacular reported " + error.join());
    } finally {
      client.stop();
    }
  }

  @Test
  void viewersAskingForExclusiveAccessStillShareTheDesktop() throws Exception {
    try (WebSocketTcpBridge b1 = gw.bridge(gw.ticket("static/none"));
         WebSocketTcpBridge b2 = gw.bridge(gw.ticket("static/none"));
         RfbTestClient first = RfbTestClient.connect(b1.host(), b1.port()).shared(false);
         RfbTestClient second = RfbTestClient.connect(b2.host(), b2.port()).shared(false)) {
      first.handshakeNone();
      second.handshakeNone();   // with shared=0 passed through, Xvnc would drop the first viewer
      assertFalse(first.isClosedByPeer(Duration.ofMillis(500)));
      assertDesktopColour(first, 0x228b22);
      assertDesktopColour(second, 0x228b22);
    }
  }

  @Test
  void viewerClosingEndsTheUpstreamConnection() throws Exception {
    WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/none"));
    RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port());
    client.handshakeNone();
    client.close();
    bridge.close();
    // the gateway closes its upstream: Xvnc logs the closed connection
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!xvncNone.logTail().contains("closed") && System.nanoTime() < deadline) Thread.sleep(100);
    assertTrue(xvncNone.logTail().contains("Connections: closed"), xvncNone.logTail());
  }
}
