package io.vncgate.testbeds.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How much of the machine a run had to itself. Between the start and the end of the run: the
 * machine's busy CPU time ({@code /proc/stat}: user, nice, system, irq, softirq), the time the
 * hypervisor took (steal), and the CPU time of the run's own processes (the bench JVM and every
 * process it started, all its descendants: relays, gateway, synthetic server, Xvnc with its xterms
 * and their shells, the desktop's painter JVM, jcmd; those that ended through the cutime and cstime
 * of the process that reaped them, so an Xvnc restarted or a gateway closed mid-run still counts).
 * What is busy but not ours was taken by other processes; its share of the machine's capacity above
 * {@link #DEFAULT_LIMIT} (or steal above it) makes the run <em>noisy</em>: its figures are kept,
 * marked so, and never published into docs/performance.md ({@link Publication}). Every scenario
 * watches its run with one. Load averages are sampled every second.
 */
final class Noise {
  /** A run is noisy when other processes (or the hypervisor) took more than this share of all CPUs. */
  static final double DEFAULT_LIMIT = 0.10;

  /** The machine's CPU counters from /proc/stat's first line, in USER_HZ ticks. */
  record CpuStat(long busy, long total, long steal) {
    /**
     * Parses the "cpu  user nice system idle iowait irq softirq steal …" line: busy = user + nice +
     * system + irq + softirq; total = those + idle + iowait + steal (guest time is already in user).
     */
    static CpuStat parse(String firstLine) {
      String[] f = firstLine.trim().split("\\s+");
      if (f.length < 8 || !f[0].equals("cpu")) throw new IllegalArgumentException("not /proc/stat's cpu line: " + firstLine);
      long[] v = new long[8];
      for (int i = 0; i < 8; i++) v[i] = i + 1 < f.length ? Long.parseLong(f[i + 1]) : 0;
      long busy = v[0] + v[1] + v[2] + v[5] + v[6];
      return new CpuStat(busy, busy + v[3] + v[4] + v[7], v[7]);
    }

    static CpuStat read() {
      String stat = Proc.read(Path.of("/proc/stat"));
      if (stat == null) return new CpuStat(0, 0, 0);
      return parse(stat.substring(0, stat.indexOf('\n')));
    }
  }

  /** The figures of one run; {@code otherShare} and {@code stealShare} are shares of all CPUs (0..1). */
  record Result(double seconds, double otherShare, double stealShare, double ownCpuS, double load1Start,
      double load1Max, double load1End, double limit, List<String> reasons) {
    boolean noisy() {
      return !reasons.isEmpty();
    }

    JsonObject toJson() {
      return new JsonObject()
          .put("noisy", noisy())
          .put("reasons", new JsonArray(reasons))
          .put("limit_share", limit)
          .put("seconds", PathResult.round(seconds, 1))
          .put("other_processes_cpu_share", PathResult.round(otherShare, 4))
          .put("steal_share", PathResult.round(stealShare, 4))
          .put("own_cpu_s", PathResult.round(ownCpuS, 2))
          .put("load1_start", load1Start)
          .put("load1_max", load1Max)
          .put("load1_end", load1End);
    }

    /** One line for the console and the summary. */
    String line() {
      return String.format(Locale.ROOT, "%s: other processes took %.1f %% of the CPUs, steal %.1f %%, load average"
          + " %.2f at the start, %.2f at most, %.2f at the end (noisy above %s %%)", noisy() ? "NOISY" : "quiet",
          100 * otherShare, 100 * stealShare, load1Start, load1Max, load1End, percent(limit));
    }
  }

  /**
   * The shares between two readings: {@code ownCpuS} seconds were the run's own, on {@code nproc}
   * CPUs. Pure arithmetic (the unit tests give it numbers).
   */
  static Result of(CpuStat before, CpuStat after, double ownCpuS, double seconds, double load1Start, double load1Max,
      double load1End, double limit) {
    long total = after.total() - before.total();
    double otherShare = 0;
    double stealShare = 0;
    if (total > 0) {
      double busyS = (after.busy() - before.busy()) / Proc.TICKS_PER_SECOND;
      double totalS = total / Proc.TICKS_PER_SECOND;
      // the run's own CPU is read from other counters at other instants: clamp the rounding
      otherShare = Math.max(0, (busyS - ownCpuS) / totalS);
      stealShare = (double) (after.steal() - before.steal()) / total;
    }
    List<String> reasons = new ArrayList<>();
    if (otherShare > limit) {
      reasons.add(String.format(Locale.ROOT, "other processes took %.1f %% of the CPUs (more than %s %%)",
          100 * otherShare, percent(limit)));
    }
    if (stealShare > limit) {
      reasons.add(String.format(Locale.ROOT, "the hypervisor took %.1f %% of the CPUs (steal, more than %s %%)",
          100 * stealShare, percent(limit)));
    }
    return new Result(seconds, otherShare, stealShare, ownCpuS, load1Start, load1Max, load1End, limit, List.copyOf(reasons));
  }

  /** A limit in per cent: whole ones, or two significant digits below 1 % (a test's 0.000001 is not "0 %"). */
  static String percent(double limit) {
    return String.format(Locale.ROOT, 100 * limit >= 1 ? "%.0f" : "%.2g", 100 * limit);
  }

  private final double limit;
  private final CpuStat before;
  private final double ownBefore;
  private final long startNs;
  private final double load1Start;
  private volatile double load1Max;
  private final Thread sampler;

  private Noise(double limit) {
    this.limit = limit;
    this.load1Start = Proc.load1();
    this.load1Max = load1Start;
    this.ownBefore = ownCpuSeconds();
    this.before = CpuStat.read();
    this.startNs = System.nanoTime();
    this.sampler = new Thread(this::sample, "bench-load-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Starts watching the machine. */
  static Noise start(double limit) {
    return new Noise(limit);
  }

  private void sample() {
    while (!Thread.currentThread().isInterrupted()) {
      double l = Proc.load1();
      if (!Double.isNaN(l) && l > load1Max) load1Max = l;
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The shares from the start until now (the watch goes on; call again for a later reading). */
  Result result() {
    CpuStat after = CpuStat.read();
    double own = ownCpuSeconds() - ownBefore;
    double load1 = Proc.load1();
    return of(before, after, own, (System.nanoTime() - startNs) / 1e9, load1Start, Math.max(load1Max, load1), load1, limit);
  }

  void stop() {
    sampler.interrupt();
  }

  /** CPU seconds of the bench JVM and every process under it, with the children they have reaped. */
  static double ownCpuSeconds() {
    double sum = 0;
    for (long pid : Proc.tree(ProcessHandle.current().pid())) sum += Proc.cpuWithReapedChildren(pid);
    return sum;
  }

  /**
   * The kernel's TCP congestion control for the report: the one in use, those available, and
   * whether {@code bbr} could be chosen (available now, or as a module of the running kernel).
   */
  static JsonObject congestionControl() {
    String available = Proc.read(Path.of("/proc/sys/net/ipv4/tcp_available_congestion_control"));
    List<String> names = available == null ? List.of() : List.of(available.trim().split("\\s+"));
    boolean module = false;
    Path dir = Path.of("/lib/modules", Proc.kernel(), "kernel", "net", "ipv4");
    for (String f : List.of("tcp_bbr.ko", "tcp_bbr.ko.xz", "tcp_bbr.ko.zst", "tcp_bbr.ko.gz")) {
      module |= Files.exists(dir.resolve(f));
    }
    String bbr = names.contains("bbr") ? "available" : module ? "loadable (modprobe tcp_bbr)" : "not available";
    return new JsonObject()
        .put("in_use", Proc.tcpCongestionControl())
        .put("network_namespace", System.getenv("BENCH_TCP_CONGESTION") != null)
        .put("available", new JsonArray(names))
        .put("bbr", bbr);
  }
}
