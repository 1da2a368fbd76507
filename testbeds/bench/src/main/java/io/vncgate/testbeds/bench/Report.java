package io.vncgate.testbeds.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns the results into the JSON file, the console table, a Markdown summary and the plots. */
final class Report {
  static final long HEAP_GOAL_BYTES = 32 * 1024;

  private final Settings settings;
  private final Map<String, PathResult> results;
  private final JsonObject machine;
  private final Instant started;
  private Noise.Result noise;
  private GatewayFacts gateway;

  Report(Settings settings, Map<String, PathResult> results, JsonObject machine, Instant started) {
    this.settings = settings;
    this.results = results;
    this.machine = machine;
    this.started = started;
  }

  /** The machine's load during the run ({@link Noise}): in the JSON, the table and the summary. */
  Report noise(Noise.Result n) {
    this.noise = n;
    return this;
  }

  /** Start-up, memory at rest and sizes of the gateway. */
  Report gateway(GatewayFacts g) {
    this.gateway = g;
    return this;
  }

  static JsonObject machine(String websockifyVersion) {
    return new JsonObject()
        .put("nproc", Runtime.getRuntime().availableProcessors())
        .put("cpu_model", Proc.cpuModel())
        .put("mem_total_bytes", Proc.memTotalBytes())
        .put("kernel", Proc.kernel())
        .put("tcp_congestion_control", Proc.tcpCongestionControl())
        .put("java", System.getProperty("java.runtime.version"))
        .put("websockify", websockifyVersion);
  }

  JsonObject json() {
    PathResult direct = results.get(RelayPath.DIRECT);
    PathResult websockify = results.get(RelayPath.WEBSOCKIFY);
    PathResult ws = results.get(RelayPath.VNCGATE_WS);
    JsonObject o = new JsonObject()
        .put("tool", "testbeds/bench/run")
        .put("mode", settings.mode())
        .put("date", started.truncatedTo(ChronoUnit.SECONDS).toString())
        .put("machine", machine)
        .put("settings", settings.toJson());
    if (noise != null) o.put("noisy", noise.noisy()).put("noise", noise.toJson());
    if (gateway != null) o.put("gateway_facts", gateway.toJson());
    for (PathResult r : results.values()) o.put(r.name, r.toJson(direct, websockify));
    o.put("idle_heap_bytes_per_viewer", ws.get("idle_heap_bytes_per_viewer"));
    o.put("idle_viewers", ws.idleViewers);
    o.put("idle_connect_viewers_per_s", Double.isNaN(ws.idleConnectPerS) ? null : PathResult.round(ws.idleConnectPerS, 1));
    o.put("targets", targets());
    return o;
  }

  /**
   * Issue #20's goals (performance at scale), each with the measured value and whether it is met:
   * against websockify (Python) and websockify-js, the added p99 round trip over direct TCP, and the
   * idle viewers' heap, errors and admission rate. Where websockify-js was not measured its goals are left out.
   */
  JsonObject targets() {
    PathResult direct = results.get(RelayPath.DIRECT);
    PathResult wsk = results.get(RelayPath.WEBSOCKIFY);
    PathResult js = results.get(RelayPath.WEBSOCKIFY_JS);
    JsonObject t = new JsonObject();
    for (String front : List.of(RelayPath.VNCGATE_WS, RelayPath.VNCGATE_TCP)) {
      PathResult g = results.get(front);
      JsonObject f = new JsonObject();
      double thr = g.get("throughput_mb_s") / wsk.get("throughput_mb_s");
      f.put("throughput_vs_websockify", goal(thr, ">= 2", thr >= 2));
      double cpu = g.get("cpu_s_per_gb") / wsk.get("cpu_s_per_gb");
      f.put("cpu_per_gb_vs_websockify", goal(cpu, "<= 0.333", cpu <= 1.0 / 3));
      if (js != null) {
        double thrJs = g.get("throughput_mb_s") / js.get("throughput_mb_s");
        f.put("throughput_vs_websockify_js", goal(thrJs, "> 1", thrJs > 1));
        double cpuJs = g.get("cpu_s_per_gb") / js.get("cpu_s_per_gb");
        f.put("cpu_per_gb_vs_websockify_js", goal(cpuJs, "< 1", cpuJs < 1));
      }
      double added = g.get("rtt_p99_ms") - direct.get("rtt_p99_ms");
      f.put("added_p99_ms_over_direct", goal(added, "<= 0.5 ms at " + g.rttViewers + " viewers", added <= 0.5));
      Double heap = g.get("idle_heap_bytes_per_viewer");
      boolean heapOk = heap != null && heap <= HEAP_GOAL_BYTES && g.errors == 0;
      f.put("idle_heap_bytes_per_viewer", goal(heap == null ? Double.NaN : heap,
          "<= " + HEAP_GOAL_BYTES + " with " + g.idleViewers + " viewers (10000 for the goal) and no errors (errors: "
              + g.errors + ")", heapOk));
      f.put("idle_connect_viewers_per_s", goal(g.idleConnectPerS, ">= 1000", g.idleConnectPerS >= 1000));
      t.put(front, f);
    }
    return t;
  }

  private static JsonObject goal(double value, String goal, boolean met) {
    return new JsonObject().put("value", Double.isNaN(value) ? null : PathResult.round(value, 3))
        .put("goal", goal).put("met", met);
  }

  /** The console table (also used, fenced, in the Markdown summary). */
  String table() {
    StringBuilder sb = new StringBuilder();
    sb.append(Publication.tableHead(noise));
    sb.append(String.format(Locale.ROOT, "%-14s %9s %9s | %-24s | %-24s | %10s %10s%n", "path", "MB/s", "CPU-s/GB",
        "RTT 1 viewer p50/p99/p99.9", "RTT " + settings.rttViewers() + " viewers p50/p99/p99.9", "idle RSS", "idle heap"));
    for (PathResult r : results.values()) {
      sb.append(String.format(Locale.ROOT, "%-14s %9.1f %9.3f | %-24s | %-24s | %10s %10s%n", r.name,
          r.get("throughput_mb_s"), r.get("cpu_s_per_gb"),
          ms(r, r.inputRoundTrip ? "input_rtt_1_" : "rtt_1_"), ms(r, r.inputRoundTrip ? "input_rtt_" : "rtt_"),
          bytes(r.get("idle_rss_bytes_per_viewer")),
          bytes(r.get("idle_heap_bytes_per_viewer"))));
    }
    if (results.values().stream().anyMatch(r -> r.inputRoundTrip)) {
      sb.append(String.format("* %s: MB/s and CPU-s/GB are full-screen Raw updates the gateway encodes from its framebuffer"
          + " (the upstream is idle: the synthetic desktop does not change); RTT is a key's round trip, the controller's"
          + " KeyEvent -> the synthetic server's 1x1 update -> the gateway's 64x64 tile at each viewer (the others: a"
          + " one-pixel request -> the server's 1x1 update)%n", RelayPath.VNCGATE_FANOUT));
    }
    PathResult wsk = results.get(RelayPath.WEBSOCKIFY);
    PathResult direct = results.get(RelayPath.DIRECT);
    sb.append(String.format("%nratios (vncgate / websockify, vncgate / direct):%n"));
    for (String name : List.of(RelayPath.VNCGATE_WS, RelayPath.VNCGATE_TCP)) {
      PathResult g = results.get(name);
      JsonObject vw = g.ratios(wsk);
      JsonObject vd = g.ratios(direct);
      sb.append(String.format(Locale.ROOT,
          "%-13s throughput %.2fx websockify, %.2fx direct; CPU/GB %.2fx websockify; p99@%d %.2fx websockify, %.2fx direct%n",
          name, vw.getDouble("throughput_mb_s"), vd.getDouble("throughput_mb_s"), vw.getDouble("cpu_s_per_gb"),
          g.rttViewers, vw.getDouble("rtt_p99_ms"), vd.getDouble("rtt_p99_ms")));
    }
    PathResult fan = results.get(RelayPath.VNCGATE_FANOUT);
    if (fan != null) {
      JsonObject vw = fan.ratios(wsk);
      JsonObject vd = fan.ratios(direct);
      sb.append(String.format(Locale.ROOT,
          "%-13s throughput %.2fx websockify, %.2fx direct; CPU/GB %.2fx websockify; key p99@%d %.2fx websockify's request p99,"
              + " %.2fx direct's%n", fan.name, vw.getDouble("throughput_mb_s"), vd.getDouble("throughput_mb_s"),
          vw.getDouble("cpu_s_per_gb"), fan.rttViewers, fan.inputRatios(wsk).getDouble("input_rtt_p99_ms"),
          fan.inputRatios(direct).getDouble("input_rtt_p99_ms")));
    }
    sb.append(String.format("%nidle viewers admitted per second (ticket, both handshakes, 32 at a time):%n"));
    for (PathResult r : results.values()) {
      if (Double.isNaN(r.idleConnectPerS)) continue;
      sb.append(String.format(Locale.ROOT, "  %-13s %8.0f /s with %d viewers%s%s%n", r.name, r.idleConnectPerS, r.idleViewers,
          r.idleLoopDelay == null ? "" : "; event loops: " + r.idleLoopDelay.line(),
          r.idleOpenFiles == null || r.idleOpenFiles.getString("reason") == null ? "" : "; " + r.idleOpenFiles.getString("reason")));
    }
    if (gateway != null) sb.append(String.format("%nvncgate: %s%n", gateway.line()));
    sb.append(String.format("%ntargets:%n"));
    JsonObject t = targets();
    for (String front : t.fieldNames()) {
      JsonObject f = t.getJsonObject(front);
      for (String k : f.fieldNames()) {
        JsonObject g = f.getJsonObject(k);
        sb.append(String.format(Locale.ROOT, "  %-13s %-28s %10s  goal %s  %s%n", front, k, g.getValue("value"),
            g.getString("goal"), g.getBoolean("met") ? "MET" : "MISSED"));
      }
    }
    return sb.toString();
  }

  private static String ms(PathResult r, String prefix) {
    return String.format(Locale.ROOT, "%.3f/%.3f/%.3f", r.get(prefix + "p50_ms"), r.get(prefix + "p99_ms"),
        r.get(prefix + "p999_ms")) + (prefix.startsWith("input_") ? " *" : "");
  }

  /** The name a path goes by in the plots: the fan-out path is marked, its figures being other measurements (the titles say). */
  private static String label(String name) {
    return name.equals(RelayPath.VNCGATE_FANOUT) ? name + "*" : name;
  }

  /** What the plots' titles add when the fan-out path is in them. */
  private String fanOutNote(String what) {
    return results.containsKey(RelayPath.VNCGATE_FANOUT) ? " (" + label(RelayPath.VNCGATE_FANOUT) + ": " + what + ")" : "";
  }

  private static String bytes(Double b) {
    return b == null ? "-" : String.format(Locale.ROOT, "%.1f KiB", b / 1024);
  }

  /** Writes the plots and a Markdown summary into {@code dir}. */
  void plots(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<String> names = new ArrayList<>(results.keySet());
    Svg.bars(dir.resolve("throughput.svg"), "Throughput at the viewer, one viewer, " + settings.width() + "x"
        + settings.height() + " Raw updates" + fanOutNote("from its framebuffer"), "MB/s", names.stream().map(Report::label).toList(),
        names.stream().map(n -> results.get(n).get("throughput_mb_s")).toList());
    List<String> relays = names.stream().filter(n -> !n.equals(RelayPath.DIRECT)).toList();
    Svg.bars(dir.resolve("cpu-per-gb.svg"), "CPU seconds of the relay process per GB relayed (lower is better)"
        + fanOutNote("per GB encoded"), "CPU-s/GB", relays.stream().map(Report::label).toList(),
        relays.stream().map(n -> results.get(n).get("cpu_s_per_gb")).toList());
    Map<String, List<double[]>> curvesN = new LinkedHashMap<>();
    Map<String, List<double[]>> curves1 = new LinkedHashMap<>();
    results.forEach((n, r) -> {
      curvesN.put(label(n), r.curveN);
      curves1.put(label(n), r.curve1);
    });
    Svg.percentiles(dir.resolve("latency-" + settings.rttViewers() + "-viewers.svg"), "Round-trip time, "
        + settings.rttViewers() + " viewers, one request each every " + settings.rttNIntervalUs() / 1000 + " ms"
        + fanOutNote("one key every " + settings.rttNIntervalUs() / 1000 + " ms, its update at each viewer"), curvesN);
    Svg.percentiles(dir.resolve("latency-1-viewer.svg"), "Round-trip time, one viewer, one request every "
        + settings.rtt1IntervalUs() / 1000.0 + " ms" + fanOutNote("a key -> its update"), curves1);
    Files.writeString(dir.resolve("summary.md"), Publication.summaryHead(noise) + "Run "
        + started.truncatedTo(ChronoUnit.SECONDS) + " (" + settings.mode()
        + "), " + machine.getInteger("nproc") + " CPUs " + machine.getString("cpu_model") + ", TCP congestion control "
        + machine.getString("tcp_congestion_control") + ":\n\n```\n" + table() + "```\n");
  }
}
