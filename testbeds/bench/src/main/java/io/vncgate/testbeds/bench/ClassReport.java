package io.vncgate.testbeds.bench;

import io.vertx.core.json.JsonObject;
import io.vncgate.testbeds.bench.ClassRun.Single;
import io.vncgate.testbeds.bench.ClassViewer.Outcome;
import io.vncgate.testbeds.bench.ClassViewer.Way;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The class start's figures: JSON, the console table and the Markdown summary, and its goals. */
final class ClassReport {
  /** The issue's goal: a class's p50 within this of one direct viewer's. */
  static final double BURST_P50_OVER_DIRECT_MS = 20;
  /** "Within a few ms of direct": one viewer's connect through vncgate. */
  static final double SINGLE_P50_OVER_DIRECT_MS = 5;

  /** One burst on one path, with Xvnc's blacklist state after it and the machine's load during it. */
  record Scenario(String path, int viewers, long windowMs, ClassRun.Burst burst, long blacklistedLines,
      String firstBlacklistedLine, Outcome probe, double load1, double stealShare) {

    boolean blockedAfter() {
      return !probe.ok() && probe.failure().contains(ClassTarget.TOO_MANY);
    }

    long failures() {
      return burst.outcomes().stream().filter(o -> !o.ok()).count();
    }

    JsonObject toJson() {
      Map<String, Integer> ways = new LinkedHashMap<>();
      for (Outcome o : burst.outcomes()) ways.merge(o.way().label, 1, Integer::sum);
      JsonObject byWay = new JsonObject();
      for (String w : ways.keySet()) {
        byWay.put(w, stats(burst.outcomes().stream().filter(o -> o.way().label.equals(w)).toList()));
      }
      return new JsonObject()
          .put("path", path)
          .put("viewers", viewers)
          .put("ways", new JsonObject(new LinkedHashMap<>(ways)))
          .put("window_ms", windowMs)
          .put("ttfb_ms", stats(burst.outcomes()))
          .put("ttfb_ms_by_way", byWay)
          .put("failures", failures())
          .put("failure_reasons", reasons(burst.outcomes()))
          .put("tickets_issue_s", PathResult.round(burst.ticketsS(), 3))
          .put("xvnc_blacklisted_lines", blacklistedLines)
          .put("xvnc_first_blacklisted_line", firstBlacklistedLine)
          .put("blocked_after", blockedAfter())
          .put("probe_after", probe.ok() ? "first framebuffer in " + ms(probe.nanos() / 1e6) + " ms" : probe.failure())
          .put("load_1min", load1)
          .put("cpu_steal_share", PathResult.round(stealShare, 3));
    }
  }

  private final JsonObject machine;
  private final JsonObject settings;
  private final Map<Way, List<Single>> singles;
  private final List<Scenario> scenarios;
  private final Noise.Result noise;

  /** @param noise the machine's load over the run ({@link Noise}), or null */
  ClassReport(JsonObject machine, JsonObject settings, Map<Way, List<Single>> singles, List<Scenario> scenarios,
      Noise.Result noise) {
    this.machine = machine;
    this.settings = settings;
    this.singles = singles;
    this.scenarios = scenarios;
    this.noise = noise;
  }

  /** n, ok, p50/p99/max of the viewers that got their first framebuffer (null figures when none did). */
  static JsonObject stats(List<Outcome> outcomes) {
    Latencies l = new Latencies();
    outcomes.stream().filter(Outcome::ok).forEach(o -> l.add(o.nanos()));
    JsonObject s = new JsonObject().put("n", outcomes.size()).put("ok", l.count());
    s.put("p50", l.count() == 0 ? null : PathResult.round(l.percentileMs(50), 3));
    s.put("p99", l.count() == 0 ? null : PathResult.round(l.percentileMs(99), 3));
    s.put("max", l.count() == 0 ? null : PathResult.round(l.maxMs(), 3));
    return s;
  }

  static JsonObject reasons(List<Outcome> outcomes) {
    Map<String, Integer> r = new TreeMap<>();
    for (Outcome o : outcomes) {
      if (!o.ok()) r.merge(o.failure(), 1, Integer::sum);
    }
    return new JsonObject(new LinkedHashMap<>(r));
  }

  private JsonObject singleJson(List<Single> series) {
    List<Outcome> outcomes = series.stream().map(Single::outcome).toList();
    JsonObject o = stats(outcomes);
    o.put("failures", outcomes.size() - o.getInteger("ok")).put("failure_reasons", reasons(outcomes));
    if (series.stream().anyMatch(s -> s.issueNanos() > 0)) {
      Latencies issue = new Latencies();
      Latencies both = new Latencies();
      for (Single s : series) {
        issue.add(s.issueNanos());
        if (s.outcome().ok()) both.add(s.issueNanos() + s.outcome().nanos());
      }
      o.put("ticket_issue_p50", PathResult.round(issue.percentileMs(50), 3));
      o.put("issue_and_connect_p50", both.count() == 0 ? null : PathResult.round(both.percentileMs(50), 3));
    }
    return o;
  }

  private Double singleP50(Way w) {
    List<Single> s = singles.get(w);
    return s == null ? null : stats(s.stream().map(Single::outcome).toList()).getDouble("p50");
  }

  JsonObject json() {
    JsonObject single = new JsonObject();
    singles.forEach((w, s) -> single.put(w.label, singleJson(s)));
    List<JsonObject> sc = scenarios.stream().map(Scenario::toJson).toList();
    JsonObject json = new JsonObject()
        .put("tool", "testbeds/bench/run --scenario class-start")
        .put("machine", machine)
        .put("settings", settings);
    if (noise != null) json.put("noisy", noise.noisy()).put("noise", noise.toJson());
    return json
        .put("single_viewer_ms", single)
        .put("scenarios", new io.vertx.core.json.JsonArray(new ArrayList<>(sc)))
        .put("goals", goals());
  }

  /** The issue's "done when", each with the value measured and whether it is met (never a build gate). */
  JsonObject goals() {
    JsonObject g = new JsonObject();
    Double direct = singleP50(Way.DIRECT);
    for (Scenario s : scenarios) {
      if (!s.path().equals(ClassStart.VNCGATE)) continue;
      JsonObject stats = stats(s.burst().outcomes());
      Double p50 = stats.getDouble("p50");
      Double over = p50 == null || direct == null ? null : p50 - direct;
      g.put("vncgate_" + s.viewers() + "_viewers", new JsonObject()
          .put("failures", goal(s.failures(), "0", s.failures() == 0))
          .put("xvnc_blacklisted_lines", goal(s.blacklistedLines(), "0 and not blocked after",
              s.blacklistedLines() == 0 && !s.blockedAfter()))
          .put("ttfb_p50_over_direct_1_ms", goal(over, "<= " + BURST_P50_OVER_DIRECT_MS,
              over != null && over <= BURST_P50_OVER_DIRECT_MS)));
    }
    for (Way w : List.of(Way.VNCGATE_WS, Way.VNCGATE_TCP)) {
      Double p50 = singleP50(w);
      Double over = p50 == null || direct == null ? null : p50 - direct;
      g.put("single_" + w.label + "_p50_over_direct_ms", goal(over, "<= " + SINGLE_P50_OVER_DIRECT_MS,
          over != null && over <= SINGLE_P50_OVER_DIRECT_MS));
    }
    return g;
  }

  private static JsonObject goal(Number value, String goal, boolean met) {
    return new JsonObject().put("value", value == null ? null : PathResult.round(value.doubleValue(), 3))
        .put("goal", goal).put("met", met);
  }

  /** The console table (fenced in the Markdown summary). */
  String table() {
    StringBuilder sb = new StringBuilder(Publication.tableHead(noise));
    sb.append(String.format(Locale.ROOT, "one viewer, %d connects one after another (ms, p50 / max):%n",
        settings.getInteger("connects")));
    singles.forEach((w, s) -> {
      JsonObject j = singleJson(s);
      sb.append(String.format(Locale.ROOT, "  %-12s connect %8s / %8s  failures %d", w.label, ms(j.getDouble("p50")),
          ms(j.getDouble("max")), j.getInteger("failures")));
      if (j.containsKey("ticket_issue_p50")) {
        sb.append(String.format(Locale.ROOT, "   ticket %s, ticket + connect %s", ms(j.getDouble("ticket_issue_p50")),
            ms(j.getDouble("issue_and_connect_p50"))));
      }
      sb.append(System.lineSeparator());
    });
    sb.append(String.format(Locale.ROOT, "%nclass start, viewers' connects spread evenly over %d ms; time to first framebuffer (ms):%n",
        settings.getLong("window_ms")));
    sb.append(String.format(Locale.ROOT, "  %-11s %7s %5s %5s  %-26s %11s %8s  %s%n", "path", "viewers", "ok", "fail",
        "p50 / p99 / max", "blacklisted", "blocked", "load, steal"));
    for (Scenario s : scenarios) {
      JsonObject st = stats(s.burst().outcomes());
      sb.append(String.format(Locale.ROOT, "  %-11s %7d %5d %5d  %-26s %11d %8s  %.2f, %.0f %%%n", s.path(), s.viewers(),
          st.getInteger("ok"), s.failures(), ms(st.getDouble("p50")) + " / " + ms(st.getDouble("p99")) + " / "
              + ms(st.getDouble("max")), s.blacklistedLines(), s.blockedAfter() ? "yes" : "no", s.load1(),
          100 * s.stealShare()));
    }
    for (Scenario s : scenarios) {
      JsonObject r = reasons(s.burst().outcomes());
      if (r.isEmpty()) continue;
      sb.append(String.format("  %s %d, failures:%n", s.path(), s.viewers()));
      r.forEach(e -> sb.append(String.format(Locale.ROOT, "    %3d× %s%n", (Integer) e.getValue(), e.getKey())));
    }
    sb.append(String.format("%ngoals:%n"));
    JsonObject goals = goals();
    for (String k : goals.fieldNames()) {
      JsonObject v = goals.getJsonObject(k);
      if (v.containsKey("met")) {
        line(sb, k, v);
      } else {
        for (String f : v.fieldNames()) line(sb, k + " " + f, v.getJsonObject(f));
      }
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, String name, JsonObject g) {
    sb.append(String.format(Locale.ROOT, "  %-54s %10s  goal %-24s %s%n", name, g.getValue("value"), g.getString("goal"),
        g.getBoolean("met") ? "MET" : "MISSED"));
  }

  String markdown(String started) {
    return Publication.summaryHead(noise) + "Class start, run " + started + " (" + settings.getString("mode") + "), "
        + machine.getInteger("nproc") + " CPUs " + machine.getString("cpu_model") + ":\n\n```\n" + table() + "```\n";
  }

  private static String ms(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String ms(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
