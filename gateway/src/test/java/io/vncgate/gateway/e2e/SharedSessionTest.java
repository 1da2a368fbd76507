package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.e2e.GatewayHarness.Joined;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.XvncServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One controller, many observers on a real Xvnc: the gateway (not the client) drops observers'
 * input — checked on the X display itself — and take-over swaps the roles.
 */
@Timeout(180)
class SharedSessionTest {
  private static final int CAPS_LOCK = 0xffe5;
  @TempDir static Path dir;
  static XvncServer xvnc;
  static GatewayHarness gw;
  final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    xvnc = XvncServer.builder().geometry(400, 300).start();
    gw = new GatewayHarness(dir, GatewayHarness.target("shared", xvnc.port(), null),
        "audit: {file: audit.log}\n", "10s", "  admins: [operator]\n");
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (xvnc != null) xvnc.close();
  }

  @AfterEach
  void closeViewers() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    open.clear();
    await(() -> sessions().isEmpty(), "all viewers gone");
  }

  Joined join(String user, Role tokenRole, String role) throws Exception {
    return gw.join(user, tokenRole, "static/shared", role, open);
  }

  private static void tapCapsLock(RfbTestClient c) throws IOException {
    c.sendKeyEvent(true, CAPS_LOCK);
    c.sendKeyEvent(false, CAPS_LOCK);
  }

  /** Sends pointer, key and classic cut text; returns whether each reached the X display. */
  private static boolean[] sendInput(Joined v, int x, int y, String clip) throws Exception {
    boolean capsBefore = xvnc.capsLockOn();
    v.rfb().sendPointerEvent(0, x, y);
    tapCapsLock(v.rfb());
    v.rfb().sendClientCutText(clip);
    // a FramebufferUpdate round trip: everything sent before it has been processed by the gateway and Xvnc
    v.rfb().readFramebufferUpdateRaw(0, 0, 1, 1);
    Thread.sleep(300);
    boolean pointerMoved = xvnc.pointer().equals("x:" + x + " y:" + y);
    boolean keyArrived = xvnc.capsLockOn() != capsBefore;
    boolean clipArrived = clip.equals(xvnc.clipboard());
    if (keyArrived) tapCapsLock(v.rfb()); // put Caps Lock back for the next check
    return new boolean[] {pointerMoved, keyArrived, clipArrived};
  }

  private static void assertReaches(Joined v, int x, int y, String clip) throws Exception {
    boolean[] r = sendInput(v, x, y, clip);
    assertTrue(r[0], "controller's pointer moved the X pointer");
    assertTrue(r[1], "controller's key reached X");
    assertTrue(r[2], "controller's paste reached the X clipboard");
  }

  private static void assertDropped(Joined v, int x, int y, String clip) throws Exception {
    String pointerBefore = xvnc.pointer();
    boolean[] r = sendInput(v, x, y, clip);
    assertFalse(r[0], "observer's pointer must not move X (" + pointerBefore + ")");
    assertFalse(r[1], "observer's key must not reach X");
    assertFalse(r[2], "observer's paste must not reach the X clipboard");
  }

  @Test
  void twoViewersControllerDrivesObserverIsFilteredAndTakeOverSwaps() throws Exception {
    Joined alice = join("alice", Role.CONTROL, "control");
    Joined bob = join("bob", Role.CONTROL, "control");
    assertEquals(alice.session(), bob.session(), "same target, same session");

    JsonObject s = session(alice.session());
    assertEquals(alice.viewer(), s.getJsonObject("controller").getString("viewer"));
    assertEquals("view", roleOf(s, bob.viewer()));

    assertReaches(alice, 11, 12, "from alice 1");
    assertDropped(bob, 33, 34, "from bob 1");

    HttpResponse<String> take = gw.post("/api/v1/sessions/" + bob.session() + "/control", bob.token(),
        new JsonObject().put("viewer", bob.viewer()).encode());
    assertEquals(200, take.statusCode(), take.body());
    assertEquals(bob.viewer(), new JsonObject(take.body()).getJsonObject("controller").getString("viewer"));

    assertReaches(bob, 55, 56, "from bob 2");
    assertDropped(alice, 77, 78, "from alice 2");

    // and back
    assertEquals(200, gw.post("/api/v1/sessions/" + alice.session() + "/control", alice.token(),
        new JsonObject().put("viewer", alice.viewer()).encode()).statusCode());
    assertReaches(alice, 91, 92, "from alice 3");
    assertDropped(bob, 93, 94, "from bob 3");
  }

  @Test
  void fiveViewersOnlyTheControllerReachesTheDesktop() throws Exception {
    List<Joined> viewers = new ArrayList<>();
    for (int i = 0; i < 5; i++) viewers.add(join("user" + i, Role.CONTROL, "control"));
    JsonObject s = session(viewers.get(0).session());
    assertEquals(5, s.getJsonArray("viewers").size());
    assertReaches(viewers.get(0), 20, 20, "five-0");
    for (int i = 1; i < 5; i++) assertDropped(viewers.get(i), 30 + i, 40 + i, "five-" + i);

    Joined third = viewers.get(3);
    assertEquals(200, gw.post("/api/v1/sessions/" + third.session() + "/control", third.token(),
        new JsonObject().put("viewer", third.viewer()).encode()).statusCode());
    assertReaches(third, 120, 130, "five-3 controls");
    for (int i : new int[] {0, 1, 2, 4}) assertDropped(viewers.get(i), 140 + i, 150 + i, "five-x-" + i);
  }

  @Test
  void viewOnlyTokenCanNeverTakeControl() throws Exception {
    Joined alice = join("alice", Role.CONTROL, "control");
    Joined carol = join("carol", Role.VIEW, "view");
    HttpResponse<String> r = gw.post("/api/v1/sessions/" + carol.session() + "/control", carol.token(),
        new JsonObject().put("viewer", carol.viewer()).encode());
    assertEquals(403, r.statusCode());
    assertTrue(new JsonObject(r.body()).getString("error").contains("view"), r.body());
    // someone else's viewer cannot be promoted either
    HttpResponse<String> other = gw.post("/api/v1/sessions/" + carol.session() + "/control", gw.token("mallory", "**", Role.CONTROL),
        new JsonObject().put("viewer", alice.viewer()).encode());
    assertEquals(403, other.statusCode());
    assertDropped(carol, 61, 62, "carol");
  }

  @Test
  void controlJoinWithAViewTokenIs403() throws Exception {
    HttpResponse<String> r = gw.post("/api/v1/sessions", gw.token("carol", "**", Role.VIEW),
        "{\"target\": \"static/shared\", \"role\": \"control\"}");
    assertEquals(403, r.statusCode());
  }

  @Test
  void bothViewersHearTheTakeOverWithinASecond() throws Exception {
    Joined alice = join("alice", Role.CONTROL, "control");
    Joined bob = join("bob", Role.CONTROL, "control");
    BlockingQueue<JsonObject> aliceEvents = events(alice);
    BlockingQueue<JsonObject> bobEvents = events(bob);
    assertEquals("control", next(aliceEvents).getString("role"));
    assertEquals("view", next(bobEvents).getString("role"));

    long t0 = System.nanoTime();
    assertEquals(200, gw.post("/api/v1/sessions/" + bob.session() + "/control", bob.token(),
        new JsonObject().put("viewer", bob.viewer()).encode()).statusCode());
    JsonObject a = next(aliceEvents);
    JsonObject b = next(bobEvents);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertEquals("view", a.getString("role"));
    assertEquals("control", b.getString("role"));
    assertEquals(bob.viewer(), a.getJsonObject("controller").getString("viewer"));
    assertEquals("bob", a.getJsonObject("controller").getString("user"));
    assertTrue(ms < 1000, "events arrived after " + ms + " ms");

    // give back: nobody controls, both hear it
    assertEquals(200, gw.post("/api/v1/sessions/" + bob.session() + "/release", bob.token(),
        new JsonObject().put("viewer", bob.viewer()).encode()).statusCode());
    assertEquals("view", next(bobEvents).getString("role"));
    assertEquals(null, next(aliceEvents).getValue("controller"));
  }

  @Test
  void eventsChannelRefusesSomeoneElsesViewer() throws Exception {
    Joined alice = join("alice", Role.CONTROL, "control");
    WebSocketClient client = gw.vertx.createWebSocketClient();
    try {
      WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.httpPort())
          .setURI("/ws/v1/events").addSubProtocol("vncgate.events")).await(5, TimeUnit.SECONDS);
      BlockingQueue<String> closed = new LinkedBlockingQueue<>();
      ws.closeHandler(v -> closed.add(ws.closeStatusCode() + " " + ws.closeReason()));
      ws.writeTextMessage(new JsonObject().put("token", gw.token("mallory", "**", Role.CONTROL)).put("viewer", alice.viewer()).encode());
      String close = closed.poll(5, TimeUnit.SECONDS);
      assertTrue(close != null && close.startsWith("1008") && close.contains("not yours"), String.valueOf(close));
    } finally {
      client.close();
    }
  }

  @Test
  void operatorsEndViewersAndSessionsOthersMayNot() throws Exception {
    Joined alice = join("alice", Role.CONTROL, "control");
    Joined bob = join("bob", Role.CONTROL, "control");
    String url = "/api/v1/sessions/" + alice.session() + "/viewers/" + bob.viewer();
    assertEquals(403, delete(url, alice.token()).statusCode(), "alice is no operator");
    String operator = gw.gateway.jwt().mint("operator", List.of("**"), Role.CONTROL, Duration.ofMinutes(5));
    assertEquals(204, delete(url, operator).statusCode());
    assertTrue(bob.rfb().isClosedByPeer(Duration.ofSeconds(5)));
    assertFalse(alice.rfb().isClosedByPeer(Duration.ofMillis(300)));
    assertEquals(204, delete("/api/v1/sessions/" + alice.session(), operator).statusCode());
    assertTrue(alice.rfb().isClosedByPeer(Duration.ofSeconds(5)));
  }

  @Test
  void auditAndMetricsFollowTheSession() throws Exception {
    Joined alice = join("alice", Role.CONTROL, "control");
    Joined bob = join("bob", Role.CONTROL, "control");
    assertDropped(bob, 5, 6, "metrics-bob");
    String metrics = gw.get("/metrics", null).body();
    assertPrometheusText(metrics);
    assertTrue(metrics.contains("vncgate_sessions 1.0"), metrics);
    assertTrue(metrics.contains("vncgate_viewers{role=\"control\"} 1.0"), metrics);
    assertTrue(metrics.contains("vncgate_viewers{role=\"view\"} 1.0"), metrics);
    assertTrue(metrics.matches("(?s).*vncgate_dropped_messages_total\\{reason=\"role\",type=\"KeyEvent\"} [1-9].*"), metrics);
    assertTrue(metrics.matches("(?s).*vncgate_dropped_messages_total\\{reason=\"role\",type=\"PointerEvent\"} [1-9].*"), metrics);
    assertTrue(metrics.matches("(?s).*vncgate_relayed_bytes_total\\{direction=\"to_viewer\"} [1-9].*"), metrics);
    assertTrue(metrics.contains("vncgate_connect_seconds_bucket"), metrics);

    assertEquals(200, gw.post("/api/v1/sessions/" + bob.session() + "/control", bob.token(),
        new JsonObject().put("viewer", bob.viewer()).encode()).statusCode());
    // The audit log is shared by every test of this class and written off the event loop:
    // wait for this test's own line, not for any control.taken.
    Predicate<JsonObject> bobTookOver = l -> l.getString("event").equals("control.taken") && "bob".equals(l.getString("user"))
        && bob.viewer().equals(l.getString("viewer")) && l.getString("cause").contains("alice");
    List<JsonObject> audit = auditLinesUntil(bobTookOver);
    assertTrue(audit.stream().anyMatch(l -> l.getString("event").equals("viewer.joined") && alice.viewer().equals(l.getString("viewer"))), audit.toString());
    assertTrue(audit.stream().anyMatch(bobTookOver), audit.toString());
    for (JsonObject l : audit) assertTrue(l.containsKey("time") && l.containsKey("event"), l.encode());
    assertFalse(Files.readString(gw.dir.resolve("audit.log")).contains(alice.token()), "no token in the audit log");
  }

  private static void assertPrometheusText(String text) {
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
      assertTrue(line.matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*})? -?[0-9.eE+-]+|.* (NaN|\\+Inf|-Inf)"), "not Prometheus text: " + line);
    }
  }

  private static List<JsonObject> auditLinesUntil(Predicate<JsonObject> wanted) throws Exception {
    List<JsonObject> out = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      out.clear();
      String text = Files.readString(gw.dir.resolve("audit.log"));
      // only whole lines: the writer may be half-way through the last one
      for (String l : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) if (!l.isBlank()) out.add(new JsonObject(l));
      if (out.stream().anyMatch(wanted)) break;
      Thread.sleep(100);
    }
    return out;
  }

  private BlockingQueue<JsonObject> events(Joined v) throws Exception {
    BlockingQueue<JsonObject> q = new LinkedBlockingQueue<>();
    WebSocketClient client = gw.vertx.createWebSocketClient();
    open.add(() -> client.close().await(5, TimeUnit.SECONDS));
    WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.httpPort())
        .setURI("/ws/v1/events").addSubProtocol("vncgate.events").addHeader("Origin", gw.origin())).await(5, TimeUnit.SECONDS);
    ws.textMessageHandler(t -> q.add(new JsonObject(t)));
    ws.writeTextMessage(new JsonObject().put("token", v.token()).put("viewer", v.viewer()).encode());
    return q;
  }

  private static JsonObject next(BlockingQueue<JsonObject> q) throws InterruptedException {
    JsonObject e = q.poll(5, TimeUnit.SECONDS);
    if (e == null) throw new AssertionError("no event within 5 s");
    return e;
  }

  private static HttpResponse<String> delete(String path, String token) throws Exception {
    var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + gw.httpPort() + path))
        .header("Authorization", "Bearer " + token).DELETE().build();
    return java.net.http.HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
  }

  private static JsonArray sessions() {
    try {
      return new JsonObject(gw.get("/api/v1/sessions", gw.gateway.jwt().mint("operator", List.of("**"), Role.VIEW, Duration.ofMinutes(1))).body())
          .getJsonArray("sessions");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static JsonObject session(String id) {
    for (Object o : sessions()) if (((JsonObject) o).getString("id").equals(id)) return (JsonObject) o;
    throw new AssertionError("no session " + id + " in " + sessions());
  }

  private static String roleOf(JsonObject session, String viewer) {
    for (Object o : session.getJsonArray("viewers")) if (((JsonObject) o).getString("id").equals(viewer)) return ((JsonObject) o).getString("role");
    throw new AssertionError("no viewer " + viewer);
  }

  private static void await(BooleanSupplier c, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out: " + what);
      Thread.sleep(50);
    }
  }
}
