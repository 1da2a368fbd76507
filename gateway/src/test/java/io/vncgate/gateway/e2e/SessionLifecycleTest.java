package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.session.LocalSessionRegistry;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ScriptedRfbServer;
import io.vncgate.testbeds.WebSocketClose;
import io.vncgate.testbeds.WebSocketTcpBridge;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The roster follows a viewer from its ticket's redemption to its end, whatever the upstream
 * does meanwhile; control needs a token that still grants the target; a gateway that stops tells
 * its viewers so, and the audit says why they left.
 */
@Timeout(90)
class SessionLifecycleTest {
  @TempDir Path dir;

  /** Accepts one connection and, only after {@code delay}, connects it through to {@code port}. */
  static Thread slowProxy(ServerSocket listener, int port, Duration delay) {
    Thread t = new Thread(() -> {
      try (Socket viewer = listener.accept()) {
        Thread.sleep(delay.toMillis());
        try (Socket server = new Socket("127.0.0.1", port)) {
          Thread up = new Thread(() -> copy(viewer, server));
          up.setDaemon(true);
          up.start();
          copy(server, viewer);
        }
      } catch (Exception e) {
        // the test has ended
      }
    }, "slow-proxy");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void copy(Socket from, Socket to) {
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (Exception e) {
      // closed
    }
  }

  static JsonArray viewers(GatewayHarness gw, String token) throws Exception {
    JsonArray sessions = new JsonObject(gw.get("/api/v1/sessions", token).body()).getJsonArray("sessions");
    JsonArray all = new JsonArray();
    for (int i = 0; i < sessions.size(); i++) all.addAll(sessions.getJsonObject(i).getJsonArray("viewers"));
    return all;
  }

  @Test
  void aRedeemedTicketLeavesNoReservationTimerBehind() throws Exception {
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(64, 48, "lab").start();
         GatewayHarness gw = new GatewayHarness(dir, GatewayHarness.target("lab", desktop.port(), null), "", "30s",
             "  tickets: {ttl: 10m}\n")) {
      LocalSessionRegistry sessions = (LocalSessionRegistry) gw.gateway.sessions();
      String admin = gw.token("alice", "**", Role.CONTROL);
      JsonObject used = gw.session(admin, "static/lab", "control");
      gw.session(admin, "static/lab", "view"); // never redeemed: its reservation waits out the ticket's lifetime
      assertEquals(2, sessions.reservationTimers());
      try (WebSocketTcpBridge bridge = gw.bridge(used.getString("ticket"));
           RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
        assertEquals(64, client.handshakeNone().width());
        // before: every viewer who came held its reservation (and a task on an event loop) for 10 minutes
        assertEquals(1, sessions.reservationTimers(), "the redeemed ticket's reservation timer is cancelled");
      }
    }
  }

  @Test
  void aViewerWhoseUpstreamHandshakeOutlivesItsTicketIsListedConnectingThenRelayingAndCanBeEnded() throws Exception {
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(64, 48, "slow").start();
         ServerSocket slow = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      // ticket 1 s: its reservation lapses after 6 s; the target answers only after 8 s
      slowProxy(slow, desktop.port(), Duration.ofSeconds(8));
      try (GatewayHarness gw = new GatewayHarness(dir, GatewayHarness.target("slow", slow.getLocalPort(), null),
          "audit: {file: audit.log}\n", "30s", "  tickets: {ttl: 1s}\n", "  banner-timeout: 20s\n")) {
        String admin = gw.token("alice", "**", Role.CONTROL);
        JsonObject reply = gw.session(admin, "static/slow", "control");
        try (WebSocketTcpBridge bridge = gw.bridge(reply.getString("ticket"));
             RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
          client.readTimeout(Duration.ofSeconds(20));
          Thread.sleep(7_000); // past the reservation's 6 s, still in the upstream handshake
          JsonArray during = viewers(gw, admin);
          assertEquals(1, during.size(), during.encode());
          assertEquals(reply.getString("viewer"), during.getJsonObject(0).getString("id"));
          assertEquals("connecting", during.getJsonObject(0).getString("state"));
          assertEquals(64, client.handshakeNone().width());
          JsonArray after = viewers(gw, admin);
          assertEquals(1, after.size(), "listed while it relays: " + after.encode());
          assertEquals("relaying", after.getJsonObject(0).getString("state"));
          assertEquals("control", after.getJsonObject(0).getString("role"));
        }
        List<String> audit = Files.readAllLines(dir.resolve("audit.log"));
        assertTrue(audit.stream().anyMatch(l -> l.contains("\"event\":\"viewer.joined\"") && l.contains("static/slow")), audit.toString());
      }
    }
  }

  @Test
  void controlAndReleaseNeedATokenThatStillGrantsTheTarget() throws Exception {
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(64, 48, "d").start();
         GatewayHarness gw = new GatewayHarness(dir, GatewayHarness.target("lab1", desktop.port(), null)
             + GatewayHarness.target("lab2", desktop.port(), null), null)) {
      String full = gw.token("alice", "static/lab1", Role.CONTROL);
      JsonObject first = gw.session(full, "static/lab1", "control");
      JsonObject second = gw.session(full, "static/lab1", "control");
      try (WebSocketTcpBridge b1 = gw.bridge(first.getString("ticket"));
           RfbTestClient c1 = RfbTestClient.connect(b1.host(), b1.port());
           WebSocketTcpBridge b2 = gw.bridge(second.getString("ticket"));
           RfbTestClient c2 = RfbTestClient.connect(b2.host(), b2.port())) {
        c1.handshakeNone();
        c2.handshakeNone();
        String sessionId = first.getString("id");
        // the same user, a token for another desktop only
        String other = gw.token("alice", "static/lab2", Role.CONTROL);
        String body = new JsonObject().put("viewer", second.getString("viewer")).encode();
        HttpResponse<String> take = gw.post("/api/v1/sessions/" + sessionId + "/control", other, body);
        assertEquals(403, take.statusCode(), take.body());
        assertEquals("the token you presented does not grant target static/lab1: use a token whose vncgate.targets include it",
            new JsonObject(take.body()).getString("error"));
        HttpResponse<String> release = gw.post("/api/v1/sessions/" + sessionId + "/release", other,
            new JsonObject().put("viewer", first.getString("viewer")).encode());
        assertEquals(403, release.statusCode(), release.body());
        assertEquals(200, gw.post("/api/v1/sessions/" + sessionId + "/control", full, body).statusCode(), "the right token still works");
      }
    }
  }

  @Test
  void aStoppingGatewayTellsItsViewersAndAuditsWhy() throws Exception {
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(64, 48, "d").start()) {
      GatewayHarness gw = new GatewayHarness(dir, GatewayHarness.target("lab1", desktop.port(), null),
          "audit: {file: audit.log}\n");
      WebSocketClose close;
      try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/lab1"));
           RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
        client.handshakeNone();
        gw.gateway.close().await(15, java.util.concurrent.TimeUnit.SECONDS); // what the SIGTERM hook of `serve` runs
        close = bridge.awaitClose(1, Duration.ofSeconds(10));
      } finally {
        gw.close();
      }
      assertEquals(new WebSocketClose(1001, "the gateway is shutting down"), close);
      List<String> audit = Files.readAllLines(dir.resolve("audit.log"));
      assertTrue(audit.stream().anyMatch(l -> l.contains("\"event\":\"viewer.left\"") && l.contains("\"cause\":\"the gateway is shutting down\"")
          && l.contains("\"outcome\":\"shutdown\"")),
          audit.toString());
    }
  }
}
