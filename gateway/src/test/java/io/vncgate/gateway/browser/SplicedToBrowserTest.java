package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.gateway.auth.Role;
import io.vncgate.testbeds.ScriptedRfbServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * noVNC in Chromium reads the WebSocket frames the gateway writes around spliced payloads (a frame
 * header from the gateway, the pixels straight from the server's socket): full-screen Raw updates
 * of 3 MB with {@code server.zero-copy: always} are drawn, colour for colour, and most of the
 * bytes to the browser were spliced.
 */
@Timeout(120)
class SplicedToBrowserTest {
  static final Duration SOON = Duration.ofSeconds(20);
  private static final Pattern SPLICED = Pattern.compile("(?m)^vncgate_spliced_bytes_total (\\S+)$");
  private static final Pattern TO_VIEWER = Pattern.compile("(?m)^vncgate_relayed_bytes_total\\{direction=\"to_viewer\"} (\\S+)$");
  @TempDir static Path dir;
  static ScriptedRfbServer desktop;
  static GatewayHarness gw;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.require();
    desktop = ScriptedRfbServer.builder().noneAuth().desktop(1024, 768, "raw").fillColour(0x3366cc).start();
    gw = GatewayHarness.in(dir).targets(GatewayHarness.target("raw", desktop.port(), null)).server("  zero-copy: always\n").noTcp().webUi().start();
    browser = new Browser(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.close();
    if (gw != null) gw.close();
    if (desktop != null) desktop.close();
  }

  @Test
  void splicedFullScreenUpdatesAreDrawnByNoVnc() throws Exception {
    browser.driver.get(gw.viewerUrl(gw.token("alice", Role.CONTROL), "static/raw", false));
    browser.awaitConnected(SOON);
    assertArrayEquals(new int[] {1024, 768}, browser.canvasSize());
    awaitColour(0x33, 0x66, 0xcc);
    // every update request is answered with the whole screen, Raw: the next ones come in the new colour
    desktop.fillColour(0xd04010);
    awaitColour(0xd0, 0x40, 0x10);
    String metrics = gw.metrics();
    double spliced = value(SPLICED, metrics);
    double toViewer = value(TO_VIEWER, metrics);
    assertTrue(toViewer > 2 * 1024 * 768 * 4, metrics);
    assertTrue(spliced > 0.9 * toViewer, "spliced " + spliced + " of " + toViewer + " bytes to the browser");
  }

  private static void awaitColour(int r, int g, int b) {
    browser.await(SOON, String.format("colour %02x%02x%02x not drawn; status: %s", r, g, b, browser.statusText()), d -> {
      int[] p = browser.pixel(1000, 700);
      int[] q = browser.pixel(10, 10);
      return p[0] == r && p[1] == g && p[2] == b && q[0] == r && q[1] == g && q[2] == b;
    });
  }

  private static double value(Pattern p, String metrics) {
    Matcher m = p.matcher(metrics);
    if (!m.find()) throw new AssertionError("no " + p + " in\n" + metrics);
    return Double.parseDouble(m.group(1));
  }
}
