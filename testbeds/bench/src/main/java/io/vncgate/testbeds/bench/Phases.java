package io.vncgate.testbeds.bench;

import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.nio.file.Path;

/**
 * The three measurements, each on one path: throughput (with the relay's CPU per GB), round trips
 * at a given number of viewers, and memory with many idle viewers. Called from the main thread;
 * viewers live on the client event loop. Every wait is bounded.
 */
final class Phases {
  /** Full-screen requests kept outstanding so the relay never waits for the viewer. */
  static final int PIPELINE = 2;
  private static final long OPEN_TIMEOUT_S = 120;
  private static final int OPEN_CONCURRENCY = 32;
  /** Idle viewers opened first, to measure the open files each adds in every process it lives in. */
  private static final int FILE_PROBE = 500;
  /**
   * Viewers opened and closed at a time per gateway path while warming up, so that its admission
   * path is compiled; batches go on while the JIT took more than {@link #JIT_SETTLED} of the
   * gateway's CPU in the last one, up to {@link #ADMISSION_WARMUP_MAX} viewers.
   */
  private static final int ADMISSION_WARMUP = 1000;
  /**
   * HotSpot compiles a method with C2 after some 5,000 to 15,000 calls (Tier4InvocationThreshold,
   * Tier4CompileThreshold): code that runs once per viewer is compiled only after as many viewers.
   */
  private static final int ADMISSION_WARMUP_MAX = 15_000;
  private static final double JIT_SETTLED = 0.10;

  private final EventLoop loop;
  private final SyntheticServerProcess server;
  private final Settings settings;
  private final PrintLog out;
  private final Path histograms;
  private final GatewayProcess gateway;

  /**
   * @param histograms where to write heap histograms of the idle phase, or null
   * @param gateway the gateway whose event-loop delay is read while idle viewers connect through it, or null
   */
  Phases(EventLoop loop, SyntheticServerProcess server, Settings settings, PrintLog out, Path histograms, GatewayProcess gateway) {
    this.gateway = gateway;
    this.loop = loop;
    this.server = server;
    this.settings = settings;
    this.out = out;
    this.histograms = histograms;
  }

  /**
   * Runs the gateway's relay code until the JIT has compiled it (a gateway in service is warm;
   * websockify has no JIT): streams and round trips for {@code seconds}, nothing recorded. Its
   * admission path is warmed up just before the idle phase ({@link #warmUpAdmission}).
   */
  void warmUp(RelayPath path, double seconds) {
    // viewers are opened on the client loop, never from this thread: a link's handler set from
    // here could come after the server's first bytes, which were then lost (a viewer waiting forever
    // for a banner already read, seen as "no answer within 30 s" once connects got fast)
    RfbViewer streamer = await(onLoop(path::open), 30, "a " + path.name + " viewer to open");
    List<RfbViewer> pingers = openAll(path, 10);
    onLoop(() -> {
      streamer.listener((viewer, bytes) -> viewer.requestFullScreen());
      for (int i = 0; i < PIPELINE; i++) streamer.requestFullScreen();
      return null;
    });
    Pacer.Recorder ignored = new Pacer.Recorder();
    List<Pacer> pacers = pingers.stream().map(v -> new Pacer(v, loop, TimeUnit.MILLISECONDS.toNanos(1), ignored)).toList();
    pacers.forEach(p -> p.start(0));
    sleepS(seconds);
    pacers.forEach(Pacer::stop);
    sleepMs(50);
    List<RfbViewer> all = new ArrayList<>(pingers);
    all.add(streamer);
    closeAll(all);
  }

  /** One round of streaming on one path: bytes at the viewer, seconds, and CPU seconds spent. */
  record ThroughputSample(long bytes, double seconds, double relayUserS, double relaySystemS, double endpointsS) {
    double mbPerS() {
      return bytes / 1e6 / seconds;
    }

    double gb() {
      return bytes / 1e9;
    }
  }

  /**
   * Streams full-screen updates to one viewer for one round: MB/s at the viewer and the relay's
   * CPU seconds. Rounds of all paths are interleaved by the caller, so a change in the machine's
   * load during the run falls on every path alike.
   */
  ThroughputSample throughputRound(RelayPath path, int round) {
    RfbViewer v = await(onLoop(path::open), 30, "a " + path.name + " viewer to open");
    onLoop(() -> {
      v.listener((viewer, bytes) -> viewer.requestFullScreen());
      for (int i = 0; i < PIPELINE; i++) v.requestFullScreen();
      return null;
    });
    sleepS(settings.throughputWarmupS());
    long b0 = v.received();
    double[] relay0 = relayCpu(path);
    double self0 = endpointsCpu();
    long t0 = System.nanoTime();
    sleepS(settings.throughputS());
    long b1 = v.received();
    double[] relay1 = relayCpu(path);
    double self1 = endpointsCpu();
    long t1 = System.nanoTime();
    boolean open = v.isOpen();
    closeAll(List.of(v));
    if (!open) {
      throw new IllegalStateException(path.name + ": the viewer was disconnected while streaming: " + v.closed().result());
    }
    if (b1 <= b0) {
      throw new IllegalStateException(path.name + ": no bytes reached the viewer in " + settings.throughputS()
          + " s of streaming; the relay or the synthetic server stalled (see the relay's log in the work folder)");
    }
    ThroughputSample sample = new ThroughputSample(b1 - b0, (t1 - t0) / 1e9, relay1[0] - relay0[0], relay1[1] - relay0[1],
        self1 - self0);
    double gb = sample.gb();
    out.line("  %-13s round %d: %8.1f MB/s, relay %.3f CPU-s/GB (user %.3f, system %.3f), bench JVM %.3f CPU-s/GB",
        path.name, round + 1, sample.mbPerS(), path.relay == null ? 0.0 : (sample.relayUserS() + sample.relaySystemS()) / gb,
        sample.relayUserS() / gb, sample.relaySystemS() / gb, sample.endpointsS() / gb);
    return sample;
  }

  /** The path's throughput figures: the median round (by MB/s, and by CPU per GB), every round kept. */
  void throughput(RelayPath path, PathResult r, List<ThroughputSample> rounds) {
    List<ThroughputSample> byRate = new ArrayList<>(rounds);
    byRate.sort(Comparator.comparingDouble(ThroughputSample::mbPerS));
    List<ThroughputSample> byCpu = new ArrayList<>(rounds);
    byCpu.sort(Comparator.comparingDouble(x -> (x.relayUserS() + x.relaySystemS()) / x.gb()));
    ThroughputSample rate = byRate.get(byRate.size() / 2);
    ThroughputSample cpu = byCpu.get(byCpu.size() / 2);
    r.bytesMeasured = rounds.stream().mapToLong(ThroughputSample::bytes).sum();
    r.throughputRounds = List.copyOf(rounds);
    r.put("throughput_mb_s", PathResult.round(rate.mbPerS(), 1));
    r.put("cpu_s_per_gb", path.relay == null ? 0.0 : PathResult.round((cpu.relayUserS() + cpu.relaySystemS()) / cpu.gb(), 4));
    r.cpuUserSPerGb = PathResult.round(cpu.relayUserS() / cpu.gb(), 4);
    r.cpuSysSPerGb = PathResult.round(cpu.relaySystemS() / cpu.gb(), 4);
    r.endpointsCpuSPerGb = PathResult.round(cpu.endpointsS() / cpu.gb(), 4);
    out.line("  %-13s throughput %8.1f MB/s, relay %.3f CPU-s/GB (user %.3f, system %.3f), bench JVM %.3f CPU-s/GB"
        + (rounds.size() > 1 ? " (medians of %d rounds)" : ""),
        path.name, r.get("throughput_mb_s"), r.get("cpu_s_per_gb"), r.cpuUserSPerGb, r.cpuSysSPerGb, r.endpointsCpuSPerGb,
        rounds.size());
  }


  /** Round trips of {@code viewers} viewers at once; fills rtt_* (100) or rtt_1_* (one viewer). */
  void roundTrips(RelayPath path, PathResult r, int viewers) {
    boolean single = viewers == 1;
    long interval = TimeUnit.MICROSECONDS.toNanos(single ? settings.rtt1IntervalUs() : settings.rttNIntervalUs());
    List<RfbViewer> vs = openAll(path, viewers);
    if (vs.size() < viewers) {
      closeAll(vs);
      throw new IllegalStateException(path.name + ": only " + vs.size() + " of " + viewers + " viewers connected");
    }
    Pacer.Recorder rec = new Pacer.Recorder();
    List<Pacer> pacers = new ArrayList<>();
    for (RfbViewer v : vs) {
      Pacer p = new Pacer(v, loop, interval, rec);
      pacers.add(p);
      p.start(ThreadLocalRandom.current().nextLong(interval));
    }
    sleepS(single ? settings.rtt1WarmupS() : settings.rttNWarmupS());
    double[] relay0 = relayCpu(path);
    double self0 = Proc.cpuSeconds(ProcessHandle.current().pid());
    long switches0 = path.relay == null ? 0 : Proc.contextSwitches(path.relay.pid());
    rec.recording = true;
    sleepS(single ? settings.rtt1S() : settings.rttNS());
    rec.recording = false;
    double[] relay1 = relayCpu(path);
    double self1 = Proc.cpuSeconds(ProcessHandle.current().pid());
    long switches1 = path.relay == null ? 0 : Proc.contextSwitches(path.relay.pid());
    pacers.forEach(Pacer::stop);
    sleepMs(TimeUnit.NANOSECONDS.toMillis(interval) + 100);
    long dropped = vs.stream().filter(v -> !v.isOpen()).count();
    closeAll(vs);
    if (dropped > 0) {
      throw new IllegalStateException(path.name + ": " + dropped + " viewers were disconnected during the round trips");
    }
    Latencies l = onLoop(() -> rec.latencies); // read after the loop's last write
    String prefix = single ? "rtt_1_" : "rtt_";
    r.put(prefix + "p50_ms", PathResult.round(l.percentileMs(50), 4));
    r.put(prefix + "p99_ms", PathResult.round(l.percentileMs(99), 4));
    r.put(prefix + "p999_ms", PathResult.round(l.percentileMs(99.9), 4));
    if (single) {
      r.rtt1Samples = l.count();
      r.curve1 = l.curve();
    } else {
      r.rttSamples = l.count();
      r.rttViewers = viewers;
      r.curveN = l.curve();
    }
    out.line("  %-13s %3d viewer%s RTT p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms (%d samples)", path.name, viewers,
        single ? " " : "s", l.percentileMs(50), l.percentileMs(99), l.percentileMs(99.9), l.count());
    // what each round trip cost in CPU and in the relay's context switches: figures that the
    // machine's load moves far less than the latencies (every sample is a round trip)
    double n = Math.max(1, l.count());
    out.line("  %-13s %3d viewer%s per round trip: relay %.1f us CPU (user %.1f, system %.1f), %.2f context switches;"
        + " bench JVM %.1f us CPU", path.name, viewers, single ? " " : "s",
        1e6 * (relay1[0] + relay1[1] - relay0[0] - relay0[1]) / n, 1e6 * (relay1[0] - relay0[0]) / n,
        1e6 * (relay1[1] - relay0[1]) / n, (switches1 - switches0) / n, 1e6 * (self1 - self0) / n);
  }

  /**
   * The fan-out path's round trips ({@link KeyPacer}): the controller and {@code viewers - 1} observers,
   * one key every interval (the request interval of {@link #roundTrips}); fills input_rtt_* (many) or
   * input_rtt_1_* (the controller alone).
   */
  void inputRoundTrips(RelayPath path, PathResult r, int viewers) {
    boolean single = viewers == 1;
    long interval = TimeUnit.MICROSECONDS.toNanos(single ? settings.rtt1IntervalUs() : settings.rttNIntervalUs());
    // the controller first: the first viewer of a session with none holds control; the rest observe
    RfbViewer controller = await(path.open(), 30, "a " + path.name + " viewer to open");
    List<RfbViewer> vs = new ArrayList<>(List.of(controller));
    if (!single) vs.addAll(openAll(path, viewers - 1));
    if (vs.size() < viewers) {
      closeAll(vs);
      throw new IllegalStateException(path.name + ": only " + vs.size() + " of " + viewers + " viewers connected");
    }
    Pacer.Recorder rec = new Pacer.Recorder();
    KeyPacer pacer = new KeyPacer(vs, loop, interval, rec);
    pacer.start(ThreadLocalRandom.current().nextLong(interval));
    sleepS(single ? settings.rtt1WarmupS() : settings.rttNWarmupS());
    rec.recording = true;
    sleepS(single ? settings.rtt1S() : settings.rttNS());
    rec.recording = false;
    pacer.stop();
    sleepMs(TimeUnit.NANOSECONDS.toMillis(interval) + 100);
    long dropped = vs.stream().filter(v -> !v.isOpen()).count();
    closeAll(vs);
    if (dropped > 0) {
      throw new IllegalStateException(path.name + ": " + dropped + " viewers were disconnected during the round trips");
    }
    Latencies l = onLoop(() -> rec.latencies);
    long lost = onLoop(pacer::lost);
    if (l.count() == 0) {
      throw new IllegalStateException(path.name + ": no key's update reached a viewer (" + lost + " lost): did the controller"
          + " hold control? (see the gateway's log)");
    }
    String prefix = single ? "input_rtt_1_" : "input_rtt_";
    r.inputRoundTrip = true;
    r.inputRttLost += lost;
    r.put(prefix + "p50_ms", PathResult.round(l.percentileMs(50), 4));
    r.put(prefix + "p99_ms", PathResult.round(l.percentileMs(99), 4));
    r.put(prefix + "p999_ms", PathResult.round(l.percentileMs(99.9), 4));
    if (single) {
      r.rtt1Samples = l.count();
      r.curve1 = l.curve();
    } else {
      r.rttSamples = l.count();
      r.rttViewers = viewers;
      r.curveN = l.curve();
    }
    out.line("  %-13s %3d viewer%s key->update p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms (%d samples, %d lost)", path.name,
        viewers, single ? " " : "s", l.percentileMs(50), l.percentileMs(99), l.percentileMs(99.9), l.count(), lost);
  }

  /**
   * Admits and closes viewers in batches until the JIT has settled (see {@link #ADMISSION_WARMUP}):
   * a gateway in service has compiled its admission path; here the first thousands of viewers would
   * otherwise pay for the JIT (with 1,000 of warm-up, C2 still took a third of the gateway's CPU
   * while the next 4,000 connected). Right before the idle phase, so that the compilations it sets
   * off fall on no other phase.
   *
   * @return the viewers admitted to warm up
   */
  private int warmUpAdmission(RelayPath path) {
    int batch = Math.min(ADMISSION_WARMUP, settings.idleViewers());
    int most = settings.idleViewers() <= ADMISSION_WARMUP ? batch : ADMISSION_WARMUP_MAX;
    int admitted = 0;
    double jitShare = 1;
    long pid = path.relay.pid();
    List<String> shares = new ArrayList<>();
    while (admitted < most && jitShare > JIT_SETTLED) {
      double cpu0 = Proc.cpuSeconds(pid);
      double jit0 = Proc.jitGcSeconds(pid)[0];
      closeAll(openAll(path, batch));
      admitted += batch;
      double cpu = Proc.cpuSeconds(pid) - cpu0;
      jitShare = cpu > 0 ? (Proc.jitGcSeconds(pid)[0] - jit0) / cpu : 0;
      shares.add(String.format("%.0f", jitShare * 100));
    }
    out.line("  %s: %,d viewers admitted to warm up; the JIT's share of the gateway's CPU in each %,d: %s %%", path.name,
        admitted, batch, String.join(", ", shares));
    return admitted;
  }

  /** Connects {@code n} viewers that then sit idle; memory of the relay before and after, per viewer. */
  void idle(RelayPath path, PathResult r, int n) {
    RelayProcess relay = path.relay;
    if (relay == null) {
      idleFloor(path, r, n);
      return;
    }
    if (relay == gateway) r.admissionWarmupViewers = warmUpAdmission(path);
    // fan-out: one viewer holds the session (its upstream and framebuffer) from before the baseline
    // to the end, so the figures per viewer are what each idle viewer adds to an open session
    RfbViewer holder = path.fanOut() ? await(path.open(), 30, "a " + path.name + " viewer to open") : null;
    int serverBefore = server.connections();
    long errorsBefore = relay.errorLines();
    OptionalLong heap0 = relay.heapAfterGc();
    long[] mem0 = relay.memory();
    histogram(relay, path.name + "-before");
    String delay0 = relay == gateway ? gateway.metricsText() : null;
    // a first batch, then as many as every process's open-file limit lets in (measured, see OpenFiles)
    List<Long> fds0 = fileCounts(relay);
    double[] cpu0 = connectCpu(relay);
    long t0 = System.nanoTime();
    List<RfbViewer> vs = openAll(path, Math.min(n, FILE_PROBE));
    double connectS = (System.nanoTime() - t0) / 1e9;
    int target = fitting(path, r, n, fds0, vs.size());
    long t1 = System.nanoTime();
    if (target > vs.size()) vs.addAll(openAll(path, target - vs.size()));
    connectS += (System.nanoTime() - t1) / 1e9;
    double[] cpu1 = connectCpu(relay);
    String delay1 = relay == gateway ? gateway.metricsText() : null;
    sleepMs(1000);
    // resident memory before the second full GC: a full GC may hand heap back to the OS (G1
    // shrinks to MaxHeapFreeRatio), which would subtract from what the viewers added
    long[] mem1 = relay.memory();
    OptionalLong heap1 = relay.heapAfterGc();
    histogram(relay, path.name + "-" + vs.size() + "-idle");
    sleepS(settings.idleHoldS());
    long dropped = vs.stream().filter(v -> !v.isOpen()).count();
    closeAll(vs);
    if (holder != null) closeAll(List.of(holder));
    awaitServerConnections(serverBefore);
    int connected = vs.size();
    r.errors += (target - connected) + dropped + Math.max(0, relay.errorLines() - errorsBefore);
    r.idleViewers = connected;
    if (connected == 0) throw new IllegalStateException(path.name + ": no idle viewer connected");
    r.idleConnectPerS = connected / connectS;
    if (delay0 != null && delay1 != null) r.idleLoopDelay = LoopDelay.between(delay0, delay1);
    r.idleConnectCpu = connectCpuJson(cpu0, cpu1, connected);
    if (delay0 != null && delay1 != null) r.idlePacerWaitMs = pacerWaitMs(delay0, delay1);
    r.put("idle_rss_bytes_per_viewer", (double) ((mem1[0] - mem0[0]) / connected));
    r.idlePssBytesPerViewer = (mem1[1] - mem0[1]) / connected;
    if (heap0.isPresent() && heap1.isPresent()) {
      r.put("idle_heap_bytes_per_viewer", (double) ((heap1.getAsLong() - heap0.getAsLong()) / connected));
    }
    out.line("  %-13s %5d idle viewers: RSS %s/viewer, PSS %s/viewer%s, %d errors; connected at %.0f viewers/s (CPU ms per viewer: %s%s)%s", path.name,
        connected, kib(mem1[0] - mem0[0], connected), kib(mem1[1] - mem0[1], connected),
        heap1.isPresent() ? ", heap " + kib(heap1.getAsLong() - heap0.getAsLong(), connected) + "/viewer" : "",
        r.errors, r.idleConnectPerS, cpuLine(r.idleConnectCpu),
        r.idlePacerWaitMs == null ? "" : String.format("; waited %.1f ms on average for the upstream pacer", r.idlePacerWaitMs),
        r.idleLoopDelay == null ? "" : "; the gateway's event loops meanwhile: " + r.idleLoopDelay.line());
  }

  /**
   * A path without a relay (direct): only how fast the bench itself opens viewers, the same way as
   * through a relay, so a relay's admission rate is read against the bench's own floor.
   */
  private void idleFloor(RelayPath path, PathResult r, int n) {
    int serverBefore = server.connections();
    double[] cpu0 = connectCpu(null);
    long t0 = System.nanoTime();
    List<RfbViewer> vs = openAll(path, n);
    double connectS = (System.nanoTime() - t0) / 1e9;
    double[] cpu1 = connectCpu(null);
    closeAll(vs);
    awaitServerConnections(serverBefore);
    r.errors += n - vs.size();
    r.idleViewers = vs.size();
    if (vs.isEmpty()) throw new IllegalStateException(path.name + ": no idle viewer connected");
    r.idleConnectPerS = vs.size() / connectS;
    r.idleConnectCpu = connectCpuJson(cpu0, cpu1, vs.size());
    out.line("  %-13s %5d idle viewers connected at %.0f viewers/s (the bench's own floor: no relay; CPU ms per viewer: %s),"
        + " %d errors", path.name, vs.size(), r.idleConnectPerS, cpuLine(r.idleConnectCpu), r.errors);
  }

  /** CPU seconds so far of this JVM (the viewers), the synthetic server and the relay (0 without one). */
  private double[] connectCpu(RelayProcess relay) {
    double[] rc = relay == null ? new double[2] : relay.cpuSeconds();
    double[] jitGc = relay == null ? new double[2] : Proc.jitGcSeconds(relay.pid());
    return new double[] {Proc.cpuSeconds(ProcessHandle.current().pid()), Proc.cpuSeconds(server.pid()), rc[0] + rc[1],
        jitGc[0], jitGc[1]};
  }

  /**
   * CPU milliseconds per viewer each process spent while the viewers connected: load-robust where
   * the rate is not (2 CPUs hold 2,000 ms of CPU a second, whatever else runs).
   */
  private static JsonObject connectCpuJson(double[] a, double[] b, int viewers) {
    JsonObject cpu = new JsonObject().put("bench", PathResult.round((b[0] - a[0]) * 1000 / viewers, 3))
        .put("synthetic_server", PathResult.round((b[1] - a[1]) * 1000 / viewers, 3))
        .put("relay", PathResult.round((b[2] - a[2]) * 1000 / viewers, 3));
    // of the relay's: its JIT compiler's and its garbage collector's threads (a JVM's; none in websockify)
    if (b[3] > a[3] || b[4] > a[4]) {
      cpu.put("relay_jit", PathResult.round((b[3] - a[3]) * 1000 / viewers, 3))
          .put("relay_gc", PathResult.round((b[4] - a[4]) * 1000 / viewers, 3));
    }
    return cpu;
  }

  private static String cpuLine(JsonObject cpu) {
    return String.format("bench %.3f, server %.3f, relay %.3f%s", cpu.getDouble("bench"), cpu.getDouble("synthetic_server"),
        cpu.getDouble("relay"), cpu.containsKey("relay_jit")
            ? String.format(" (of it JIT %.3f, GC %.3f)", cpu.getDouble("relay_jit"), cpu.getDouble("relay_gc")) : "");
  }

  /** Mean wait in the gateway's upstream pacer between two /metrics readings (vncgate_upstream_queue_wait), ms; null unreadable. */
  static Double pacerWaitMs(String before, String after) {
    double[] a = sumCount(before);
    double[] b = sumCount(after);
    if (a == null || b == null || b[1] <= a[1]) return null;
    return PathResult.round((b[0] - a[0]) / (b[1] - a[1]) * 1000, 3);
  }

  private static double[] sumCount(String metrics) {
    Double sum = null;
    Double count = null;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("vncgate_upstream_queue_wait_seconds_sum")) sum = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      if (line.startsWith("vncgate_upstream_queue_wait_seconds_count")) count = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    return sum == null || count == null ? null : new double[] {sum, count};
  }

  /** Open files now of this JVM, the synthetic server and the relay. */
  private List<Long> fileCounts(RelayProcess relay) {
    return List.of(OpenFiles.count(ProcessHandle.current().pid()), OpenFiles.count(server.pid()), OpenFiles.count(relay.pid()));
  }

  /**
   * How many idle viewers to open in all: {@code n}, or fewer when a process's open-file limit
   * cannot hold them, from the files the first {@code opened} viewers added in each process.
   * Recorded in {@code r.idleOpenFiles} with the process that bounds it.
   */
  private int fitting(RelayPath path, PathResult r, int n, List<Long> fds0, int opened) {
    List<Long> fds1 = fileCounts(path.relay);
    List<String> names = List.of("bench (viewers)", "synthetic server", path.name);
    List<Long> pids = List.of(ProcessHandle.current().pid(), server.pid(), path.relay.pid());
    List<OpenFiles.Share> shares = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      if (fds0.get(i) < 0 || fds1.get(i) < 0 || opened == 0) continue;
      shares.add(new OpenFiles.Share(names.get(i), pids.get(i), OpenFiles.limit(pids.get(i)), fds0.get(i),
          (fds1.get(i) - fds0.get(i)) / (double) opened));
    }
    OpenFiles.Share tight = OpenFiles.tightest(shares);
    long fits = tight == null ? Long.MAX_VALUE : tight.fits();
    int target = (int) Math.max(opened, Math.min(n, fits));
    JsonArray all = new JsonArray();
    shares.forEach(x -> all.add(x.json()));
    r.idleOpenFiles = new JsonObject().put("asked", n).put("opened", target).put("processes", all)
        .put("bound_by", target < n ? tight.process() : null);
    if (target < n) {
      r.idleOpenFiles.put("reason", String.format("%s holds %.2f open files per idle viewer (measured with the first %d) and"
          + " %d at rest, under an open-file limit of %d with %d spare: %d viewers fit, not %d", tight.process(), tight.perViewer(),
          opened, tight.atRest(), tight.limit(), OpenFiles.MARGIN, fits, n));
      out.line("  %-13s %s", path.name, r.idleOpenFiles.getString("reason"));
    }
    return target;
  }

  /** With --heap-histograms: the relay's live classes, written into the work folder. */
  private void histogram(RelayProcess relay, String name) {
    if (histograms == null) return;
    try {
      relay.heapHistogram(histograms.resolve("histogram-" + name + ".txt"));
    } catch (java.io.IOException e) {
      out.line("  could not write a heap histogram: %s", e.getMessage());
    }
  }

  private static String kib(long bytes, int n) {
    return String.format("%.1f KiB", bytes / 1024.0 / n);
  }

  /** CPU seconds of the bench's two ends: this JVM (the viewers) and the synthetic server's. */
  private double endpointsCpu() {
    return Proc.cpuSeconds(ProcessHandle.current().pid()) + Proc.cpuSeconds(server.pid());
  }

  private double[] relayCpu(RelayPath path) {
    return path.relay == null ? new double[2] : path.relay.cpuSeconds();
  }

  /** Opens up to {@code n} viewers, {@value #OPEN_CONCURRENCY} handshakes at a time; the ones that connected. */
  List<RfbViewer> openAll(RelayPath path, int n) {
    List<RfbViewer> opened = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger started = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    List<String> reasons = Collections.synchronizedList(new ArrayList<>());
    List<Future<Void>> chains = new ArrayList<>();
    for (int i = 0; i < Math.min(OPEN_CONCURRENCY, n); i++) {
      Promise<Void> done = Promise.promise();
      chains.add(done.future());
      loop.execute(() -> openNext(path, n, started, opened, failures, reasons, done));
    }
    try {
      Future.join(chains).toCompletionStage().toCompletableFuture().get(openTimeoutS(n), TimeUnit.SECONDS);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      out.line("  %s: opening %d viewers did not finish in %d s", path.name, n, openTimeoutS(n));
    }
    if (failures.get() > 0) {
      out.line("  %s: %d of %d viewers failed to connect, e.g. %s", path.name, failures.get(), n,
          reasons.isEmpty() ? "?" : reasons.get(0));
    }
    synchronized (opened) {
      return new ArrayList<>(opened);
    }
  }

  /** 120 s, and a second more per 20 viewers beyond 2,400 (10,000 on a loaded machine take minutes). */
  private static long openTimeoutS(int n) {
    return Math.max(OPEN_TIMEOUT_S, n / 20);
  }

  private void openNext(RelayPath path, int n, AtomicInteger started, List<RfbViewer> opened, AtomicInteger failures,
      List<String> reasons, Promise<Void> done) {
    if (started.getAndIncrement() >= n) {
      done.tryComplete();
      return;
    }
    path.open().onComplete(ar -> {
      if (ar.succeeded()) {
        opened.add(ar.result());
      } else {
        failures.incrementAndGet();
        if (reasons.size() < 3) reasons.add(String.valueOf(ar.cause().getMessage()));
      }
      openNext(path, n, started, opened, failures, reasons, done);
    });
  }

  void closeAll(List<RfbViewer> viewers) {
    onLoop(() -> {
      viewers.forEach(RfbViewer::close);
      return null;
    });
    List<Future<String>> closed = viewers.stream().map(RfbViewer::closed).toList();
    try {
      Future.join(closed).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      out.line("  some viewers did not close within 30 s");
    }
  }

  /** The relay closes its upstream side once the viewers are gone; wait for that (bounded). */
  private void awaitServerConnections(int target) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (server.connections() > target && System.nanoTime() < end) sleepMs(50);
  }

  /** Runs on the viewers' event loop and waits for the answer (also a memory barrier). */
  <T> T onLoop(Callable<T> task) {
    try {
      return loop.submit(task).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("event-loop task failed: " + e, e);
    }
  }

  static <T> T await(Future<T> f, long seconds) {
    return await(f, seconds, "an answer");
  }

  /** Waits for {@code f}; {@code what} names it in the error: "no answer within 30 s (waited for …)". */
  static <T> T await(Future<T> f, long seconds, String what) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer within " + seconds + " s (waited for " + what + ")");
    }
  }

  static void sleepS(double seconds) {
    sleepMs((long) (seconds * 1000));
  }

  static void sleepMs(long ms) {
    RelayProcess.sleep(ms);
  }
}
