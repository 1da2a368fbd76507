package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.demo.DemoRfbServer;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.gateway.e2e.TestCa;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chromium (noVNC in the viewer page) over https:// and wss:// to a gateway with server.tls, its
 * certificate from a test CA and pinned in the browser by its SPKI hash (exactly that key is
 * accepted, nothing else): the page loads, the demo desktop connects and draws.
 */
@Timeout(120)
class TlsBrowserTest {
  @TempDir Path dir;

  @Test
  void theViewerPageConnectsOverHttpsAndWss() throws Exception {
    System.setProperty("java.awt.headless", "true");
    TestCa ca = new TestCa(dir);
    ca.issue("server", "ec");
    Vertx vertx = Vertx.vertx();
    try {
      DemoRfbServer desktop = new DemoRfbServer();
      vertx.deployVerticle(desktop).await(10, TimeUnit.SECONDS);
      try (GatewayHarness gateway = GatewayHarness.in(dir).noTcp().webUi()
          .server("  tls: {cert-file: server.pem, key-file: server.key}\n")
          .targets(GatewayHarness.target("demo", desktop.port(), null)).start();
          Browser browser = new Browser(dir, "--ignore-certificate-errors-spki-list=" + ca.spkiHash("server.pem"))) {
        String url = gateway.viewerUrl(gateway.token("alice", Role.CONTROL), "static/demo", false)
            .replace("http://", "https://");
        assertTrue(url.startsWith("https://127.0.0.1:"), url);
        browser.driver.get(url);
        browser.awaitConnected(Duration.ofSeconds(20));
        assertEquals("https:", browser.js("return location.protocol"));
        browser.await(Duration.ofSeconds(10), "the demo desktop did not draw", d -> browser.nonBlackShare() > 0.9);
        Object wsUrls = browser.js("return performance.getEntriesByType('resource').map(e => e.name).join(' ')");
        browser.screenshot(Path.of("target", "screenshots", "tls-viewer.png"));
        assertTrue(!String.valueOf(wsUrls).contains("http://"), "nothing fetched over plain http: " + wsUrls);
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
