package io.vncgate.testbeds.bench;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A figure measured in interleaved rounds: the median is the figure, the lowest and highest
 * round its spread. {@code relative} is (max − min) / median (NaN for a median of 0).
 */
record Spread(double median, double min, double max, int rounds) {
  static Spread of(List<Double> values) {
    if (values.isEmpty()) throw new IllegalArgumentException("no rounds");
    List<Double> v = new ArrayList<>(values);
    Collections.sort(v);
    int n = v.size();
    double median = n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    return new Spread(median, v.get(0), v.get(n - 1), n);
  }

  double relative() {
    return median == 0 ? Double.NaN : (max - min) / median;
  }

  JsonObject toJson(int decimals) {
    double r = relative();
    return new JsonObject().put("median", PathResult.round(median, decimals)).put("min", PathResult.round(min, decimals))
        .put("max", PathResult.round(max, decimals)).put("rounds", rounds)
        .put("relative_spread", Double.isNaN(r) ? null : PathResult.round(r, 3));
  }
}
