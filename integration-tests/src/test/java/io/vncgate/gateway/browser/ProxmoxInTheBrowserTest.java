package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.pve.PveCall;
import io.vncgate.testbeds.pve.PveGuest;
import io.vncgate.testbeds.pve.PvePermissions;
import io.vncgate.testbeds.pve.PveTestbed;
import io.vncgate.testbeds.qemu.QemuVncServer;
import io.vncgate.testbeds.qemu.SeaBiosScreen;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unmodified noVNC in Chromium → the gateway with the proxmox plugin zip → the PVE testbed (PVE's
 * wire format, HTTPS, pinned) → a real QEMU: the canvas shows QEMU's screen, the testbed saw one
 * vncproxy and one vncwebsocket for the page's connection, and no PVE ticket, VNC password or token
 * is in any URL the page loaded or in the page itself.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ProxmoxInTheBrowserTest {
  private static final String TOKEN = "vncgate@pve!gateway";
  private static final String SECRET = "5f3c2a8e-1b7d-4c9e-a0f1-2d3e4f5a6b7c";

  @TempDir
  static Path dir;
  static QemuVncServer qemu;
  static PveTestbed pve;
  static GatewayHarness gw;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.require();
    QemuVncServer.require();
    qemu = QemuVncServer.start();
    pve = PveTestbed.builder()
        .guest(PveGuest.qemu(100, "pve1", "web", qemu))
        .token(TOKEN, SECRET, PvePermissions.all())
        .start();
    Files.writeString(dir.resolve("pve.token"), SECRET + "\n");
    Path zip = Path.of(System.getProperty("vncgate.it.zip.proxmox", "missing.zip"));
    Files.createDirectories(dir.resolve("plugins"));
    Files.copy(zip, dir.resolve("plugins").resolve(zip.getFileName()));
    gw = GatewayHarness.in(dir).noTcp().webUi().yaml("""
        providers:
          proxmox:
            clusters:
              - {name: lab, url: '%s', token-id: '%s', token-secret-file: pve.token, fingerprint: '%s'}
        """.formatted(pve.url(), TOKEN, pve.fingerprint())).start();
    browser = new Browser(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.close();
    if (gw != null) gw.close();
    if (pve != null) pve.close();
    if (qemu != null) qemu.close();
  }

  @Test
  void noVncShowsQemusScreenWithOneConsoleTicketAndNoSecretInThePage() throws Exception {
    browser.driver.get(gw.viewerUrl(gw.token("alice", Role.CONTROL), "proxmox/lab/100", false));
    browser.awaitConnected(Duration.ofSeconds(30));
    assertArrayEquals(new int[] {SeaBiosScreen.WIDTH, SeaBiosScreen.HEIGHT}, browser.canvasSize());
    browser.await(Duration.ofSeconds(20), "SeaBIOS's text on the canvas", d -> browser.nonBlackShare() > 0.001);
    assertEquals(1, pve.vncProxyCount(100), "one vncproxy for the page's connection");
    assertEquals(1, pve.vncWebSocketCount(100), "one vncwebsocket for the page's connection");

    List<String> secrets = new ArrayList<>(List.of(SECRET));
    for (PveCall c : pve.calls()) {
      if (c.query() == null || !c.query().contains("vncticket=")) continue;
      String raw = c.query().replaceAll(".*vncticket=([^&]*).*", "$1");
      String ticket = URLDecoder.decode(raw, StandardCharsets.UTF_8);
      secrets.addAll(List.of(raw, ticket, ticket.substring(0, ticket.indexOf(":PVEVNC:"))));
    }
    assertEquals(4, secrets.size(), "the test knows the ticket and password it looks for");
    @SuppressWarnings("unchecked")
    List<String> urls = (List<String>) browser.js("return [location.href].concat("
        + "performance.getEntriesByType('resource').map(e => e.name));");
    String page = (String) browser.js("return document.documentElement.outerHTML");
    for (String s : secrets) {
      for (String url : urls) assertFalse(url.contains(s), "a PVE secret in a URL the browser loaded: " + url);
      assertFalse(page.contains(s), "a PVE secret in the page");
    }
    assertTrue(urls.get(0).startsWith(gw.origin()), "the browser only talks to the gateway: " + urls);
  }
}
