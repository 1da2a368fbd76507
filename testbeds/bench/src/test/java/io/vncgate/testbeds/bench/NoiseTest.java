package io.vncgate.testbeds.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The noise computation: /proc/stat's counters, the other processes' and the hypervisor's share, the verdict. */
class NoiseTest {
  @Test
  void theCpuLineSplitsIntoBusyTotalAndSteal() {
    // user nice system idle iowait irq softirq steal guest guest_nice
    Noise.CpuStat s = Noise.CpuStat.parse("cpu  1000 20 300 5000 40 0 60 70 500 0");
    assertEquals(1000 + 20 + 300 + 0 + 60, s.busy(), "guest time is already in user: not added again");
    assertEquals(s.busy() + 5000 + 40 + 70, s.total());
    assertEquals(70, s.steal());
    // an old kernel without the steal column
    assertEquals(0, Noise.CpuStat.parse("cpu 1 2 3 4 5 6 7").steal());
    assertThrows(IllegalArgumentException.class, () -> Noise.CpuStat.parse("cpu0 1 2 3 4 5 6 7 8"));
  }

  @Test
  void whatIsBusyButNotTheRunsOwnIsTheOtherProcessesShare() {
    // 10 s on 2 CPUs = 2000 ticks; 1200 busy ticks = 12 CPU-s, of which the run's own 9 CPU-s
    Noise.CpuStat before = new Noise.CpuStat(10_000, 50_000, 100);
    Noise.CpuStat after = new Noise.CpuStat(11_200, 52_000, 110);
    Noise.Result r = Noise.of(before, after, 9.0, 10, 1.0, 2.5, 2.0, 0.10);
    assertEquals(0.15, r.otherShare(), 1e-9);
    assertEquals(0.005, r.stealShare(), 1e-9);
    assertTrue(r.noisy());
    assertEquals(List.of("other processes took 15.0 % of the CPUs (more than 10 %)"), r.reasons());
    assertTrue(r.line().startsWith("NOISY: other processes took 15.0 % of the CPUs, steal 0.5 %"), r.line());

    Noise.Result quiet = Noise.of(before, after, 11.5, 10, 0.2, 0.4, 0.3, 0.10);
    assertEquals(0.025, quiet.otherShare(), 1e-9);
    assertFalse(quiet.noisy());
    assertTrue(quiet.line().startsWith("quiet: "), quiet.line());
  }

  @Test
  void stealAboveTheLimitIsNoiseToo() {
    Noise.Result r = Noise.of(new Noise.CpuStat(0, 0, 0), new Noise.CpuStat(1000, 2000, 400), 10.0, 10, 0, 0, 0, 0.10);
    assertEquals(0.0, r.otherShare(), 1e-9, "the run's own CPU covers all the busy time");
    assertEquals(0.2, r.stealShare(), 1e-9);
    assertEquals(List.of("the hypervisor took 20.0 % of the CPUs (steal, more than 10 %)"), r.reasons());
    assertEquals("0.00010", Noise.percent(0.000001), "a tiny limit is not said as 0 %");
  }

  @Test
  void theRunsOwnTimeReadAMomentLaterNeverMakesTheShareNegative() {
    Noise.Result r = Noise.of(new Noise.CpuStat(0, 0, 0), new Noise.CpuStat(500, 2000, 0), 5.2, 10, 0, 0, 0, 0.10);
    assertEquals(0.0, r.otherShare());
    assertFalse(r.noisy());
    // no time passed: nothing to divide, nothing noisy
    assertFalse(Noise.of(new Noise.CpuStat(5, 5, 0), new Noise.CpuStat(5, 5, 0), 0, 0, 0, 0, 0, 0.1).noisy());
  }

  @Test
  void theJsonHasTheVerdictTheSharesAndTheLoad() {
    JsonObject j = Noise.of(new Noise.CpuStat(0, 0, 0), new Noise.CpuStat(1000, 2000, 0), 4.0, 10, 1.5, 3.25, 2.0, 0.10).toJson();
    assertEquals(true, j.getBoolean("noisy"));
    assertEquals(0.3, j.getDouble("other_processes_cpu_share"));
    assertEquals(3.25, j.getDouble("load1_max"));
    assertEquals(0.1, j.getDouble("limit_share"));
    assertEquals(1, j.getJsonArray("reasons").size());
  }

  /**
   * What every scenario's run records of the machine's load, whatever it was: the verdict at the
   * top and in {@code noise} with the shares, the load averages and the limit; its own CPU; the
   * console's first table line. Returns the run's own CPU seconds.
   */
  static double recordedIn(JsonObject result, String printed) {
    JsonObject noise = result.getJsonObject("noise");
    assertEquals(noise.getBoolean("noisy"), result.getBoolean("noisy"), result.encode());
    assertEquals(!noise.getJsonArray("reasons").isEmpty(), noise.getBoolean("noisy"), noise.encode());
    double other = noise.getDouble("other_processes_cpu_share");
    assertTrue(other >= 0 && other <= 1, noise.encode());
    assertTrue(noise.getDouble("steal_share") >= 0, noise.encode());
    assertEquals(Noise.DEFAULT_LIMIT, noise.getDouble("limit_share"));
    for (String f : List.of("seconds", "own_cpu_s", "load1_start", "load1_max", "load1_end")) {
      assertTrue(noise.getValue(f) instanceof Number, f + ": " + noise.encode());
    }
    assertTrue(noise.getDouble("own_cpu_s") > 0, noise.encode());
    assertTrue(printed.contains(noise.getBoolean("noisy") ? "NOISY: other processes took" : "quiet: other processes took"),
        printed);
    return noise.getDouble("own_cpu_s");
  }

  @Test
  void theMachineIsReadAndTheRunsOwnCpuIsCounted() {
    Noise.CpuStat now = Noise.CpuStat.read();
    assertTrue(now.total() > 0 && now.busy() <= now.total(), now.toString());
    assertTrue(Noise.ownCpuSeconds() > 0, "this JVM has used some CPU");
    JsonObject cc = Noise.congestionControl();
    assertFalse(cc.getString("in_use").isBlank());
    assertTrue(cc.getJsonArray("available").contains(cc.getString("in_use")), cc.encode());
  }

  @Test
  void aSpreadIsTheMedianWithTheLowestAndHighestRound() {
    Spread s = Spread.of(List.of(120.0, 100.0, 90.0));
    assertEquals(100.0, s.median());
    assertEquals(90.0, s.min());
    assertEquals(120.0, s.max());
    assertEquals(0.3, s.relative(), 1e-9);
    assertEquals(105.0, Spread.of(List.of(110.0, 100.0)).median(), "an even count: the mean of the middle two");
    assertTrue(Double.isNaN(Spread.of(List.of(0.0, 0.0)).relative()));
    assertEquals(null, Spread.of(List.of(0.0)).toJson(2).getValue("relative_spread"));
    assertThrows(IllegalArgumentException.class, () -> Spread.of(List.of()));
  }
}
