package io.vncgate.testbeds.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the fan-out scenario small ({@code --smoke}: 1 and 3 viewers, a real Xvnc with its
 * scrolling xterm and the synthetic server's changing desktop, the real gateway jar) and checks
 * that the report is complete and every figure is a reading: numbers where numbers belong, bytes
 * on the upstream wire, updates reaching every viewer, the controller's keys seen on its own
 * screen in the probe's two colours. Figures are never compared with a goal, with one exception
 * that is the point of fan-out and is marked below: with {@code fan-out} sharing, 3 viewers take
 * one upstream connection and about one viewer's upstream bytes per change of the content.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // a hang guard, not a performance limit
class FanOutSmokeTest {
  private static final List<Integer> VIEWERS = List.of(1, 3);
  /** The probe's colours as the report writes them: xterm's red and blue, the synthetic marker's two. */
  private static final Map<String, Set<String>> PROBE_COLOURS = Map.of(
      FanOut.XVNC, Set.of("#cd0000", "#0000ee"),
      FanOut.SYNTHETIC, Set.of("#cc2222", "#2222cc"));

  @TempDir
  Path dir;

  @Test
  void perViewerSharingReportsEveryFigureForBothUpstreams() throws Exception {
    JsonObject result = run(FanOut.PER_VIEWER);
    for (JsonObject p : phases(result)) {
      // every viewer its own upstream connection: the counting relay saw each one
      assertEquals(p.getInteger("viewers"), p.getInteger("upstream_connections"), p.encode());
    }
  }

  /**
   * FAN-OUT: needs the gateway's {@code sessions.sharing: fan-out} (branch h5/fanout-session).
   * Besides the report's shape, the one assertion on a figure that this benchmark makes: all
   * viewers on ONE upstream connection, and the upstream bytes per change of the content with 3
   * viewers the same order as with one (under 2×; per viewer they are about 3×).
   */
  @Test
  void fanOutSharingTakesOneUpstreamForEveryViewer() throws Exception {
    JsonObject result = run(FanOut.FAN_OUT);
    for (String upstream : FanOut.UPSTREAMS) {
      JsonObject one = null;
      JsonObject three = null;
      for (JsonObject p : phases(result)) {
        if (!p.getString("upstream").equals(upstream)) continue;
        assertEquals(1, p.getInteger("upstream_connections"), p.encode());
        if (p.getInteger("viewers") == 1) one = p;
        if (p.getInteger("viewers") == 3) three = p;
      }
      assertNotNull(one, upstream);
      assertNotNull(three, upstream);
      // per change of the content (a line the xterm printed, a block redrawn), so that the shell or
      // the timer running slower in one phase on a busy machine does not count
      double ratio = three.getDouble("upstream_bytes_per_change") / one.getDouble("upstream_bytes_per_change");
      assertTrue(ratio < 2, upstream + ": 3 viewers read " + ratio + "x one viewer's upstream bytes per change");
      assertEquals(ratio, result.getJsonObject("derived").getJsonObject(upstream).getJsonObject(FanOut.FAN_OUT)
          .getJsonObject("3_viewers").getDouble("upstream_bytes_per_change_vs_1_viewer"), 0.01);
    }
  }

  /** Runs the smoke scenario in one sharing mode and checks the report's shape and readings. */
  private JsonObject run(String mode) throws Exception {
    Path json = dir.resolve("fan-out.json");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    JsonObject returned = Bench.run(new String[] {"--scenario", "fan-out", "--smoke", "--modes", mode,
        "--work", dir.resolve("work").toString(), "--json", json.toString(), "--plots", dir.toString()},
        new PrintStream(console, true, StandardCharsets.UTF_8));
    String printed = console.toString(StandardCharsets.UTF_8);
    JsonObject result = new JsonObject(Files.readString(json));
    assertEquals(returned, result);
    assertEquals("smoke", result.getJsonObject("settings").getString("mode"));
    NoiseTest.recordedIn(result, printed);
    assertEquals(0L, result.getJsonObject("log_errors").getLong(mode), "ERROR lines in the gateway's log: " + printed);

    List<JsonObject> phases = phases(result);
    assertEquals(FanOut.UPSTREAMS.size() * VIEWERS.size(), phases.size(), printed);
    for (JsonObject p : phases) {
      String where = p.getString("upstream") + " " + p.getInteger("viewers") + ": " + p.encode();
      assertEquals(mode, p.getString("mode"));
      assertEquals(p.getInteger("viewers") / 2, p.getInteger("websocket_viewers"), where);
      positive(p, where, "seconds", "content_changes", "upstream_bytes", "upstream_bytes_per_s", "upstream_bytes_per_change", "gateway_rss_bytes", "gateway_heap_bytes",
          "viewer_updates_per_s", "slowest_viewer_updates_per_s", "viewer_bytes_per_s", "load_1min");
      atLeastZero(p, where, "target_cpu_cores", "gateway_cpu_cores", "gateway_cpu_user_s", "gateway_cpu_system_s",
          "upstream_connections_opened");
      assertEquals(0, p.getInteger("viewers_closed"), where);
      JsonObject rtt = p.getJsonObject("round_trip_ms");
      assertEquals(rtt.getInteger("tried"), rtt.getInteger("n") + rtt.getInteger("lost"), where);
      assertTrue(rtt.getInteger("n") > 0, "no key of the controller showed on its screen: " + where);
      positive(rtt, where, "p50", "p90", "p99", "max");
      assertTrue(rtt.getDouble("p50") <= rtt.getDouble("p99") && rtt.getDouble("p99") <= rtt.getDouble("max"), where);
      // the controller decoded the probe in one of its two colours before each key: it sees the screen
      JsonArray before = rtt.getJsonArray("probe_colours_before");
      assertTrue(!before.isEmpty() && PROBE_COLOURS.get(p.getString("upstream")).containsAll(before.getList()), where);
    }
    JsonObject baselines = new JsonObject();
    for (Object b : result.getJsonArray("baselines")) {
      JsonObject base = (JsonObject) b;
      positive(base, base.encode(), "gateway_rss_bytes", "gateway_heap_bytes");
      baselines.put(base.getString("upstream"), base);
    }
    for (String upstream : FanOut.UPSTREAMS) {
      assertNotNull(baselines.getJsonObject(upstream), upstream);
      assertNotNull(result.getJsonObject("upstreams").getString(upstream), upstream);
      JsonObject d = result.getJsonObject("derived").getJsonObject(upstream).getJsonObject(mode);
      JsonObject three = d.getJsonObject("3_viewers");
      positive(three, upstream, "upstream_bytes_vs_1_viewer", "upstream_bytes_per_change_vs_1_viewer");
      for (String f : List.of("gateway_cpu_cores_per_extra_viewer", "target_cpu_cores_per_extra_viewer",
          "gateway_rss_bytes_per_extra_viewer", "gateway_heap_bytes_per_extra_viewer")) {
        assertInstanceOf(Number.class, three.getValue(f), upstream + " " + f);
      }
      assertInstanceOf(Number.class, d.getValue("first_viewer_heap_bytes"), upstream);
    }
    String md = Files.readString(dir.resolve("fan-out.md"));
    assertTrue(md.contains("key round trip") && md.contains("per viewer beyond the first"), md);
    return result;
  }

  private static List<JsonObject> phases(JsonObject result) {
    return result.getJsonArray("phases").stream().map(JsonObject.class::cast).toList();
  }

  private static void positive(JsonObject o, String where, String... fields) {
    for (String f : fields) {
      Object v = o.getValue(f);
      assertInstanceOf(Number.class, v, where + ": " + f + " is " + v);
      assertTrue(((Number) v).doubleValue() > 0, where + ": " + f + " is " + v);
    }
  }

  private static void atLeastZero(JsonObject o, String where, String... fields) {
    for (String f : fields) {
      Object v = o.getValue(f);
      assertInstanceOf(Number.class, v, where + ": " + f + " is " + v);
      assertTrue(((Number) v).doubleValue() >= 0, where + ": " + f + " is " + v);
    }
  }
}
