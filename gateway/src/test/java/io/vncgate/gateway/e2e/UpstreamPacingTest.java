package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.failure.Status;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.WebSocketClose;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway never trips a real TigerVNC's blacklist by itself (password-protected Xvnc 1.12,
 * blacklist on with its default threshold 5 and timeout 10 s), and when the target does blacklist
 * its address, viewers are told so in words apart from a wrong stored password.
 */
@Timeout(180)
class UpstreamPacingTest {
  @TempDir Path dir;

  /** Lines Xvnc logged for connections it refused as blacklisted. */
  static long blacklistedLines(XvncServer xvnc) {
    return xvnc.logLines("blacklisted").size();
  }

  @Test
  void aClassOf36ViewersAtOnceAllGetTheDesktopAndXvncBlacklistsNobody() throws Exception {
    try (XvncServer xvnc = XvncServer.builder().geometry(320, 200).password("class-pw").start();
         GatewayHarness gw = new GatewayHarness(dir, GatewayHarness.target("lab", xvnc.port(), xvnc.passwordFile().toString()),
             "limits: {tickets: {per-user: 100}}\n", "30s")) {
      int n = 36;
      List<String> tickets = new ArrayList<>();
      for (int i = 0; i < n; i++) tickets.add(gw.ticket("static/lab"));
      ExecutorService pool = Executors.newFixedThreadPool(n);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> results = new ArrayList<>();
      try {
        for (int i = 0; i < n; i++) {
          String ticket = tickets.get(i);
          boolean browser = i % 2 == 0;
          results.add(pool.submit((Callable<String>) () -> {
            go.await();
            if (browser) {
              try (WebSocketTcpBridge bridge = gw.bridge(ticket);
                   RfbTestClient c = RfbTestClient.connect(bridge.host(), bridge.port())) {
                return c.handshakeNone().width() + "";
              } catch (RfbRefused r) {
                return "refused: " + r.reason();
              }
            }
            try (RfbTestClient c = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
              return c.handshakeVncAuth(ticket).width() + "";
            } catch (RfbRefused r) {
              return "refused: " + r.reason();
            }
          }));
        }
        go.countDown();
        List<String> failures = new ArrayList<>();
        for (Future<String> f : results) {
          String r = f.get(60, TimeUnit.SECONDS);
          if (!r.equals("320")) failures.add(r);
        }
        assertEquals(List.of(), failures, "every viewer of the burst gets ServerInit");
      } finally {
        pool.shutdownNow();
      }
      assertEquals(0, blacklistedLines(xvnc), "Xvnc refused nobody as blacklisted:\n" + xvnc.logTail());
      String metrics = upstreamMetrics(gw);
      assertTrue(metrics.contains("vncgate_upstream_queue_wait_seconds_count 36"), "every viewer passed the queue: " + metrics);
      assertTrue(metrics.contains("vncgate_upstream_backoffs_total 0"), "no backoff was needed: " + metrics);
    }
  }

  static String upstreamMetrics(GatewayHarness gw) throws Exception {
    return String.join("\n", gw.get("/metrics", null).body().lines().filter(l -> l.startsWith("vncgate_upstream")
        && !l.contains("_bucket")).toList());
  }

  /** Connections Xvnc accepted, from its own log. */
  static long acceptedLines(XvncServer xvnc) {
    return xvnc.logLines("Connections: accepted").size();
  }

  @Test
  void aBurstAtAWrongStoredPasswordCostsTheTargetOnlyTheLoginsInFlightAndAllAreToldToFixThePassword() throws Exception {
    try (XvncServer xvnc = XvncServer.builder().geometry(320, 200).password("class-pw").start()) {
      Path wrong = Files.writeString(dir.resolve("wrong.pw"), "not-it\n");
      try (GatewayHarness gw = new GatewayHarness(dir, GatewayHarness.target("lab", xvnc.port(), wrong.toString()),
          "limits: {tickets: {per-user: 100}}\n", "30s")) {
        long before = acceptedLines(xvnc);
        int n = 12;
        List<String> tickets = new ArrayList<>();
        for (int i = 0; i < n; i++) tickets.add(gw.ticket("static/lab"));
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        try {
          for (String ticket : tickets) {
            results.add(pool.submit((Callable<String>) () -> {
              go.await();
              try (RfbTestClient c = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
                c.handshakeVncAuth(ticket);
                return "let in";
              } catch (RfbRefused r) {
                return r.reason();
              }
            }));
          }
          go.countDown();
          for (Future<String> f : results) {
            String reason = f.get(60, TimeUnit.SECONDS);
            assertTrue(reason.contains("set providers.static.targets[lab].password-file") && reason.endsWith(Status.NEEDS_OPERATOR_NOTE)
                && !reason.contains("refusing the gateway for now"), reason);
          }
        } finally {
          pool.shutdownNow();
        }
        long logins = acceptedLines(xvnc) - before;
        assertTrue(logins >= 1 && logins <= 3, "failed logins at the target: only those in flight together, not one per viewer: " + logins);
        assertEquals(0, blacklistedLines(xvnc), xvnc.logTail());
      }
    }
  }

  /** Makes Xvnc blacklist 127.0.0.1 as a burst of bare connections would: 5 let in, the 6th refused. */
  static void blacklistLoopback(XvncServer xvnc) throws Exception {
    for (int i = 0; i < 5; i++) {
      try (RfbTestClient c = RfbTestClient.connect("127.0.0.1", xvnc.port())) {
        assertTrue(c.readBanner().startsWith("RFB 003.0"));
      }
    }
    try (RfbTestClient c = RfbTestClient.connect("127.0.0.1", xvnc.port())) {
      assertTrue(c.readBanner().startsWith("RFB 003.003"));
      assertEquals(0, c.readU32(), "security type 0: refused");
      assertEquals("Too many security failures", new String(c.readExactly(c.readU32())));
    }
  }

  @Test
  void aBlacklistedTargetIsWaitedOutAndNamedAsSuchNotAsThePassword() throws Exception {
    try (XvncServer xvnc = XvncServer.builder().geometry(320, 200).password("lab-pw").start()) {
      Path wrong = Files.writeString(dir.resolve("wrong.pw"), "not-it\n");
      String targets = GatewayHarness.target("lab", xvnc.port(), xvnc.passwordFile().toString())
          + GatewayHarness.target("wrong", xvnc.port(), wrong.toString());
      Path d1 = Files.createDirectory(dir.resolve("short"));
      Path d2 = Files.createDirectory(dir.resolve("long"));
      try (GatewayHarness quick = new GatewayHarness(d1, targets, null, "4s");
           GatewayHarness patient = new GatewayHarness(d2, targets, null, "30s")) {
        blacklistLoopback(xvnc);
        long before = blacklistedLines(xvnc);

        // a viewer whose handshake time (4 s) is shorter than the target's block (10 s): told at once, in words
        // that name the blacklist and not the password; retryable (1013), not final
        String quickTicket = quick.ticket("static/lab");
        long t0 = System.nanoTime();
        try (WebSocketTcpBridge bridge = quick.bridge(quickTicket);
             RfbTestClient c = RfbTestClient.connect(bridge.host(), bridge.port())) {
          String reason = assertThrows(RfbRefused.class, c::handshakeNone).reason();
          assertTrue(reason.startsWith("target static/lab is refusing the gateway for now: its VNC server blacklisted the"
              + " gateway's address after too many connections or failed logins from it (\"Too many security failures\")."
              + " This is not your password or the stored one; the gateway tries again in "), reason);
          assertTrue(reason.endsWith(" s: reconnect then"), reason);
          WebSocketClose close = bridge.awaitClose(1, Duration.ofSeconds(5));
          assertEquals(Status.UNAVAILABLE.closeCode(), close.code(), close.toString());
        }
        long toldMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(toldMs < 3_000, "told at once, not after the handshake timeout: " + toldMs + " ms");
        // the next viewer on that gateway waits behind the pause and is told the same when its time runs out,
        // without a connection to the target
        try (WebSocketTcpBridge bridge = quick.bridge(quick.ticket("static/lab"));
             RfbTestClient c = RfbTestClient.connect(bridge.host(), bridge.port())) {
          String reason = assertThrows(RfbRefused.class, c::handshakeNone).reason();
          assertTrue(reason.startsWith("target static/lab is refusing the gateway for now"), reason);
        }
        assertEquals(before + 1, blacklistedLines(xvnc), "one refused attempt from that gateway, not one per viewer");

        // a viewer with time to wait: queued while the target refuses (the events socket says so), then let in by
        // the probe after the backoff
        JsonObject s = patient.session(patient.token("alice", "**", Role.CONTROL), "static/lab", "control");
        BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
        long t1 = System.nanoTime();
        try (WebSocketTcpBridge bridge = patient.bridge(s.getString("ticket"));
             RfbTestClient c = RfbTestClient.connect(bridge.host(), bridge.port())) {
          WebSocketClient client = patient.vertx.createWebSocketClient();
          try {
            // the viewer's handshake goes on meanwhile: the gateway's attempt is refused at once, then it waits for the probe
            java.util.concurrent.CompletableFuture<Integer> width = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
              try {
                return c.readTimeout(Duration.ofSeconds(30)).handshakeNone().width();
              } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
              }
            });
            Thread.sleep(1000);
            WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(patient.httpPort())
                .setURI("/ws/v1/events").addSubProtocol("vncgate.events").addHeader("Origin", patient.origin()))
                .await(5, TimeUnit.SECONDS);
            ws.textMessageHandler(t -> events.add(new JsonObject(t)));
            ws.writeTextMessage(new JsonObject().put("token", patient.token("alice", "**", Role.CONTROL))
                .put("viewer", s.getString("viewer")).encode());
            JsonObject queued = null;
            for (JsonObject e; (e = events.poll(5, TimeUnit.SECONDS)) != null; ) {
              if ("queue".equals(e.getString("type"))) {
                queued = e;
                break;
              }
            }
            assertTrue(queued != null && queued.getBoolean("waiting") && queued.getInteger("position") == 1
                && queued.getLong("retryInSeconds") > 0, String.valueOf(queued));
            assertTrue(patient.get("/api/v1/sessions", patient.token("alice", "**", Role.CONTROL)).body().contains("\"queued\""),
                "the roster lists the viewer as queued");
            assertEquals(320, width.get(30, TimeUnit.SECONDS), "let in by the probe once the block expired");
          } finally {
            client.close().await(5, TimeUnit.SECONDS);
          }
        }
        long waitedMs = (System.nanoTime() - t1) / 1_000_000;
        assertTrue(waitedMs >= 8_000 && waitedMs < 25_000, "waited out the 10 s block: " + waitedMs + " ms");
        assertEquals(before + 2, blacklistedLines(xvnc), "the patient gateway knocked once during the block:\n" + xvnc.logTail());
        assertTrue(upstreamMetrics(patient).contains("vncgate_upstream_backoffs_total 1"), upstreamMetrics(patient));

        // a wrong stored password is still the operator's, final, in its own words
        try (WebSocketTcpBridge bridge = patient.bridge(patient.ticket("static/wrong"));
             RfbTestClient c = RfbTestClient.connect(bridge.host(), bridge.port())) {
          String reason = assertThrows(RfbRefused.class, c::handshakeNone).reason();
          assertTrue(reason.contains("check the VNC password the gateway has for this target: set providers.static.targets[wrong]"
              + ".password-file") && reason.endsWith(Status.NEEDS_OPERATOR_NOTE), reason);
          assertTrue(!reason.contains("refusing the gateway for now"), reason);
          assertEquals(4001, bridge.awaitClose(1, Duration.ofSeconds(5)).code());
        }
      }
    }
  }
}
