package io.vncgate.testbeds.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report from given figures (no run): the noise verdict, the gateway's facts, the spreads, the targets. */
class ReportTest {
  @TempDir
  Path dir;

  private static Map<String, PathResult> results() {
    Map<String, PathResult> m = new LinkedHashMap<>();
    double[] mbs = {2000, 400, 300, 900, 950, 250};
    double[] cpu = {0, 2.0, 1.5, 0.6, 0.5, 4.0};
    int i = 0;
    for (String name : RelayPath.ALL) {
      PathResult r = new PathResult(name, name);
      r.put("throughput_mb_s", mbs[i]);
      r.put("cpu_s_per_gb", cpu[i]);
      boolean fanOut = name.equals(RelayPath.VNCGATE_FANOUT); // its round trip is a key's
      r.inputRoundTrip = fanOut;
      for (String f : List.of("rtt_p50_ms", "rtt_p99_ms", "rtt_p999_ms", "rtt_1_p50_ms", "rtt_1_p99_ms", "rtt_1_p999_ms")) {
        r.put(fanOut ? "input_" + f : f, 0.1 + 0.1 * i);
      }
      r.throughputRounds = List.of(new Phases.ThroughputSample((long) (mbs[i] * 2e6), 2, cpu[i] * mbs[i] * 2e6 / 1e9, 0, 1),
          new Phases.ThroughputSample((long) (mbs[i] * 2.4e6), 2, 0, 0, 1),
          new Phases.ThroughputSample((long) (mbs[i] * 1.8e6), 2, 0, 0, 1));
      if (!name.equals(RelayPath.DIRECT)) {
        r.put("idle_rss_bytes_per_viewer", 50_000.0);
        r.idleViewers = 600;
        r.idleConnectPerS = 1500;
      }
      if (name.startsWith("vncgate")) {
        r.put("idle_heap_bytes_per_viewer", 20_000.0);
        r.idleLoopDelay = new LoopDelay(120, 0.4, 2.5, 9.0);
      }
      r.rttViewers = 100;
      m.put(name, r);
      i++;
    }
    return m;
  }

  private static Report report(Noise.Result noise) {
    Map<String, Long> zips = new TreeMap<>(Map.of("vncgate-provider-docker-0.1.0-SNAPSHOT.zip", 2_000_000L));
    return new Report(Settings.of("quick"), results(), new JsonObject().put("nproc", 2).put("cpu_model", "test")
        .put("tcp_congestion_control", "cubic"), Instant.parse("2026-12-02T15:00:00Z"))
        .noise(noise).gateway(new GatewayFacts(1.8, 150L << 20, 30L << 20, zips));
  }

  private static Noise.Result noisy() {
    return Noise.of(new Noise.CpuStat(0, 0, 0), new Noise.CpuStat(1500, 2000, 0), 6.0, 10, 2.1, 3.0, 2.4, 0.10);
  }

  @Test
  void aNoisyRunSaysSoInTheJsonTheTableAndTheSummary() throws Exception {
    Report r = report(noisy());
    JsonObject j = r.json();
    assertTrue(j.getBoolean("noisy"));
    assertEquals(0.45, j.getJsonObject("noise").getDouble("other_processes_cpu_share"));
    assertTrue(r.table().startsWith("NOISY: other processes took 45.0 % of the CPUs"), r.table());
    r.plots(dir);
    String summary = Files.readString(dir.resolve("summary.md"));
    assertTrue(summary.startsWith("**NOISY RUN** (not figures to publish): other processes took 45.0 %"), summary);
  }

  @Test
  void aQuietRunCarriesNoMark() throws Exception {
    Report r = report(Noise.of(new Noise.CpuStat(0, 0, 0), new Noise.CpuStat(600, 2000, 0), 5.5, 10, 0.1, 0.2, 0.1, 0.10));
    assertFalse(r.json().getBoolean("noisy"));
    assertTrue(r.table().startsWith("quiet: "));
    r.plots(dir);
    assertTrue(Files.readString(dir.resolve("summary.md")).startsWith("Run 2026-12-02T15:00:00Z (quick)"));
  }

  @Test
  void theGatewaysFactsAndEveryPeerAreInTheReport() {
    Report r = report(noisy());
    JsonObject j = r.json();
    JsonObject facts = j.getJsonObject("gateway_facts");
    assertEquals(1.8, facts.getDouble("startup_to_healthz_s"));
    assertEquals(150L << 20, facts.getLong("rss_at_rest_bytes"));
    assertEquals(2_000_000L, facts.getJsonObject("plugin_zip_bytes").getLong("vncgate-provider-docker-0.1.0-SNAPSHOT.zip"));
    for (String name : RelayPath.ALL) assertTrue(j.containsKey(name), name);
    JsonObject ws = j.getJsonObject("vncgate-ws");
    assertTrue(r.table().contains("websockify-js"));
    // the fan-out path's round trip is named for what it is, in the JSON and marked in the table
    JsonObject fan = j.getJsonObject("vncgate-fanout");
    assertNull(fan.getValue("rtt_p99_ms"));
    assertEquals(0.6, fan.getDouble("input_rtt_p99_ms"));
    assertEquals(6.0, fan.getJsonObject("input_rtt_vs_direct_request_rtt").getDouble("input_rtt_p99_ms"));
    assertTrue(fan.getString("round_trip").startsWith("input:"));
    assertFalse(ws.containsKey("input_rtt_p99_ms"));
    assertTrue(r.table().contains("0.600/0.600/0.600 *"), r.table());
    assertTrue(r.table().contains("vncgate-fanout throughput 0.63x websockify"), r.table());
    assertTrue(r.table().contains("start-up to /healthz 1.80 s, RSS at rest 150.0 MiB, jar 30.0 MiB, 1 plugin zips of 1.9 MiB"),
        r.table());
    assertEquals(1500.0, ws.getDouble("idle_connect_viewers_per_s"));
    assertEquals(2.5, ws.getJsonObject("idle_connect_event_loop_delay").getDouble("p99_ms_bucket"));
    // three rounds of 2, 2.4 and 1.8 x the figure in 2 s: median 1.0, spread 0.9 .. 1.2
    JsonObject spread = ws.getJsonObject("throughput_mb_s_spread");
    assertEquals(900.0, spread.getDouble("median"));
    assertEquals(810.0, spread.getDouble("min"));
    assertEquals(1080.0, spread.getDouble("max"));
    assertEquals(0.3, spread.getDouble("relative_spread"));
  }

  @Test
  void theTargetsAreIssue20s() {
    JsonObject t = report(noisy()).targets().getJsonObject("vncgate-ws");
    assertEquals(2.25, t.getJsonObject("throughput_vs_websockify").getDouble("value"));
    assertTrue(t.getJsonObject("throughput_vs_websockify").getBoolean("met"), ">= 2");
    assertEquals(0.3, t.getJsonObject("cpu_per_gb_vs_websockify").getDouble("value"));
    assertTrue(t.getJsonObject("cpu_per_gb_vs_websockify").getBoolean("met"), "<= 1/3");
    assertEquals(3.0, t.getJsonObject("throughput_vs_websockify_js").getDouble("value"));
    assertTrue(t.getJsonObject("cpu_per_gb_vs_websockify_js").getBoolean("met"));
    // p99 0.4 against direct's 0.1: 0.3 ms added, within 0.5
    assertTrue(t.getJsonObject("added_p99_ms_over_direct").getBoolean("met"));
    assertTrue(t.getJsonObject("idle_heap_bytes_per_viewer").getBoolean("met"), "20,000 bytes <= 32 KiB");
    assertTrue(t.getJsonObject("idle_connect_viewers_per_s").getBoolean("met"), "1500/s >= 1000/s");
    JsonObject tcp = report(noisy()).targets().getJsonObject("vncgate-tcp");
    assertEquals(0.4, tcp.getJsonObject("added_p99_ms_over_direct").getDouble("value"), 1e-9);
    assertTrue(tcp.getJsonObject("throughput_vs_websockify").getBoolean("met"), "950 / 400 >= 2");
  }
}
