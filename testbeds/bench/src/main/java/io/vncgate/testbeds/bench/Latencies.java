package io.vncgate.testbeds.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Round-trip samples in nanoseconds, kept whole (at most a few hundred thousand) and sorted once. */
final class Latencies {
  /** Percentiles drawn in the latency plots. */
  static final double[] CURVE = {0, 10, 25, 50, 75, 90, 95, 97.5, 99, 99.5, 99.75, 99.9, 99.95, 99.99, 99.995, 99.999};

  private long[] samples = new long[1 << 14];
  private int count;
  private boolean sorted;

  void add(long nanos) {
    if (count == samples.length) samples = Arrays.copyOf(samples, count * 2);
    samples[count++] = nanos;
    sorted = false;
  }

  int count() {
    return count;
  }

  /** The p-th percentile (nearest rank) in milliseconds. */
  double percentileMs(double p) {
    if (count == 0) throw new IllegalStateException("no samples");
    sort();
    int rank = (int) Math.ceil(p / 100.0 * count);
    return samples[Math.max(0, Math.min(count - 1, rank - 1))] / 1e6;
  }

  double maxMs() {
    sort();
    return samples[count - 1] / 1e6;
  }

  /** Points (percentile, ms) of the distribution up to what the sample count supports. */
  List<double[]> curve() {
    List<double[]> points = new ArrayList<>();
    for (double p : CURVE) {
      if (p > 0 && (1 - p / 100.0) * count < 1) break;
      points.add(new double[] {p, percentileMs(p)});
    }
    return points;
  }

  private void sort() {
    if (!sorted) {
      Arrays.sort(samples, 0, count);
      sorted = true;
    }
  }
}
