package io.vncgate.testbeds.bench;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's event-loop delay between two readings of its {@code /metrics}: its probe timer on
 * every loop ({@code vncgate_event_loop_delay_seconds}, a histogram per loop) records how late each
 * tick ran. Between the readings: ticks, mean lateness, and the p99 and the largest as the upper
 * bounds of the buckets they fall in (all loops together). Not the gateway's own {@code _max}: that
 * is the largest of its last minute, which may hold the full GC the bench asked for just before.
 */
record LoopDelay(long ticks, double meanMs, double p99Ms, double maxMs) {
  static final String METRIC = "vncgate_event_loop_delay_seconds";
  private static final Pattern BUCKET = Pattern.compile("^" + METRIC + "_bucket\\{[^}]*le=\"([^\"]+)\"[^}]*\\} (\\S+)$");

  /** From two /metrics texts, the earlier first; null when the gateway has no such metric. */
  static LoopDelay between(String before, String after) {
    Totals a = totals(before);
    Totals b = totals(after);
    if (b.count < 0) return null;
    long ticks = Math.round(b.count - Math.max(0, a.count));
    double sum = b.sum - Math.max(0, a.sum);
    double p99 = Double.NaN;
    double max = Double.NaN;
    if (ticks > 0) {
      for (Map.Entry<Double, Double> e : b.buckets.entrySet()) {
        double below = e.getValue() - a.buckets.getOrDefault(e.getKey(), 0.0);
        if (Double.isNaN(p99) && below >= 0.99 * ticks) p99 = e.getKey() * 1000;
        if (below >= ticks) {
          max = e.getKey() * 1000;
          break;
        }
      }
    }
    return new LoopDelay(ticks, ticks > 0 ? sum / ticks * 1000 : Double.NaN, p99, max);
  }

  private static final class Totals {
    double count = -1;
    double sum;
    final TreeMap<Double, Double> buckets = new TreeMap<>();
  }

  private static Totals totals(String text) {
    Totals t = new Totals();
    if (text == null) return t;
    for (String line : text.split("\n")) {
      if (!line.startsWith(METRIC)) continue;
      double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      if (line.startsWith(METRIC + "_bucket{")) {
        Matcher m = BUCKET.matcher(line);
        if (!m.matches()) continue;
        double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
        t.buckets.merge(le, v, Double::sum);
      } else if (line.startsWith(METRIC + "_count{")) {
        t.count = Math.max(0, t.count) + v;
      } else if (line.startsWith(METRIC + "_sum{")) {
        t.sum += v;
      }
    }
    return t;
  }

  JsonObject toJson() {
    return new JsonObject().put("ticks", ticks).put("mean_ms", num(meanMs)).put("p99_ms_bucket", num(p99Ms)).put("max_ms_bucket", num(maxMs));
  }

  String line() {
    return String.format(java.util.Locale.ROOT, "%d probe ticks %.2f ms late on average, p99 <= %.1f ms, max <= %.1f ms",
        ticks, meanMs, p99Ms, maxMs);
  }

  private static Double num(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? null : PathResult.round(v, 3);
  }
}
