package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.XvncServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page in a real Chromium while its viewer waits for its turn at a real, password-protected
 * Xvnc that blacklisted the gateway's address (TigerVNC's defaults: 5 unauthenticated connections,
 * then 10 s): it says it is waiting for the desktop, not that a password is wrong, then shows the
 * desktop once the gateway's probe gets in.
 */
@Timeout(120)
class WaitingForTheDesktopPageTest {
  @TempDir Path dir;

  @Test
  void aViewerQueuedBehindABlacklistingTargetSeesWaitingForTheDesktopThenTheDesktop() throws Exception {
    Browser.require();
    try (XvncServer xvnc = XvncServer.builder().geometry(640, 480).password("queue-pw").start()) {
      GatewayHarness gw = GatewayHarness.in(dir).targets(GatewayHarness.target("lab", xvnc.port(), xvnc.passwordFile(), null))
          .handshakeTimeout("40s").noTcp().webUi().start();
      Browser browser = new Browser(dir);
      try {
        // 127.0.0.1 blacklisted for real: 5 bare connections let in, the 6th refused
        for (int i = 0; i < 5; i++) {
          try (RfbTestClient c = RfbTestClient.connect("127.0.0.1", xvnc.port())) {
            c.readBanner();
          }
        }
        try (RfbTestClient c = RfbTestClient.connect("127.0.0.1", xvnc.port())) {
          c.readBanner();
          assertEquals(0, c.readU32());
          assertEquals("Too many security failures", new String(c.readExactly(c.readU32())));
        }
        long t0 = System.nanoTime();
        browser.driver.get(gw.viewerUrl(gw.token("alice", Role.CONTROL), "static/lab", false));
        browser.await(Duration.ofSeconds(8), "the page did not say it waits for the desktop", d -> browser.visible("overlay")
            && browser.text("overlay-title").startsWith("Waiting for the desktop"));
        assertEquals("Waiting for the desktop", browser.text("status-text"));
        String detail = browser.text("overlay-detail");
        assertTrue(detail.matches("The desktop is refusing connections from the gateway for a while \\(too many at once\\);"
            + " trying again in \\d+ s\\. Position 1 of 1 in line\\."), detail);
        assertTrue(!browser.statusText().toLowerCase().contains("password"), browser.statusText());
        browser.screenshot(Path.of("target", "screenshots", "waiting-for-the-desktop.png"));
        browser.awaitConnected(Duration.ofSeconds(25));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 7_000, "connected after the block, not through it: " + ms + " ms");
        assertTrue(browser.byId("overlay").getAttribute("hidden") != null, "the overlay is gone");
      } finally {
        browser.close();
        gw.close();
      }
    }
  }
}
