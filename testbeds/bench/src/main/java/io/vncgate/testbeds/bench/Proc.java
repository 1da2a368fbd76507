package io.vncgate.testbeds.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Readings from Linux {@code /proc}: CPU time and memory of a process and its descendants. */
final class Proc {
  /** {@code getconf CLK_TCK}: 100 on every Linux this runs on (USER_HZ is fixed at 100 for /proc). */
  static final double TICKS_PER_SECOND = 100.0;

  private Proc() {}

  /** The process and every live descendant (websockify forks one child per connection). */
  static List<Long> tree(long pid) {
    List<Long> pids = new ArrayList<>();
    pids.add(pid);
    ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
    return pids;
  }

  /** utime + stime of the process (all its threads), in seconds; 0 when it is gone. */
  static double cpuSeconds(long pid) {
    double[] t = cpuSplit(pid);
    return t[0] + t[1];
  }

  /** {utime, stime} of the process (all its threads), in seconds; zeros when it is gone. */
  static double[] cpuSplit(long pid) {
    String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
    if (stat == null) return new double[2];
    String[] f = fieldsAfterName(stat);
    long utime = Long.parseLong(f[11]); // field 14
    long stime = Long.parseLong(f[12]); // field 15
    return new double[] {utime / TICKS_PER_SECOND, stime / TICKS_PER_SECOND};
  }

  /**
   * The fields of a {@code stat} line after the command name (field 2, which may hold spaces and
   * parentheses: they are counted after the last ')'); index 0 is field 3.
   */
  private static String[] fieldsAfterName(String stat) {
    return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
  }

  /**
   * utime + stime of the JVM's JIT compiler threads and of its garbage collector's threads, in
   * seconds ({JIT, GC}): HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1" and
   * "GC Thread#0", "G1 Conc#0", "G1 Refine#0" and the like (Linux keeps 15 characters of a thread's
   * name); zeros for a process that is gone or has none (not a JVM).
   */
  static double[] jitGcSeconds(long pid) {
    double[] sum = new double[2];
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    List<Path> threads;
    try (var list = Files.list(tasks)) {
      threads = list.toList();
    } catch (IOException | UncheckedIOException e) {
      return sum;
    }
    for (Path thread : threads) {
      String stat = read(thread.resolve("stat"));
      if (stat == null) continue; // ended since the listing
      String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      int kind = name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre") ? 0
          : name.startsWith("GC Thread") || name.startsWith("G1 ") ? 1 : -1;
      if (kind < 0) continue;
      String[] f = fieldsAfterName(stat);
      sum[kind] += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    }
    return sum;
  }

  /**
   * utime + stime + cutime + cstime of the process, in seconds: its own CPU and that of the children
   * it has waited for (a forked websockify child that ended, a jcmd the JVM reaped); 0 when it is gone.
   */
  static double cpuWithReapedChildren(long pid) {
    String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
    if (stat == null) return 0;
    String[] f = fieldsAfterName(stat);
    long sum = 0;
    for (int i = 11; i <= 14; i++) sum += Long.parseLong(f[i]); // fields 14-17
    return sum / TICKS_PER_SECOND;
  }

  /** {user, system} CPU seconds of the process and its live descendants. */
  static double[] treeCpuSplit(long pid) {
    double[] sum = new double[2];
    for (long p : tree(pid)) {
      double[] t = cpuSplit(p);
      sum[0] += t[0];
      sum[1] += t[1];
    }
    return sum;
  }

  /** Resident set size in bytes ({@code VmRSS}); 0 when the process is gone. */
  static long rssBytes(long pid) {
    return statusKb(pid, "VmRSS:") * 1024;
  }

  /**
   * Memory of a process tree: resident (sum of each process's RSS, counting shared pages once per
   * process, as {@code ps} shows it) and proportional (PSS: shared pages split between sharers).
   */
  static long[] treeRssPss(long pid) {
    long rss = 0;
    long pss = 0;
    for (long p : tree(pid)) {
      String rollup = read(Path.of("/proc", Long.toString(p), "smaps_rollup"));
      if (rollup == null) continue;
      rss += field(rollup, "Rss:") * 1024;
      pss += field(rollup, "Pss:") * 1024;
    }
    return new long[] {rss, pss};
  }

  private static long statusKb(long pid, String key) {
    String status = read(Path.of("/proc", Long.toString(pid), "status"));
    return status == null ? 0 : field(status, key);
  }

  private static long field(String text, String key) {
    for (String line : text.split("\n")) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
      }
    }
    return 0;
  }

  /**
   * The whole file in one go. Not {@code Files.readString}: /proc files report size 0, and for
   * sysctl files a read past the first byte returns nothing.
   */
  static String read(Path p) {
    try (InputStream in = Files.newInputStream(p)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }

  /** For the report: the machine the figures come from. */
  static String cpuModel() {
    String info = read(Path.of("/proc/cpuinfo"));
    if (info == null) return "unknown";
    for (String line : info.split("\n")) {
      if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
    }
    return "unknown";
  }

  static long memTotalBytes() {
    String info = read(Path.of("/proc/meminfo"));
    return info == null ? 0 : field(info, "MemTotal:") * 1024;
  }

  static String kernel() {
    String v = read(Path.of("/proc/sys/kernel/osrelease"));
    return v == null ? "unknown" : v.trim();
  }

  /**
   * The kernel's default TCP congestion control, which every loopback connection of the run uses.
   * It moves every figure: with {@code bbr} loopback flows pace and get reordered (fast
   * retransmits by the thousand), with {@code cubic} (Debian's default) they do not. Under the
   * launcher's {@code --congestion NAME} the run is in a network namespace of its own whose loopback
   * routes name the congestion control (the launcher checked that both ends of a connection get it,
   * and says so in {@code BENCH_TCP_CONGESTION}): that one, not the namespace's default.
   */
  static String tcpCongestionControl() {
    String set = System.getenv("BENCH_TCP_CONGESTION");
    if (set != null && !set.isBlank()) return set.trim();
    String v = read(Path.of("/proc/sys/net/ipv4/tcp_congestion_control"));
    return v == null ? "unknown" : v.trim();
  }

  /** Voluntary and involuntary context switches of every thread of {@code pid} (and its children) so far. */
  static long contextSwitches(long pid) {
    long sum = 0;
    for (long p : tree(pid)) {
      try (var tasks = Files.list(Path.of("/proc", String.valueOf(p), "task"))) {
        for (Path t : (Iterable<Path>) tasks::iterator) {
          String status = read(t.resolve("status"));
          if (status == null) continue;
          sum += field(status, "voluntary_ctxt_switches:") + field(status, "nonvoluntary_ctxt_switches:");
        }
      } catch (IOException | UncheckedIOException gone) {
        // the process ended meanwhile
      }
    }
    return sum;
  }

  /** The 1-minute load average; NaN when unreadable. */
  static double load1() {
    String v = read(Path.of("/proc/loadavg"));
    return v == null ? Double.NaN : Double.parseDouble(v.trim().split("\\s+")[0]);
  }

  /** The machine's CPU jiffies: {all, steal} from /proc/stat's first line; zeros when unreadable. */
  static long[] cpuTimes() {
    String stat = read(Path.of("/proc/stat"));
    if (stat == null) return new long[2];
    String[] f = stat.substring(0, stat.indexOf('\n')).trim().split("\\s+");
    long all = 0;
    for (int i = 1; i < f.length && i <= 8; i++) all += Long.parseLong(f[i]);
    return new long[] {all, f.length > 8 ? Long.parseLong(f[8]) : 0};
  }

  /** The share of CPU time the hypervisor took (steal) between two {@link #cpuTimes()} readings. */
  static double stealShare(long[] before, long[] after) {
    long all = after[0] - before[0];
    return all <= 0 ? 0 : (double) (after[1] - before[1]) / all;
  }
}
