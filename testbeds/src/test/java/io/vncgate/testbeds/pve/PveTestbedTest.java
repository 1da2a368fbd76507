package io.vncgate.testbeds.pve;

import static io.vncgate.testbeds.pve.PveClient.await;
import static io.vncgate.testbeds.pve.PveClient.enc;
import static io.vncgate.testbeds.pve.PveClient.failure;
import static io.vncgate.testbeds.pve.PveClient.tokenHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vncgate.testbeds.Framebuffer;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.qemu.QemuVncServer;
import io.vncgate.testbeds.qemu.SeaBiosScreen;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PveTestbedTest {

  private static final String TOKEN = "vncgate@pve!gateway";
  private static final String SECRET = "5f3c2a8e-1b7d-4c9e-a0f1-2d3e4f5a6b7c";
  private static final String AUDITOR = "auditor@pve!ro";
  private static final String OTHER = "other@pve!console";
  private static final Map<String, String> AS_GATEWAY = Map.of("Authorization", tokenHeader(TOKEN, SECRET));

  private static QemuVncServer qemu;
  private PveTestbed pve;
  private PveClient client;

  @BeforeAll
  static void startQemu() {
    qemu = QemuVncServer.start();
  }

  @AfterAll
  static void stopQemu() {
    if (qemu != null) {
      qemu.close();
    }
  }

  @BeforeEach
  void startPve() {
    pve = PveTestbed.builder()
        .guest(PveGuest.qemu(100, "pve1", "web", qemu).withTags("vnc", "prod").inPool("lab"))
        .guest(PveGuest.lxc(101, "pve1", "ct-db", qemu))
        .guest(PveGuest.stoppedQemu(102, "pve1", "off"))
        .guest(PveGuest.qemu(103, "pve3", "far", qemu))
        .offlineNode("pve3")
        .token(TOKEN, SECRET, PvePermissions.all())
        .token(AUDITOR, "ro-secret", PvePermissions.auditOnly())
        .token(OTHER, "other-secret", PvePermissions.consoleOn(100))
        .user("alice@pve", "alice-pw", PvePermissions.consoleOn(100))
        .unauthorizedDelay(Duration.ZERO)
        .start();
    client = new PveClient(pve);
  }

  @AfterEach
  void stopPve() {
    client.close();
    pve.close();
  }

  private JsonObject vncproxy(String type, int vmid, Map<String, String> auth) {
    PveClient.Answer answer = client.post("/nodes/pve1/" + type + "/" + vmid + "/vncproxy", auth, "websocket=1");
    assertEquals(200, answer.status(), answer.toString());
    return answer.data();
  }

  @Test
  void vncproxyThenVncwebsocketReachesQemuWithTheReturnedPasswordAndShowsSeaBios() throws Exception {
    JsonObject proxy = vncproxy("qemu", 100, AS_GATEWAY);
    assertEquals(TOKEN, proxy.getString("user"));
    String password = proxy.getString("password");
    assertEquals(8, password.length());
    assertTrue(proxy.getString("ticket").startsWith(password + ":PVEVNC:"), proxy.getString("ticket"));
    assertInstanceOf(String.class, proxy.getValue("port"), "PVE sends the port as a JSON string");
    assertTrue(proxy.getString("upid").startsWith("UPID:pve1:"), proxy.getString("upid"));
    assertEquals(Files.readString(pve.caFile()), proxy.getString("cert"));

    WebSocket ws = await(client.console("pve1", "qemu", 100, proxy.getString("port"), proxy.getString("ticket"),
        AS_GATEWAY));
    assertEquals("binary", ws.subProtocol());
    List<Integer> frames = PveClient.frameLog();
    try (RfbTestClient rfb = PveClient.rfbOver(ws, frames)) {
      assertEquals(SeaBiosScreen.WIDTH, rfb.handshakeVncAuth(password).width());
      Framebuffer fb = SeaBiosScreen.awaitText(rfb, Duration.ofSeconds(30));
      assertTrue(SeaBiosScreen.litPixels(fb) > 0);
    }
    assertTrue(frames.stream().allMatch(n -> n >= 0 && n <= 128 * 1024), "unfragmented frames of at most 128 KiB");
    assertTrue(frames.stream().mapToInt(Integer::intValue).sum() > 720 * 400 * 4, "a whole Raw update arrived");
    assertEquals(1, pve.vncProxyCount(100));
    assertEquals(1, pve.vncWebSocketCount(100));
    assertEquals(101, pve.calls().get(1).status());
    JsonObject task = client.get("/nodes/pve1/tasks/" + enc(proxy.getString("upid")) + "/status", AS_GATEWAY).data();
    assertEquals("vncproxy", task.getString("type"));
  }

  @Test
  void lxcConsoleTakesWidthAndHeightWhichQemusClosedSchemaRefuses() throws Exception {
    PveClient.Answer qemuWidth = client.post("/nodes/pve1/qemu/100/vncproxy", AS_GATEWAY, "websocket=1&width=800");
    assertEquals(400, qemuWidth.status());
    assertEquals("property is not defined in schema and the schema does not allow additional properties",
        qemuWidth.json().getJsonObject("errors").getString("width"));
    PveClient.Answer tooHigh = client.post("/nodes/pve1/lxc/101/vncproxy", AS_GATEWAY, "websocket=1&height=9999");
    assertEquals("value must have a maximum value of 2160", tooHigh.json().getJsonObject("errors").getString("height"));

    PveClient.Answer answer = client.post("/nodes/pve1/lxc/101/vncproxy", AS_GATEWAY,
        "websocket=1&width=800&height=600");
    assertEquals(200, answer.status(), answer.toString());
    JsonObject proxy = answer.data();
    WebSocket ws = await(client.console("pve1", "lxc", 101, proxy.getString("port"), proxy.getString("ticket"),
        AS_GATEWAY));
    try (RfbTestClient rfb = PveClient.rfbOver(ws, PveClient.frameLog())) {
      assertEquals(SeaBiosScreen.WIDTH, rfb.handshakeVncAuth(proxy.getString("password")).width());
    }
  }

  @Test
  void aClientFrameOver128KiBDropsTheConsoleWithoutACloseFrameAsPveproxyDoes() throws Exception {
    JsonObject proxy = vncproxy("qemu", 100, AS_GATEWAY);
    WebSocket ws = await(client.console("pve1", "qemu", 100, proxy.getString("port"), proxy.getString("ticket"),
        AS_GATEWAY));
    try (RfbTestClient rfb = PveClient.rfbOver(ws, PveClient.frameLog())) {
      assertEquals(SeaBiosScreen.WIDTH, rfb.handshakeVncAuth(proxy.getString("password")).width());
      await(ws.writeFrame(WebSocketFrame.binaryFrame(Buffer.buffer(new byte[128 * 1024 + 1]), true)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!ws.isClosed() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(ws.isClosed());
      assertEquals((short) 1006, ws.closeStatusCode(), "no close frame from pveproxy");
    }
  }

  @Test
  void thePasswordIsSetPerWebsocketSoAnEarlierTicketsPasswordNoLongerLogsIn() throws Exception {
    JsonObject first = vncproxy("qemu", 100, AS_GATEWAY);
    JsonObject second = vncproxy("qemu", 100, AS_GATEWAY);
    assertFalse(first.getString("port").equals(second.getString("port")), "each worker has its own port");
    WebSocket ws = await(client.console("pve1", "qemu", 100, second.getString("port"), second.getString("ticket"),
        AS_GATEWAY));
    try (RfbTestClient rfb = PveClient.rfbOver(ws, PveClient.frameLog())) {
      RfbRefused refused = assertThrows(RfbRefused.class, () -> rfb.handshakeVncAuth(first.getString("password")));
      assertEquals("Authentication failed\0", refused.reason(), "QEMU sends the C string with its NUL");
    }
  }

  @Test
  void theCertificateMatchesTheFingerprintAndIsTrustedThroughTheCaFile() throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(pve.caFile())) {
      trust.setCertificateEntry("pve-root-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(pve.host(), pve.port())) {
      socket.startHandshake();
      Certificate leaf = socket.getSession().getPeerCertificates()[0];
      String seen = HexFormat.ofDelimiter(":").withUpperCase()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));
      assertEquals(pve.fingerprint(), seen);
      assertTrue(seen.matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"), seen);
    }
  }

  @Test
  void clusterResourcesListsQemuAndLxcGuestsWithPveFields() {
    JsonArray all = client.get("/cluster/resources?type=vm", AS_GATEWAY).json().getJsonArray("data");
    assertEquals(4, all.size());
    JsonObject web = all.getJsonObject(0);
    assertEquals("qemu/100", web.getString("id"));
    assertEquals(100, web.getInteger("vmid"));
    assertEquals("qemu", web.getString("type"));
    assertEquals("pve1", web.getString("node"));
    assertEquals("web", web.getString("name"));
    assertEquals("running", web.getString("status"));
    assertEquals("vnc;prod", web.getString("tags"));
    assertEquals("lab", web.getString("pool"));
    assertEquals("lxc", all.getJsonObject(1).getString("type"));
    assertEquals("stopped", all.getJsonObject(2).getString("status"));
    assertEquals("unknown", all.getJsonObject(3).getString("status"), "a guest on an offline node");

    JsonArray forOther = client.get("/cluster/resources?type=vm",
        Map.of("Authorization", tokenHeader(OTHER, "other-secret"))).json().getJsonArray("data");
    assertEquals(1, forOther.size(), "only guests with VM.Audit");
    PveClient.Answer bad = client.get("/cluster/resources?type=vms", AS_GATEWAY);
    assertEquals(400, bad.status());
    assertEquals("Parameter verification failed.\n", bad.json().getString("message"));
    assertTrue(bad.json().getJsonObject("errors").containsKey("type"));
  }

  @Test
  void aRefusedTokenIs401WithTheReasonPhraseOnlyAfterPvesDelay() throws Exception {
    try (PveTestbed slow = PveTestbed.builder().token(TOKEN, SECRET, PvePermissions.all()).start();
         PveClient slowClient = new PveClient(slow)) {
      long start = System.nanoTime();
      PveClient.Answer answer = slowClient.get("/cluster/resources",
          Map.of("Authorization", tokenHeader(TOKEN, "wrong-secret")));
      assertTrue(PveClient.since(start).toMillis() >= 2_900, "PVE delays 401 by 3 s");
      assertEquals(401, answer.status());
      assertEquals("Authentication failed!", answer.reason());
      assertEquals("", answer.body());
      assertNull(slow.calls().get(0).principal());
    }
    PveClient.Answer none = client.get("/cluster/resources", Map.of());
    assertEquals(401, none.status());
    assertEquals("No ticket", none.reason());
    PveClient.Answer unknown = client.get("/cluster/resources",
        Map.of("Authorization", tokenHeader("nobody@pve!x", SECRET)));
    assertEquals("Authentication failed!", unknown.reason());
  }

  @Test
  void missingVmConsoleIs403NamingPathAndPrivilegeOnVncproxyAndVncwebsocket() {
    Map<String, String> auditor = Map.of("Authorization", tokenHeader(AUDITOR, "ro-secret"));
    PveClient.Answer answer = client.post("/nodes/pve1/qemu/100/vncproxy", auditor, "websocket=1");
    assertEquals(403, answer.status());
    assertEquals("Permission check failed (/vms/100, VM.Console)", answer.reason());
    assertEquals("Permission check failed (/vms/100, VM.Console)\n", answer.json().getString("message"));
    assertTrue(answer.json().containsKey("data") && answer.json().getValue("data") == null);

    JsonObject proxy = vncproxy("qemu", 100, AS_GATEWAY);
    Throwable refused = failure(client.console("pve1", "qemu", 100, proxy.getString("port"),
        proxy.getString("ticket"), auditor));
    assertEquals(403, assertInstanceOf(UpgradeRejectedException.class, refused).getStatus());
  }

  @Test
  void ticketCookieLoginNeedsTheCsrfTokenOnPostsAndWorksForTheWebsocket() throws Exception {
    PveClient.Answer wrong = client.post("/access/ticket", Map.of(), "username=alice%40pve&password=nope");
    assertEquals(401, wrong.status());
    assertEquals("authentication failure\n", wrong.json().getString("message"));

    JsonObject login = client.post("/access/ticket", Map.of(), "username=alice%40pve&password=alice-pw").data();
    String cookie = "PVEAuthCookie=" + enc(login.getString("ticket"));
    PveClient.Answer noCsrf = client.post("/nodes/pve1/qemu/100/vncproxy", Map.of("Cookie", cookie), "websocket=1");
    assertEquals(401, noCsrf.status());
    assertEquals("Permission denied - invalid csrf token", noCsrf.reason());

    JsonObject proxy = vncproxy("qemu", 100,
        Map.of("Cookie", cookie, "CSRFPreventionToken", login.getString("CSRFPreventionToken")));
    assertEquals("alice@pve", proxy.getString("user"));
    WebSocket ws = await(client.console("pve1", "qemu", 100, proxy.getString("port"), proxy.getString("ticket"),
        Map.of("Cookie", cookie)));
    try (RfbTestClient rfb = PveClient.rfbOver(ws, PveClient.frameLog())) {
      assertEquals(SeaBiosScreen.WIDTH, rfb.handshakeVncAuth(proxy.getString("password")).width());
    }
  }

  @Test
  void aWorkerAcceptsOneConnectionOnlyASecondGetsNoAnswerAtAll() {
    JsonObject proxy = vncproxy("qemu", 100, AS_GATEWAY);
    WebSocket first = await(client.console("pve1", "qemu", 100, proxy.getString("port"), proxy.getString("ticket"),
        AS_GATEWAY));
    long asked = System.nanoTime();
    Throwable second = failure(client.console("pve1", "qemu", 100, proxy.getString("port"),
        proxy.getString("ticket"), AS_GATEWAY));
    assertFalse(second instanceof UpgradeRejectedException, "no HTTP answer: " + second);
    assertTrue(System.nanoTime() - asked >= PveClient.UPGRADE_TIMEOUT.toNanos(),
        "the connection stayed open, unanswered, until the client gave up: " + second);
    assertEquals(0, pve.calls().get(pve.calls().size() - 1).status());
    assertEquals(2, pve.vncWebSocketCount(100));
    await(first.close());
  }

  @Test
  void afterTenSecondsTheWorkerIsGoneAndAfterFortyTheTicketIsInvalid() {
    JsonObject proxy = vncproxy("qemu", 100, AS_GATEWAY);
    assertEquals(1, pve.listeningWorkers());
    pve.advanceClock(Duration.ofSeconds(11));
    assertEquals(0, pve.listeningWorkers());
    long asked = System.nanoTime();
    Throwable late = failure(client.console("pve1", "qemu", 100, proxy.getString("port"), proxy.getString("ticket"),
        AS_GATEWAY));
    assertFalse(late instanceof UpgradeRejectedException, "no worker listens: no answer: " + late);
    assertTrue(System.nanoTime() - asked >= PveClient.UPGRADE_TIMEOUT.toNanos(), "unanswered until the client gave up");
    JsonObject task = client.get("/nodes/pve1/tasks/" + enc(proxy.getString("upid")) + "/status", AS_GATEWAY).data();
    assertEquals("stopped", task.getString("status"));
    assertEquals("connection timed out", task.getString("exitstatus"));

    JsonObject fresh = vncproxy("qemu", 100, AS_GATEWAY);
    pve.advanceClock(Duration.ofSeconds(40));
    Throwable expired = failure(client.console("pve1", "qemu", 100, fresh.getString("port"),
        fresh.getString("ticket"), AS_GATEWAY));
    UpgradeRejectedException rejected = assertInstanceOf(UpgradeRejectedException.class, expired);
    assertEquals(401, rejected.getStatus());
    assertTrue(rejected.getBody().toString().contains("permission denied - invalid PVEVNC ticket"),
        rejected.getBody().toString());
  }

  @Test
  void aTicketIsBoundToItsUserItsGuestAndItsPort() {
    JsonObject proxy = vncproxy("qemu", 100, AS_GATEWAY);
    Map<String, String> other = Map.of("Authorization", tokenHeader(OTHER, "other-secret"));
    assertEquals(401, assertInstanceOf(UpgradeRejectedException.class, failure(client.console("pve1", "qemu", 100,
        proxy.getString("port"), proxy.getString("ticket"), other))).getStatus(), "another token");
    String otherPort = String.valueOf(Integer.parseInt(proxy.getString("port")) + 1);
    assertEquals(401, assertInstanceOf(UpgradeRejectedException.class, failure(client.console("pve1", "qemu", 100,
        otherPort, proxy.getString("ticket"), AS_GATEWAY))).getStatus(), "another port");
    assertEquals(401, assertInstanceOf(UpgradeRejectedException.class, failure(client.console("pve1", "lxc", 101,
        proxy.getString("port"), proxy.getString("ticket"), AS_GATEWAY))).getStatus(), "another guest");
    assertEquals(400, assertInstanceOf(UpgradeRejectedException.class, failure(client.console("pve1", "qemu", 100,
        "80", proxy.getString("ticket"), AS_GATEWAY))).getStatus(), "port outside 5900..5999");
    // the rightful owner still gets in: failed checks do not consume the worker
    await(client.console("pve1", "qemu", 100, proxy.getString("port"), proxy.getString("ticket"), AS_GATEWAY))
        .close();
  }

  @Test
  void aStoppedGuestGetsATicketButItsWebsocketClosesRightAfterTheUpgrade() throws Exception {
    JsonObject status = client.get("/nodes/pve1/qemu/102/status/current", AS_GATEWAY).data();
    assertEquals("stopped", status.getString("status"));
    JsonObject proxy = vncproxy("qemu", 102, AS_GATEWAY);
    WebSocket ws = await(client.console("pve1", "qemu", 102, proxy.getString("port"), proxy.getString("ticket"),
        AS_GATEWAY));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!ws.isClosed() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(ws.isClosed(), "pveproxy closes the accepted WebSocket when the worker fails");
    assertFalse(Short.valueOf((short) 1000).equals(ws.closeStatusCode()), "no normal close frame: "
        + ws.closeStatusCode());
    JsonObject task = client.get("/nodes/pve1/tasks/" + enc(proxy.getString("upid")) + "/status", AS_GATEWAY).data();
    assertEquals("Failed to run vncproxy.", task.getString("exitstatus"));
  }

  @Test
  void anOfflineNodeAnswers595ToProxiedCallsAndUnknownConfigsAre500() {
    PveClient.Answer offline = client.get("/nodes/pve3/qemu/103/status/current", AS_GATEWAY);
    assertEquals(595, offline.status());
    assertEquals("Errors during connection establishment, proxy handshake: No route to host", offline.reason());
    PveClient.Answer missing = client.post("/nodes/pve1/qemu/999/vncproxy", AS_GATEWAY, "websocket=1");
    assertEquals(500, missing.status());
    assertEquals("Configuration file 'nodes/pve1/qemu-server/999.conf' does not exist\n",
        missing.json().getString("message"));
    PveClient.Answer unknown = client.get("/nodes/pve1/qemu/100/rrddata", AS_GATEWAY);
    assertEquals(501, unknown.status());
    assertEquals("Method 'GET /nodes/pve1/qemu/100/rrddata' not implemented", unknown.json().getString("message"));
  }
}
