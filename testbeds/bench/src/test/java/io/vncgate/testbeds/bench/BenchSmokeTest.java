package io.vncgate.testbeds.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the benchmark end to end in its smoke mode (a few seconds, the real gateway jar, real
 * websockify) and checks what it writes is complete and well-formed. The figures of a smoke run
 * mean nothing; no test compares them with a threshold.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // a hang guard, not a performance limit
class BenchSmokeTest {
  private static final List<String> RELAYS = List.of("websockify", "websockify-js", "vncgate-ws", "vncgate-tcp", "vncgate-fanout");

  @TempDir
  Path dir;

  @Test
  void smokeRunWritesEveryFigureForEveryPathAndThePlots() throws Exception {
    Path json = dir.resolve("results.json");
    Path plots = dir.resolve("plots");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    JsonObject returned = Bench.run(new String[] {"--smoke", "--work", dir.resolve("work").toString(),
        "--json", json.toString(), "--plots", plots.toString()}, new PrintStream(console, true, StandardCharsets.UTF_8));

    JsonObject result = new JsonObject(Files.readString(json)); // well-formed, and what run() returned
    assertEquals(returned, result);
    assertEquals("smoke", result.getString("mode"));
    assertTrue(result.getJsonObject("machine").getInteger("nproc") > 0);
    assertTrue(!result.getJsonObject("machine").getString("tcp_congestion_control").isBlank());
    // how the gateway relayed large payloads, as its /metrics says (vncgate_relay_info), and the share it spliced
    JsonObject gateway = result.getJsonObject("gateway");
    assertTrue(gateway.getString("relay").matches("epoll: (spliced|bulk-reads) \\(server\\.zero-copy: .+\\)|nio: reads \\(.+\\)"),
        gateway.encode());
    double spliced = gateway.getDouble("spliced_share");
    assertTrue(spliced >= 0 && spliced <= 1, gateway.encode());

    for (String name : RelayPath.ALL) {
      JsonObject p = result.getJsonObject(name);
      assertNotNull(p, name + " is missing");
      // the fan-out path's round trip is another measurement (a key's), under its own names
      String rtt = name.equals(RelayPath.VNCGATE_FANOUT) ? "input_rtt" : "rtt";
      for (String f : List.of("throughput_mb_s", rtt + "_p50_ms", rtt + "_p99_ms", rtt + "_p999_ms", rtt + "_1_p50_ms",
          rtt + "_1_p99_ms", rtt + "_1_p999_ms")) {
        positive(p, name, f);
      }
      // the bench JVM's CPU over one short smoke round: /proc counts it in 10 ms ticks, so it may read 0
      double endpoints = p.getDouble("endpoints_cpu_s_per_gb");
      assertTrue(endpoints >= 0 && Double.isFinite(endpoints), name + ".endpoints_cpu_s_per_gb is " + endpoints);
      assertTrue(p.getLong(rtt + "_samples") > 0 && p.getLong(rtt + "_1_samples") > 0, name);
      assertTrue(p.getJsonArray(rtt + "_distribution_ms").size() > 1, name);
      assertTrue(p.getString("round_trip").startsWith(rtt.equals("rtt") ? "request:" : "input:"), name);
      for (String ratios : List.of("vs_direct", "vs_websockify")) {
        JsonObject r = p.getJsonObject(ratios);
        for (String f : PathResult.FIGURES) assertTrue(r.containsKey(f), name + "." + ratios + "." + f);
      }
    }
    assertEquals(1.0, result.getJsonObject("direct").getJsonObject("vs_direct").getDouble("throughput_mb_s"));
    assertEquals(1.0, result.getJsonObject("websockify").getJsonObject("vs_websockify").getDouble("throughput_mb_s"));

    JsonObject direct = result.getJsonObject("direct");
    assertEquals(0.0, direct.getDouble("cpu_s_per_gb"), "direct TCP has no relay process");
    assertTrue(direct.containsKey("idle_heap_bytes_per_viewer") && direct.getValue("idle_heap_bytes_per_viewer") == null);
    for (String name : RELAYS) {
      JsonObject p = result.getJsonObject(name);
      positive(p, name, "cpu_s_per_gb");
      // the resident set's growth per viewer is a number for every relay; for a JVM at smoke scale (a few
      // dozen viewers) it may be below zero, as G1 and malloc hand pages back between the two readings
      assertInstanceOf(Number.class, p.getValue("idle_rss_bytes_per_viewer"), name + ".idle_rss_bytes_per_viewer");
      assertTrue(p.getInteger("idle_viewers") > 0, name);
      assertEquals(0, p.getLong("errors"), name + " had errors");
      positive(p.getJsonObject("vs_websockify"), name, "throughput_mb_s");
    }
    assertNull(result.getJsonObject("websockify").getValue("idle_heap_bytes_per_viewer"), "websockify has no JVM heap");
    // websockify forks a Python process per viewer: its resident set grows by megabytes each
    positive(result.getJsonObject("websockify"), "websockify", "idle_rss_bytes_per_viewer");
    assertTrue(result.getJsonObject("machine").getString("websockify_js").startsWith("websockify-js 0.7.1 (ws 1.1.5"),
        result.getJsonObject("machine").encode());
    // the machine's load during the run, whatever it was; and the gateway's start-up, memory at rest and size
    JsonObject noise = result.getJsonObject("noise");
    assertEquals(noise.getBoolean("noisy"), result.getBoolean("noisy"));
    assertTrue(noise.getDouble("other_processes_cpu_share") >= 0 && noise.getDouble("other_processes_cpu_share") <= 1, noise.encode());
    assertTrue(noise.getDouble("own_cpu_s") > 0, noise.encode());
    assertTrue(List.of("available", "loadable (modprobe tcp_bbr)", "not available")
        .contains(result.getJsonObject("machine").getJsonObject("tcp_congestion").getString("bbr")));
    JsonObject facts = result.getJsonObject("gateway_facts");
    positive(facts, "gateway_facts", "startup_to_healthz_s");
    positive(facts, "gateway_facts", "rss_at_rest_bytes");
    positive(facts, "gateway_facts", "jar_bytes");
    JsonObject fanOut = result.getJsonObject("vncgate-fanout");
    for (String f : List.of("rtt_p50_ms", "rtt_p99_ms", "rtt_1_p50_ms")) {
      assertNull(fanOut.getValue(f), "vncgate-fanout has no request round trip, " + f + " stays empty");
    }
    assertFalse(result.getJsonObject("vncgate-ws").containsKey("input_rtt_p50_ms"), "the per-viewer paths time requests");
    assertInstanceOf(Number.class, fanOut.getValue("input_rtt_lost"));
    for (String ratios : List.of("input_rtt_vs_direct_request_rtt", "input_rtt_vs_websockify_request_rtt")) {
      positive(fanOut.getJsonObject(ratios), "vncgate-fanout." + ratios, "input_rtt_p99_ms");
      positive(fanOut.getJsonObject(ratios), "vncgate-fanout." + ratios, "input_rtt_1_p99_ms");
    }
    for (String name : List.of("vncgate-ws", "vncgate-tcp", "vncgate-fanout")) {
      positive(result.getJsonObject(name), name, "idle_connect_viewers_per_s");
      JsonObject delay = result.getJsonObject(name).getJsonObject("idle_connect_event_loop_delay");
      assertTrue(delay.getLong("ticks") > 0, name + " event-loop delay " + delay.encode());
      positive(result.getJsonObject(name).getJsonObject("throughput_mb_s_spread"), name, "median");
    }
    for (String name : List.of("vncgate-ws", "vncgate-tcp", "vncgate-fanout")) {
      positive(result.getJsonObject(name), name, "idle_heap_bytes_per_viewer");
      positive(result.getJsonObject(name).getJsonObject("vs_websockify"), name, "cpu_s_per_gb");
      if (!name.equals("vncgate-fanout")) positive(result.getJsonObject(name).getJsonObject("vs_direct"), name, "rtt_p99_ms");
    }
    assertNull(fanOut.getJsonObject("vs_direct").getValue("rtt_p99_ms"), "no request round trip to compare on the fan-out path");
    // the bench's own floor: direct viewers opened the same way, with no relay
    positive(direct, "direct", "idle_connect_viewers_per_s");
    for (String name : List.of("vncgate-ws", "vncgate-tcp")) {
      JsonObject p = result.getJsonObject(name);
      JsonObject cpu = p.getJsonObject("idle_connect_cpu_ms_per_viewer");
      positive(cpu, name, "relay");
      // the gateway's JIT and GC threads, read from /proc as part of its CPU
      if (cpu.containsKey("relay_jit")) {
        assertTrue(cpu.getDouble("relay_jit") + cpu.getDouble("relay_gc") <= cpu.getDouble("relay"), cpu.encode());
      }
      assertTrue(p.getInteger("admission_warmup_viewers") > 0, name + " warmed its admission up");
      // every process's open files measured; at smoke scale every limit holds all the viewers asked for
      JsonObject files = p.getJsonObject("idle_open_files");
      assertEquals(files.getInteger("asked"), files.getInteger("opened"), files.encode());
      assertEquals(p.getInteger("idle_viewers"), files.getInteger("opened"), files.encode());
      assertNull(files.getValue("bound_by"), files.encode());
      assertEquals(3, files.getJsonArray("processes").size(), files.encode());
      for (Object o : files.getJsonArray("processes")) positive((JsonObject) o, name, "open_file_limit");
    }
    positive(result, "top level", "idle_heap_bytes_per_viewer");
    assertTrue(result.getInteger("idle_viewers") > 0);

    JsonObject targets = result.getJsonObject("targets");
    for (String front : List.of("vncgate-ws", "vncgate-tcp")) {
      for (String t : List.of("throughput_vs_websockify", "cpu_per_gb_vs_websockify", "added_p99_ms_over_direct",
          "idle_heap_bytes_per_viewer")) {
        JsonObject goal = targets.getJsonObject(front).getJsonObject(t);
        assertInstanceOf(Number.class, goal.getValue("value"), front + " " + t);
        assertInstanceOf(Boolean.class, goal.getValue("met"), front + " " + t);
      }
    }

    for (String svg : List.of("throughput.svg", "cpu-per-gb.svg", "latency-1-viewer.svg",
        "latency-" + result.getJsonObject("settings").getInteger("rtt_viewers") + "-viewers.svg")) {
      String text = Files.readString(plots.resolve(svg));
      assertTrue(text.startsWith("<svg") && text.trim().endsWith("</svg>"), svg);
    }
    assertTrue(Files.readString(plots.resolve("summary.md")).contains("vncgate-ws"));
    assertTrue(Files.readString(plots.resolve("summary.md")).contains("vncgate-fanout"));
    assertTrue(Files.readString(plots.resolve("latency-1-viewer.svg")).contains("vncgate-fanout*"));
    assertTrue(console.toString(StandardCharsets.UTF_8).contains("targets:"));
    JsonArray curve = result.getJsonObject("vncgate-ws").getJsonArray("rtt_distribution_ms");
    assertTrue(curve.getJsonArray(curve.size() - 1).getDouble(1) >= curve.getJsonArray(0).getDouble(1),
        "a distribution rises with the percentile");
  }

  private static void positive(JsonObject o, String where, String field) {
    Object v = o.getValue(field);
    assertInstanceOf(Number.class, v, where + "." + field + " is " + v);
    assertTrue(((Number) v).doubleValue() > 0, where + "." + field + " is " + v);
  }
}
