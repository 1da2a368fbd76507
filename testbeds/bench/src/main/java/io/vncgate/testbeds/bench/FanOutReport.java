package io.vncgate.testbeds.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The fan-out benchmark's figures: JSON, the console table and the Markdown summary. */
final class FanOutReport {

  /** The gateway with no viewer on the target yet (after a full GC), per target and sharing mode. */
  record Baseline(String upstream, String mode, long rssBytes, long heapBytes) {
  }

  /** One phase's readings: n viewers on one target in one sharing mode, over {@code seconds}. */
  record Phase(String upstream, String mode, int viewers, int websocketViewers, double seconds, long changes, long upstreamBytes,
      int upstreamConnections, int upstreamOpened, double targetCpuS, double gatewayUserS, double gatewaySystemS,
      long gatewayRssBytes, long gatewayHeapBytes, long viewerUpdates, long viewerBytes, long slowestViewerUpdates,
      Latencies rtt, int rttLost, int rttTried, java.util.Set<Integer> probeBefore, double load1, List<String> closed) {

    double upstreamBytesPerS() {
      return upstreamBytes / seconds;
    }

    /** Upstream bytes per change of the content (a line printed, a block redrawn): less sensitive to the machine's load. */
    Double upstreamBytesPerChange() {
      return changes > 0 ? (double) upstreamBytes / changes : null;
    }

    double targetCpu() {
      return targetCpuS / seconds;
    }

    double gatewayCpu() {
      return (gatewayUserS + gatewaySystemS) / seconds;
    }

    double updatesPerViewerPerS() {
      return viewerUpdates / (double) viewers / seconds;
    }

    JsonObject rttJson() {
      JsonObject j = new JsonObject().put("n", rtt.count()).put("lost", rttLost).put("tried", rttTried);
      JsonArray colours = new JsonArray();
      probeBefore.stream().sorted().forEach(c -> colours.add(String.format("#%06x", c & 0xFFFFFF)));
      j.put("probe_colours_before", colours);
      boolean any = rtt.count() > 0;
      j.put("p50", any ? PathResult.round(rtt.percentileMs(50), 3) : null);
      j.put("p90", any ? PathResult.round(rtt.percentileMs(90), 3) : null);
      j.put("p99", any ? PathResult.round(rtt.percentileMs(99), 3) : null);
      j.put("max", any ? PathResult.round(rtt.maxMs(), 3) : null);
      return j;
    }

    JsonObject toJson() {
      Map<String, Integer> reasons = new TreeMap<>();
      for (String c : closed) reasons.merge(String.valueOf(c), 1, Integer::sum);
      return new JsonObject()
          .put("upstream", upstream)
          .put("mode", mode)
          .put("viewers", viewers)
          .put("websocket_viewers", websocketViewers)
          .put("seconds", PathResult.round(seconds, 3))
          .put("upstream_connections", upstreamConnections)
          .put("upstream_connections_opened", upstreamOpened)
          .put("upstream_bytes", upstreamBytes)
          .put("upstream_bytes_per_s", Math.round(upstreamBytesPerS()))
          .put("content_changes", changes)
          .put("upstream_bytes_per_change", upstreamBytesPerChange() == null ? null : Math.round(upstreamBytesPerChange()))
          .put("target_cpu_cores", PathResult.round(targetCpu(), 4))
          .put("gateway_cpu_cores", PathResult.round(gatewayCpu(), 4))
          .put("gateway_cpu_user_s", PathResult.round(gatewayUserS, 3))
          .put("gateway_cpu_system_s", PathResult.round(gatewaySystemS, 3))
          .put("gateway_rss_bytes", gatewayRssBytes)
          .put("gateway_heap_bytes", gatewayHeapBytes < 0 ? null : gatewayHeapBytes)
          .put("viewer_updates_per_s", PathResult.round(updatesPerViewerPerS(), 2))
          .put("slowest_viewer_updates_per_s", PathResult.round(slowestViewerUpdates / seconds, 2))
          .put("viewer_bytes_per_s", Math.round(viewerBytes / seconds))
          .put("round_trip_ms", rttJson())
          .put("viewers_closed", closed.size())
          .put("viewers_closed_reasons", new JsonObject(new LinkedHashMap<>(reasons)))
          .put("load_1min", load1);
    }

    /** The progress line printed as the phase ends. */
    String line() {
      JsonObject r = rttJson();
      return String.format(Locale.ROOT, "%-9s %-10s %3d viewers: upstream %d conn, %s MB/s; server CPU %.0f %%, gateway CPU %.0f %%,"
          + " RSS %s MiB, heap %s MiB; %.1f updates/s per viewer; key round trip p50 %s / p99 %s ms (%d lost)%s",
          upstream, mode, viewers, upstreamConnections, mb(upstreamBytesPerS()), 100 * targetCpu(), 100 * gatewayCpu(),
          mib(gatewayRssBytes), gatewayHeapBytes < 0 ? "-" : mib(gatewayHeapBytes), updatesPerViewerPerS(),
          ms(r.getDouble("p50")), ms(r.getDouble("p99")), rttLost, closed.isEmpty() ? "" : "; " + closed.size() + " viewers closed");
    }
  }

  private final JsonObject machine;
  private final JsonObject settings;
  private final List<String[]> upstreams;
  private final List<Baseline> baselines;
  private final List<Phase> phases;
  private final Noise.Result noise;

  /** @param noise the machine's load over the run ({@link Noise}), or null */
  FanOutReport(JsonObject machine, JsonObject settings, List<String[]> upstreams, List<Baseline> baselines, List<Phase> phases,
      Noise.Result noise) {
    this.machine = machine;
    this.settings = settings;
    this.upstreams = upstreams;
    this.baselines = baselines;
    this.phases = phases;
    this.noise = noise;
  }

  JsonObject json() {
    JsonObject ups = new JsonObject();
    for (String[] u : upstreams) ups.put(u[0], u[1]);
    JsonArray ph = new JsonArray();
    phases.forEach(p -> ph.add(p.toJson()));
    JsonArray base = new JsonArray();
    baselines.forEach(b -> base.add(new JsonObject().put("upstream", b.upstream()).put("mode", b.mode())
        .put("gateway_rss_bytes", b.rssBytes()).put("gateway_heap_bytes", b.heapBytes() < 0 ? null : b.heapBytes())));
    JsonObject json = new JsonObject()
        .put("tool", "testbeds/bench/run --scenario fan-out")
        .put("machine", machine)
        .put("settings", settings);
    if (noise != null) json.put("noisy", noise.noisy()).put("noise", noise.toJson());
    return json
        .put("upstreams", ups)
        .put("baselines", base)
        .put("phases", ph)
        .put("derived", derived());
  }

  private List<Phase> of(String upstream, String mode) {
    return phases.stream().filter(p -> p.upstream().equals(upstream) && p.mode().equals(mode)).toList();
  }

  /**
   * Per target and mode, against its one-viewer phase: upstream bytes as a multiple of one
   * viewer's, and the gateway's CPU, heap and RSS per viewer beyond the first; the heap of the
   * first viewer (with fan-out: the session's upstream and framebuffer) over the baseline.
   */
  JsonObject derived() {
    JsonObject d = new JsonObject();
    for (String[] u : upstreams) {
      JsonObject byMode = new JsonObject();
      for (String mode : FanOut.MODES) {
        List<Phase> ps = of(u[0], mode);
        Phase one = ps.stream().filter(p -> p.viewers() == 1).findFirst().orElse(null);
        if (one == null) continue;
        JsonObject m = new JsonObject();
        for (Phase p : ps) {
          if (p.viewers() == 1) continue;
          int extra = p.viewers() - 1;
          JsonObject x = new JsonObject()
              .put("upstream_bytes_vs_1_viewer", ratio(p.upstreamBytesPerS(), one.upstreamBytesPerS()))
              .put("upstream_bytes_per_change_vs_1_viewer", p.upstreamBytesPerChange() == null
                  || one.upstreamBytesPerChange() == null ? null : ratio(p.upstreamBytesPerChange(), one.upstreamBytesPerChange()))
              .put("gateway_cpu_cores_per_extra_viewer", PathResult.round((p.gatewayCpu() - one.gatewayCpu()) / extra, 5))
              .put("target_cpu_cores_per_extra_viewer", PathResult.round((p.targetCpu() - one.targetCpu()) / extra, 5))
              .put("gateway_rss_bytes_per_extra_viewer", (p.gatewayRssBytes() - one.gatewayRssBytes()) / extra)
              .put("gateway_heap_bytes_per_extra_viewer", p.gatewayHeapBytes() < 0 || one.gatewayHeapBytes() < 0 ? null
                  : (p.gatewayHeapBytes() - one.gatewayHeapBytes()) / extra);
          m.put(p.viewers() + "_viewers", x);
        }
        Baseline b = baselines.stream().filter(x -> x.upstream().equals(u[0]) && x.mode().equals(mode)).findFirst().orElse(null);
        if (b != null && b.heapBytes() >= 0 && one.gatewayHeapBytes() >= 0) {
          m.put("first_viewer_heap_bytes", one.gatewayHeapBytes() - b.heapBytes());
        }
        byMode.put(mode, m);
      }
      d.put(u[0], byMode);
    }
    return d;
  }

  private static Double ratio(double a, double b) {
    return b > 0 ? PathResult.round(a / b, 3) : null;
  }

  /** The console table (fenced in the Markdown summary). */
  String table() {
    StringBuilder sb = new StringBuilder(Publication.tableHead(noise));
    sb.append(String.format(Locale.ROOT, "%-9s %7s  %-10s %5s %8s %9s %7s %7s %8s %8s %9s  %-22s%n", "upstream", "viewers", "sharing",
        "conns", "up MB/s", "up kB/chg", "srv CPU", "gw CPU", "gw RSS", "gw heap", "upd/s/vwr", "key round trip ms"));
    sb.append(String.format(Locale.ROOT, "%-9s %7s  %-10s %5s %8s %9s %7s %7s %8s %8s %9s  %-22s%n", "", "", "", "", "", "", "%", "%",
        "MiB", "MiB", "", "p50 / p99 (lost)"));
    for (String[] u : upstreams) {
      List<Integer> counts = phases.stream().filter(p -> p.upstream().equals(u[0])).map(Phase::viewers).distinct().sorted().toList();
      for (int n : counts) {
        for (String mode : FanOut.MODES) {
          for (Phase p : of(u[0], mode)) {
            if (p.viewers() != n) continue;
            JsonObject r = p.rttJson();
            sb.append(String.format(Locale.ROOT, "%-9s %7d  %-10s %5d %8s %9s %7.0f %7.0f %8s %8s %9.1f  %s / %s (%d)%n", p.upstream(),
                n, mode, p.upstreamConnections(), mb(p.upstreamBytesPerS()), p.upstreamBytesPerChange() == null ? "-"
                    : String.format(Locale.ROOT, "%.1f", p.upstreamBytesPerChange() / 1e3), 100 * p.targetCpu(), 100 * p.gatewayCpu(),
                mib(p.gatewayRssBytes()), p.gatewayHeapBytes() < 0 ? "-" : mib(p.gatewayHeapBytes()), p.updatesPerViewerPerS(),
                ms(r.getDouble("p50")), ms(r.getDouble("p99")), p.rttLost()));
          }
        }
      }
    }
    sb.append(String.format("%nagainst one viewer (per viewer beyond the first):%n"));
    JsonObject d = derived();
    for (String up : d.fieldNames()) {
      JsonObject byMode = d.getJsonObject(up);
      for (String mode : byMode.fieldNames()) {
        JsonObject m = byMode.getJsonObject(mode);
        for (String k : m.fieldNames()) {
          if (!(m.getValue(k) instanceof JsonObject x)) continue;
          Long heap = x.getLong("gateway_heap_bytes_per_extra_viewer");
          sb.append(String.format(Locale.ROOT, "  %-9s %-10s %-11s upstream bytes %sx one viewer's (per content change %sx);"
              + " gateway CPU %+.2f %% of a core,"
              + " server CPU %+.2f %%, RSS %s KiB, heap %s KiB per extra viewer%n", up, mode, k.replace('_', ' '),
              x.getValue("upstream_bytes_vs_1_viewer"), x.getValue("upstream_bytes_per_change_vs_1_viewer"),
              100 * x.getDouble("gateway_cpu_cores_per_extra_viewer"),
              100 * x.getDouble("target_cpu_cores_per_extra_viewer"),
              kib(x.getLong("gateway_rss_bytes_per_extra_viewer")), heap == null ? "-" : kib(heap)));
        }
        if (m.containsKey("first_viewer_heap_bytes")) {
          sb.append(String.format(Locale.ROOT, "  %-9s %-10s the first viewer: heap %s KiB over the gateway without viewers%n", up, mode,
              kib(m.getLong("first_viewer_heap_bytes"))));
        }
      }
    }
    return sb.toString();
  }

  String markdown(String started) {
    StringBuilder sb = new StringBuilder(Publication.summaryHead(noise) + "Fan-out, run " + started + " ("
        + settings.getString("mode") + "), " + machine.getInteger("nproc") + " CPUs " + machine.getString("cpu_model")
        + ", TCP congestion control " + machine.getString("tcp_congestion_control") + ".\n\nUpstreams:\n\n");
    for (String[] u : upstreams) sb.append("- `").append(u[0]).append("`: ").append(u[1]).append('\n');
    return sb.append("\n```\n").append(table()).append("```\n").toString();
  }

  private static String mb(double bytesPerS) {
    return String.format(Locale.ROOT, "%.2f", bytesPerS / 1e6);
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
  }

  private static String kib(long bytes) {
    return String.format(Locale.ROOT, "%.0f", bytes / 1024.0);
  }

  private static String ms(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.1f", v);
  }
}
