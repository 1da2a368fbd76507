package io.vncgate.testbeds.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The desktop scenario's results: per path and viewer count the median of the rounds with its
 * spread, the ratios to websockify and to direct TCP, what the viewers were sent (encodings, Tight
 * sub-types, continuous updates), and the targets of issue #20 at 20 and 100 viewers.
 */
final class DesktopReport {
  /** The gateway's CPU per viewer at most this share of websockify's (issue #20). */
  static final double CPU_GOAL = 0.5;
  static final List<Integer> TARGET_COUNTS = List.of(20, 100);
  private static final List<String> GATEWAY_PATHS = List.of(RelayPath.VNCGATE_WS, RelayPath.VNCGATE_TCP, Desktop.FAN_OUT);

  private final Desktop.Options o;
  private final List<Desktop.Phase> phases;
  private final List<String[]> paths;
  private final JsonObject workload;
  private final String xvnc;
  private final Noise.Result noise;

  /** @param noise the machine's load over the run ({@link Noise}), or null */
  DesktopReport(Desktop.Options o, List<Desktop.Phase> phases, List<String[]> paths, JsonObject workload, String xvnc,
      Noise.Result noise) {
    this.o = o;
    this.phases = phases;
    this.paths = paths;
    this.workload = workload;
    this.xvnc = xvnc;
    this.noise = noise;
  }

  /** The measured phases of a path and count (a failed phase counts in errors only). */
  private List<Desktop.Phase> of(String path, int n) {
    return phases.stream().filter(p -> p.path.equals(path) && p.viewers == n && p.failed == null).toList();
  }

  private List<Desktop.Phase> failed(String path, int n) {
    return phases.stream().filter(p -> p.path.equals(path) && p.viewers == n && p.failed != null).toList();
  }

  private static Spread spread(List<Desktop.Phase> ps, ToDoubleFunction<Desktop.Phase> f) {
    List<Double> v = new ArrayList<>();
    for (Desktop.Phase p : ps) {
      double d = f.applyAsDouble(p);
      if (!Double.isNaN(d)) v.add(d);
    }
    return v.isEmpty() ? null : Spread.of(v);
  }

  private static double p(Desktop.Phase ph, double pct) {
    return ph.latencies.count() == 0 ? Double.NaN : ph.latencies.percentileMs(pct);
  }

  Spread cpuPerViewerMs(String path, int n) {
    return spread(of(path, n), ph -> ph.relayCpuPerViewer() * 1000);
  }

  Spread latency(String path, int n, double pct) {
    return spread(of(path, n), ph -> p(ph, pct));
  }

  private static JsonObject js(Spread s, int decimals) {
    return s == null ? null : s.toJson(decimals);
  }

  private static Double med(Spread s) {
    return s == null ? null : s.median();
  }

  private static Double ratio(Spread a, Spread b) {
    return a == null || b == null || b.median() == 0 ? null : PathResult.round(a.median() / b.median(), 3);
  }

  JsonObject json() {
    JsonObject results = new JsonObject();
    for (String[] path : paths) {
      JsonObject byCount = new JsonObject();
      for (int n : o.viewers()) {
        List<Desktop.Phase> ps = of(path[0], n);
        List<Desktop.Phase> bad = failed(path[0], n);
        if (ps.isEmpty() && bad.isEmpty()) continue;
        Spread cpu = cpuPerViewerMs(path[0], n);
        Spread p50 = latency(path[0], n, 50);
        Spread p99 = latency(path[0], n, 99);
        Map<String, Long> encodings = new TreeMap<>();
        Map<String, Long> tight = new TreeMap<>();
        int errors = 0;
        int lost = 0;
        int paints = 0;
        long samples = 0;
        int continuous = 0;
        long fences = 0;
        JsonArray errorText = new JsonArray();
        for (Desktop.Phase ph : bad) {
          errors += ph.errors.size();
          errorText.add("round " + ph.round + ": " + ph.failed);
        }
        for (Desktop.Phase ph : ps) {
          ph.rectangles.forEach((e, c) -> encodings.merge(encodingName(e), c, Long::sum));
          ph.tight.forEach((k, c) -> tight.merge(k, c, Long::sum));
          errors += ph.errors.size();
          ph.errors.stream().distinct().limit(3).forEach(errorText::add);
          lost += ph.lost;
          paints += ph.paints;
          samples += ph.latencies.count();
          continuous += ph.continuousUpdates;
          fences += ph.fences;
        }
        Spread directP50 = latency(RelayPath.DIRECT, n, 50);
        Spread wsP50 = latency(RelayPath.WEBSOCKIFY, n, 50);
        JsonObject ratios = new JsonObject()
            .put("cpu_per_viewer_vs_websockify", path[0].equals(RelayPath.DIRECT) ? null
                : ratio(cpu, cpuPerViewerMs(RelayPath.WEBSOCKIFY, n)))
            .put("cpu_per_mb_vs_websockify", path[0].equals(RelayPath.DIRECT) ? null
                : ratio(spread(ps, Desktop.Phase::relayCpuMsPerMb), spread(of(RelayPath.WEBSOCKIFY, n), Desktop.Phase::relayCpuMsPerMb)))
            .put("updates_per_s_vs_direct", ratio(spread(ps, ph -> ph.updatesPerS),
                spread(of(RelayPath.DIRECT, n), ph -> ph.updatesPerS)))
            .put("latency_p50_added_ms", p50 == null || directP50 == null ? null
                : PathResult.round(p50.median() - directP50.median(), 2))
            .put("latency_p50_vs_websockify", ratio(p50, wsP50));
        byCount.put(String.valueOf(n), new JsonObject()
            .put("updates_per_s_per_viewer", js(spread(ps, ph -> ph.updatesPerS), 2))
            .put("slowest_viewer_updates_per_s", js(spread(ps, ph -> ph.minUpdatesPerS), 2))
            .put("bytes_per_s_per_viewer", js(spread(ps, ph -> ph.bytesPerS), 0))
            .put("latency_p50_ms", js(p50, 2))
            .put("latency_p99_ms", js(p99, 2))
            .put("relay_cpu_ms_per_s_per_viewer", js(cpu, 3))
            .put("relay_cpu_ms_per_mb_delivered", js(spread(ps, Desktop.Phase::relayCpuMsPerMb), 2))
            .put("xvnc_cpu_ms_per_s", js(spread(ps, ph -> ph.xvncCpuS / ph.seconds * 1000), 1))
            .put("load_average", js(spread(ps, ph -> ph.load), 2))
            .put("errors", errors).put("error_reasons", errorText).put("failed_rounds", bad.size())
            .put("marker_paints", paints).put("latency_samples", samples).put("marker_lost", lost)
            .put("rectangles_by_encoding", new JsonObject(new TreeMap<>(encodings)))
            .put("tight_subtypes", new JsonObject(new TreeMap<>(tight)))
            .put("viewers_with_continuous_updates", continuous).put("fences_answered", fences)
            .put("ratios", ratios));
      }
      results.put(path[0], new JsonObject().put("description", path[1]).put("by_viewers", byCount));
    }
    JsonArray phaseRows = new JsonArray();
    for (Desktop.Phase ph : phases) {
      if (ph.failed != null) {
        phaseRows.add(new JsonObject().put("round", ph.round).put("path", ph.path).put("viewers", ph.viewers)
            .put("failed", ph.failed));
        continue;
      }
      phaseRows.add(new JsonObject().put("round", ph.round).put("path", ph.path).put("viewers", ph.viewers)
          .put("seconds", PathResult.round(ph.seconds, 3)).put("updates_per_s", PathResult.round(ph.updatesPerS, 2))
          .put("bytes_per_s", Math.round(ph.bytesPerS))
          .put("latency_p50_ms", ph.latencies.count() == 0 ? null : PathResult.round(p(ph, 50), 2))
          .put("latency_p99_ms", ph.latencies.count() == 0 ? null : PathResult.round(p(ph, 99), 2))
          .put("bytes", ph.bytes).put("relay_cpu_s", PathResult.round(ph.relayCpuS, 3)).put("xvnc_cpu_s", PathResult.round(ph.xvncCpuS, 3))
          .put("errors", ph.errors.size()).put("lost", ph.lost).put("load_average", ph.load));
    }
    JsonObject json = new JsonObject().put("scenario", "desktop").put("settings", o.settingsJson());
    if (noise != null) json.put("noisy", noise.noisy()).put("noise", noise.toJson());
    return json.put("xvnc", xvnc).put("workload", workload).put("results", results).put("targets", targets())
        .put("phases", phaseRows);
  }

  /** Issue #20's targets for each gateway path at 20 and 100 viewers (those measured). */
  JsonArray targets() {
    JsonArray out = new JsonArray();
    for (String g : GATEWAY_PATHS) {
      if (paths.stream().noneMatch(p -> p[0].equals(g))) continue;
      for (int n : TARGET_COUNTS) {
        if (!o.viewers().contains(n)) continue;
        Spread cpu = cpuPerViewerMs(g, n);
        Spread ws = cpuPerViewerMs(RelayPath.WEBSOCKIFY, n);
        Double r = ratio(cpu, ws);
        Spread direct = latency(RelayPath.DIRECT, n, 50);
        Spread mine = latency(g, n, 50);
        Spread theirs = latency(RelayPath.WEBSOCKIFY, n, 50);
        Double added = mine == null || direct == null ? null : mine.median() - direct.median();
        Double wsAdded = theirs == null || direct == null ? null : theirs.median() - direct.median();
        out.add(new JsonObject().put("path", g).put("viewers", n)
            .put("cpu_per_viewer_vs_websockify", r).put("cpu_goal", "<= " + CPU_GOAL)
            .put("cpu_per_mb_vs_websockify", ratio(spread(of(g, n), Desktop.Phase::relayCpuMsPerMb),
                spread(of(RelayPath.WEBSOCKIFY, n), Desktop.Phase::relayCpuMsPerMb)))
            .put("cpu_met", r == null ? null : r <= CPU_GOAL)
            .put("latency_p50_added_ms", added == null ? null : PathResult.round(added, 2))
            .put("websockify_latency_p50_added_ms", wsAdded == null ? null : PathResult.round(wsAdded, 2))
            .put("latency_goal", "added p50 latency <= websockify's added p50 latency")
            .put("latency_met", added == null || wsAdded == null ? null : added <= wsAdded));
      }
    }
    return out;
  }

  static String encodingName(int e) {
    return switch (e) {
      case NoVncViewer.RAW -> "Raw";
      case NoVncViewer.COPY_RECT -> "CopyRect";
      case NoVncViewer.RRE -> "RRE";
      case NoVncViewer.ZLIB -> "Zlib";
      case NoVncViewer.TIGHT -> "Tight";
      case NoVncViewer.ZRLE -> "ZRLE";
      case NoVncViewer.TIGHT_PNG -> "TightPNG";
      case NoVncViewer.DESKTOP_SIZE -> "DesktopSize";
      case NoVncViewer.LAST_RECT -> "LastRect";
      case NoVncViewer.CURSOR -> "Cursor";
      case NoVncViewer.VMWARE_CURSOR -> "VMwareCursor";
      case NoVncViewer.QEMU_EXTENDED_KEY -> "QEMUExtendedKeyEvent";
      case NoVncViewer.QEMU_LED -> "LEDState";
      case NoVncViewer.DESKTOP_NAME -> "DesktopName";
      case NoVncViewer.EXTENDED_DESKTOP_SIZE -> "ExtendedDesktopSize";
      case NoVncViewer.EXTENDED_MOUSE_BUTTONS -> "ExtendedMouseButtons";
      default -> String.valueOf(e);
    };
  }

  private static String f(Spread s, String fmt) {
    return s == null ? "-" : String.format(Locale.ROOT, fmt, s.median());
  }

  private static String fs(Spread s, String fmt) {
    if (s == null) return "-";
    return String.format(Locale.ROOT, fmt + " (" + fmt + "–" + fmt + ")", s.median(), s.min(), s.max());
  }

  /** The console table: one row per path and viewer count. */
  String table() {
    StringBuilder sb = new StringBuilder(Publication.tableHead(noise));
    sb.append(String.format(Locale.ROOT, "%-16s %7s %10s %11s %10s %10s %14s %8s %8s %6s%n", "path", "viewers", "updates/s",
        "KB/s each", "p50 ms", "p99 ms", "CPU ms/s/view", "vs wsfy", "Xvnc ms/s", "errors"));
    for (int n : o.viewers()) {
      for (String[] path : paths) {
        List<Desktop.Phase> ps = of(path[0], n);
        if (ps.isEmpty() && failed(path[0], n).isEmpty()) continue;
        Spread cpu = cpuPerViewerMs(path[0], n);
        Double r = path[0].equals(RelayPath.DIRECT) ? null : ratio(cpu, cpuPerViewerMs(RelayPath.WEBSOCKIFY, n));
        sb.append(String.format(Locale.ROOT, "%-16s %7d %10s %11s %10s %10s %14s %8s %8s %6d%n", path[0], n,
            f(spread(ps, ph -> ph.updatesPerS), "%.1f"), f(spread(ps, ph -> ph.bytesPerS / 1000), "%.0f"),
            f(latency(path[0], n, 50), "%.1f"), f(latency(path[0], n, 99), "%.1f"),
            path[0].equals(RelayPath.DIRECT) ? "-" : f(cpu, "%.2f"), r == null ? "-" : String.format(Locale.ROOT, "%.2f", r),
            f(spread(ps, ph -> ph.xvncCpuS / ph.seconds * 1000), "%.0f"), ps.stream().mapToInt(ph -> ph.errors.size()).sum() + failed(path[0], n).size()));
      }
    }
    for (Object t : targets()) {
      JsonObject j = (JsonObject) t;
      sb.append(String.format(Locale.ROOT, "target %s at %d viewers: CPU per viewer %s of websockify's (goal <= %.1f: %s);"
          + " added p50 latency %s ms vs websockify's %s ms (%s)%n", j.getString("path"), j.getInteger("viewers"),
          j.getValue("cpu_per_viewer_vs_websockify"), CPU_GOAL, met(j.getBoolean("cpu_met")),
          j.getValue("latency_p50_added_ms"), j.getValue("websockify_latency_p50_added_ms"), met(j.getBoolean("latency_met"))));
    }
    return sb.toString();
  }

  private static String met(Boolean b) {
    return b == null ? "not measured" : b ? "met" : "NOT met";
  }

  /** desktop.md (the tables with spreads) and two SVG bar charts at the largest viewer count. */
  void plots(Path dir, String date) throws IOException {
    int top = o.viewers().stream().mapToInt(Integer::intValue).max().orElse(1);
    List<String> labels = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    List<Double> p50 = new ArrayList<>();
    for (String[] path : paths) {
      labels.add(path[0]);
      cpu.add(path[0].equals(RelayPath.DIRECT) ? null : med(cpuPerViewerMs(path[0], top)));
      p50.add(med(latency(path[0], top, 50)));
    }
    Svg.bars(dir.resolve("desktop-cpu-per-viewer.svg"), "Relay CPU per viewer, " + top + " viewers of a real desktop",
        "ms/s", labels, cpu);
    Svg.bars(dir.resolve("desktop-latency-p50.svg"), "Paint-to-viewer latency p50, " + top + " viewers", "ms", labels, p50);
    StringBuilder md = new StringBuilder();
    md.append("# A real desktop (").append(o.mode()).append(" run, ").append(date).append(")\n\n");
    md.append(Publication.summaryHead(noise));
    md.append("Xvnc: ").append(xvnc).append(". Workload: ").append(workload.encode()).append(".\n\n");
    md.append("Median of ").append(o.rounds()).append(" interleaved round(s) of ").append(o.measureS())
        .append(" s, (lowest–highest round).\n\n");
    md.append("| path | viewers | updates/s per viewer | KB/s per viewer | latency p50 ms | latency p99 ms |"
        + " relay CPU ms/s per viewer | vs websockify | relay CPU ms per MB | Xvnc CPU ms/s | errors |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int n : o.viewers()) {
      for (String[] path : paths) {
        List<Desktop.Phase> ps = of(path[0], n);
        if (ps.isEmpty() && failed(path[0], n).isEmpty()) continue;
        Spread c = cpuPerViewerMs(path[0], n);
        Double r = path[0].equals(RelayPath.DIRECT) ? null : ratio(c, cpuPerViewerMs(RelayPath.WEBSOCKIFY, n));
        md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %d |%n", path[0], n,
            fs(spread(ps, ph -> ph.updatesPerS), "%.1f"), fs(spread(ps, ph -> ph.bytesPerS / 1000), "%.0f"),
            fs(latency(path[0], n, 50), "%.1f"), fs(latency(path[0], n, 99), "%.1f"),
            path[0].equals(RelayPath.DIRECT) ? "–" : fs(c, "%.2f"), r == null ? "–" : String.format(Locale.ROOT, "%.2f", r),
            path[0].equals(RelayPath.DIRECT) ? "–" : fs(spread(ps, Desktop.Phase::relayCpuMsPerMb), "%.1f"),
            fs(spread(ps, ph -> ph.xvncCpuS / ph.seconds * 1000), "%.0f"), ps.stream().mapToInt(ph -> ph.errors.size()).sum() + failed(path[0], n).size()));
      }
    }
    md.append("\n```\n").append(table()).append("```\n");
    Files.writeString(dir.resolve("desktop.md"), md.toString());
  }
}
