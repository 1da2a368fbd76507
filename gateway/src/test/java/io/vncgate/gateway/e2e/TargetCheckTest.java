package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.VncPasswd;
import io.vncgate.testbeds.XvncServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/v1/targets/{id}/check} against real Xvnc servers with TigerVNC's blacklist on
 * (as shipped: 5 connections from one address that end before authenticating block it): checks
 * never lock viewers out, a wrong stored password is named, a fan-out target with a live session is
 * answered from it without a connection, and one answer is reused within
 * {@code limits.target-check.cache}. Connections are counted in Xvnc's own log ("Connections: accepted").
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TargetCheckTest {
  @TempDir static Path dir;
  @TempDir static Path dir2;
  static XvncServer lab;
  static XvncServer wrong;
  static XvncServer shared;
  static XvncServer cached;
  /** Every check connects ({@code limits.target-check.cache: 0s}). */
  static GatewayHarness gw;
  /** The default cache. */
  static GatewayHarness gwCached;

  @BeforeAll
  static void start() throws Exception {
    // blacklist(true) is the default; said here because this test is about it
    lab = XvncServer.builder().geometry(320, 200).password("check-1").blacklist(true).start();
    wrong = XvncServer.builder().geometry(320, 200).password("right-1").blacklist(true).start();
    shared = XvncServer.builder().geometry(320, 200).desktopName("shared-desk").password("share-1").blacklist(true).start();
    cached = XvncServer.builder().geometry(320, 200).password("cache-1").blacklist(true).start();
    Path badPassword = dir.resolve("bad.passwd");
    VncPasswd.write("not-it\n", badPassword);
    gw = GatewayHarness.in(dir)
        .yaml("limits:\n  target-check: {cache: 0s}\nsessions:\n  sharing: {\"static/shared\": fan-out}\n")
        .targets(GatewayHarness.target("lab", lab.port(), lab.passwordFile().toString())
            + GatewayHarness.target("wrong", wrong.port(), badPassword.toString())
            + GatewayHarness.target("shared", shared.port(), shared.passwordFile().toString()))
        .start();
    gwCached = GatewayHarness.in(dir2)
        .targets(GatewayHarness.target("cached", cached.port(), cached.passwordFile().toString())).start();
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {gw, gwCached, lab, wrong, shared, cached}) {
      if (c != null) c.close();
    }
  }

  static JsonObject check(GatewayHarness g, String target, String user) throws Exception {
    HttpResponse<String> r = g.get("/api/v1/targets/" + target + "/check", g.token(user, "**", Role.VIEW));
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  /** Connections Xvnc accepted so far, from its log (written as they come; polled until it settles). */
  static int accepted(XvncServer server, int atLeast) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    int n = server.logLines("Connections: accepted").size();
    while (n < atLeast && System.nanoTime() < deadline) {
      Thread.sleep(50);
      n = server.logLines("Connections: accepted").size();
    }
    return n;
  }

  @Test
  void checksInARowAndAtOnceNeverLockViewersOut() throws Exception {
    int before = accepted(lab, 0);
    for (int i = 0; i < 20; i++) {
      JsonObject c = check(gw, "static/lab", "u" + (i % 3));
      assertTrue(c.getBoolean("ok"), c.encode());
      assertEquals("ok", c.getString("auth"), c.encode());
      assertEquals("RFB 003.008", c.getString("banner"), c.encode());
      assertEquals(320, c.getJsonObject("desktop").getInteger("width"), c.encode());
      assertEquals(0L, c.getLong("cacheSeconds"), c.encode());
    }
    // with no cache every check connected: 20 connections, none of them a failure to TigerVNC (one it
    // refuses as blacklisted is not logged as accepted)
    assertEquals(before + 20, accepted(lab, before + 20));
    List<CompletableFuture<JsonObject>> atOnce = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String user = "p" + i;
      atOnce.add(CompletableFuture.supplyAsync(() -> {
        try {
          return check(gw, "static/lab", user);
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }));
    }
    for (CompletableFuture<JsonObject> f : atOnce) {
      JsonObject c = f.get(60, TimeUnit.SECONDS);
      assertTrue(c.getBoolean("ok"), c.encode());
      assertEquals("ok", c.getString("auth"), c.encode());
    }
    // the gateway never met the blacklist either (it would have waited it out)
    assertEquals(0, gw.gateway.services().pacer().backoffs());
    // a viewer straight at the server from the same address (127.0.0.1) is let in at once ...
    try (RfbTestClient direct = RfbTestClient.connect("127.0.0.1", lab.port()).readTimeout(Duration.ofSeconds(10))) {
      assertEquals(320, direct.handshakeVncAuth("check-1").width());
    }
    // ... and so is a viewer through the gateway
    try (RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort()).readTimeout(Duration.ofSeconds(20))) {
      assertEquals(320, viewer.handshakeVncAuth(gw.ticket("static/lab")).width());
    }
  }

  @Test
  void aWrongStoredPasswordIsNamed() throws Exception {
    JsonObject c = check(gw, "static/wrong", "carol");
    assertFalse(c.getBoolean("ok"), c.encode());
    assertEquals("auth-failed", c.getString("outcome"), c.encode());
    assertEquals("the target rejected the VNC password", c.getString("reason"), c.encode());
    assertTrue(c.getString("auth").contains("password"), c.encode());
    assertEquals(c.getString("error"), c.getString("auth"), c.encode());
    assertTrue(c.getString("error").startsWith("target static/wrong"), c.encode());
  }

  @Test
  void aFanOutTargetWithALiveSessionIsAnsweredFromIt() throws Exception {
    try (RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort()).readTimeout(Duration.ofSeconds(20))) {
      assertEquals(320, viewer.handshakeVncAuth(gw.ticket("static/shared")).width());
      int before = accepted(shared, 0);
      JsonObject c = check(gw, "static/shared", "dave");
      assertTrue(c.getBoolean("ok"), c.encode());
      assertEquals(true, c.getBoolean("session"), c.encode());
      assertEquals("shared-desk", c.getJsonObject("desktop").getString("name"), c.encode());
      assertEquals(200, c.getJsonObject("desktop").getInteger("height"), c.encode());
      Thread.sleep(300); // a connection the check made would be in the log by now
      assertEquals(before, accepted(shared, 0), shared.logTail());
      // the live viewer is still served
      viewer.sendFramebufferUpdateRequest(false, 0, 0, 320, 200);
      assertEquals(320, viewer.readFramebufferUpdateRaw().width());
    }
  }

  @Test
  void oneAnswerIsSharedWithinTheCacheWindow() throws Exception {
    int before = accepted(cached, 0);
    List<CompletableFuture<JsonObject>> atOnce = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String user = "c" + i;
      atOnce.add(CompletableFuture.supplyAsync(() -> {
        try {
          return check(gwCached, "static/cached", user);
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }));
    }
    for (CompletableFuture<JsonObject> f : atOnce) {
      JsonObject c = f.get(60, TimeUnit.SECONDS);
      assertTrue(c.getBoolean("ok"), c.encode());
      assertEquals(10L, c.getLong("cacheSeconds"), c.encode());
    }
    assertEquals(before + 1, accepted(cached, before + 1));
    JsonObject again = check(gwCached, "static/cached", "erin");
    assertTrue(again.getBoolean("ok"), again.encode());
    assertEquals("ok", again.getString("auth"), again.encode());
    assertTrue(again.getLong("ageSeconds") >= 0 && again.getLong("ageSeconds") < 10, again.encode());
    Thread.sleep(300);
    assertEquals(before + 1, accepted(cached, 0), cached.logTail());
    // the permission check stays per user, before the cache
    HttpResponse<String> refused = gwCached.get("/api/v1/targets/static/cached/check",
        gwCached.token("frank", "static/other", Role.VIEW));
    assertEquals(403, refused.statusCode(), refused.body());
  }
}
