package io.vncgate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.Framebuffer;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import io.vncgate.testbeds.TigerVncViewer;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
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
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The proxmox plugin zip loaded by the real gateway, against the PVE testbed (PVE's wire format
 * over HTTPS, self-signed, pinned) in front of a real QEMU: an RFB client on the WebSocket front
 * and TigerVNC's viewer on the TCP front see QEMU's screen; every viewer connection costs exactly
 * one vncproxy and one vncwebsocket; failures reach the viewer in words; no ticket, VNC password
 * or token is in the gateway's log or its audit file.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProxmoxThroughGatewayTest {
  private static final String TOKEN = "vncgate@pve!gateway";
  private static final String SECRET = "5f3c2a8e-1b7d-4c9e-a0f1-2d3e4f5a6b7c";
  private static final String AUDITOR = "auditor@pve!ro";
  private static final String AUDITOR_SECRET = "0a1b2c3d-0000-4000-8000-aaaabbbbcccc";
  private static final String WRONG_PIN =
      "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

  @TempDir
  static Path dir;
  static QemuVncServer qemu;
  static PveTestbed pve;
  static GatewayHarness gw;
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    QemuVncServer.require();
    qemu = QemuVncServer.start();
    pve = PveTestbed.builder()
        .guest(PveGuest.qemu(100, "pve1", "web", qemu).withTags("vnc"))
        .guest(PveGuest.lxc(101, "pve1", "ct-db", qemu))
        .guest(PveGuest.stoppedQemu(102, "pve1", "off"))
        .guest(PveGuest.qemu(103, "pve3", "far", qemu))
        .offlineNode("pve3")
        .token(TOKEN, SECRET, PvePermissions.all())
        .token(AUDITOR, AUDITOR_SECRET, PvePermissions.auditOnly())
        .unauthorizedDelay(Duration.ofMillis(50))
        .start();
    Files.writeString(dir.resolve("pve.token"), SECRET + "\n");
    Files.writeString(dir.resolve("auditor.token"), AUDITOR_SECRET + "\n");
    Files.writeString(dir.resolve("wrong.token"), "00000000-0000-4000-8000-000000000000\n");
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    // the gateway's and the plugin's debug lines too: none may carry a secret either
    ((Logger) LoggerFactory.getLogger("io.vncgate")).setLevel(ch.qos.logback.classic.Level.DEBUG);

    PluginZips.install(PluginZips.proxmox(), dir.resolve("plugins"));
    gw = GatewayHarness.in(dir).handshakeTimeout("20s").yaml("""
        audit: {file: audit.jsonl}
        providers:
          proxmox:
            clusters:
              - {name: lab, url: '%s', token-id: '%s', token-secret-file: pve.token, fingerprint: '%s'}
              - {name: ro, url: '%s', token-id: '%s', token-secret-file: auditor.token, fingerprint: '%s'}
              - {name: badpin, url: '%s', token-id: '%s', token-secret-file: pve.token, fingerprint: '%s'}
              - {name: badtoken, url: '%s', token-id: '%s', token-secret-file: wrong.token, fingerprint: '%s'}
        """.formatted(pve.url(), TOKEN, pve.fingerprint(), pve.url(), AUDITOR, pve.fingerprint(),
        pve.url(), TOKEN, WRONG_PIN, pve.url(), TOKEN, pve.fingerprint())).start();
  }

  @AfterAll
  static void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    if (gw != null) gw.close();
    if (pve != null) pve.close();
    if (qemu != null) qemu.close();
  }

  @Test
  void theGuestsAreListedWithTheirLabels() throws Exception {
    Map<String, JsonObject> byId = gw.targets().stream().map(o -> (JsonObject) o)
        .collect(Collectors.toMap(t -> t.getString("id"), t -> t));
    assertTrue(byId.keySet().containsAll(List.of("proxmox/lab/100", "proxmox/lab/101", "proxmox/lab/102",
        "proxmox/lab/103", "proxmox/ro/100")), byId.keySet().toString());
    JsonObject web = byId.get("proxmox/lab/100");
    assertEquals("web", web.getString("name"));
    JsonObject labels = web.getJsonObject("labels");
    assertEquals("qemu", labels.getString("type"));
    assertEquals("pve1", labels.getString("node"));
    assertEquals("running", labels.getString("status"));
    assertEquals("vnc", labels.getString("tags"));
    assertEquals("stopped", byId.get("proxmox/lab/102").getJsonObject("labels").getString("status"));
    assertEquals("lxc", byId.get("proxmox/lab/101").getJsonObject("labels").getString("type"));
  }

  @Test
  void qemusScreenArrivesThroughTheGatewayWithOneVncproxyAndOneVncwebsocketPerViewer() throws Exception {
    long proxies = pve.vncProxyCount(100);
    long sockets = pve.vncWebSocketCount(100);
    for (int viewer = 1; viewer <= 2; viewer++) {
      try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("proxmox/lab/100"));
           RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
        ServerInitInfo init = client.handshakeNone();
        assertEquals(SeaBiosScreen.WIDTH, init.width());
        assertEquals(SeaBiosScreen.HEIGHT, init.height());
        Framebuffer screen = SeaBiosScreen.awaitText(client, Duration.ofSeconds(20));
        assertTrue(SeaBiosScreen.litPixels(screen) > 0);
      }
      assertEquals(proxies + viewer, pve.vncProxyCount(100), "one vncproxy per viewer connection");
      assertEquals(sockets + viewer, pve.vncWebSocketCount(100), "one vncwebsocket per viewer connection");
    }
    assertNoSecretInLogOrAudit();
  }

  @Test
  void twoViewersAtOnceEachGetTheirOwnConsoleAndBothSeeTheVm() throws Exception {
    long proxies = pve.vncProxyCount(100);
    try (WebSocketTcpBridge first = gw.bridge(gw.ticket("proxmox/lab/100"));
         RfbTestClient a = RfbTestClient.connect(first.host(), first.port());
         WebSocketTcpBridge second = gw.bridge(gw.ticket("proxmox/lab/100"));
         RfbTestClient b = RfbTestClient.connect(second.host(), second.port())) {
      a.handshakeNone();
      b.handshakeNone();
      SeaBiosScreen.awaitText(a, Duration.ofSeconds(20));
      SeaBiosScreen.awaitText(b, Duration.ofSeconds(20));
      assertFalse(a.isClosedByPeer(Duration.ofMillis(300)), "the first viewer is still connected");
      assertEquals(proxies + 2, pve.vncProxyCount(100), "a console ticket per viewer");
    }
  }

  /**
   * PVE sets the VM's VNC password as each console connects: consoles set up at the same time would
   * change it under each other, so the provider has the gateway connect one console at a time.
   */
  @Test
  void sixViewersOpeningOneVmAtTheSameMomentAllLogIn() throws Exception {
    int n = 6;
    List<String> tickets = new ArrayList<>();
    for (int i = 0; i < n; i++) tickets.add(gw.ticket("proxmox/lab/100"));
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (String ticket : tickets) {
        results.add(pool.submit(() -> {
          go.await();
          try (WebSocketTcpBridge bridge = gw.bridge(ticket);
               RfbTestClient c = RfbTestClient.connect(bridge.host(), bridge.port())) {
            ServerInitInfo init = c.handshakeNone();
            return init.width() + "x" + init.height();
          } catch (RfbRefused r) {
            return "refused: " + r.reason();
          }
        }));
      }
      go.countDown();
      List<String> failed = new ArrayList<>();
      for (Future<String> f : results) {
        String r = f.get(60, TimeUnit.SECONDS);
        if (r.startsWith("refused")) failed.add(r);
      }
      assertEquals(List.of(), failed, "every console logged in");
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * A console's ticket is good for one connection within 10 s of vncproxy. A viewer that waited
   * behind another console for longer than that (here the PVE clock jumps 15 s while the first
   * console is slow to start) gets a new ticket when its turn comes instead of a dead one.
   */
  @Test
  void aViewerThatWaitedBehindASlowConsoleGetsAFreshTicketWhenItsTurnComes() throws Exception {
    long proxies = pve.vncProxyCount(100);
    pve.holdNextConsole(Duration.ofMillis(3500));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (WebSocketTcpBridge first = gw.bridge(gw.ticket("proxmox/lab/100"));
         RfbTestClient a = RfbTestClient.connect(first.host(), first.port())) {
      Future<ServerInitInfo> slow = pool.submit(a::handshakeNone);
      Thread.sleep(500); // the first console is set up (and held at PVE's side)
      try (WebSocketTcpBridge second = gw.bridge(gw.ticket("proxmox/lab/100"));
           RfbTestClient b = RfbTestClient.connect(second.host(), second.port())) {
        Future<ServerInitInfo> waiting = pool.submit(b::handshakeNone);
        Thread.sleep(500); // its vncproxy is done; it waits for the first console
        pve.advanceClock(Duration.ofSeconds(15)); // its console worker would have given up by its turn
        assertEquals(720, slow.get(30, TimeUnit.SECONDS).width());
        assertEquals(720, waiting.get(30, TimeUnit.SECONDS).width(), "the waiting viewer got in");
      }
      assertEquals(proxies + 3, pve.vncProxyCount(100), "the waiting viewer's route was resolved again");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aContainersConsoleOpensToo() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("proxmox/lab/101"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      assertEquals(SeaBiosScreen.WIDTH, client.handshakeNone().width());
    }
    assertTrue(pve.calls().stream().anyMatch(c -> c.isVncWebSocket(101) && c.status() == 101));
  }

  @Test
  void tigervncViewerOnTheTcpFrontShowsTheVm() throws Exception {
    TigerVncViewer.require();
    long sockets = pve.vncWebSocketCount(100);
    try (XvncServer screen = XvncServer.builder().geometry(1024, 768).start();
         TigerVncViewer viewer = TigerVncViewer.start(screen, "127.0.0.1", gw.tcpPort(),
             gw.ticket("proxmox/lab/100"))) {
      viewer.awaitLog("CConnection: initialisation done", Duration.ofSeconds(30)); // ServerInit from QEMU, relayed
      viewer.awaitLog("Using pixel format", Duration.ofSeconds(10));
      Thread.sleep(1500);
      assertTrue(viewer.isAlive(), "the viewer is still connected:\n" + viewer.log());
      assertFalse(viewer.log().contains("End of stream"), viewer.log());
      assertEquals(sockets + 1, pve.vncWebSocketCount(100));
    }
    assertNoSecretInLogOrAudit();
  }

  @Test
  void aStoppedGuestIsRefusedInWordsWithoutAConsole() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("proxmox/lab/102"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      RfbRefused refused = assertThrows(RfbRefused.class, client::handshakeNone);
      assertTrue(refused.reason().contains("proxmox/lab/102 (VM 102 off) is stopped on node pve1: start it"),
          refused.reason());
    }
    assertEquals(0, pve.vncProxyCount(102));
  }

  @Test
  void anUnreachableNodeIsRefusedInWords() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("proxmox/lab/103"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      RfbRefused refused = assertThrows(RfbRefused.class, client::handshakeNone);
      assertTrue(refused.reason().contains("cannot reach node pve3 (595"), refused.reason());
    }
  }

  @Test
  void aTokenWithoutVmConsoleTellsTheViewerToAskTheOperatorAndTheLogWhy() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("proxmox/ro/100"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      RfbRefused refused = assertThrows(RfbRefused.class, client::handshakeNone);
      assertTrue(refused.reason().contains("the gateway's settings for this target are wrong"), refused.reason());
    }
    String log = logText();
    assertTrue(log.contains(AUDITOR + " needs the privilege VM.Console on /vms/100"), log);
  }

  @Test
  void aClusterWithAWrongPinOrARefusedTokenIsLeftOutAndTheLogSaysExactlyWhy() throws Exception {
    List<String> ids = gw.targets().stream().map(o -> ((JsonObject) o).getString("id")).toList();
    assertTrue(ids.contains("proxmox/lab/100"), "the other clusters still answer: " + ids);
    assertTrue(ids.stream().noneMatch(id -> id.startsWith("proxmox/badpin/") || id.startsWith("proxmox/badtoken/")),
        ids.toString());
    for (String target : List.of("proxmox/badpin/100", "proxmox/badtoken/100")) {
      var reply = gw.post("/api/v1/sessions", gw.token("alice", "**", io.vncgate.gateway.auth.Role.CONTROL),
          new JsonObject().put("target", target).put("role", "control").encode());
      assertEquals(404, reply.statusCode(), reply.body());
    }
    String log = logText();
    assertTrue(log.contains("proxmox cluster badpin: its guests are left out of the list: certificate fingerprint"
        + " mismatch: the Proxmox API of cluster badpin at " + pve.url() + " presented a certificate with SHA-256"
        + " fingerprint " + pve.fingerprint() + ", but providers.proxmox.clusters[2].fingerprint is " + WRONG_PIN), log);
    assertTrue(log.contains("proxmox cluster badtoken: its guests are left out of the list: Proxmox cluster badtoken ("
        + pve.url() + ") refused the API token " + TOKEN + " (401"), log);
    assertTrue(log.contains("check providers.proxmox.clusters[3].token-id and the secret in"), log);
    assertFalse(log.contains("00000000-0000-4000-8000"), "never the secret, even a wrong one");
  }

  /** Every VNC ticket and password the testbed handed out, and the token secret: none in the log or audit file. */
  private static void assertNoSecretInLogOrAudit() throws Exception {
    List<String> secrets = new ArrayList<>(List.of(SECRET, AUDITOR_SECRET));
    for (PveCall c : pve.calls()) {
      if (c.query() == null || !c.query().contains("vncticket=")) continue;
      String ticket = URLDecoder.decode(c.query().replaceAll(".*vncticket=([^&]*).*", "$1"), StandardCharsets.UTF_8);
      secrets.add(ticket);
      secrets.add(c.query().replaceAll(".*vncticket=([^&]*).*", "$1"));
      secrets.add(ticket.substring(0, ticket.indexOf(":PVEVNC:")));
    }
    assertTrue(secrets.size() > 2, "the test saw the tickets it looks for");
    String log = logText();
    Path auditFile = dir.resolve("audit.jsonl");
    String audit = Files.exists(auditFile) ? Files.readString(auditFile) : "";
    assertFalse(audit.isEmpty(), "the audit file has the sessions");
    for (String s : secrets) {
      assertFalse(log.contains(s), "a secret is in the gateway's log");
      assertFalse(audit.contains(s), "a secret is in the audit file");
    }
  }

  private static String logText() {
    StringBuilder out = new StringBuilder();
    synchronized (logs) {
      for (ILoggingEvent e : List.copyOf(logs.list)) {
        out.append(e.getFormattedMessage()).append('\n');
        if (e.getThrowableProxy() != null) out.append(e.getThrowableProxy().getMessage()).append('\n');
      }
    }
    return out.toString();
  }
}
