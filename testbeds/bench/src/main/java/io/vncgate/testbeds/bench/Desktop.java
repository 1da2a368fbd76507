package io.vncgate.testbeds.bench;

import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * {@code testbeds/bench/run --scenario desktop}: a real desktop (issue #20). A TigerVNC Xvnc at
 * 1920×1080, depth 24, security None, with a scripted workload running the whole time (an xterm
 * scrolling a build log, {@link BusyXvnc}; a window moving, a photo-like region repainting and a
 * latency marker, {@link DesktopPainter}); 1, 20 and 100 noVNC-like viewers ({@link NoVncViewer})
 * through each path: direct TCP, websockify, websockify-js, vncgate's WebSocket and TCP fronts, and
 * vncgate's WebSocket front to a target with {@code sessions.sharing: fan-out}. Per path and
 * viewer count: updates and bytes a second per viewer, the marker's paint-to-viewer latency, the
 * relay's CPU per viewer, Xvnc's CPU; in interleaved rounds (the paths' order rotates each round),
 * every figure the median of the rounds with its spread.
 */
final class Desktop {
  static final String FAN_OUT = "vncgate-fan-out";
  static final List<String> PATHS = List.of(RelayPath.DIRECT, RelayPath.WEBSOCKIFY, RelayPath.WEBSOCKIFY_JS,
      RelayPath.VNCGATE_WS, RelayPath.VNCGATE_TCP, FAN_OUT);
  static final int WIDTH = 1920;
  static final int HEIGHT = 1080;
  private static final String TARGET = "desktop";
  private static final String SHARED_TARGET = "desktop-shared";
  private static final long OPEN_TIMEOUT_S = 120;

  static final String USAGE = """
      usage: testbeds/bench/run --scenario desktop [--quick | --smoke] [--json FILE] [--plots DIR] [--work DIR]
                                [--viewers 1,20,100] [--paths direct,...] [--rounds N] [--measure-s S]
                                [--noise-limit SHARE] [--publish] [--profile FILE.jfr]
        --viewers    viewer counts (default 1,20,100; --smoke 1,3)
        --paths      direct, websockify, websockify-js, vncgate-ws, vncgate-tcp, vncgate-fan-out (default: all)
        --rounds     interleaved rounds (default 5; --quick 3; --smoke 1)
        --measure-s  seconds each phase is measured, after its warm-up (default 10; --quick 4; --smoke 1)
        --profile    record JFR in the gateway during the measured rounds (a profile, not a published figure)
      """;

  private Desktop() {}

  /** One way to the desktop: opens a viewer (its link and handshake), given a ticket when it needs one. */
  private record Way(String name, String description, RelayProcess relay, String target,
      Function<String, Future<NoVncViewer>> opener) {
  }

  static JsonObject run(String[] args, PrintStream console) throws Exception {
    Options o = Options.parse(args);
    PrintLog out = new PrintLog(console);
    Noise noise = Noise.start(o.noiseLimit);
    Files.createDirectories(o.work);
    Instant started = Instant.now();
    double load0 = Proc.load1();
    out.line("vncgate desktop (%s): %d CPUs, %s; load average %.2f; work folder %s", o.mode,
        Runtime.getRuntime().availableProcessors(), Proc.cpuModel(), load0, o.work);
    Vertx viewerVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
        .setPreferNativeTransport(true));
    BusyXvnc xvnc = null;
    Process painter = null;
    List<RelayProcess> relays = new ArrayList<>();
    try {
      xvnc = BusyXvnc.start(WIDTH, HEIGHT, o.linesPerS, o.work, false);
      long xvncPid = xvnc.pid();
      Painter paints = new Painter();
      int port = xvnc.port();
      // the gateway (a JVM start-up and a token minted) starts while the rest does
      CompletableFuture<GatewayProcess> starting = CompletableFuture.completedFuture(null);
      if (o.paths.stream().anyMatch(p -> p.startsWith("vncgate"))) {
        GatewaySetup setup = new GatewaySetup("the desktop benchmark (testbeds/bench/run --scenario desktop)")
            .target(new GatewaySetup.Target(TARGET, "Xvnc 1920x1080", port, null))
            .target(new GatewaySetup.Target(SHARED_TARGET, "Xvnc 1920x1080, shared", port, null))
            .sessions("sharing: {\"static/" + SHARED_TARGET + "\": fan-out}")
            .sessions("fan-out-grace: " + FanOut.FAN_OUT_GRACE);
        starting = CompletableFuture.supplyAsync(() -> {
          try {
            return GatewayProcess.start(o.gatewayJar, o.work, setup, List.of());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
      WebsockifyProcess websockify = null;
      WebsockifyJsProcess websockifyJs = null;
      GatewayProcess gateway = null;
      try {
        painter = startPainter(xvnc.display(), o, paints);
        if (o.paths.contains(RelayPath.WEBSOCKIFY)) relays.add(websockify = WebsockifyProcess.start(o.work, port));
        Path benchDir = Path.of(System.getProperty("vncgate.bench.dir", "."));
        if (o.paths.contains(RelayPath.WEBSOCKIFY_JS)) {
          relays.add(websockifyJs = WebsockifyJsProcess.start(benchDir, o.work, port));
        }
      } finally {
        gateway = starting.get(120, TimeUnit.SECONDS);
        if (gateway != null) relays.add(gateway);
      }
      out.line("Xvnc %s :%d (pid %d); painter pid %d; %s", xvnc.display(), port, xvncPid, painter.pid(),
          relays.stream().map(r -> r.getClass().getSimpleName() + " pid " + r.pid()).toList());

      NetClient net = viewerVertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(10_000));
      EventLoop loop = ((ContextInternal) viewerVertx.getOrCreateContext()).nettyEventLoop();
      Tickets tickets = gateway == null ? null : new Tickets(viewerVertx, gateway.httpPort, gateway.token);
      int[] marker = DesktopPainter.markerPixel(WIDTH, HEIGHT);
      Map<String, Way> ways = new LinkedHashMap<>();
      for (String p : o.paths) ways.put(p, way(p, net, port, websockify, websockifyJs, gateway, marker));

      // the relays warm (the gateway's JIT) before anything counts
      for (Way w : ways.values()) {
        if (w.relay == null || o.gatewayWarmupS == 0) continue;
        Phase warm = phase(w, o.warmViewers, loop, tickets, xvncPid, paints, o.gatewayWarmupS / 2, o.gatewayWarmupS / 2, o);
        out.line("  warm-up %s: %d viewers, %.1f updates/s each, %d errors", w.name, o.warmViewers, warm.updatesPerS,
            warm.errors.size());
      }
      if (o.profile != null && gateway != null) gateway.startRecording(o.profile.toAbsolutePath());
      List<Phase> phases = new ArrayList<>();
      for (int r = 0; r < o.rounds; r++) {
        for (int ci = 0; ci < o.viewers.size(); ci++) {
          int n = o.viewers.get(ci);
          List<Way> order = new ArrayList<>(ways.values());
          java.util.Collections.rotate(order, -(r + ci));
          for (Way w : order) {
            Phase p;
            try {
              p = phase(w, n, loop, tickets, xvncPid, paints, o.warmupS, o.measureS, o);
            } catch (RuntimeException e) {
              // an error of the run, reported with the path and count; the other phases go on
              p = new Phase(w.name, n);
              p.failed = String.valueOf(e.getMessage());
              p.errors.add("the phase failed: " + e.getMessage());
              if (w.name.equals(FAN_OUT)) Phases.sleepS(1.5);
            }
            p.round = r + 1;
            phases.add(p);
            out.line("  round %d %s", r + 1, p.line());
          }
        }
      }
      Noise.Result quiet = noise.result();
      if (o.profile != null && gateway != null) {
        gateway.stopRecording();
        out.line("JFR recording of the gateway (the measured rounds): %s", o.profile.toAbsolutePath());
      }
      JsonObject logErrors = new JsonObject();
      for (RelayProcess rp : relays) logErrors.put(rp.getClass().getSimpleName(), rp.errorLines());
      DesktopReport report = new DesktopReport(o, phases, ways.values().stream()
          .map(w -> new String[] {w.name, w.description}).toList(), paints.describe(o), xvnc.describe(), quiet);
      String date = started.truncatedTo(ChronoUnit.SECONDS).toString();
      if (tickets != null && tickets.unanswered() > 0) {
        out.line("tickets: %d POST(s) got no answer within %d s and were sent again (the gateway's log has each answered)",
            tickets.unanswered(), Tickets.ANSWER_S);
      }
      JsonObject json = report.json().put("date", date).put("load_average_start", load0)
          .put("ticket_posts_sent_again", tickets == null ? 0 : tickets.unanswered())
          .put("load_average_end", Proc.load1()).put("log_errors", logErrors)
          .put("machine", Report.machine(WebsockifyProcess.version()));
      out.line("");
      out.line(report.table());
      if (tickets != null) Phases.await(tickets.close(), 10);
      Publication.Places to = Publication.places(o.publish, quiet, o.work, o.json, o.plots, out);
      to.writeJson(json, out);
      report.plots(to.plots(), date);
      out.line("summary: %s", to.plots().resolve("desktop.md").toAbsolutePath());
      to.finish();
      return json;
    } finally {
      noise.stop();
      if (painter != null) {
        painter.destroy();
        painter.waitFor(5, TimeUnit.SECONDS);
        painter.destroyForcibly();
      }
      relays.forEach(RelayProcess::close);
      if (xvnc != null) xvnc.close();
      viewerVertx.close();
    }
  }

  private static Way way(String name, NetClient net, int port, WebsockifyProcess websockify, WebsockifyJsProcess websockifyJs,
      GatewayProcess gateway, int[] marker) {
    return switch (name) {
      case RelayPath.DIRECT -> new Way(name, "TCP straight to Xvnc", null, null, t -> {
        NoVncViewer v = new NoVncViewer(null, marker);
        return TcpLink.connect(net, port, v).compose(x -> v.ready()).map(v);
      });
      case RelayPath.WEBSOCKIFY -> new Way(name, "WebSocket through websockify " + WebsockifyProcess.version()
          + " (a forked Python process per connection)", websockify, null, t -> ws(net, websockify.port, "/", List.of("binary"),
          new NoVncViewer(null, marker)));
      case RelayPath.WEBSOCKIFY_JS -> new Way(name, "WebSocket through websockify-js (node)", websockifyJs, null,
          t -> ws(net, websockifyJs.port, "/", List.of("binary"), new NoVncViewer(null, marker)));
      case RelayPath.VNCGATE_WS -> new Way(name, "WebSocket through vncgate (per-viewer sharing: one Xvnc connection each)",
          gateway, "static/" + TARGET, t -> ws(net, gateway.httpPort, "/ws/v1/connect",
          List.of("binary", "vncgate.ticket." + t), new NoVncViewer(null, marker)));
      case RelayPath.VNCGATE_TCP -> new Way(name, "TCP through vncgate's native-viewer front (VNC auth, ticket as password)",
          gateway, "static/" + TARGET, t -> {
            NoVncViewer v = new NoVncViewer(t, marker);
            return TcpLink.connect(net, gateway.tcpPort, v).compose(x -> v.ready()).map(v);
          });
      case FAN_OUT -> new Way(name, "WebSocket through vncgate to a target with sessions.sharing fan-out (one Xvnc"
          + " connection; the gateway re-encodes for each viewer)", gateway, "static/" + SHARED_TARGET,
          t -> ws(net, gateway.httpPort, "/ws/v1/connect", List.of("binary", "vncgate.ticket." + t), new NoVncViewer(null, marker)));
      default -> throw new IllegalArgumentException("unknown path " + name);
    };
  }

  private static Future<NoVncViewer> ws(NetClient net, int port, String path, List<String> protocols, NoVncViewer v) {
    return WsLink.connect(net, port, path, protocols, v).compose(x -> v.ready()).map(v);
  }

  /** The painter's marker paints ({@code M} lines) and its last counts ({@code F} lines), read from its output. */
  static final class Painter {
    private long[] paints = new long[1024];
    private int count;
    private volatile long[] counts = new long[3];
    private volatile long countsAt = System.nanoTime();
    private final long started = System.nanoTime();

    synchronized void paint(long nanos) {
      if (count == paints.length) paints = Arrays.copyOf(paints, count * 2);
      paints[count++] = nanos;
    }

    synchronized long[] between(long from, long to) {
      return Arrays.stream(paints, 0, count).filter(t -> t >= from && t < to).toArray();
    }

    void counts(long[] c) {
      counts = c;
      countsAt = System.nanoTime();
    }

    /** The rates the painter achieved since it started (image frames, moves, marker paints a second). */
    double[] rates() {
      double s = (countsAt - started) / 1e9;
      long[] c = counts;
      return new double[] {c[0] / s, c[1] / s, c[2] / s};
    }

    JsonObject describe(Options o) {
      double[] r = rates();
      int[] img = DesktopPainter.imageAt(WIDTH, HEIGHT);
      int[] strip = DesktopPainter.moverStrip(WIDTH, HEIGHT);
      int[] m = DesktopPainter.markerAt(WIDTH, HEIGHT);
      return new JsonObject()
          .put("image_region", DesktopPainter.IMAGE_W + "x" + DesktopPainter.IMAGE_H + " at " + img[0] + "," + img[1]
              + ": a photo-like picture panned (3, 2) pixels a frame")
          .put("image_hz", o.imageHz).put("image_hz_achieved", PathResult.round(r[0], 2))
          .put("moving_window", DesktopPainter.MOVER_W + "x" + DesktopPainter.MOVER_H + " of text, moved "
              + DesktopPainter.MOVE_STEP + " px a step to and fro between x " + strip[0] + " and " + strip[1] + " at y " + strip[2])
          .put("move_hz", o.moveHz).put("move_hz_achieved", PathResult.round(r[1], 2))
          .put("marker", DesktopPainter.MARKER + "x" + DesktopPainter.MARKER + " at " + m[0] + "," + m[1]
              + ", filled with the other of two colours at a random moment of each period, then XSync, then its time")
          .put("marker_hz", o.markerHz).put("marker_hz_achieved", PathResult.round(r[2], 2))
          .put("xterm_lines_per_s", o.linesPerS);
    }
  }

  private static Process startPainter(String display, Options o, Painter paints) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(GatewayProcess.java(), "-Xmx128m", "-cp", System.getProperty("java.class.path"),
        DesktopPainter.class.getName(), String.valueOf(WIDTH), String.valueOf(HEIGHT), String.valueOf(o.imageHz),
        String.valueOf(o.moveHz), String.valueOf(o.markerHz));
    pb.environment().put("DISPLAY", display);
    pb.redirectError(o.work.resolve("painter.log").toFile());
    Process p = pb.start();
    Promise<Void> first = Promise.promise();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
        String line;
        while ((line = r.readLine()) != null) {
          String[] f = line.split(" ");
          if (f[0].equals("M")) {
            paints.paint(Long.parseLong(f[1]));
            first.tryComplete();
          } else if (f[0].equals("F")) {
            paints.counts(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])});
          }
        }
      } catch (IOException | RuntimeException e) {
        // the painter ended
      }
      first.tryFail("the painter ended before its first paint; see " + o.work.resolve("painter.log"));
    }, "desktop-painter-output");
    reader.setDaemon(true);
    reader.start();
    Phases.await(first.future(), 30, "the painter's first marker paint");
    OutputStream keep = p.getOutputStream(); // its standard input stays open: it ends when it closes
    if (keep == null) throw new IOException("no pipe to the painter");
    return p;
  }

  /** One phase's readings. */
  static final class Phase {
    final String path;
    final int viewers;
    int round;
    double seconds;
    double updatesPerS;
    double bytesPerS;
    double minUpdatesPerS;
    long bytes;
    /** Why the phase could not be measured (its viewers did not all open), or null. */
    String failed;
    Latencies latencies = new Latencies();
    int paints;
    int lost;
    double relayCpuS;
    double xvncCpuS;
    double load;
    List<String> errors = new ArrayList<>();
    Map<Integer, Long> rectangles = new TreeMap<>();
    Map<String, Long> tight = new TreeMap<>();
    int continuousUpdates;
    long fences;

    Phase(String path, int viewers) {
      this.path = path;
      this.viewers = viewers;
    }

    double relayCpuPerViewer() {
      return relayCpuS / seconds / viewers;
    }

    /** The relay's CPU milliseconds per MB (10^6 bytes) its viewers received: what a path costs for what it delivers. */
    double relayCpuMsPerMb() {
      return bytes == 0 ? Double.NaN : relayCpuS * 1000 / (bytes / 1e6);
    }

    String line() {
      if (failed != null) return path + " " + viewers + " viewers: FAILED: " + failed;
      return String.format(java.util.Locale.ROOT,
          "%-16s %3d viewers: %5.1f updates/s, %7.0f KB/s each; marker p50 %s p99 %s ms (%d lost); relay %.1f ms CPU/s"
              + " per viewer; Xvnc %.0f ms CPU/s; %d errors; load %.1f",
          path, viewers, updatesPerS, bytesPerS / 1000, latencies.count() == 0 ? "-" : String.format("%.1f", latencies.percentileMs(50)),
          latencies.count() == 0 ? "-" : String.format("%.1f", latencies.percentileMs(99)), lost,
          relayCpuPerViewer() * 1000, xvncCpuS / seconds * 1000, errors.size(), load);
    }
  }

  /** n viewers on one way: opened, warmed, measured, closed. */
  private static Phase phase(Way w, int n, EventLoop loop, Tickets tickets, long xvncPid, Painter paints, double warmupS,
      double measureS, Options o) {
    Phase p = new Phase(w.name, n);
    List<NoVncViewer> viewers = open(w, n, loop, tickets);
    try {
      Phases.sleepS(warmupS);
      long[] u0 = viewers.stream().mapToLong(NoVncViewer::updates).toArray();
      long[] b0 = viewers.stream().mapToLong(NoVncViewer::received).toArray();
      double relay0 = relayCpu(w);
      double xvnc0 = Proc.cpuSeconds(xvncPid);
      long t0 = System.nanoTime();
      Phases.sleepS(measureS);
      long t1 = System.nanoTime();
      double relay1 = relayCpu(w);
      double xvnc1 = Proc.cpuSeconds(xvncPid);
      long[] u1 = viewers.stream().mapToLong(NoVncViewer::updates).toArray();
      long[] b1 = viewers.stream().mapToLong(NoVncViewer::received).toArray();
      p.load = Proc.load1();
      p.seconds = (t1 - t0) / 1e9;
      p.relayCpuS = relay1 - relay0;
      p.xvncCpuS = xvnc1 - xvnc0;
      double[] ups = new double[n];
      double[] bps = new double[n];
      for (int i = 0; i < n; i++) {
        ups[i] = (u1[i] - u0[i]) / p.seconds;
        bps[i] = (b1[i] - b0[i]) / p.seconds;
      }
      p.updatesPerS = median(ups);
      p.bytesPerS = median(bps);
      p.minUpdatesPerS = Arrays.stream(ups).min().orElse(0);
      for (int i = 0; i < n; i++) p.bytes += b1[i] - b0[i];
      // the paints of the measured window, each timed to the first rectangle holding the marker after it
      Phases.sleepS(o.lostAfterS);
      long lostAfterNs = (long) (o.lostAfterS * 1e9);
      long[] painted = paints.between(t0, t1);
      p.paints = painted.length;
      for (NoVncViewer v : viewers) {
        long[] seen = v.markerTimes();
        for (long t : painted) {
          int k = Arrays.binarySearch(seen, t);
          if (k < 0) k = -k - 1;
          if (k < seen.length && seen[k] - t <= lostAfterNs) p.latencies.add(seen[k] - t);
          else p.lost++;
        }
        v.rectangles().forEach((e, c) -> p.rectangles.merge(e, c, Long::sum));
        v.tightKinds().forEach((k, c) -> p.tight.merge(k, c, Long::sum));
        if (v.continuousUpdates()) p.continuousUpdates++;
        p.fences += v.fences();
        if (!v.isOpen()) p.errors.add(v.closed().result());
      }
      return p;
    } finally {
      close(viewers, loop);
      if (w.name.equals(FAN_OUT)) Phases.sleepS(1.5); // the shared session ends after its grace, out of the next phase
    }
  }

  private static double relayCpu(Way w) {
    if (w.relay == null) return 0;
    double[] c = w.relay.cpuSeconds();
    return c[0] + c[1];
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /**
   * Opens n viewers in batches of {@link #BATCH} (each batch has had its first updates before the
   * next connects: a class arriving over a few seconds, not in one millisecond).
   */
  private static List<NoVncViewer> open(Way w, int n, EventLoop loop, Tickets tickets) {
    List<NoVncViewer> all = new ArrayList<>();
    try {
      for (int i = 0; i < n; i += BATCH) all.addAll(openBatch(w, Math.min(BATCH, n - i), loop, tickets));
    } catch (RuntimeException e) {
      close(all, loop);
      throw e;
    }
    return all;
  }

  private static final int BATCH = 5;

  /** Opens n viewers (tickets first, when the way needs them) and waits until each has had an update. */
  private static List<NoVncViewer> openBatch(Way w, int n, EventLoop loop, Tickets tickets) {
    List<String> issued = w.target == null ? java.util.Collections.nCopies(n, null)
        : Phases.await(Future.all(IntStream.range(0, n).mapToObj(i -> tickets.next(w.target)).toList())
            .map(cf -> cf.<String>list()), 120, n + " tickets");
    List<NoVncViewer> viewers = java.util.Collections.synchronizedList(new ArrayList<>());
    Promise<List<Future<NoVncViewer>>> started = Promise.promise();
    loop.execute(() -> {
      List<Future<NoVncViewer>> firsts = new ArrayList<>();
      for (String t : issued) {
        Promise<NoVncViewer> first = Promise.promise();
        firsts.add(first.future());
        w.opener.apply(t).onComplete(r -> {
          if (r.failed()) {
            first.tryFail(r.cause());
            return;
          }
          NoVncViewer v = r.result();
          viewers.add(v);
          v.listener(x -> first.tryComplete(x));
          v.closed().onComplete(c -> first.tryFail("closed before its first update: " + c.result()));
        });
      }
      started.complete(firsts);
    });
    List<Future<NoVncViewer>> firsts = Phases.await(started.future(), 10, "the viewers' connects to start");
    try {
      return new ArrayList<>(Phases.await(Future.all(firsts).map(cf -> cf.<NoVncViewer>list()), OPEN_TIMEOUT_S,
          n + " viewers' first updates through " + w.name));
    } catch (RuntimeException e) {
      List<NoVncViewer> all = new ArrayList<>(viewers);
      long updated = all.stream().filter(v -> v.updates() > 0).count();
      List<String> why = all.stream().filter(v -> !v.isOpen()).map(v -> v.closed().result()).distinct().limit(3).toList();
      close(all, loop);
      throw new IllegalStateException(e.getMessage() + ": " + all.size() + " of " + n + " past ServerInit, " + updated
          + " with an update, " + all.stream().mapToLong(NoVncViewer::received).sum() + " bytes received; closed: " + why, e);
    }
  }

  private static void close(List<NoVncViewer> viewers, EventLoop loop) {
    List<NoVncViewer> all = List.copyOf(viewers);
    if (all.isEmpty()) return;
    loop.execute(() -> all.forEach(NoVncViewer::close));
    try {
      Future.join(all.stream().map(NoVncViewer::closed).toList()).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // a viewer that does not see its close within 30 s is left to the event loop's shutdown
    }
  }

  record Options(String mode, Path work, Path json, Path plots, Path gatewayJar, List<Integer> viewers, List<String> paths,
      int rounds, double warmupS, double measureS, double imageHz, double moveHz, double markerHz, double linesPerS,
      int warmViewers, double gatewayWarmupS, double lostAfterS, double noiseLimit, boolean publish, Path profile) {

    JsonObject settingsJson() {
      return new JsonObject().put("mode", mode).put("viewers", viewers).put("paths", paths).put("rounds", rounds)
          .put("warmup_s", warmupS).put("measure_s", measureS).put("framebuffer", WIDTH + "x" + HEIGHT + " depth 24")
          .put("gateway_warmup_s", gatewayWarmupS).put("gateway_warmup_viewers", warmViewers)
          .put("viewer", "noVNC 1.7's handshake and answers (NoVncViewer): SetPixelFormat 32 bpp depth 24 little-endian;"
              + " SetEncodings " + Arrays.toString(NoVncViewer.ENCODINGS) + "; an incremental request after each update"
              + " until EndOfContinuousUpdates turns continuous updates on; Fence requests echoed; extended clipboard caps"
              + " answered")
          .put("latency", "marker paint (after XSync, in the painter) to the end of the first rectangle holding the"
              + " marker's centre pixel that the viewer received after it; a paint not seen within "
              + lostAfterS + " s is lost");
    }

    static Options parse(String[] args) {
      String mode = "full";
      Path work = null;
      Path json = null;
      Path plots = null;
      Path jar = null;
      List<Integer> viewers = null;
      List<String> paths = PATHS;
      Integer rounds = null;
      Double measureS = null;
      double noiseLimit = Noise.DEFAULT_LIMIT;
      boolean publish = false;
      Path profile = null;
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
          case "--profile" -> profile = Path.of(value(args, ++i, a));
          case "--viewers" -> viewers = Arrays.stream(value(args, ++i, a).split(",")).map(v -> positive(v, a)).toList();
          case "--paths" -> {
            paths = List.of(value(args, ++i, a).split(","));
            for (String p : paths) {
              if (!PATHS.contains(p)) throw new IllegalArgumentException("--paths takes " + PATHS + ", not " + p);
            }
          }
          case "--rounds" -> rounds = positive(value(args, ++i, a), a);
          case "--measure-s" -> {
            measureS = Double.parseDouble(value(args, ++i, a));
            if (!(measureS > 0)) throw new IllegalArgumentException("--measure-s takes seconds above 0");
          }
          case "-h", "--help" -> throw new IllegalArgumentException("help");
          default -> throw new IllegalArgumentException("unknown option " + a + " for --scenario desktop");
        }
      }
      if (jar == null) {
        String prop = System.getProperty("vncgate.jar");
        if (prop == null) throw new IllegalArgumentException("--gateway-jar is required (the launcher passes it)");
        jar = Path.of(prop);
      }
      boolean smoke = mode.equals("smoke");
      boolean quick = mode.equals("quick");
      if (viewers == null) viewers = smoke ? List.of(1, 3) : List.of(1, 20, 100);
      if (rounds == null) rounds = smoke ? 1 : quick ? 3 : 5;
      if (work == null) work = Path.of("target", "desktop-" + mode);
      if (json == null) json = work.resolve("desktop.json");
      if (plots == null) plots = work;
      if (measureS == null) measureS = smoke ? 0.6 : quick ? 4.0 : 10.0;
      return new Options(mode, work, json, plots, jar, viewers, paths, rounds, smoke ? 0.2 : quick ? 1.0 : 3.0, measureS,
          10, 20, 5, 20, smoke || quick ? 4 : 20, smoke ? 0 : quick ? 2 : 20, smoke ? 0.4 : 1.0, noiseLimit, publish, profile);
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
