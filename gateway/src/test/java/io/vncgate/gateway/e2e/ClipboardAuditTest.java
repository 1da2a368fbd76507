package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit's {@code clipboard} line with a real TigerVNC Xvnc: a viewer's paste that lands in the
 * desktop's X clipboard, and the desktop's clipboard (set by {@code xclip}) reaching the viewer,
 * each give a line with direction, user, target, size and the start of the text's SHA-256, and the
 * text is nowhere in the file; a flood is counted, not hashed line by line.
 */
@Timeout(120)
class ClipboardAuditTest {
  @TempDir static Path dir;
  static XvncServer xvnc;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    xvnc = XvncServer.builder().geometry(160, 100).start();
    gw = new GatewayHarness(dir, GatewayHarness.target("desk", xvnc.port(), null), "audit: {file: audit.jsonl}\n");
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (xvnc != null) xvnc.close();
  }

  @Test
  void aPasteIntoTheDesktopAndTheDesktopsCopyAreAuditedByHashNeverByText() throws Exception {
    String paste = "the viewer's paste: password hunter2 ÄÖÜ";
    String copy = "copied on the desktop\nsecond line";
    String ticket = gw.session(gw.token("carol", Role.CONTROL), "static/desk", "control").getString("ticket");
    try (WebSocketTcpBridge bridge = gw.bridge(ticket);
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      client.readTimeout(Duration.ofSeconds(20));
      client.handshakeNone();
      client.readFramebufferUpdateRaw();
      client.sendClientCutText(paste);
      for (int i = 0; i < 100 && !xvnc.clipboard().equals(paste); i++) Thread.sleep(100);
      assertEquals(paste, xvnc.clipboard(), "the paste reached Xvnc's X clipboard");

      JsonObject toTarget = awaitLine("clipboard", "to-target");
      assertEquals("carol", toTarget.getString("user"));
      assertEquals("static/desk", toTarget.getString("target"));
      assertEquals("classic", toTarget.getString("format"));
      assertEquals(paste.getBytes(StandardCharsets.UTF_8).length, toTarget.getLong("bytes"));
      assertEquals(sha256Prefix(paste), toTarget.getString("sha256"), "the hash of the text as UTF-8");
      assertTrue(toTarget.getString("session") != null && toTarget.getString("viewer") != null, toTarget.encode());

      xvnc.setClipboard(copy);
      assertEquals(copy, client.readServerCutText());
      JsonObject toViewer = awaitLine("clipboard", "to-viewer");
      assertEquals(sha256Prefix(copy), toViewer.getString("sha256"));
      assertEquals(copy.length(), toViewer.getLong("bytes"));
      assertEquals(toTarget.getString("viewer"), toViewer.getString("viewer"));
    }
    String file = Files.readString(dir.resolve("audit.jsonl"));
    for (String secret : List.of("hunter2", "second line", "copied on the desktop")) {
      assertFalse(file.contains(secret), "the text is not in the audit file: " + secret);
    }
  }

  @Test
  void aFloodOfPastesIsCountedAfterTheBurstAndTheRestSaidOnceAtTheEnd() throws Exception {
    String viewer;
    int sent = 25;
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/desk"));
         RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
      client.readTimeout(Duration.ofSeconds(20));
      client.handshakeNone();
      client.readFramebufferUpdateRaw();
      client.sendClientCutText("flood 0");
      viewer = awaitLineWith("flood-sha", sha256Prefix("flood 0")).getString("viewer");
      for (int i = 1; i < sent; i++) client.sendClientCutText("flood " + i);
      String last = "flood " + (sent - 1);
      for (int i = 0; i < 100 && !xvnc.clipboard().equals(last); i++) Thread.sleep(100);
      assertEquals(last, xvnc.clipboard(), "every paste went on to the desktop: the audit holds nothing back");
    }
    JsonObject suppressed = awaitLineOf("clipboard.suppressed", viewer);
    long hashed = Files.readAllLines(dir.resolve("audit.jsonl")).stream().map(JsonObject::new)
        .filter(l -> "clipboard".equals(l.getString("event")) && viewer.equals(l.getString("viewer"))).count();
    assertTrue(hashed >= 10 && hashed < sent, "the burst was audited line by line: " + hashed);
    assertEquals(sent, hashed + suppressed.getLong("count"), "each paste is a line or counted");
    assertEquals("to-target", suppressed.getString("direction"));
  }

  @Test
  void inAFanOutSessionThePasteAndTheDesktopsCopyAreAuditedToo(@TempDir Path shared) throws Exception {
    XvncServer desk = XvncServer.builder().geometry(160, 100).start();
    try (desk; GatewayHarness fan = new GatewayHarness(shared, GatewayHarness.target("fan", desk.port(), null),
        "audit: {file: audit.jsonl}\nsessions:\n  sharing: {\"**\": fan-out}\n")) {
      String paste = "fan-out paste 31";
      String copy = "fan-out copy 32";
      try (WebSocketTcpBridge bridge = fan.bridge(fan.ticket("static/fan"));
           RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
        client.readTimeout(Duration.ofSeconds(20));
        client.handshakeNone();
        client.readFramebufferUpdateRaw();
        client.sendClientCutText(paste);
        for (int i = 0; i < 100 && !desk.clipboard().equals(paste); i++) Thread.sleep(100);
        assertEquals(paste, desk.clipboard(), "the paste reached Xvnc through the fan-out session");
        desk.setClipboard(copy);
        assertEquals(copy, client.readServerCutText());
      }
      assertTrue(fan.metrics().contains("\nvncgate_fanout_upstreams_opened_total 1"), "it was a fan-out session");
      Path file = shared.resolve("audit.jsonl");
      JsonObject toTarget = awaitIn(file, l -> sha256Prefix(paste).equals(l.getString("sha256")), "the paste's line");
      assertEquals("to-target", toTarget.getString("direction"));
      assertEquals("static/fan", toTarget.getString("target"));
      JsonObject toViewer = awaitIn(file, l -> sha256Prefix(copy).equals(l.getString("sha256")), "the copy's line");
      assertEquals("to-viewer", toViewer.getString("direction"));
      assertEquals(copy.length(), toViewer.getLong("bytes"));
      assertFalse(Files.readString(file).contains("fan-out"), "no text in the audit file");
    }
  }

  private static String sha256Prefix(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static JsonObject awaitLine(String event, String direction) throws Exception {
    return await(l -> event.equals(l.getString("event")) && direction.equals(l.getString("direction"))
        && "carol".equals(l.getString("user")), event + " " + direction + " of carol");
  }

  private static JsonObject awaitLineWith(String what, String sha) throws Exception {
    return await(l -> sha.equals(l.getString("sha256")), what);
  }

  private static JsonObject awaitLineOf(String event, String viewer) throws Exception {
    return await(l -> event.equals(l.getString("event")) && viewer.equals(l.getString("viewer")), event);
  }

  private static JsonObject await(java.util.function.Predicate<JsonObject> match, String what) throws Exception {
    return awaitIn(dir.resolve("audit.jsonl"), match, what);
  }

  private static JsonObject awaitIn(Path file, java.util.function.Predicate<JsonObject> match, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(file)) {
        for (String l : Files.readAllLines(file)) {
          JsonObject line = new JsonObject(l);
          if (match.test(line)) return line;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no audit line " + what + " within 15 s:\n" + (Files.exists(file) ? Files.readString(file) : "(no file)"));
  }
}
