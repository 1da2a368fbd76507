package io.vncgate.testbeds.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The plots: plain SVG written by hand (bar charts and percentile curves), no library. */
final class Svg {
  static final Map<String, String> COLOURS = Map.of(
      RelayPath.DIRECT, "#7f7f7f",
      RelayPath.WEBSOCKIFY, "#e6862e",
      RelayPath.VNCGATE_WS, "#2f6fd0",
      RelayPath.VNCGATE_TCP, "#2e9e5b",
      RelayPath.VNCGATE_FANOUT, "#8e44ad");

  private static final int W = 720;
  private final StringBuilder sb = new StringBuilder();

  private Svg(int height, String title) {
    sb.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            + "font-family=\"sans-serif\" font-size=\"12\">\n", W, height, W, height));
    sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, height));
    text(W / 2.0, 22, title, "middle", 15, "bold");
  }

  /** Horizontal bars, one per path, value printed at the end of each. */
  static void bars(Path file, String title, String unit, List<String> labels, List<Double> values) throws IOException {
    int rowH = 34;
    int top = 44;
    int left = 110;
    int right = 120;
    Svg s = new Svg(top + rowH * labels.size() + 30, title);
    double max = values.stream().filter(v -> v != null).mapToDouble(Double::doubleValue).max().orElse(1);
    if (max <= 0) max = 1;
    double span = W - left - right;
    for (int i = 0; i < labels.size(); i++) {
      double y = top + i * rowH;
      Double v = values.get(i);
      s.text(left - 8, y + rowH / 2.0 + 4, labels.get(i), "end", 12, "normal");
      double w = v == null ? 0 : span * v / max;
      s.sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n",
          left, y + 5, w, rowH - 10, colour(labels.get(i))));
      s.text(left + w + 6, y + rowH / 2.0 + 4, v == null ? "n/a" : format(v) + " " + unit, "start", 12, "normal");
    }
    s.line(left, top, left, top + rowH * labels.size(), "#333");
    s.write(file);
  }

  /**
   * Round-trip time against percentile: x is in "nines" (50, 90, 99, 99.9…, i.e. -log10(1-p)),
   * y logarithmic in milliseconds. One curve per path.
   */
  static void percentiles(Path file, String title, Map<String, List<double[]>> curves) throws IOException {
    int left = 70;
    int right = 140;
    int top = 40;
    int bottom = 50;
    int h = 400;
    Svg s = new Svg(h, title);
    double plotW = W - left - right;
    double plotH = h - top - bottom;
    double xMax = 5; // 99.999
    double yMin = Double.MAX_VALUE;
    double yMax = 0;
    for (List<double[]> c : curves.values()) {
      for (double[] p : c) {
        yMin = Math.min(yMin, p[1]);
        yMax = Math.max(yMax, p[1]);
      }
    }
    if (yMax <= 0) return;
    double lo = Math.floor(Math.log10(Math.max(yMin, 1e-3)));
    double hi = Math.ceil(Math.log10(yMax));
    if (hi <= lo) hi = lo + 1;
    final double logLo = lo;
    final double logHi = hi;
    java.util.function.DoubleUnaryOperator xOf = p -> left + plotW * Math.min(nines(p), xMax) / xMax;
    java.util.function.DoubleUnaryOperator yOf = ms ->
        top + plotH * (1 - (Math.log10(Math.max(ms, 1e-3)) - logLo) / (logHi - logLo));
    for (double e = lo; e <= hi; e++) {
      double y = yOf.applyAsDouble(Math.pow(10, e));
      s.line(left, y, left + plotW, y, "#ddd");
      s.text(left - 6, y + 4, format(Math.pow(10, e)) + " ms", "end", 11, "normal");
    }
    for (String tick : new String[] {"0", "50", "90", "99", "99.9", "99.99", "99.999"}) {
      double x = xOf.applyAsDouble(Double.parseDouble(tick));
      s.line(x, top, x, top + plotH, "#eee");
      s.text(x, top + plotH + 16, tick, "middle", 11, "normal");
    }
    s.text(left + plotW / 2, h - 12, "percentile", "middle", 12, "normal");
    int legend = 0;
    for (var e : curves.entrySet()) {
      if (e.getValue().isEmpty()) continue;
      String colour = colour(e.getKey());
      StringBuilder pts = new StringBuilder();
      for (double[] p : e.getValue()) {
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", xOf.applyAsDouble(p[0]), yOf.applyAsDouble(p[1])));
      }
      s.sb.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"")
          .append(pts.toString().trim()).append("\"/>\n");
      double ly = top + 10 + legend++ * 20;
      s.line(W - right + 12, ly, W - right + 34, ly, colour, 3);
      s.text(W - right + 40, ly + 4, e.getKey(), "start", 12, "normal");
    }
    s.line(left, top + plotH, left + plotW, top + plotH, "#333");
    s.line(left, top, left, top + plotH, "#333");
    s.write(file);
  }

  private static double nines(double percentile) {
    return -Math.log10(1 - percentile / 100.0);
  }

  /** A path's colour; a label is the path's name, maybe marked ("vncgate-fanout*"). */
  private static String colour(String label) {
    return COLOURS.getOrDefault(label.replaceAll("[* ].*$", ""), "#555");
  }

  private void text(double x, double y, String t, String anchor, int size, String weight) {
    sb.append(String.format(Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\" font-weight=\"%s\">%s</text>\n",
        x, y, anchor, size, weight, t.replace("&", "&amp;").replace("<", "&lt;")));
  }

  private void line(double x1, double y1, double x2, double y2, String colour) {
    line(x1, y1, x2, y2, colour, 1);
  }

  private void line(double x1, double y1, double x2, double y2, String colour, int width) {
    sb.append(String.format(Locale.ROOT,
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%d\"/>\n",
        x1, y1, x2, y2, colour, width));
  }

  private void write(Path file) throws IOException {
    sb.append("</svg>\n");
    Files.writeString(file, sb.toString());
  }

  static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e6) return String.format(Locale.ROOT, "%d", (long) v);
    if (Math.abs(v) >= 100) return String.format(Locale.ROOT, "%.0f", v);
    if (Math.abs(v) >= 1) return String.format(Locale.ROOT, "%.2f", v);
    return String.format(Locale.ROOT, "%.3f", v).replaceAll("0+$", "");
  }
}
