package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.gateway.auth.Role;
import io.vncgate.testbeds.X11vncServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * noVNC (in Chromium) against x11vnc (libvncserver) through the gateway: a second real server
 * whose Tight, cursor and update stream the gateway must follow message by message on the way to
 * the browser, while the desktop keeps changing.
 */
@Timeout(120)
class NoVncToX11vncTest {
  static final Duration CONNECT = Duration.ofSeconds(20);
  @TempDir static Path dir;
  static X11vncServer x11vnc;
  static GatewayHarness gw;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.require();
    x11vnc = X11vncServer.builder().geometry(640, 400).start();
    gw = GatewayHarness.in(dir).targets(GatewayHarness.target("x11", x11vnc.port(), null)).noTcp().webUi().start();
    browser = new Browser(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.close();
    if (gw != null) gw.close();
    if (x11vnc != null) x11vnc.close();
  }

  @Test
  void theDesktopKeepsUpdatingInTheBrowserAndTheConnectionStaysUp() throws Exception {
    browser.driver.get(gw.viewerUrl(gw.token("alice", Role.CONTROL), "static/x11", false));
    browser.awaitConnected(CONNECT);
    assertArrayEquals(new int[] {640, 400}, browser.canvasSize());
    Set<Long> frames = new HashSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (int i = 0; frames.size() < 4 && System.nanoTime() < deadline; i++) {
      // a different grid each time: x11vnc sees the change and sends it (Tight, as noVNC prefers)
      x11vnc.runOnDisplay("xsetroot", "-mod", String.valueOf(2 + i % 9), String.valueOf(3 + i % 7),
          "-fg", i % 2 == 0 ? "#d04010" : "#10a050", "-bg", "#2040c0").waitFor(5, TimeUnit.SECONDS);
      Thread.sleep(400);
      frames.add(browser.regionHash(0, 0, 640, 400));
    }
    assertTrue(frames.size() >= 4, "the canvas changed " + frames.size() + " times; status: " + browser.statusText());
    assertEquals("connected", browser.js("return document.getElementById('status').dataset.state"),
        "still connected: " + browser.statusText());
  }
}
