package io.vncgate.testbeds.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vncgate.testbeds.bench.ClassViewer.Outcome;
import io.vncgate.testbeds.bench.ClassViewer.Way;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the class-start scenario small (10 viewers, 5 connects per way) against a real Xvnc with a
 * VNC password, the real gateway jar and real websockify, and checks the report is complete and its
 * figures are readings (counts add up, times positive and ordered). Whether a class trips Xvnc's
 * blacklist is for the report to say, not for this test: figures are never compared with a goal.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // a hang guard, not a performance limit
class ClassStartSmokeTest {
  private static final int VIEWERS = 10;
  private static final int CONNECTS = 5;

  @TempDir
  Path dir;

  @Test
  void smallClassStartReportsEveryViewerEveryPathAndTheBlacklistState() throws Exception {
    Path json = dir.resolve("class-start.json");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    JsonObject returned = Bench.run(new String[] {"--scenario", "class-start", "--smoke", "--viewers", "" + VIEWERS,
        "--connects", "" + CONNECTS, "--work", dir.resolve("work").toString(), "--json", json.toString(),
        "--plots", dir.toString()}, new PrintStream(console, true, StandardCharsets.UTF_8));
    String printed = console.toString(StandardCharsets.UTF_8);

    JsonObject result = new JsonObject(Files.readString(json));
    assertEquals(returned, result);
    assertEquals("smoke", result.getJsonObject("settings").getString("mode"));
    NoiseTest.recordedIn(result, printed);

    JsonObject single = result.getJsonObject("single_viewer_ms");
    for (Way w : Way.values()) {
      JsonObject s = single.getJsonObject(w.label);
      assertNotNull(s, w.label + " missing: " + printed);
      assertEquals(CONNECTS, s.getInteger("n"), w.label);
      assertEquals(CONNECTS, s.getInteger("ok") + s.getInteger("failures"), w.label);
      assertEquals(s.getInteger("failures"), sum(s.getJsonObject("failure_reasons")), w.label);
      assertTrue(s.getInteger("ok") > 0, w.label + " never got a first framebuffer: " + s.encode());
      ordered(s, w.label);
      if (w.needsTicket()) {
        positive(s, w.label, "ticket_issue_p50");
        assertTrue(s.getDouble("issue_and_connect_p50") > s.getDouble("p50"), s.encode());
      } else {
        assertFalse(s.containsKey("ticket_issue_p50"), w.label);
      }
    }
    // one connect after another, each authenticated before the next: nothing for Xvnc to blacklist
    assertEquals(CONNECTS, single.getJsonObject("direct").getInteger("ok"), printed);

    JsonArray scenarios = result.getJsonArray("scenarios");
    assertEquals(ClassStart.PATHS.size(), scenarios.size());
    for (int i = 0; i < scenarios.size(); i++) {
      JsonObject s = scenarios.getJsonObject(i);
      String where = s.getString("path");
      assertEquals(ClassStart.PATHS.get(i), where);
      assertEquals(VIEWERS, s.getInteger("viewers"));
      JsonObject t = s.getJsonObject("ttfb_ms");
      assertEquals(VIEWERS, t.getInteger("n"), where);
      assertEquals(VIEWERS, t.getInteger("ok") + s.getInteger("failures"), where);
      assertEquals(s.getInteger("failures"), sum(s.getJsonObject("failure_reasons")), where);
      // the first five viewers of any class get in, whatever Xvnc's blacklist does after
      assertTrue(t.getInteger("ok") > 0, where + ": " + s.encode());
      ordered(t, where);
      int byWay = 0;
      for (String w : s.getJsonObject("ttfb_ms_by_way").fieldNames()) {
        byWay += s.getJsonObject("ttfb_ms_by_way").getJsonObject(w).getInteger("n");
      }
      assertEquals(VIEWERS, byWay, where);
      assertInstanceOf(Number.class, s.getValue("xvnc_blacklisted_lines"), where);
      assertInstanceOf(Boolean.class, s.getValue("blocked_after"), where);
      assertTrue(!s.getString("probe_after").isBlank(), where);
      assertTrue(s.getDouble("load_1min") > 0, where);
    }
    JsonObject gateway = scenarios.getJsonObject(2);
    assertEquals(new JsonObject().put("vncgate-ws", VIEWERS / 2).put("vncgate-tcp", VIEWERS / 2), gateway.getJsonObject("ways"),
        "browsers and native viewers alternate");
    positive(gateway, "vncgate", "tickets_issue_s");

    JsonObject goals = result.getJsonObject("goals");
    JsonObject burst = goals.getJsonObject("vncgate_" + VIEWERS + "_viewers");
    for (String g : List.of("failures", "xvnc_blacklisted_lines", "ttfb_p50_over_direct_1_ms")) {
      assertInstanceOf(Boolean.class, burst.getJsonObject(g).getValue("met"), g);
      assertInstanceOf(Number.class, burst.getJsonObject(g).getValue("value"), g);
    }
    for (String g : List.of("single_vncgate-ws_p50_over_direct_ms", "single_vncgate-tcp_p50_over_direct_ms")) {
      assertInstanceOf(Number.class, goals.getJsonObject(g).getValue("value"), g);
    }
    assertTrue(Files.readString(dir.resolve("class-start.md")).contains("blacklisted"));
    assertTrue(printed.contains("goals:"), printed);
  }

  /**
   * The blacklist reading is real: six bare connections from loopback (each a mark in Xvnc's
   * blacklist, none authenticated) get the seventh refused, and both the log count and the probe
   * of the scenario see it.
   */
  @Test
  void blacklistingIsSeenInXvncsLogAndByTheProbe() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (ClassTarget xvnc = ClassTarget.start(320, 240)) {
      assertEquals(0, xvnc.blacklistedLines());
      for (int i = 0; i < 6; i++) {
        try (Socket s = new Socket("127.0.0.1", xvnc.port()); InputStream in = s.getInputStream()) {
          assertEquals(12, in.readNBytes(12).length);
        }
      }
      EventLoop loop = ((ContextInternal) vertx.getOrCreateContext()).nettyEventLoop();
      ClassViewer viewers = new ClassViewer(vertx.createNetClient(new NetClientOptions().setTcpQuickAck(true)), loop,
          new ClassViewer.Ports(xvnc.port(), 0, 0, 0));
      Promise<Outcome> done = Promise.promise();
      List<RfbViewer> opened = new ArrayList<>();
      loop.execute(() -> viewers.open(Way.DIRECT, null, opened).onComplete(r -> done.complete(r.result())));
      Outcome probe = Phases.await(done.future(), 30, "the probe");
      assertEquals("refused: " + ClassTarget.TOO_MANY, probe.failure());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); // Xvnc's log is written as it goes
      while (xvnc.blacklistedLines() == 0 && System.nanoTime() < deadline) Thread.sleep(50);
      assertTrue(xvnc.blacklistedLines() >= 1);
      assertTrue(xvnc.firstBlacklistedLine().contains(ClassTarget.BLACKLISTED + "127.0.0.1"), xvnc.firstBlacklistedLine());
    } finally {
      vertx.close();
    }
  }

  private static int sum(JsonObject reasons) {
    int n = 0;
    for (Map.Entry<String, Object> e : reasons) n += ((Number) e.getValue()).intValue();
    return n;
  }

  private static void ordered(JsonObject stats, String where) {
    positive(stats, where, "p50");
    assertTrue(stats.getDouble("p50") <= stats.getDouble("p99") && stats.getDouble("p99") <= stats.getDouble("max"),
        where + ": " + stats.encode());
  }

  private static void positive(JsonObject o, String where, String field) {
    Object v = o.getValue(field);
    assertInstanceOf(Number.class, v, where + "." + field + " is " + v);
    assertTrue(((Number) v).doubleValue() > 0, where + "." + field + " is " + v);
  }
}
