package io.vncgate.testbeds.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the desktop scenario small ({@code --smoke}: a real Xvnc with the scripted workload, 1 and
 * 3 noVNC-like viewers through all six paths, one round) and checks that every figure is there
 * and well-formed: numbers where numbers belong, a spread around every median, marker latencies
 * measured, no framing error, no viewer dropped. No figure is compared with a goal.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES) // a hang guard, not a performance limit
class DesktopSmokeTest {
  @TempDir
  Path dir;

  @Test
  void everyPathAndViewerCountHasEveryFigure() throws Exception {
    Path json = dir.resolve("desktop.json");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    JsonObject returned = Bench.run(new String[] {"--scenario", "desktop", "--smoke", "--work", dir.resolve("work").toString(),
        "--json", json.toString(), "--plots", dir.toString()}, new PrintStream(console, true, StandardCharsets.UTF_8));
    String printed = console.toString(StandardCharsets.UTF_8);
    JsonObject result = new JsonObject(Files.readString(json));
    assertEquals(returned, result);
    assertEquals("smoke", result.getJsonObject("settings").getString("mode"));
    // the run's own CPU holds Xvnc's and the relays' (its children), measured per phase
    double ownCpuS = NoiseTest.recordedIn(result, printed);
    double measured = 0;
    for (Object p : result.getJsonArray("phases")) {
      JsonObject ph = (JsonObject) p;
      if (!ph.containsKey("failed")) measured += ph.getDouble("relay_cpu_s") + ph.getDouble("xvnc_cpu_s");
    }
    assertTrue(measured > 0 && measured <= ownCpuS, measured + " CPU-s of Xvnc and the relays, own " + ownCpuS);
    assertTrue(Files.size(dir.resolve("desktop.md")) > 0);
    assertTrue(Files.size(dir.resolve("desktop-cpu-per-viewer.svg")) > 0);
    assertTrue(Files.size(dir.resolve("desktop-latency-p50.svg")) > 0);
    JsonObject w = result.getJsonObject("workload");
    for (String k : new String[] {"image_hz_achieved", "move_hz_achieved", "marker_hz_achieved"}) {
      assertTrue(w.getDouble(k) > 0, k + ": " + w);
    }
    JsonObject results = result.getJsonObject("results");
    assertEquals(Desktop.PATHS.size(), results.size(), printed);
    for (String path : Desktop.PATHS) {
      JsonObject byViewers = results.getJsonObject(path).getJsonObject("by_viewers");
      for (String n : new String[] {"1", "3"}) {
        JsonObject r = byViewers.getJsonObject(n);
        String where = path + " " + n + ": " + r + "\n" + printed;
        assertNotNull(r, where);
        assertEquals(0, r.getInteger("errors"), where);
        spread(r, "updates_per_s_per_viewer", where, true);
        spread(r, "bytes_per_s_per_viewer", where, true);
        spread(r, "latency_p50_ms", where, true);
        spread(r, "latency_p99_ms", where, true);
        spread(r, "xvnc_cpu_ms_per_s", where, false);
        spread(r, "relay_cpu_ms_per_s_per_viewer", where, false);
        assertTrue(r.getJsonObject("latency_p50_ms").getDouble("median") <= r.getJsonObject("latency_p99_ms").getDouble("median"),
            where);
        assertTrue(r.getLong("latency_samples") > 0, where);
        assertEquals(r.getLong("marker_paints") * Integer.parseInt(n), r.getLong("latency_samples") + r.getLong("marker_lost"),
            where);
        JsonObject enc = r.getJsonObject("rectangles_by_encoding");
        // what each path's viewers got: Tight, from Xvnc or from the gateway's fan-out encoder
        assertTrue(enc.getLong("Tight", 0L) > 0, where);
        JsonObject ratios = r.getJsonObject("ratios");
        assertTrue(ratios.containsKey("cpu_per_viewer_vs_websockify") && ratios.containsKey("latency_p50_added_ms"), where);
      }
    }
    JsonArray targets = result.getJsonArray("targets");
    assertEquals(0, targets.size(), "smoke measures 1 and 3 viewers, the targets are at 20 and 100");
  }

  private static void spread(JsonObject r, String key, String where, boolean positive) {
    JsonObject s = r.getJsonObject(key);
    assertNotNull(s, key + ": " + where);
    double median = s.getDouble("median");
    assertTrue(positive ? median > 0 : median >= 0, key + ": " + where);
    assertTrue(s.getDouble("min") <= median && median <= s.getDouble("max"), key + ": " + where);
    assertEquals(1, s.getInteger("rounds"), key + ": " + where);
  }
}
