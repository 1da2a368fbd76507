package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.XvncServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * noVNC in Chromium and two native viewers in ONE fan-out session of a real Xvnc: the page draws
 * the desktop from the gateway's own encoding (noVNC lists Tight first, at 32 bpp: fill, palette and
 * JPEG tiles) and
 * follows its changes, while the target sees one connection.
 */
@Timeout(120)
class FanOutBrowserTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir static Path dir;
  static XvncServer xvnc;
  static int probes;
  static GatewayHarness gw;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.require();
    xvnc = XvncServer.builder().geometry(640, 400).start();
    probes = xvnc.logLines("Connections: accepted").size(); // the fixture's own check that it is up
    gw = GatewayHarness.in(dir).targets(GatewayHarness.target("desk", xvnc.port(), null))
        .yaml("sessions:\n  sharing: {\"static/*\": fan-out}\n").webUi().start();
    browser = new Browser(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.close();
    if (gw != null) gw.close();
    if (xvnc != null) xvnc.close();
  }

  @Test
  void noVncAndNativeViewersShareOneUpstreamAndTheCanvasFollowsTheDesktop() throws Exception {
    xvnc.setRootColor("#ff0000");
    try (RfbTestClient a = nativeViewer(); RfbTestClient b = nativeViewer()) {
      assertEquals(0xff0000, a.awaitCentreColour(0xff0000, WAIT));
      browser.driver.get(gw.viewerUrl(gw.token("carol", Role.VIEW), "static/desk", true));
      browser.awaitConnected(WAIT);
      assertArrayEquals(new int[] {640, 400}, browser.canvasSize());
      awaitCanvas(new int[] {255, 0, 0});
      xvnc.setRootColor("#0000ff");
      assertEquals(0x0000ff, b.awaitCentreColour(0x0000ff, WAIT));
      awaitCanvas(new int[] {0, 0, 255});
      assertEquals(1, xvnc.logLines("Connections: accepted").size() - probes,
          "three viewers, browser and native, one connection to the target:\n" + xvnc.logTail());
    }
  }

  private static void awaitCanvas(int[] rgb) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    int[] seen = browser.pixel(320, 200);
    while (!Arrays.equals(rgb, seen) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      seen = browser.pixel(320, 200);
    }
    assertArrayEquals(rgb, seen, "the canvas shows the desktop; status: " + browser.statusText());
  }

  private static RfbTestClient nativeViewer() throws Exception {
    RfbTestClient c = RfbTestClient.connect("127.0.0.1", gw.tcpPort()).readTimeout(WAIT);
    c.handshakeVncAuth(gw.ticket("static/desk"));
    return c;
  }
}
