package io.vncgate.testbeds.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one path measured. Figures are null where they do not apply (direct has no relay process). */
final class PathResult {
  /** The figures that get a ratio to direct and to websockify, in report order. */
  static final List<String> FIGURES = List.of(
      "throughput_mb_s", "cpu_s_per_gb",
      "rtt_p50_ms", "rtt_p99_ms", "rtt_p999_ms",
      "rtt_1_p50_ms", "rtt_1_p99_ms", "rtt_1_p999_ms",
      "idle_rss_bytes_per_viewer", "idle_heap_bytes_per_viewer");
  /**
   * The fan-out path's round trip instead of rtt_*: key sent by the controller → the update it caused
   * at each viewer ({@link KeyPacer}); another measurement than the others' request → 1×1 update, so
   * other names, compared with direct's and websockify's request round trip only under the name
   * {@code input_rtt_vs_*_request_rtt}.
   */
  static final List<String> INPUT_FIGURES = List.of(
      "input_rtt_p50_ms", "input_rtt_p99_ms", "input_rtt_p999_ms",
      "input_rtt_1_p50_ms", "input_rtt_1_p99_ms", "input_rtt_1_p999_ms");

  final String name;
  final String description;
  final Map<String, Double> figures = new LinkedHashMap<>();
  long bytesMeasured;
  List<Phases.ThroughputSample> throughputRounds = List.of();
  double endpointsCpuSPerGb;
  double cpuUserSPerGb;
  double cpuSysSPerGb;
  long rttSamples;
  long rtt1Samples;
  int rttViewers;
  Integer idleViewers;
  Long idlePssBytesPerViewer;
  /** Idle viewers admitted per second (ticket, both handshakes; 32 at a time), NaN before the idle phase. */
  double idleConnectPerS = Double.NaN;
  /** The gateway's event-loop delay while the idle viewers connected, or null (not a gateway, or unreadable). */
  LoopDelay idleLoopDelay;
  /** True when the round trips are {@link #INPUT_FIGURES} (the fan-out path): curves and counts go under input_rtt_*. */
  boolean inputRoundTrip;
  /** Input round trips: viewers' updates that did not come within the timeout of their key. */
  long inputRttLost;
  /** Idle viewers asked for and opened, and each process's open files: which one bounded the count, or null before the idle phase. */
  JsonObject idleOpenFiles;
  /** CPU ms per viewer of the bench, the synthetic server and the relay while the idle viewers connected, or null. */
  JsonObject idleConnectCpu;
  /** The mean wait of the idle viewers in the gateway's upstream pacer, ms, or null. */
  Double idlePacerWaitMs;
  /** Viewers admitted and closed to warm the gateway's admission path up before anything was measured, or null. */
  Integer admissionWarmupViewers;
  long errors;
  List<double[]> curve1 = List.of();
  List<double[]> curveN = List.of();

  PathResult(String name, String description) {
    this.name = name;
    this.description = description;
    FIGURES.forEach(f -> figures.put(f, null));
    INPUT_FIGURES.forEach(f -> figures.put(f, null));
  }

  Double get(String figure) {
    return figures.get(figure);
  }

  void put(String figure, Double value) {
    if (!figures.containsKey(figure)) throw new IllegalArgumentException(figure);
    figures.put(figure, value);
  }

  JsonObject toJson(PathResult direct, PathResult websockify) {
    JsonObject o = new JsonObject().put("description", description);
    figures.forEach((f, v) -> {
      if (!INPUT_FIGURES.contains(f) || inputRoundTrip) o.put(f, v);
    });
    String rtt = inputRoundTrip ? "input_rtt" : "rtt";
    o.put("round_trip", inputRoundTrip
        ? "input: a KeyEvent from the controller -> the update it caused (a 64x64 Raw tile from the gateway's framebuffer) at each viewer"
        : "request: an incremental FramebufferUpdateRequest for one pixel -> the server's 1x1 Raw update")
        .put("rtt_viewers", rttViewers)
        .put(rtt + "_samples", rttSamples)
        .put(rtt + "_1_samples", rtt1Samples)
        .put("throughput_bytes_measured", bytesMeasured)
        .put("throughput_rounds", roundsJson())
        .put("throughput_mb_s_spread", throughputRounds.isEmpty() ? null
            : Spread.of(throughputRounds.stream().map(Phases.ThroughputSample::mbPerS).toList()).toJson(1))
        .put("cpu_s_per_gb_spread", throughputRounds.isEmpty() ? null
            : Spread.of(throughputRounds.stream().map(t -> (t.relayUserS() + t.relaySystemS()) / t.gb()).toList()).toJson(4))
        .put("cpu_user_s_per_gb", cpuUserSPerGb)
        .put("cpu_system_s_per_gb", cpuSysSPerGb)
        .put("endpoints_cpu_s_per_gb", endpointsCpuSPerGb)
        .put("idle_viewers", idleViewers)
        .put("idle_pss_bytes_per_viewer", idlePssBytesPerViewer)
        .put("idle_connect_viewers_per_s", Double.isNaN(idleConnectPerS) ? null : round(idleConnectPerS, 1))
        .put("idle_connect_event_loop_delay", idleLoopDelay == null ? null : idleLoopDelay.toJson())
        .put("idle_open_files", idleOpenFiles)
        .put("idle_connect_cpu_ms_per_viewer", idleConnectCpu)
        .put("idle_connect_pacer_wait_ms_mean", idlePacerWaitMs)
        .put("admission_warmup_viewers", admissionWarmupViewers)
        .put("errors", errors)
        .put("vs_direct", ratios(direct))
        .put("vs_websockify", ratios(websockify))
        .put(rtt + "_distribution_ms", curveJson(curveN))
        .put(rtt + "_1_distribution_ms", curveJson(curve1));
    if (inputRoundTrip) {
      o.put("input_rtt_lost", inputRttLost)
          .put("input_rtt_vs_direct_request_rtt", inputRatios(direct))
          .put("input_rtt_vs_websockify_request_rtt", inputRatios(websockify));
    }
    return o;
  }

  private JsonArray roundsJson() {
    JsonArray a = new JsonArray();
    for (Phases.ThroughputSample t : throughputRounds) {
      a.add(new JsonObject().put("mb_s", round(t.mbPerS(), 1))
          .put("cpu_s_per_gb", round((t.relayUserS() + t.relaySystemS()) / t.gb(), 4))
          .put("bytes", t.bytes()));
    }
    return a;
  }

  /** Each figure divided by the same figure of {@code other}; null where either is missing or zero. */
  JsonObject ratios(PathResult other) {
    JsonObject r = new JsonObject();
    for (String f : FIGURES) {
      Double a = get(f);
      Double b = other == null ? null : other.get(f);
      r.put(f, a == null || b == null || b == 0 ? null : round(a / b, 3));
    }
    return r;
  }

  /** input_rtt_X / the other path's rtt_X: a key's round trip through fan-out against a request's through the other path. */
  JsonObject inputRatios(PathResult other) {
    JsonObject r = new JsonObject();
    for (String f : INPUT_FIGURES) {
      Double a = get(f);
      Double b = other == null ? null : other.get(f.substring("input_".length()));
      r.put(f, a == null || b == null || b == 0 ? null : round(a / b, 3));
    }
    return r;
  }

  private static JsonArray curveJson(List<double[]> curve) {
    JsonArray a = new JsonArray();
    for (double[] p : curve) a.add(new JsonArray().add(p[0]).add(round(p[1], 4)));
    return a;
  }

  static double round(double v, int decimals) {
    double m = Math.pow(10, decimals);
    return Math.round(v * m) / m;
  }
}
