package io.vncgate.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.FreePorts;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.WebSocketClose;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A graceful drain (what SIGTERM does) with three viewers of a real Xvnc attached: the viewer page
 * in Chromium and two raw WebSocket viewers. Each is told "the gateway is restarting" (WebSocket
 * close 1001); the page shows it and keeps trying; a new gateway comes up on the same port and the
 * page reconnects by itself (a new ticket from the new gateway's API) and shows the desktop again.
 */
@Timeout(180)
class DrainReconnectBrowserTest {
  @TempDir Path dir;

  private GatewayHarness gateway(Path folder, int port, XvncServer xvnc) throws Exception {
    Files.createDirectories(folder);
    return GatewayHarness.in(folder).httpPort(port).server("  drain-timeout: 5s\n")
        .targets(GatewayHarness.target("desk", xvnc.port(), xvnc.passwordFile(), null)).noTcp().webUi().start();
  }

  @Test
  void afterADrainThePageShowsTheReasonAndReconnectsToTheNextGateway() throws Exception {
    int port = FreePorts.next();
    try (XvncServer xvnc = XvncServer.builder().geometry(640, 480).password("drain-p1").start();
        Browser browser = new Browser(dir)) {
      xvnc.setRootColor("#3366cc");
      GatewayHarness first = gateway(dir.resolve("first"), port, xvnc);
      GatewayHarness second = null;
      try {
        // the same jwt.key in both folders: the page's token stays good across the restart
        String token = first.token("alice", Role.CONTROL);
        browser.driver.get(first.viewerUrl(token, "static/desk", false));
        browser.awaitConnected(Duration.ofSeconds(30));
        try (WebSocketTcpBridge raw1 = first.bridge(first.session(token, "static/desk", "view").getString("ticket"));
            WebSocketTcpBridge raw2 = first.bridge(first.session(token, "static/desk", "view").getString("ticket"));
            RfbTestClient viewer1 = RfbTestClient.connect(raw1.host(), raw1.port());
            RfbTestClient viewer2 = RfbTestClient.connect(raw2.host(), raw2.port())) {
          assertEquals(640, viewer1.handshakeNone().width());
          assertEquals(640, viewer2.handshakeNone().width());

          Future<Void> drained = first.gateway.drain();
          WebSocketClose restarting = new WebSocketClose(1001, "the gateway is restarting");
          assertEquals(restarting, raw1.awaitClose(1, Duration.ofSeconds(10)));
          assertEquals(restarting, raw2.awaitClose(1, Duration.ofSeconds(10)));
          browser.await(Duration.ofSeconds(10), "the page did not show why it was closed",
              d -> "The gateway is restarting".equals(browser.text("overlay-title")));
          assertTrue(browser.text("overlay-detail").contains("the gateway is restarting"), browser.text("overlay-detail"));
          assertTrue(browser.text("overlay-next").contains("reconnects by itself"), browser.text("overlay-next"));
          browser.screenshot(Path.of("target", "screenshots", "drain-restarting.png"));
          drained.await(15, TimeUnit.SECONDS);
        }
        first.vertx.close().await(10, TimeUnit.SECONDS);
        first = null;

        // still trying (with backoff) while no gateway listens
        browser.await(Duration.ofSeconds(10), "the page stopped trying",
            d -> "waiting".equals(browser.js("return document.getElementById('status').dataset.state")));
        second = gateway(dir.resolve("second"), port, xvnc);
        browser.awaitConnected(Duration.ofSeconds(60));
        browser.await(Duration.ofSeconds(15), "the desktop was not drawn again", d -> {
          int[] p = browser.pixel(320, 240);
          return p[0] == 0x33 && p[1] == 0x66 && p[2] == 0xcc;
        });
        assertTrue(second.metrics().contains("vncgate"), "the new gateway serves");
        assertTrue(browser.driver.getCurrentUrl().endsWith("#target=static%2Fdesk"), browser.driver.getCurrentUrl());
      } finally {
        if (first != null) first.vertx.close().await(10, TimeUnit.SECONDS);
        if (second != null) second.close();
      }
    }
  }
}
