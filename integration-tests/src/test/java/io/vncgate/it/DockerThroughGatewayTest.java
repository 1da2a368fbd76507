package io.vncgate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.Framebuffer;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import io.vncgate.testbeds.TigerVncViewer;
import io.vncgate.testbeds.WebSocketClose;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
import io.vncgate.testbeds.docker.DesktopContainer;
import io.vncgate.testbeds.docker.DesktopImage;
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
import org.testcontainers.DockerClientFactory;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The docker plugin zip loaded by the real gateway, in front of real desktop containers (Xtigervnc
 * from this machine's files, VNC auth with a password file inside each container, run by
 * Testcontainers from a locally built image): the list shows the labelled container and never the
 * unlabelled one; an RFB client on the WebSocket front and TigerVNC's viewer on the TCP front see
 * the container's screen; a container removed mid-session ends the viewer's connection with the
 * reason in words; the password is never in the log or the audit file. Skipped, with
 * Testcontainers' reason, where no Docker engine answers.
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DockerThroughGatewayTest {
  private static final String PASSWORD = "ctr-Pw-5";
  private static final String SUFFIX = Long.toHexString(System.nanoTime() & 0xffffffL);

  @TempDir
  static Path dir;
  static DesktopContainer desk;
  static DesktopContainer plain;
  static GatewayHarness gw;
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    desk = DesktopContainer.offered("it-desk-" + SUFFIX, PASSWORD, Map.of("vncgate.name", "Lab desktop",
        "vncgate.os", "linux"));
    desk.start();
    plain = DesktopContainer.unlabelled("it-plain-" + SUFFIX, PASSWORD);
    plain.start();
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    ((Logger) LoggerFactory.getLogger("io.vncgate")).setLevel(ch.qos.logback.classic.Level.DEBUG);

    PluginZips.install(PluginZips.docker(), dir.resolve("plugins"));
    gw = GatewayHarness.in(dir).handshakeTimeout("20s").yaml("""
        audit: {file: audit.jsonl}
        providers:
          docker:
            password-file-in-container: %s
        """.formatted(DesktopImage.PASSWORD_FILE)).start();
  }

  @AfterAll
  static void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    if (gw != null) gw.close();
    // Ryuk is off: the test removes what it started
    if (desk != null) desk.stop();
    if (plain != null) plain.stop();
  }

  @Test
  void theLabelledContainerIsListedWithItsLabelsAndTheUnlabelledOneIsNot() throws Exception {
    Map<String, JsonObject> byId = gw.targets().stream().map(o -> (JsonObject) o)
        .collect(Collectors.toMap(t -> t.getString("id"), t -> t));
    JsonObject target = byId.get("docker/" + desk.name());
    assertTrue(target != null, byId.keySet().toString());
    assertEquals("Lab desktop", target.getString("name"));
    assertEquals("linux", target.getJsonObject("labels").getString("os"));
    assertFalse(byId.containsKey("docker/" + plain.name()), byId.keySet().toString());
    var reply = gw.post("/api/v1/sessions", gw.token("alice", "**", Role.CONTROL),
        new JsonObject().put("target", "docker/" + plain.name()).put("role", "control").encode());
    assertEquals(404, reply.statusCode(), reply.body());
    assertTrue(reply.body().contains("no target docker/" + plain.name()), reply.body());
  }

  @Test
  void theContainersScreenArrivesOnTheWebSocketFrontWithThePasswordReadFromInside() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("docker/" + desk.name()));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      ServerInitInfo init = client.handshakeNone(); // the gateway did VNC auth upstream
      assertEquals(DesktopImage.WIDTH, init.width());
      assertEquals(DesktopImage.HEIGHT, init.height());
      Framebuffer screen = client.readFramebufferUpdateRaw();
      int lit = 0;
      for (int y = 0; y < 64; y++) {
        for (int x = 0; x < 64; x++) if (screen.covered(x, y) && screen.rgb(x, y) != 0) lit++;
      }
      assertTrue(lit > 0, "X's grey weave, not a black screen");
    }
    assertNoSecretInLogOrAudit();
  }

  @Test
  void tigervncViewerOnTheTcpFrontShowsTheContainer() throws Exception {
    TigerVncViewer.require();
    try (XvncServer screen = XvncServer.builder().geometry(1024, 768).start();
         TigerVncViewer viewer = TigerVncViewer.start(screen, "127.0.0.1", gw.tcpPort(),
             gw.ticket("docker/" + desk.name()))) {
      viewer.awaitLog("CConnection: initialisation done", Duration.ofSeconds(30));
      viewer.awaitLog("Using pixel format", Duration.ofSeconds(10));
      Thread.sleep(1500);
      assertTrue(viewer.isAlive(), "the viewer is still connected:\n" + viewer.log());
      assertFalse(viewer.log().contains("End of stream"), viewer.log());
    }
    assertNoSecretInLogOrAudit();
  }

  @Test
  void aContainerRemovedMidSessionEndsTheViewersConnectionWithTheReason() throws Exception {
    DesktopContainer doomed = DesktopContainer.offered("it-doomed-" + SUFFIX, PASSWORD, Map.of());
    doomed.start();
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("docker/" + doomed.name()));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      assertEquals(DesktopImage.WIDTH, client.handshakeNone().width());
      // docker rm -f: Xvnc is killed with its container, its socket closes, and the provider says why
      DockerClientFactory.instance().client().removeContainerCmd(doomed.getContainerId()).withForce(true).exec();
      WebSocketClose close = bridge.awaitClose(1, Duration.ofSeconds(20));
      assertEquals(1000, close.code(), close.toString());
      assertEquals("the VNC server closed the connection: container " + doomed.name() + " was removed", close.reason(),
          close.toString());
    } finally {
      doomed.stop();
    }
    // the list is shared for 1 s between callers; after that the container is gone from it
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    int status;
    do {
      Thread.sleep(200);
      status = gw.post("/api/v1/sessions", gw.token("alice", "**", Role.CONTROL),
          new JsonObject().put("target", "docker/" + doomed.name()).put("role", "control").encode()).statusCode();
    } while (status != 404 && System.nanoTime() < deadline);
    assertEquals(404, status, "the removed container is no longer offered");
  }

  private static void assertNoSecretInLogOrAudit() throws Exception {
    Path auditFile = dir.resolve("audit.jsonl");
    String audit = Files.exists(auditFile) ? Files.readString(auditFile) : "";
    assertFalse(audit.isEmpty(), "the audit file has the sessions");
    assertFalse(audit.contains(PASSWORD), "the VNC password is in the audit file");
    StringBuilder out = new StringBuilder();
    synchronized (logs) {
      for (ILoggingEvent e : List.copyOf(logs.list)) out.append(e.getFormattedMessage()).append('\n');
    }
    assertFalse(out.toString().contains(PASSWORD), "the VNC password is in the gateway's log");
  }
}
