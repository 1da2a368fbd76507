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
import io.vncgate.testbeds.kubevirt.KubeRbac;
import io.vncgate.testbeds.kubevirt.KubeVirtTestbed;
import io.vncgate.testbeds.kubevirt.KubeVmi;
import io.vncgate.testbeds.qemu.QemuVncServer;
import io.vncgate.testbeds.qemu.SeaBiosScreen;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The kubevirt plugin zip loaded by the real gateway, against the KubeVirt testbed (the kube API's
 * wire format over HTTPS with the cluster CA, RBAC, the vnc subresource with plain.kubevirt.io) in
 * front of a real QEMU without a VNC password: an RFB client on the WebSocket front and TigerVNC's
 * viewer on the TCP front see QEMU's screen, and refusals reach the viewer in words. The provider
 * says fan-out: viewers of a VMI share ONE upstream connection (KubeVirtFanOutTest has six at
 * once); the grace is short here so each test starts with the VMI's connection closed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KubeVirtThroughGatewayTest {
  private static final String TOKEN = "tok-gateway-7d1e";
  private static final String NO_VNC = "tok-no-vnc-51f0";

  @TempDir
  static Path dir;
  static QemuVncServer qemu;
  static KubeVirtTestbed kube;
  static GatewayHarness gw;
  static GatewayHarness noVnc;
  static GatewayHarness withCertificate;
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    QemuVncServer.require();
    qemu = QemuVncServer.builder().password(false).start();
    kube = KubeVirtTestbed.builder()
        .vmi(KubeVmi.running("lab", "web", qemu).withLabels(Map.of("vncgate", "true")))
        .vmi(KubeVmi.inPhase("lab", "starting", "Scheduling").withLabels(Map.of("vncgate", "true")))
        .vmi(KubeVmi.running("lab", "hidden", qemu))
        .serviceAccount("vncgate", "gateway", TOKEN, KubeRbac.vncgate())
        .user("vncgate-gateway", KubeRbac.vncgate())
        .serviceAccount("vncgate", "no-vnc", NO_VNC, KubeRbac.none()
            .allow("list", "kubevirt.io", "virtualmachineinstances", null)
            .allow("get", "kubevirt.io", "virtualmachineinstances", null))
        .start();
    Files.writeString(dir.resolve("kubeconfig"), kube.kubeconfigWithToken(TOKEN));
    Files.createDirectories(dir.resolve("novnc"));
    Files.writeString(dir.resolve("novnc").resolve("kubeconfig"), kube.kubeconfigWithToken(NO_VNC));
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);

    PluginZips.install(PluginZips.kubevirt(), dir.resolve("plugins"));
    gw = GatewayHarness.in(dir).handshakeTimeout("20s").yaml("""
        providers:
          kubevirt:
            kubeconfig: kubeconfig
            namespaces: [lab]
            label-selector: vncgate=true
        sessions:
          fan-out-grace: 1s
        """).start();
    PluginZips.install(PluginZips.kubevirt(), dir.resolve("novnc").resolve("plugins"));
    noVnc = GatewayHarness.in(dir.resolve("novnc")).handshakeTimeout("20s").noTcp().yaml("""
        providers:
          kubevirt:
            kubeconfig: kubeconfig
        """).start();
    Files.createDirectories(dir.resolve("cert"));
    Files.writeString(dir.resolve("cert").resolve("kubeconfig"),
        kube.kubeconfigWithClientCertificate("vncgate-gateway", "vncgate"));
    PluginZips.install(PluginZips.kubevirt(), dir.resolve("cert").resolve("plugins"));
    withCertificate = GatewayHarness.in(dir.resolve("cert")).handshakeTimeout("20s").noTcp().yaml("""
        providers:
          kubevirt:
            kubeconfig: kubeconfig
        """).start();
  }

  @AfterAll
  static void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    if (gw != null) gw.close();
    if (noVnc != null) noVnc.close();
    if (withCertificate != null) withCertificate.close();
    if (kube != null) kube.close();
    if (qemu != null) qemu.close();
  }

  @Test
  void theVmisOfTheSelectorAreListedWithTheirPhase() throws Exception {
    Map<String, JsonObject> byId = gw.targets().stream().map(o -> (JsonObject) o)
        .collect(Collectors.toMap(t -> t.getString("id"), t -> t));
    assertEquals(java.util.Set.of("kubevirt/lab/web", "kubevirt/lab/starting"), byId.keySet());
    assertEquals("Running", byId.get("kubevirt/lab/web").getJsonObject("labels").getString("phase"));
    assertEquals("node01", byId.get("kubevirt/lab/web").getJsonObject("labels").getString("node"));
    assertEquals("Scheduling", byId.get("kubevirt/lab/starting").getJsonObject("labels").getString("phase"));
  }

  @Test
  void qemusScreenArrivesThroughTheVncSubresourceWithOneUpstreamForTwoViewers() throws Exception {
    awaitVncClosed("web");
    int before = kube.vncConnections("lab", "web");
    try (WebSocketTcpBridge first = gw.bridge(gw.ticket("kubevirt/lab/web"));
         RfbTestClient a = RfbTestClient.connect(first.host(), first.port());
         WebSocketTcpBridge second = gw.bridge(gw.ticket("kubevirt/lab/web"));
         RfbTestClient b = RfbTestClient.connect(second.host(), second.port())) {
      for (RfbTestClient client : List.of(a, b)) {
        ServerInitInfo init = client.handshakeNone();
        assertEquals(SeaBiosScreen.WIDTH, init.width());
        assertEquals(SeaBiosScreen.HEIGHT, init.height());
      }
      for (RfbTestClient client : List.of(a, b)) {
        Framebuffer screen = SeaBiosScreen.awaitText(client, Duration.ofSeconds(20));
        assertTrue(SeaBiosScreen.litPixels(screen) > 0);
      }
      assertEquals(before + 1, kube.vncConnections("lab", "web"), "one upstream connection for both viewers");
      assertTrue(kube.vncSubprotocols("lab", "web").get(before).equals("plain.kubevirt.io"),
          "the gateway offered KubeVirt's subprotocol: " + kube.vncSubprotocols("lab", "web"));
    }
    assertFalse(logText().contains(TOKEN), "the token is never logged");
  }

  @Test
  void tigervncViewerOnTheTcpFrontShowsTheVmi() throws Exception {
    TigerVncViewer.require();
    awaitVncClosed("web");
    int before = kube.vncConnections("lab", "web");
    try (XvncServer screen = XvncServer.builder().geometry(1024, 768).start()) {
      screen.setRootColor("black");
      // the viewer's own screen, read back: black before, SeaBIOS's text in the viewer's window after
      try (RfbTestClient shot = RfbTestClient.connect(screen.host(), screen.port())) {
        if (screen.password().isPresent()) {
          shot.handshakeVncAuth(screen.password().get());
        } else {
          shot.handshakeNone();
        }
        assertEquals(0, SeaBiosScreen.litPixels(shot.readFramebufferUpdateRaw()), "the viewer's screen starts black");
        try (TigerVncViewer viewer = TigerVncViewer.start(screen, "127.0.0.1", gw.tcpPort(),
            gw.ticket("kubevirt/lab/web"))) {
          viewer.awaitLog("CConnection: initialisation done", Duration.ofSeconds(30)); // ServerInit from QEMU, relayed
          viewer.awaitLog("Using pixel format", Duration.ofSeconds(10));
          Framebuffer seen = SeaBiosScreen.awaitText(shot, Duration.ofSeconds(20));
          assertTrue(SeaBiosScreen.litPixels(seen) > 0, "QEMU's text is in TigerVNC's window");
          assertTrue(viewer.isAlive(), "the viewer is still connected:\n" + viewer.log());
          assertFalse(viewer.log().contains("End of stream"), viewer.log());
          assertEquals(before + 1, kube.vncConnections("lab", "web"));
          assertTrue(kube.vncOpen("lab", "web"), "the viewer's upstream is the VMI's one VNC connection");
        }
      }
    }
  }

  @Test
  void aVmiThatIsNotRunningIsRefusedInWordsWithoutAnUpstream() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("kubevirt/lab/starting"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      RfbRefused refused = assertThrows(RfbRefused.class, client::handshakeNone);
      assertTrue(refused.reason().contains("VMI lab/starting is Scheduling, not Running: it is starting"),
          refused.reason());
    }
    assertEquals(0, kube.vncConnections("lab", "starting"));
  }

  @Test
  void withoutGetOnTheVncSubresourceTheViewerIsToldWhichRightIsMissing() throws Exception {
    int before = kube.vncConnections("lab", "hidden"); // the client-certificate test's gateway may have opened one
    try (WebSocketTcpBridge bridge = noVnc.bridge(noVnc.ticket("kubevirt/lab/hidden"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      RfbRefused refused = assertThrows(RfbRefused.class, client::handshakeNone);
      assertTrue(refused.reason().contains("HTTP 403"), refused.reason());
      assertTrue(refused.reason().contains("User \"system:serviceaccount:vncgate:no-vnc\" cannot get resource"
          + " \"virtualmachineinstances/vnc\" in API group \"subresources.kubevirt.io\" in the namespace \"lab\""),
          refused.reason());
      assertFalse(refused.reason().contains(NO_VNC), "never the token");
    }
    assertEquals(before, kube.vncConnections("lab", "hidden"));
  }

  /** The gateway shows the kubeconfig's client certificate (PKCS#1 RSA key, as kubeadm writes it) at the vnc upgrade. */
  @Test
  void aClientCertificateFromTheKubeconfigOpensTheVmiThroughTheGateway() throws Exception {
    int before = kube.vncConnections("lab", "hidden");
    try (WebSocketTcpBridge bridge = withCertificate.bridge(withCertificate.ticket("kubevirt/lab/hidden"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      assertEquals(SeaBiosScreen.WIDTH, client.handshakeNone().width());
    }
    assertEquals(before + 1, kube.vncConnections("lab", "hidden"));
    assertTrue(kube.requests().stream().anyMatch(r -> r.startsWith(
        "GET /apis/subresources.kubevirt.io/v1/namespaces/lab/virtualmachineinstances/hidden/vnc vncgate-gateway")),
        "the API server saw the certificate's user at the upgrade: " + kube.requests());
  }

  /** Waits until the VMI has no vnc connection (an earlier test's upstream outlives its viewers by the grace). */
  private static void awaitVncClosed(String vmi) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (kube.vncOpen("lab", vmi) && System.nanoTime() < deadline) Thread.sleep(100);
    assertFalse(kube.vncOpen("lab", vmi), "the gateway's upstream to " + vmi + " closed after the grace");
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
