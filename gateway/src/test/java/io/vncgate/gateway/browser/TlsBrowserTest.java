package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.demo.DemoRfbServer;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.gateway.e2e.TestCa;
import io.vncgate.testbeds.ScriptedRfbServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  /**
   * With {@code zero-copy: always}, full-screen Raw updates (3 MB each) still reach the browser
   * through TLS: drawn colour for colour, and not one byte spliced around the TLS layer.
   */
  @Test
  void largeUpdatesAreEncryptedNotSplicedEvenWithZeroCopyAlways() throws Exception {
    TestCa ca = new TestCa(dir);
    ca.issue("server", "ec");
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(1024, 768, "raw").fillColour(0x3366cc).start();
        GatewayHarness gateway = GatewayHarness.in(dir).noTcp().webUi()
            .server("  zero-copy: always\n  tls: {cert-file: server.pem, key-file: server.key}\n")
            .targets(GatewayHarness.target("raw", desktop.port(), null)).start();
        Browser browser = new Browser(dir, "--ignore-certificate-errors-spki-list=" + ca.spkiHash("server.pem"))) {
      browser.driver.get(gateway.viewerUrl(gateway.token("alice", Role.CONTROL), "static/raw", false)
          .replace("http://", "https://"));
      browser.awaitConnected(Duration.ofSeconds(20));
      awaitColour(browser, 0x33, 0x66, 0xcc);
      desktop.fillColour(0xd04010);
      awaitColour(browser, 0xd0, 0x40, 0x10);
      HttpClient http = HttpClient.newBuilder().sslContext(ca.trustingContext()).build();
      String metrics = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.httpPort() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(value("^vncgate_relayed_bytes_total\\{direction=\"to_viewer\"} (\\S+)$", metrics) > 2 * 1024 * 768 * 4, metrics);
      assertEquals(0.0, value("^vncgate_spliced_bytes_total (\\S+)$", metrics), metrics);
    }
  }

  private static void awaitColour(Browser browser, int r, int g, int b) {
    browser.await(Duration.ofSeconds(20), String.format("colour %02x%02x%02x not drawn", r, g, b), d -> {
      int[] p = browser.pixel(1000, 700);
      int[] q = browser.pixel(10, 10);
      return p[0] == r && p[1] == g && p[2] == b && q[0] == r && q[1] == g && q[2] == b;
    });
  }

  private static double value(String regex, String metrics) {
    Matcher m = Pattern.compile("(?m)" + regex).matcher(metrics);
    if (!m.find()) throw new AssertionError("no " + regex + " in\n" + metrics);
    return Double.parseDouble(m.group(1));
  }
}
