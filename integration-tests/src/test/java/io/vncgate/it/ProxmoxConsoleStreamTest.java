package io.vncgate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.gateway.failure.Status;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.pve.PveCall;
import io.vncgate.testbeds.pve.PveGuest;
import io.vncgate.testbeds.pve.PvePermissions;
import io.vncgate.testbeds.pve.PveTestbed;
import io.vncgate.testbeds.qemu.QemuVncServer;
import io.vncgate.testbeds.qemu.SeaBiosScreen;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console stream through the real gateway and the proxmox plugin to the PVE testbed and a real
 * QEMU: pings keep a still console's stream busy for proxies on the way; and a console ticket that
 * is stale when the gateway opens the console. Through the real gateway and
 * the proxmox plugin to the PVE testbed and a real QEMU. The testbed's clock jumps right after its
 * {@code vncproxy} answers ({@link PveTestbed#lateConsoles}), as if the gateway reached the node
 * that much later: past 40 s PVE answers {@code 401 permission denied - invalid PVEVNC ticket},
 * past 10 s the console worker no longer listens and pveproxy leaves the upgrade unanswered. The
 * gateway gets a fresh ticket once; when that is stale too the viewer reads what happened in a PVE
 * admin's words, not marked final (opening it again may work).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProxmoxConsoleStreamTest {
  private static final String TOKEN = "vncgate@pve!gateway";
  private static final String SECRET = "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f";

  @TempDir
  static Path dir;
  static QemuVncServer qemu;
  static PveTestbed pve;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    QemuVncServer.require();
    qemu = QemuVncServer.start();
    pve = PveTestbed.builder()
        .guest(PveGuest.qemu(100, "pve1", "web", qemu))
        .token(TOKEN, SECRET, PvePermissions.all())
        .unauthorizedDelay(Duration.ofMillis(50))
        .start();
    Files.writeString(dir.resolve("pve.token"), SECRET + "\n");
    PluginZips.install(PluginZips.proxmox(), dir.resolve("plugins"));
    // 30 s: two upgrades left unanswered for the gateway's connect timeout (10 s) each fit
    gw = GatewayHarness.in(dir).handshakeTimeout("30s").server("  ws-keepalive: 1s\n").yaml("""
        providers:
          proxmox:
            clusters:
              - {name: lab, url: '%s', token-id: '%s', token-secret-file: pve.token, fingerprint: '%s'}
        """.formatted(pve.url(), TOKEN, pve.fingerprint())).start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (pve != null) pve.close();
    if (qemu != null) qemu.close();
  }

  @Test
  void anExpiredTicketIsReplacedByAFreshOneAndTheViewerGetsIn() throws Exception {
    long proxies = pve.vncProxyCount(100);
    long sockets = pve.vncWebSocketCount(100);
    pve.lateConsoles(Duration.ofSeconds(41), 1);
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("proxmox/lab/100"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      assertEquals(SeaBiosScreen.WIDTH, client.handshakeNone().width());
    }
    assertEquals(proxies + 2, pve.vncProxyCount(100), "a second vncproxy for a fresh ticket");
    assertEquals(sockets + 2, pve.vncWebSocketCount(100));
    assertEquals(List.of(401, 101), lastUpgradeStatuses(2));
  }

  @Test
  void aTicketStillExpiredAfterARetryIsNamedInAProxmoxAdminsWords() throws Exception {
    long proxies = pve.vncProxyCount(100);
    pve.lateConsoles(Duration.ofSeconds(41), 2);
    String reason = refusal();
    assertTrue(reason.contains("target proxmox/lab/100: Proxmox refused the console ticket for VM 100 on node pve1"
        + " (HTTP 401 at vncwebsocket): it expired before the gateway opened the console (a vncproxy ticket is valid"
        + " for 40 s) — open the console again; if it keeps happening, the gateway reaches node pve1 too slowly"),
        reason);
    assertFalse(reason.contains(Status.NEEDS_OPERATOR_NOTE), "a stale ticket is not the operator's to fix: " + reason);
    assertEquals(proxies + 2, pve.vncProxyCount(100), "one retry with a fresh ticket, no more");
    assertEquals(List.of(401, 401), lastUpgradeStatuses(2));
    // not held as final: the next viewer gets in
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("proxmox/lab/100"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      assertEquals(SeaBiosScreen.WIDTH, client.handshakeNone().width());
    }
  }

  @Test
  void aConsoleWorkerThatStoppedWaitingIsNamedInAProxmoxAdminsWords() throws Exception {
    long proxies = pve.vncProxyCount(100);
    pve.lateConsoles(Duration.ofSeconds(11), 2);
    String reason = refusal();
    assertTrue(reason.contains("target proxmox/lab/100: Proxmox did not open the console of VM 100 on node pve1:"
        + " its console worker (vncproxy) waits 10 s for one connection and had stopped waiting"), reason);
    assertFalse(reason.contains(Status.NEEDS_OPERATOR_NOTE), reason);
    assertEquals(proxies + 2, pve.vncProxyCount(100), "one retry with a fresh ticket, no more");
    assertEquals(List.of(0, 0), lastUpgradeStatuses(2), "pveproxy answered neither upgrade");
  }

  @Test
  void aStillConsoleIsPingedSoProxiesOnTheWayDoNotCutIt() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("proxmox/lab/100"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      assertEquals(SeaBiosScreen.WIDTH, client.handshakeNone().width());
      long before = pve.consolePings();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (pve.consolePings() < before + 3 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(pve.consolePings() >= before + 3, "server.ws-keepalive 1s: pings reached PVE: "
          + (pve.consolePings() - before));
      assertFalse(client.isClosedByPeer(Duration.ofMillis(300)), "the console is still open");
    }
  }

  /** The reason a viewer on the WebSocket front gets for VM 100. */
  private static String refusal() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("proxmox/lab/100"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      client.readTimeout(Duration.ofSeconds(40));
      return assertThrows(RfbRefused.class, client::handshakeNone).reason();
    }
  }

  private static List<Integer> lastUpgradeStatuses(int n) {
    List<Integer> statuses = pve.calls().stream().filter(c -> c.isVncWebSocket(100)).map(PveCall::status).toList();
    return statuses.subList(statuses.size() - n, statuses.size());
  }
}
