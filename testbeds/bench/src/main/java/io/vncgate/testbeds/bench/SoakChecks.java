package io.vncgate.testbeds.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.HashSet;
import java.util.Set;

/**
 * The soak's verdicts, each with its tolerance:
 * <ul>
 *   <li>every cycle ended as expected, none hung;
 *   <li>open descriptors: exactly as many of each kind (a leaked socket, pipe or epoll is one more);
 *   <li>threads: exactly as many by name, except the JIT's compiler threads, which the JVM starts
 *       and stops by the length of its compile queue; Vert.x's pools, which start threads on demand
 *       and keep them up to a fixed size: they may grow, never past that size; and the JDK's
 *       pools with an idle timeout (the process reaper, the common fork-join pool), whose threads
 *       end after 60 s unused: they may be fewer;
 *   <li>heap after a full GC: at most {@link #HEAP_TOLERANCE_BYTES} more (see there);
 *   <li>live tickets, roster sessions and viewer places, sessions and viewers ({@code /metrics})
 *       and the roster {@code GET /api/v1/sessions} lists: exactly as before.
 * </ul>
 */
final class SoakChecks {
  /**
   * 2 MiB: what a full collection leaves varies by a few hundred KiB from one reading to the next
   * (G1 region accounting, class metadata is not heap); a leak of one connection's state per
   * cycle (several KiB: the connection, its framer, buffers) over 10,000 cycles is tens of MiB.
   */
  static final long HEAP_TOLERANCE_BYTES = 2L * 1024 * 1024;
  /** Vert.x pools that start threads on demand, and the most threads each keeps (VertxOptions defaults). */
  static final Map<String, Integer> POOLS = Map.of(
      "vert.x-eventloo", 2 * Runtime.getRuntime().availableProcessors(),
      "vert.x-worker-t", 20,
      "vert.x-internal", 20);
  /** JDK pools whose threads end after 60 s idle (cached thread pools): fewer after is no leak. */
  static final List<String> IDLE_ENDING = List.of("process reaper", "ForkJoinPool.co");
  /** The JIT's compiler threads (their count follows the compile queue: UseDynamicNumberOfCompilerThreads). */
  static final List<String> JIT = List.of("C1 CompilerThre", "C2 CompilerThre");

  private record Check(String name, boolean pass, Object before, Object after, String tolerance, String note) {}

  private final List<Check> checks = new ArrayList<>();

  SoakChecks(GatewayState before, GatewayState after, Soak.Phase run, long pid, boolean alive) {
    checks.add(new Check("gateway alive", alive, "pid " + pid, alive ? "running" : "exited", "-", ""));
    checks.add(new Check("cycles as expected", run.failures() == 0, 0, run.failures(), "0",
        run.hung() + " hung (not ended within " + Soak.CYCLE_LIMIT_MS / 1000 + " s)"));
    checks.add(new Check("open fds", before.fds().equals(after.fds()), before.fdTotal(), after.fdTotal(), "0, by kind",
        before.fds().equals(after.fds()) ? "" : "before " + before.fds() + ", after " + after.fds()));
    checks.add(threads(before.threads(), after.threads()));
    long grew = after.heapBytes() - before.heapBytes();
    checks.add(new Check("heap after GC", before.heapBytes() > 0 && grew <= HEAP_TOLERANCE_BYTES, before.heapBytes(),
        after.heapBytes(), "+" + HEAP_TOLERANCE_BYTES / 1024 + " KiB",
        String.format("%+d KiB (%+.1f bytes per cycle)", grew / 1024, (double) grew / Math.max(1, countOf(run)))));
    for (String g : GatewayState.GAUGES) {
      double b = before.gauges().get(g);
      double a = after.gauges().get(g);
      checks.add(new Check(g, a == b, b, a, "0", ""));
    }
    checks.add(new Check("API roster sessions", before.rosterSessions() == after.rosterSessions(), before.rosterSessions(),
        after.rosterSessions(), "0", "GET /api/v1/sessions"));
    checks.add(new Check("API roster viewers", before.rosterViewers() == after.rosterViewers(), before.rosterViewers(),
        after.rosterViewers(), "0", ""));
  }

  private static int countOf(Soak.Phase run) {
    int n = 0;
    JsonObject kinds = run.json();
    for (String k : kinds.fieldNames()) n += kinds.getJsonObject(k).getInteger("cycles");
    return n;
  }

  private static Check threads(Map<String, Integer> before, Map<String, Integer> after) {
    List<String> wrong = new ArrayList<>();
    List<String> grown = new ArrayList<>();
    for (String name : new TreeSet<>(union(before, after))) {
      int b = before.getOrDefault(name, 0);
      int a = after.getOrDefault(name, 0);
      if (a == b || JIT.contains(name)) continue;
      if (a < b && IDLE_ENDING.contains(name)) {
        grown.add(name + " " + b + "→" + a + " (idle threads ended)");
        continue;
      }
      Integer cap = POOLS.get(name);
      if (cap != null && a > b && a <= cap) {
        grown.add(name + " " + b + "→" + a + " (pool of " + cap + ")");
      } else {
        wrong.add(name + " " + b + "→" + a);
      }
    }
    int b = before.values().stream().mapToInt(Integer::intValue).sum();
    int a = after.values().stream().mapToInt(Integer::intValue).sum();
    String note = (wrong.isEmpty() ? "" : "changed: " + String.join(", ", wrong) + "; ")
        + (grown.isEmpty() ? "" : "pools: " + String.join(", ", grown));
    return new Check("threads", wrong.isEmpty(), b, a, "0 by name, but pools", note);
  }

  private static Set<String> union(Map<String, Integer> a, Map<String, Integer> b) {
    Set<String> s = new HashSet<>(a.keySet());
    s.addAll(b.keySet());
    return s;
  }

  boolean pass() {
    return checks.stream().allMatch(Check::pass);
  }

  JsonArray json() {
    JsonArray out = new JsonArray();
    for (Check c : checks) {
      out.add(new JsonObject().put("check", c.name()).put("pass", c.pass()).put("before", c.before())
          .put("after", c.after()).put("tolerance", c.tolerance()).put("note", c.note()));
    }
    return out;
  }

  void print(PrintLog out) {
    out.line("%-24s %-4s %14s %14s  %-22s %s", "check", "", "before", "after", "tolerance", "");
    for (Check c : checks) {
      out.line("%-24s %-4s %14s %14s  %-22s %s", c.name(), c.pass() ? "PASS" : "FAIL", c.before(), c.after(),
          c.tolerance().length() > 22 ? c.tolerance().substring(0, 22) : c.tolerance(), c.note());
    }
  }
}
