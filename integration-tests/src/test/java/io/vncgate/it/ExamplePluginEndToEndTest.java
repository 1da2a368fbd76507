package io.vncgate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import io.vncgate.testbeds.WebSocketClose;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example plugin zip, dropped into {@code plugins/} next to the config, is loaded by the real
 * gateway: its targets are listed with their computed labels, a viewer reaches a real Xvnc through
 * it with the password from its config, and its named failure reaches the viewer.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExamplePluginEndToEndTest {
  @TempDir
  static Path dir;
  static XvncServer xvnc;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    xvnc = XvncServer.builder().geometry(640, 400).password("ex4mple!").start();
    xvnc.setRootColor("#8b4513");
    PluginZips.install(PluginZips.example(), dir.resolve("plugins"));
    gw = GatewayHarness.in(dir).handshakeTimeout("20s").yaml("""
        providers:
          example:
            targets:
              - {id: desk, name: Desk, host: 127.0.0.1, port: %d, password-file: %s}
              - {id: old, host: 192.168.7.9, maintenance: "disk swap until 14:00"}
        """.formatted(xvnc.port(), xvnc.passwordFile())).start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (xvnc != null) xvnc.close();
  }

  @Test
  void targetsAreListedWithTheLabelsTheProviderComputed() throws Exception {
    JsonArray targets = gw.targets();
    assertEquals(2, targets.size(), targets.encode());
    JsonObject desk = targets.getJsonObject(0);
    assertEquals("example/desk", desk.getString("id"));
    assertEquals("Desk", desk.getString("name"));
    assertEquals(new JsonObject().put("network", "loopback").put("auth", "vnc-password"), desk.getJsonObject("labels"));
    JsonObject old = targets.getJsonObject(1);
    assertEquals("example/old", old.getString("id"));
    assertEquals(new JsonObject().put("network", "private").put("auth", "none").put("maintenance", "yes"),
        old.getJsonObject("labels"));
    assertTrue(gw.gateway.services().providers().ready());
  }

  @Test
  void providerClassComesOnlyFromThePluginZip() {
    assertThrows(ClassNotFoundException.class, () -> Class.forName("io.vncgate.providers.example.ExampleProvider"),
        "the example provider must not be on the test class path");
  }

  @Test
  void viewerReachesXvncThroughTheExamplePlugin() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("example/desk"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      ServerInitInfo init = client.handshakeNone();   // the gateway did VNC auth with the provider's password
      assertEquals(640, init.width());
      assertEquals(400, init.height());
      assertEquals(0x8b4513, client.awaitColour(320, 200, 0x8b4513, Duration.ofSeconds(10)), "the desktop's colour arrives");
    }
  }

  @Test
  void providersNamedFailureReachesTheViewer() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("example/old"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      RfbRefused refused = assertThrows(RfbRefused.class, client::handshakeNone);
      assertEquals("target example/old unavailable: example/old is in maintenance: disk swap until 14:00", refused.reason());
      WebSocketClose close = bridge.awaitClose(1, Duration.ofSeconds(10));
      assertTrue(close.reason().contains("in maintenance"), close.toString());
    }
  }
}
