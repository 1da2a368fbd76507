package io.vncgate.testbeds.bench;

import io.netty.channel.EventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * {@code testbeds/bench/run --scenario fan-out}: one busy upstream, 1, 10 and 50 viewers through
 * the gateway, each target once with {@code per-viewer} sharing (every viewer its own upstream
 * connection) and once with {@code fan-out} (all viewers on one upstream, the gateway keeping the
 * framebuffer and encoding per viewer). Upstreams: a real Xvnc with a scrolling terminal
 * ({@link BusyXvnc}) and the synthetic server's changing desktop ({@link ChangingDesktop}). A
 * counting TCP relay in this process between the gateway and each upstream gives the bytes on
 * the upstream wire; /proc gives the VNC server's and the gateway's CPU and the gateway's RSS,
 * {@code jcmd} its heap after a full GC; the controller's key-to-screen round trip is timed with
 * the observers attached.
 */
final class FanOut {
  static final String PER_VIEWER = "per-viewer";
  static final String FAN_OUT = "fan-out";
  static final List<String> MODES = List.of(PER_VIEWER, FAN_OUT);
  static final String XVNC = "xvnc";
  static final String SYNTHETIC = "synthetic";
  static final List<String> UPSTREAMS = List.of(XVNC, SYNTHETIC);
  /**
   * The gateway's {@code sessions.fan-out-grace} here: short, so that each phase (and the
   * baseline without viewers) starts without the previous phase's session and framebuffer.
   */
  static final String FAN_OUT_GRACE = "1s";

  static final String USAGE = """
      usage: testbeds/bench/run --scenario fan-out [--quick | --smoke] [--json FILE] [--plots DIR] [--work DIR]
                                [--viewers 1,10,50] [--modes per-viewer,fan-out] [--upstreams xvnc,synthetic]
                                [--measure-s 15] [--round-trips 100] [--noise-limit SHARE] [--publish]
        --viewers    viewer counts, one phase each (default 1,10,50; --smoke 1,3)
        --modes      the gateway's sessions.sharing for the targets: per-viewer (no sharing key: the
                     default), fan-out ({"static/xvnc": fan-out, "static/synthetic": fan-out})
        --upstreams  xvnc (a real Xvnc with a scrolling xterm), synthetic (the bench's changing desktop)
        --measure-s  seconds each phase is measured, after its warm-up (default 15; --quick 5; --smoke 1.5)
        --round-trips  the controller's key round trips per phase (default 100; --quick 30; --smoke 5)
      """;

  private FanOut() {}

  /** Runs the scenario; returns the JSON written. */
  static JsonObject run(String[] args, PrintStream console) throws Exception {
    Options o = Options.parse(args);
    PrintLog out = new PrintLog(console);
    Noise noise = Noise.start(o.noiseLimit);
    Files.createDirectories(o.work);
    Instant started = Instant.now();
    out.line("vncgate fan-out (%s): %d CPUs, %s, TCP congestion control %s; work folder %s", o.mode,
        Runtime.getRuntime().availableProcessors(), Proc.cpuModel(), Proc.tcpCongestionControl(), o.work);
    VertxOptions oneLoop = new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setPreferNativeTransport(true);
    Vertx serverVertx = Vertx.vertx(oneLoop);
    Vertx proxyVertx = Vertx.vertx(oneLoop);
    Vertx viewerVertx = Vertx.vertx(oneLoop);
    BusyXvnc xvnc = null;
    GatewayProcess gateway = null;
    try {
      List<Upstream> upstreams = new ArrayList<>();
      if (o.upstreams.contains(XVNC)) {
        xvnc = BusyXvnc.start(o.width, o.height, o.linesPerSecond, o.work);
        long pid = xvnc.pid();
        BusyXvnc x = xvnc;
        upstreams.add(new Upstream(XVNC, proxy(proxyVertx, xvnc.port()), () -> Proc.cpuSeconds(pid), x::lines,
            new FanOutViewers.Probe(BusyXvnc.PROBE_X, BusyXvnc.PROBE_Y, BusyXvnc.RED, BusyXvnc.BLUE,
                new int[] {BusyXvnc.POINTER_X, BusyXvnc.POINTER_Y}),
            xvnc.describe()));
      }
      if (o.upstreams.contains(SYNTHETIC)) {
        SyntheticRfbServer synthetic = new SyntheticRfbServer(serverVertx, o.width, o.height)
            .changing(o.rateHz, o.block, o.block);
        int port = Phases.await(synthetic.listen(), 10);
        long thread = loopThread(serverVertx);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        upstreams.add(new Upstream(SYNTHETIC, proxy(proxyVertx, port), () -> threads.getThreadCpuTime(thread) / 1e9,
            synthetic::redraws,
            new FanOutViewers.Probe(ChangingDesktop.MARKER_SIZE / 2, ChangingDesktop.MARKER_SIZE / 2,
                ChangingDesktop.MARKER_COLOURS[0], ChangingDesktop.MARKER_COLOURS[1], null),
            "the bench's synthetic RFB server (its event loop thread's CPU), " + synthetic.describe()));
      }
      for (Upstream u : upstreams) out.line("upstream %s: %s; counting relay :%d", u.name, u.description, u.proxyPort);

      NetClient net = viewerVertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setTcpQuickAck(true)
          .setConnectTimeout(10_000));
      EventLoop loop = ((ContextInternal) viewerVertx.getOrCreateContext()).nettyEventLoop();
      List<FanOutReport.Phase> phases = new ArrayList<>();
      List<FanOutReport.Baseline> baselines = new ArrayList<>();
      JsonObject logErrors = new JsonObject();
      for (String mode : o.modes) {
        GatewaySetup setup = new GatewaySetup("the fan-out benchmark (testbeds/bench/run --scenario fan-out)");
        for (Upstream u : upstreams) setup.target(new GatewaySetup.Target(u.name, u.name, u.proxyPort, null));
        if (mode.equals(FAN_OUT)) {
          setup.sessions(sharing(upstreams));
          setup.sessions("fan-out-grace: " + FAN_OUT_GRACE);
        }
        Path dir = o.work.resolve(mode);
        Files.createDirectories(dir);
        gateway = GatewayProcess.start(o.gatewayJar, dir, setup, List.of());
        out.line("%s: vncgate :%d ws / :%d tcp (pid %d), config %s", mode, gateway.httpPort, gateway.tcpPort, gateway.pid(),
            dir.resolve("vncgate.yaml"));
        Tickets tickets = new Tickets(viewerVertx, gateway.httpPort, gateway.token);
        // a gateway in service is warm: its relay (and encoders) compiled before anything is timed
        warmUp(net, loop, tickets, gateway, upstreams, o);
        for (Upstream u : upstreams) {
          upstreams.forEach(FanOut::awaitUpstreamsClosed); // no session of any target in the baseline
          OptionalLong heap0 = gateway.heapAfterGc();
          baselines.add(new FanOutReport.Baseline(u.name, mode, Proc.rssBytes(gateway.pid()), heap0.orElse(-1)));
          for (int n : o.viewers) {
            FanOutReport.Phase p = phase(net, loop, tickets, gateway, u, mode, n, o);
            phases.add(p);
            out.line("  %s", p.line());
          }
        }
        logErrors.put(mode, gateway.errorLines());
        Phases.await(tickets.close(), 10);
        gateway.close();
        gateway = null;
      }

      Noise.Result quiet = noise.result();
      FanOutReport report = new FanOutReport(Report.machine(WebsockifyProcess.version()), o.settingsJson(),
          upstreams.stream().map(u -> new String[] {u.name, u.description}).toList(), baselines, phases, quiet);
      String date = started.truncatedTo(ChronoUnit.SECONDS).toString();
      JsonObject json = report.json().put("date", date).put("log_errors", logErrors);
      out.line("");
      out.line(report.table());
      Publication.Places to = Publication.places(o.publish, quiet, o.work, o.json, o.plots, out);
      to.writeJson(json, out);
      Files.writeString(to.plots().resolve("fan-out.md"), report.markdown(date));
      out.line("summary: %s", to.plots().resolve("fan-out.md").toAbsolutePath());
      to.finish();
      return json;
    } finally {
      noise.stop();
      if (gateway != null) gateway.close();
      if (xvnc != null) xvnc.close();
      viewerVertx.close();
      proxyVertx.close();
      serverVertx.close();
    }
  }

  /** The {@code sessions.sharing} line that puts every bench target on one upstream. */
  static String sharing(List<Upstream> upstreams) {
    List<String> entries = upstreams.stream().map(u -> "\"static/" + u.name + "\": " + FAN_OUT).toList();
    return "sharing: {" + String.join(", ", entries) + "}";
  }

  /**
   * One bench target: the counting relay in front of its VNC server, its CPU, how often its
   * content changed (lines the xterm printed, the synthetic block's redraws), where a key shows.
   */
  record Upstream(String name, CountingProxy proxy, int proxyPort, DoubleSupplier cpuSeconds, LongSupplier changes,
      FanOutViewers.Probe probe, String description) {
    Upstream(String name, CountingProxyAt at, DoubleSupplier cpu, LongSupplier changes, FanOutViewers.Probe probe,
        String description) {
      this(name, at.proxy(), at.port(), cpu, changes, probe, description);
    }

    String target() {
      return "static/" + name;
    }
  }

  private record CountingProxyAt(CountingProxy proxy, int port) {
  }

  private static CountingProxyAt proxy(Vertx vertx, int targetPort) {
    CountingProxy p = new CountingProxy(vertx, targetPort);
    return new CountingProxyAt(p, Phases.await(p.listen(), 10));
  }

  /** The thread id of a one-loop Vert.x instance's event loop. */
  private static long loopThread(Vertx vertx) throws Exception {
    CompletableFuture<Long> id = new CompletableFuture<>();
    vertx.runOnContext(v -> id.complete(Thread.currentThread().getId()));
    return id.get(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** A few viewers on each target for a while, and some round trips; nothing is recorded. */
  private static void warmUp(NetClient net, EventLoop loop, Tickets tickets, GatewayProcess gateway, List<Upstream> upstreams,
      Options o) {
    for (Upstream u : upstreams) {
      FanOutViewers v = new FanOutViewers(net, loop, tickets, gateway.httpPort, gateway.tcpPort);
      try {
        v.open(u.target(), o.warmViewers, u.probe);
        RelayProcess.sleep((long) (o.gatewayWarmupS * 1000 / upstreams.size()));
        v.roundTrips(u.probe, Math.max(3, o.roundTrips / 10), o.gapMs, o.rttTimeoutMs);
      } finally {
        v.close();
      }
    }
  }

  /** One phase: n viewers on one target, warmed up, measured, round trips timed; then closed. */
  private static FanOutReport.Phase phase(NetClient net, EventLoop loop, Tickets tickets, GatewayProcess gateway,
      Upstream u, String mode, int n, Options o) {
    awaitUpstreamsClosed(u);
    FanOutViewers viewers = new FanOutViewers(net, loop, tickets, gateway.httpPort, gateway.tcpPort);
    try {
      viewers.open(u.target(), n, u.probe);
      RelayProcess.sleep((long) (o.warmupS * 1000));
      u.proxy.resetMostOpen();
      int opened0 = u.proxy.opened();
      long bytes0 = u.proxy.fromServer();
      double target0 = u.cpuSeconds.getAsDouble();
      long changes0 = u.changes.getAsLong();
      double[] gw0 = gateway.cpuSeconds();
      FanOutViewers.Reading r0 = viewers.read();
      RelayProcess.sleep((long) (o.measureS * 1000));
      FanOutViewers.Reading r1 = viewers.read();
      double[] gw1 = gateway.cpuSeconds();
      double target1 = u.cpuSeconds.getAsDouble();
      long bytes1 = u.proxy.fromServer();
      long changes = u.changes.getAsLong() - changes0;
      long rss = Proc.rssBytes(gateway.pid());
      int mostOpen = u.proxy.mostOpen();
      int opened = u.proxy.opened() - opened0;
      double seconds = (r1.nanos() - r0.nanos()) / 1e9;
      double load = Proc.load1();
      FanOutViewers.RoundTrips rtt = viewers.roundTrips(u.probe, o.roundTrips, o.gapMs, o.rttTimeoutMs);
      long heap = gateway.heapAfterGc().orElse(-1); // after the round trips: a full GC would stall them
      return new FanOutReport.Phase(u.name, mode, n, viewers.websocketViewers(), seconds, changes, bytes1 - bytes0, mostOpen,
          opened,
          target1 - target0, gw1[0] - gw0[0], gw1[1] - gw0[1], rss, heap, r1.updates() - r0.updates(),
          r1.bytes() - r0.bytes(), r1.slowestUpdates() - r0.slowestUpdates(), rtt.latencies(), rtt.lost(), o.roundTrips,
          rtt.seenBefore(), load, viewers.closedReasons());
    } finally {
      viewers.close();
    }
  }

  /**
   * The previous phase's upstream connections end with its viewers (with fan-out after the
   * grace): wait (15 s at most) so that neither they nor their session count in this phase.
   */
  private static void awaitUpstreamsClosed(Upstream u) {
    long end = System.nanoTime() + 15_000_000_000L;
    while (u.proxy.open() > 0 && System.nanoTime() < end) RelayProcess.sleep(50);
  }

  record Options(String mode, Path work, Path json, Path plots, Path gatewayJar, List<Integer> viewers, List<String> modes,
      List<String> upstreams, double warmupS, double measureS, int roundTrips, long gapMs, long rttTimeoutMs,
      int width, int height, double rateHz, int block, double linesPerSecond, int warmViewers, double gatewayWarmupS,
      double noiseLimit, boolean publish) {

    JsonObject settingsJson() {
      return new JsonObject().put("mode", mode).put("viewers", viewers).put("modes", modes).put("upstreams", upstreams)
          .put("warmup_s", warmupS).put("measure_s", measureS).put("round_trips", roundTrips)
          .put("round_trip_gap_ms", gapMs).put("round_trip_timeout_ms", rttTimeoutMs)
          .put("framebuffer", width + "x" + height)
          .put("viewer_encodings", "ZRLE, CopyRect, Raw; the server's 32 bpp; one incremental request outstanding per viewer")
          .put("viewer_fronts", "controller on the TCP front; observers alternate WebSocket, TCP")
          .put("synthetic_rate_hz", rateHz).put("synthetic_block", block + "x" + block)
          .put("xvnc_lines_per_s", linesPerSecond)
          .put("fan_out_grace", FAN_OUT_GRACE)
          .put("gateway_warmup_s", gatewayWarmupS).put("gateway_warmup_viewers", warmViewers);
    }

    static Options parse(String[] args) {
      String mode = "full";
      Path work = null;
      Path json = null;
      Path plots = null;
      Path jar = null;
      List<Integer> viewers = null;
      List<String> modes = MODES;
      List<String> upstreams = UPSTREAMS;
      Double measureS = null;
      Integer roundTrips = null;
      double noiseLimit = Noise.DEFAULT_LIMIT;
      boolean publish = false;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--quick" -> mode = "quick";
          case "--smoke" -> mode = "smoke";
          case "--full" -> mode = "full";
          case "--noise-limit" -> noiseLimit = Publication.noiseLimit(value(args, ++i, a));
          case "--publish" -> publish = true;
          case "--work" -> work = Path.of(value(args, ++i, a));
          case "--json" -> json = Path.of(value(args, ++i, a));
          case "--plots" -> plots = Path.of(value(args, ++i, a));
          case "--gateway-jar" -> jar = Path.of(value(args, ++i, a));
          case "--viewers" -> viewers = Arrays.stream(value(args, ++i, a).split(",")).map(v -> positive(v, a)).toList();
          case "--modes" -> modes = oneOf(value(args, ++i, a), MODES, a);
          case "--upstreams" -> upstreams = oneOf(value(args, ++i, a), UPSTREAMS, a);
          case "--measure-s" -> measureS = seconds(value(args, ++i, a), a);
          case "--round-trips" -> roundTrips = positive(value(args, ++i, a), a);
          case "-h", "--help" -> throw new IllegalArgumentException("help");
          default -> throw new IllegalArgumentException("unknown option " + a + " for --scenario fan-out");
        }
      }
      if (jar == null) {
        String prop = System.getProperty("vncgate.jar");
        if (prop == null) throw new IllegalArgumentException("--gateway-jar is required (the launcher passes it)");
        jar = Path.of(prop);
      }
      boolean smoke = mode.equals("smoke");
      boolean quick = mode.equals("quick");
      if (viewers == null) viewers = smoke ? List.of(1, 3) : List.of(1, 10, 50);
      if (measureS == null) measureS = smoke ? 1.5 : quick ? 5.0 : 15.0;
      if (roundTrips == null) roundTrips = smoke ? 5 : quick ? 30 : 100;
      if (work == null) work = Path.of("target", "fan-out-" + mode);
      if (json == null) json = work.resolve("fan-out.json");
      if (plots == null) plots = work;
      return new Options(mode, work, json, plots, jar, viewers, modes, upstreams, smoke ? 0.5 : quick ? 2 : 5, measureS,
          roundTrips, 100, 5_000, smoke ? 640 : 1024, smoke ? 480 : 768, 30, smoke ? 128 : 256, 20, smoke ? 2 : 4,
          smoke ? 1 : quick ? 4 : 10, noiseLimit, publish);
    }

    private static List<String> oneOf(String value, List<String> allowed, String option) {
      List<String> out = List.of(value.split(","));
      for (String v : out) {
        if (!allowed.contains(v)) throw new IllegalArgumentException(option + " takes " + allowed + ", not " + v);
      }
      return out;
    }

    private static double seconds(String v, String option) {
      try {
        double d = Double.parseDouble(v.trim());
        if (d > 0) return d;
      } catch (NumberFormatException e) {
        // said below
      }
      throw new IllegalArgumentException(option + " takes seconds above 0, not " + v);
    }

    private static int positive(String v, String option) {
      try {
        int n = Integer.parseInt(v.trim());
        if (n >= 1) return n;
      } catch (NumberFormatException e) {
        // said below
      }
      throw new IllegalArgumentException(option + " takes whole numbers from 1, not " + v);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
      return args[i];
    }
  }
}
