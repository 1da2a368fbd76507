package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.gateway.auth.Role;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.XvncServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's mistake must not lock a desktop out: the page in a real Chromium against a real,
 * password-protected Xvnc with TigerVNC's blacklist on (5 connections that end before
 * authenticating block the gateway's address for everyone). A target whose password the gateway
 * lacks, or holds wrong, is tried once: the page says what to fix and does not retry by itself.
 */
@Timeout(120)
class LockOutPageTest {
  /** Longer than the page's first three backoff steps (1 + 2 + 4 s, ±20 %): a retrying page would have come back. */
  static final Duration WATCH = Duration.ofSeconds(9);
  @TempDir static Path dir;
  static XvncServer xvnc;
  static GatewayHarness gw;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    xvnc = XvncServer.builder().geometry(640, 480).password("lock-pw1").start();
    Path wrong = dir.resolve("wrong.txt");
    Files.writeString(wrong, "not-it\n");
    gw = GatewayHarness.in(dir).targets(GatewayHarness.target("nopw", xvnc.port(), null)
        + GatewayHarness.target("wrongpw", xvnc.port(), wrong, null)).noTcp().webUi().start();
    browser = new Browser(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.close();
    if (gw != null) gw.close();
    if (xvnc != null) xvnc.close();
  }

  @AfterEach
  void leavePage() {
    if (browser != null) browser.driver.get("about:blank");
  }

  /** Connections Xvnc accepted so far, from its own log. */
  static long xvncConnections() throws Exception {
    try (Stream<Path> files = Files.list(xvnc.passwordFile().getParent())) {
      long n = 0;
      for (Path log : files.filter(f -> f.getFileName().toString().matches("Xvnc-\\d+\\.log")).toList()) {
        n += Files.readAllLines(log).stream().filter(l -> l.contains("Connections: accepted")).count();
      }
      return n;
    }
  }

  private static void assertStoppedFor(Duration d) throws InterruptedException {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      assertEquals("stopped", browser.js("return document.getElementById('status').dataset.state"), "the page must not retry");
      assertEquals("", browser.text("overlay-retry"));
      Thread.sleep(250);
    }
  }

  @Test
  void aPasswordTheGatewayLacksIsTriedOnceAndTheOperatorIsToldWhichKeyToSet() throws Exception {
    long before = xvncConnections();
    browser.driver.get(gw.viewerUrl(gw.token("alice", Role.CONTROL), "static/nopw", false));
    browser.await(Duration.ofSeconds(20), "no explanation shown", d -> browser.visible("overlay")
        && browser.text("overlay-title").contains("needs a VNC password"));
    assertTrue(browser.text("overlay-detail").contains(
        "target static/nopw requires a VNC password but none is configured: set providers.static.targets[nopw].password-file"),
        browser.text("overlay-detail"));
    assertTrue(browser.text("overlay-next").contains("does not retry"), browser.text("overlay-next"));
    assertEquals("Reconnect", browser.text("reconnect"), "the user may retry by hand");
    assertStoppedFor(WATCH);
    assertEquals(before + 1, xvncConnections(), "the target saw exactly one connection");
    browser.screenshot(Path.of("target", "screenshots", "password-not-configured.png"));
  }

  @Test
  void aWrongStoredPasswordIsTriedOnceAndTheDesktopStaysOpenToOthers() throws Exception {
    long before = xvncConnections();
    browser.driver.get(gw.viewerUrl(gw.token("bob", Role.CONTROL), "static/wrongpw", false));
    browser.await(Duration.ofSeconds(20), "no explanation shown", d -> browser.visible("overlay")
        && browser.text("overlay-title").contains("could not log in"));
    assertTrue(browser.text("overlay-detail").contains("set providers.static.targets[wrongpw].password-file"),
        browser.text("overlay-detail"));
    assertStoppedFor(WATCH);
    assertEquals(before + 1, xvncConnections(), "the target saw exactly one connection");
    try (RfbTestClient direct = RfbTestClient.connect(xvnc.host(), xvnc.port())) {
      assertEquals(640, direct.handshakeVncAuth("lock-pw1").width(), "the gateway's address is not blacklisted");
    }
  }
}
