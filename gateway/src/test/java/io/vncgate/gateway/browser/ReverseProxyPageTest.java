package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.gateway.e2e.ProxiedGateway;
import io.vncgate.testbeds.Nginx;
import io.vncgate.testbeds.XvncServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The viewer page through a real nginx at {@code http://127.0.0.1:<nginx>/vnc/}, the gateway at
 * {@code server.base-path: /vnc} behind it: Chromium signs in with a pasted token as a user does,
 * opens a real Xvnc desktop from the list and sees its root colour; the gateway's audit names the
 * browser's address from nginx's X-Forwarded-For, not nginx's.
 */
@Timeout(120)
class ReverseProxyPageTest {
  @TempDir Path dir;

  @Test
  void thePageUnderTheBasePathSignsInAndShowsTheDesktopThroughNginx() throws Exception {
    try (XvncServer xvnc = XvncServer.builder().geometry(1024, 768).password("proxy-t1").start()) {
      xvnc.setRootColor("#3366cc");
      try (GatewayHarness gw = GatewayHarness.in(dir).noTcp().webUi().server(ProxiedGateway.SERVER_YAML)
              .targets(GatewayHarness.target("lab1", xvnc.port(), xvnc.passwordFile(), null))
              .yaml("audit: {file: audit.log}\n").start();
          Nginx nginx = ProxiedGateway.nginx(dir.resolve("nginx"), gw.httpPort());
          Browser browser = new Browser(dir)) {
        // without the trailing slash: nginx redirects to /vnc/, where the page's relative URLs work
        browser.driver.get("http://127.0.0.1:" + nginx.port() + "/vnc");
        browser.await(Duration.ofSeconds(10), "the sign-in form", d -> browser.visible("signin-view"));
        assertEquals("http://127.0.0.1:" + nginx.port() + "/vnc/", browser.driver.getCurrentUrl());
        browser.byId("signin-token").sendKeys(gw.token("alice", Role.CONTROL));
        browser.driver.findElement(By.cssSelector("#signin-form button[type=submit]")).click();
        browser.await(Duration.ofSeconds(10), "the list of desktops through nginx",
            d -> !d.findElements(By.cssSelector("#target-list a.accent")).isEmpty());
        browser.driver.findElement(By.cssSelector("#target-list a.accent")).click();
        browser.awaitConnected(Duration.ofSeconds(20));
        assertArrayEquals(new int[] {1024, 768}, browser.canvasSize());
        browser.await(Duration.ofSeconds(10), "the desktop's root colour through nginx", d -> {
          int[] p = browser.pixel(512, 384);
          return p[0] == 0x33 && p[1] == 0x66 && p[2] == 0xcc;
        });
        browser.screenshot(Path.of("target", "screenshots", "reverse-proxy-viewer.png"));
        String resources = String.valueOf(browser.js("return performance.getEntriesByType('resource').map(e => e.name).join(' ')"));
        assertFalse(resources.contains(":" + gw.httpPort()), "nothing fetched past nginx: " + resources);
        assertTrue(resources.contains("/vnc/api/v1/"), resources);
        // the viewer's audit line: the browser (127.0.0.1) through nginx (127.0.0.2)
        Path audit = dir.resolve("audit.log");
        browser.await(Duration.ofSeconds(5), "an audit line for the viewer", d -> auditHas(audit, "\"remote\":\"127.0.0.1 (via "
            + ProxiedGateway.PROXY_ADDRESS));
      }
    }
  }

  private static boolean auditHas(Path file, String needle) {
    try {
      return Files.exists(file) && Files.readString(file).contains(needle);
    } catch (IOException e) {
      return false;
    }
  }
}
