package io.vncgate.testbeds.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The soak's verdicts fail on what a leak looks like and pass on what is no leak (no sockets: snapshots made up). */
class SoakChecksTest {
  private static final Map<String, Integer> FDS = Map.of("socket", 8, "pipe", 3, "anon_inode:[eventpoll]", 6);
  private static final Map<String, Integer> THREADS = Map.of("vert.x-eventloo", 4, "vert.x-worker-t", 5,
      "C2 CompilerThre", 1, "process reaper", 1, "VM Thread", 1);
  private static final Map<String, Double> GAUGES = gauges(0);

  @Test
  void equalSnapshotsPass() {
    assertEquals(List.of(), failed(state(FDS, THREADS, 13_000_000, GAUGES, 0), state(FDS, THREADS, 13_000_000, GAUGES, 0)));
  }

  @Test
  void oneMoreSocketFails() {
    Map<String, Integer> fds = new TreeMap<>(FDS);
    fds.merge("socket", 1, Integer::sum);
    assertEquals(List.of("open fds"), failed(state(FDS, THREADS, 13_000_000, GAUGES, 0), state(fds, THREADS, 13_000_000, GAUGES, 0)));
  }

  @Test
  void aNewThreadOrAPoolPastItsSizeFailsButPoolsGrowingWithinTheirSizeAndJitAndIdleEndingsPass() {
    Map<String, Integer> grown = new HashMap<>(THREADS);
    grown.put("vert.x-worker-t", 20); // up to its size
    grown.put("C2 CompilerThre", 3); // the JIT's own business
    grown.put("process reaper", 0); // idle thread ended
    assertEquals(List.of(), failed(state(FDS, THREADS, 1, GAUGES, 0), state(FDS, grown, 1, GAUGES, 0)));

    Map<String, Integer> leaked = new HashMap<>(THREADS);
    leaked.put("vncgate-leak", 1);
    assertEquals(List.of("threads"), failed(state(FDS, THREADS, 1, GAUGES, 0), state(FDS, leaked, 1, GAUGES, 0)));
    Map<String, Integer> past = new HashMap<>(THREADS);
    past.put("vert.x-worker-t", 21);
    assertEquals(List.of("threads"), failed(state(FDS, THREADS, 1, GAUGES, 0), state(FDS, past, 1, GAUGES, 0)));
    Map<String, Integer> reaperGrew = new HashMap<>(THREADS);
    reaperGrew.put("process reaper", 2);
    assertEquals(List.of("threads"), failed(state(FDS, THREADS, 1, GAUGES, 0), state(FDS, reaperGrew, 1, GAUGES, 0)));
  }

  @Test
  void heapPastTheToleranceFailsAndWithinItPasses() {
    long b = 13_000_000;
    assertEquals(List.of(), failed(state(FDS, THREADS, b, GAUGES, 0),
        state(FDS, THREADS, b + SoakChecks.HEAP_TOLERANCE_BYTES, GAUGES, 0)));
    assertEquals(List.of("heap after GC"), failed(state(FDS, THREADS, b, GAUGES, 0),
        state(FDS, THREADS, b + SoakChecks.HEAP_TOLERANCE_BYTES + 1, GAUGES, 0)));
  }

  @Test
  void aTicketOrRosterPlaceLeftBehindFails() {
    Map<String, Double> left = new TreeMap<>(GAUGES);
    left.put("vncgate_tickets_live", 1.0);
    left.put("vncgate_roster_viewers", 1.0);
    assertEquals(List.of("vncgate_tickets_live", "vncgate_roster_viewers"),
        failed(state(FDS, THREADS, 1, GAUGES, 0), state(FDS, THREADS, 1, left, 0)));
    assertEquals(List.of("API roster sessions"), failed(state(FDS, THREADS, 1, GAUGES, 0), state(FDS, THREADS, 1, GAUGES, 1)));
  }

  @Test
  void aCycleNotAsExpectedFails() {
    Soak.Phase run = new Soak.Phase();
    run.record(SoakCycle.REFUSED_UPSTREAM, null, new IllegalStateException("ended without an RFB reason: connection closed"));
    run.end();
    SoakChecks checks = new SoakChecks(state(FDS, THREADS, 1, GAUGES, 0), state(FDS, THREADS, 1, GAUGES, 0), run, 1, true);
    assertFalse(checks.pass());
    assertEquals(List.of("cycles as expected"), names(checks));
  }

  private static List<String> failed(GatewayState before, GatewayState after) {
    Soak.Phase run = new Soak.Phase();
    run.record(SoakCycle.FULL_WS, "3 updates", null);
    run.end();
    SoakChecks checks = new SoakChecks(before, after, run, 1, true);
    List<String> failed = names(checks);
    assertEquals(failed.isEmpty(), checks.pass());
    return failed;
  }

  private static List<String> names(SoakChecks checks) {
    JsonArray all = checks.json();
    assertTrue(all.size() >= 12);
    return all.stream().map(o -> (JsonObject) o).filter(c -> !c.getBoolean("pass")).map(c -> c.getString("check")).toList();
  }

  private static GatewayState state(Map<String, Integer> fds, Map<String, Integer> threads, long heap, Map<String, Double> gauges,
      int rosterSessions) {
    return new GatewayState(fds, threads, heap, gauges, rosterSessions, 0);
  }

  private static Map<String, Double> gauges(double v) {
    Map<String, Double> g = new TreeMap<>();
    for (String name : GatewayState.GAUGES) g.put(name, v);
    return g;
  }
}
