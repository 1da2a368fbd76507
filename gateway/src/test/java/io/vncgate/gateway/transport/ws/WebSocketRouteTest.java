package io.vncgate.gateway.transport.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.gateway.failure.Status;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import io.vncgate.testbeds.XvncServer;
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
import org.slf4j.LoggerFactory;

/**
 * Static targets with a {@code websocket:} route, through the gateway to a real Xvnc behind real
 * upstream WebSocket servers: websockify 0.10 (ws, and wss with a self-signed certificate, as
 * Proxmox has) and a Vert.x server that records what the gateway sent (headers, subprotocol,
 * frame sizes) or answers as a failing endpoint would. A real RFB client on the TCP front sees the
 * desktop, or the words the gateway's failure gives it.
 */
@Timeout(180)
class WebSocketRouteTest {
  static final String TOKEN = "PVEAPIToken=vncgate@pve!gw=5e3a0d0c-token-secret";
  static final String TICKET = "PVEVNC:6744A1B2::very-secret-ticket";
  @TempDir static Path dir;
  static XvncServer xvnc;
  static Websockify plain;
  static Websockify tls;
  static Websockify tlsOtherName;
  static SelfSignedCert cert;
  static SelfSignedCert otherNameCert;
  static Vertx serverVertx;
  static UpstreamWsServer recorder;
  static UpstreamWsServer pve;
  static GatewayHarness gw;
  /** Everything logged in this JVM meanwhile (gateway, audit, Vert.x, Netty). */
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    logs.start();
    xvnc = XvncServer.builder().geometry(320, 200).password("ws-pass1").blacklist(false).start();
    xvnc.setRootColor("#3366cc");
    cert = SelfSignedCert.create(dir, "pve1.test");
    otherNameCert = SelfSignedCert.create(dir, "pve2.test", false);
    plain = Websockify.start(dir, xvnc.port(), null);
    tls = Websockify.start(dir, xvnc.port(), cert);
    tlsOtherName = Websockify.start(dir, xvnc.port(), otherNameCert);
    serverVertx = Vertx.vertx();
    recorder = new UpstreamWsServer(serverVertx, xvnc.port());
    pve = new UpstreamWsServer(serverVertx, xvnc.port(), cert);
    Files.writeString(dir.resolve("auth.header"), TOKEN + "\n");
    String pw = xvnc.passwordFile().toString();
    String wss = "wss://127.0.0.1:" + tls.port() + "/";
    String query = "?port=5900&vncticket=" + java.net.URLEncoder.encode(TICKET, java.nio.charset.StandardCharsets.UTF_8);
    gw = GatewayHarness.in(dir).handshakeTimeout("10s")
        .yaml("limits: {clipboard: {max-bytes: 1MiB}}\n")
        .targets(target("ws", "{url: \"ws://127.0.0.1:" + plain.port() + "/\", subprotocols: [binary]}", pw)
            + target("pinned", "{url: \"" + wss + "\", subprotocols: [binary], fingerprint: \"" + cert.sha256() + "\"}", pw)
            + target("pinned-lower", "{url: \"" + wss + "\", fingerprint: \"" + cert.sha256().replace(":", "").toLowerCase()
                + "\"}", pw)
            + target("wrong-pin", "{url: \"" + wss + "\", fingerprint: \"" + "AB:".repeat(31) + "AB\"}", pw)
            + target("unpinned", "{url: \"" + wss + "\"}", pw)
            + target("ca", "{url: \"" + wss + "\", ca-file: " + cert.certPem() + "}", pw)
            + target("ca-other-name", "{url: \"wss://127.0.0.1:" + tlsOtherName.port() + "/\", ca-file: "
                + otherNameCert.certPem() + "}", pw)
            + target("pinned-other-name", "{url: \"wss://127.0.0.1:" + tlsOtherName.port() + "/\", fingerprint: \""
                + otherNameCert.sha256() + "\"}", pw)
            + target("recorded", "{url: \"" + recorder.url("/relay") + query + "\", subprotocols: [binary],"
                + " header-files: {Authorization: auth.header}, max-frame: 1KiB}", pw)
            + target("pve-like", "{url: \"" + pve.url("/relay") + query + "\", subprotocols: [binary],"
                + " header-files: {Authorization: auth.header}, fingerprint: \"" + cert.sha256() + "\"}", pw)
            + target("r401", "{url: \"" + recorder.url("/reject/401") + query + "\", header-files: {Authorization: auth.header}}", pw)
            + target("r403", "{url: \"" + recorder.url("/reject/403") + query + "\", header-files: {Authorization: auth.header}}", pw)
            + target("r404", "{url: \"" + recorder.url("/reject/404") + query + "\", header-files: {Authorization: auth.header}}", pw)
            + target("r500", "{url: \"" + recorder.url("/reject/500") + query + "\", header-files: {Authorization: auth.header}}", pw)
            + target("text", "{url: \"" + recorder.url("/text") + "\"}", pw)
            + target("closes", "{url: \"" + recorder.url("/close") + "\"}", pw))
        .start();
  }

  private static String target(String id, String websocket, String passwordFile) {
    return "      - id: " + id + "\n        websocket: " + websocket + "\n        password-file: " + passwordFile + "\n";
  }

  @AfterAll
  static void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    if (gw != null) gw.close();
    if (recorder != null) recorder.close();
    if (pve != null) pve.close();
    if (serverVertx != null) serverVertx.close().await(10, TimeUnit.SECONDS);
    for (AutoCloseable c : new AutoCloseable[] {plain, tls, tlsOtherName, xvnc}) if (c != null) c.close();
  }

  private static void assertDesktop(String target) throws Exception {
    try (RfbTestClient client = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      ServerInitInfo init = client.handshakeVncAuth(gw.ticket("static/" + target));
      assertEquals(320, init.width());
      assertEquals(200, init.height());
      int rgb = client.awaitCentreColour(0x3366cc, Duration.ofSeconds(10));
      assertEquals(0x3366cc, rgb, String.format("centre pixel %06x", rgb));
    }
  }

  /** The RFB failure reason a viewer on the TCP front gets for {@code target}. */
  private static String refusal(String target) throws Exception {
    try (RfbTestClient client = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      RfbRefused refused = assertThrows(RfbRefused.class, () -> client.handshakeVncAuth(gw.ticket("static/" + target)));
      String reason = refused.reason();
      assertFalse(reason.contains("very-secret-ticket") || reason.contains("5e3a0d0c"), "no secret in: " + reason);
      assertNoSecretLogged();
      return reason;
    }
  }

  /** Neither the token nor the ticket (raw or %-encoded) in any log line so far; and something was logged. */
  private static void assertNoSecretLogged() {
    List<ILoggingEvent> events = new ArrayList<>(logs.list);
    assertTrue(events.size() > 0, "the log was captured");
    for (ILoggingEvent e : events) {
      String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage());
      assertFalse(line.contains("very-secret-ticket") || line.contains("5e3a0d0c") || line.contains("6744A1B2"),
          "a secret in the log: " + line);
    }
  }

  @Test
  void desktopThroughWebsockifyOverPlainWebSocket() throws Exception {
    assertDesktop("ws");
  }

  @Test
  void desktopOverTlsWithThePinnedFingerprintInEitherSpelling() throws Exception {
    assertDesktop("pinned");
    assertDesktop("pinned-lower");
  }

  /** Proxmox's certificate names the node, not the address dialled: with a pin, the pin is the whole check. */
  @Test
  void withAPinTheHostNameIsNotCompared() throws Exception {
    assertDesktop("pinned-other-name");
  }

  @Test
  void desktopOverTlsWithTheCaFile() throws Exception {
    assertDesktop("ca");
  }

  @Test
  void aWrongPinNamesBothFingerprintsAndTheSettingToChange() throws Exception {
    String reason = refusal("wrong-pin");
    assertTrue(reason.startsWith("target static/wrong-pin: the target's TLS certificate is not the pinned one"), reason);
    // the settings are wrong, not the target's reachability: final, not retried by the page
    assertTrue(reason.endsWith(Status.NEEDS_OPERATOR_NOTE), reason);
    assertTrue(reason.contains("expected SHA-256 fingerprint " + "AB:".repeat(31) + "AB"), reason);
    assertTrue(reason.contains("the server showed " + cert.sha256()), reason);
    assertTrue(reason.contains("providers.static.targets[3].websocket.fingerprint"), reason);
  }

  @Test
  void aSelfSignedCertificateWithoutPinOrCaIsRefusedSayingHowToPinIt() throws Exception {
    String reason = refusal("unpinned");
    assertTrue(reason.contains("is not signed by a CA the gateway trusts"), reason);
    assertTrue(reason.contains("pin its SHA-256 fingerprint " + cert.sha256()), reason);
    assertTrue(reason.contains("providers.static.targets[4].websocket.fingerprint"), reason);
    assertTrue(reason.endsWith(Status.NEEDS_OPERATOR_NOTE), reason);
  }

  @Test
  void withACaFileTheHostNameIsChecked() throws Exception {
    String reason = refusal("ca-other-name");
    assertTrue(reason.contains("does not name the host in its URL"), reason);
    assertTrue(reason.contains(otherNameCert.sha256()), reason);
  }

  @Test
  void headersSubprotocolAndQueryReachTheServerAndFramesKeepToTheCap() throws Exception {
    String text = "clipboard-" + "x".repeat(5000);
    try (RfbTestClient client = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      client.handshakeVncAuth(gw.ticket("static/recorded"));
      UpstreamWsServer.Upgrade up = recorder.lastUpgrade();
      assertEquals("/relay", up.path());
      assertEquals(TOKEN, up.headers().get("authorization"), "the header file's first line, as sent");
      assertEquals("binary", up.headers().get("sec-websocket-protocol"));
      assertFalse(up.headers().containsKey("origin"), "no Origin: the gateway is not a browser");
      assertTrue(up.query().contains("vncticket=PVEVNC%3A6744A1B2"), up.query());
      assertEquals("binary", recorder.chosenSubprotocols.get(recorder.chosenSubprotocols.size() - 1));
      client.sendClientCutText(text);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!text.equals(xvnc.clipboard()) && System.nanoTime() < deadline) Thread.sleep(100);
      assertEquals(text, xvnc.clipboard(), "the clipboard arrived whole, from frames of at most 1 KiB");
      assertTrue(recorder.largestFrame() <= 1024, "largest frame " + recorder.largestFrame());
      assertTrue(recorder.frameSizes.stream().filter(n -> n == 1024).count() >= 4, "split into 1 KiB frames: "
          + recorder.frameSizes);
    }
  }

  /**
   * What the proxmox provider sends: wss with the certificate pinned, the API token header, the
   * {@code binary} subprotocol, the ticket in the query, frames of at most 128 KiB.
   */
  @Test
  void proxmoxShapedRouteWithPinTokenSubprotocolAndTicket() throws Exception {
    String text = "y".repeat(200_000); // under Xvnc's MaxCutText (256 KiB)
    try (RfbTestClient client = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      client.handshakeVncAuth(gw.ticket("static/pve-like"));
      UpstreamWsServer.Upgrade up = pve.lastUpgrade();
      assertEquals(TOKEN, up.headers().get("authorization"));
      assertEquals("binary", up.headers().get("sec-websocket-protocol"));
      assertTrue(up.query().contains("vncticket="), up.query());
      int rgb = client.awaitCentreColour(0x3366cc, Duration.ofSeconds(10));
      assertEquals(0x3366cc, rgb, String.format("centre pixel %06x", rgb));
      client.sendClientCutText(text);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!text.equals(xvnc.clipboard()) && System.nanoTime() < deadline) Thread.sleep(100);
      assertEquals(text.length(), xvnc.clipboard().length(), "the clipboard arrived whole");
      assertTrue(pve.largestFrame() <= 128 * 1024, "largest frame " + pve.largestFrame());
      assertNoSecretLogged();
    }
  }

  @Test
  void refusedUpgradesAreNamedInWordsWithoutTheTokenOrTicket() throws Exception {
    String r401 = refusal("r401");
    assertTrue(r401.contains("the target's WebSocket refused the credentials (HTTP 401 Unauthorized) at ws://127.0.0.1:"
        + recorder.port() + "/reject/401"), r401);
    // the route's standing credentials (a header file here) are wrong: final, like a wrong pin
    assertTrue(r401.endsWith(Status.NEEDS_OPERATOR_NOTE), r401);
    String r403 = refusal("r403");
    assertTrue(r403.contains("refused access (HTTP 403 Forbidden): the credentials lack the permission"), r403);
    assertTrue(r403.endsWith(Status.NEEDS_OPERATOR_NOTE), r403);
    String r404 = refusal("r404");
    assertTrue(r404.contains("the target has no WebSocket endpoint at ws://127.0.0.1:" + recorder.port()
        + "/reject/404 (HTTP 404 Not Found)"), r404);
    String r500 = refusal("r500");
    assertTrue(r500.contains("the target's WebSocket endpoint failed (HTTP 500)"), r500);
    assertFalse(r500.endsWith(Status.NEEDS_OPERATOR_NOTE), "a failing endpoint may recover: " + r500);
  }

  @Test
  void aCloseFrameWhileRelayingReachesTheBrowserAsTheCloseReason() throws Exception {
    try (io.vncgate.testbeds.WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/recorded"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      client.handshakeNone();
      assertEquals(0x3366cc, client.awaitCentreColour(0x3366cc, Duration.ofSeconds(10)));
      recorder.closeRelays((short) 1011, "node shutting down");
      io.vncgate.testbeds.WebSocketClose close = bridge.awaitClose(1, Duration.ofSeconds(10));
      assertEquals(1011, close.code());
      assertEquals("target closed the WebSocket: 1011 node shutting down", close.reason());
    }
  }

  @Test
  void aTextFrameIsAProtocolErrorInWords() throws Exception {
    String reason = refusal("text");
    assertTrue(reason.contains("sent a text WebSocket frame, but RFB travels in binary frames"), reason);
  }

  @Test
  void theTargetsCloseReasonReachesTheViewer() throws Exception {
    String reason = refusal("closes");
    assertTrue(reason.contains("target closed the WebSocket: 1011 backend gone"), reason);
  }
}
