package io.vncgate.testbeds.bench;

import io.netty.channel.EventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code testbeds/bench/run [--quick|--smoke] [--json FILE] [--plots DIR]}: one run on loopback, one
 * synthetic RFB server, six ways to reach it (direct TCP, websockify, websockify-js, vncgate's WebSocket front,
 * vncgate's TCP front, and vncgate's WebSocket front to a fan-out target: one upstream, every viewer
 * served from the gateway's framebuffer, its round trip a key's), each measured for throughput, relay CPU per GB, round trips at 1 and at
 * many viewers, and memory per idle viewer. Prints a table, writes JSON and SVG plots. With
 * {@code --scenario class-start}, the class start against a real Xvnc instead ({@link ClassStart});
 * with {@code --scenario fan-out}, many viewers of one busy upstream ({@link FanOut}); with
 * {@code --scenario desktop}, noVNC-like viewers of a real busy desktop through each path ({@link Desktop}).
 */
public final class Bench {
  private static final String USAGE = """
      usage: testbeds/bench/run [--scenario relay] [--quick | --smoke] [--json FILE] [--plots DIR] [--work DIR]
                                [--gateway-jar FILE] [--gateway-jvm-opts "OPTS"] [--profile FILE.jfr]
                                [--only PATH,...] [--skip-idle] [--skip-rtt] [--heap-histograms]
                                [--zero-copy auto|always|never] [--idle N] [--noise-limit SHARE] [--publish]
                                [--gateway-pacing-defaults]
        --quick      the same shape in under a minute (fewer samples, 600 idle viewers)
        --smoke      a few seconds; figures are well-formed, not meaningful (the test suite runs this)
        --json       where the results go (default: WORK/results.json)
        --plots      where the SVG plots and summary.md go (default: WORK/plots)
        --profile    record JFR in the gateway while the vncgate paths run
        --only       just these paths, no report (for experiments): direct,websockify,websockify-js,vncgate-ws,vncgate-tcp,
                     vncgate-fanout (the WebSocket front to a fan-out target of the same server: one upstream,
                     each viewer served from the gateway's framebuffer; its round trip is key -> update)
        --skip-idle, --skip-rtt  leave out those phases (with --only)
        --heap-histograms  the gateway's live classes before and with the idle viewers, into WORK
        --gateway-pacing-defaults  the gateway's own limits.upstream (3 handshakes per target at a time,
                     TigerVNC's blacklist) instead of 64 at a time and no blacklist, which fit the
                     synthetic server
        --zero-copy  the gateway's server.zero-copy (default: its own default, auto)
        --idle N     N idle viewers for the gateway and websockify-js (default 2,000; --quick 600), up to
                     10,000: needs about N+256 open files in the bench and in its synthetic server (the launcher raises
                     the soft limit to the hard one); a relay that cannot hold N gets as many as
                     its limit fits, measured and said in the JSON (idle_open_files)
        --noise-limit  (every scenario) a run is noisy when other processes or steal took more than this
                     share of the CPUs (default 0.10); a noisy run is never published
        --publish    (every scenario) write into docs/performance (the launcher's full run): refused for a
                     noisy run, whose JSON and plots then stay in WORK/unpublished (exit status 3)
        --scenario   relay (this, the default), class-start, fan-out or desktop (below)
      """ + ClassStart.USAGE + FanOut.USAGE + Desktop.USAGE;

  /**
   * The gateway's {@code limits.upstream} for the synthetic server, which is no TigerVNC: it keeps no
   * blacklist and accepts with a backlog of 4,096, so pacing it as one (3 handshakes at a time, 4
   * unauthenticated) would measure the pacer's protection of one real server, not the gateway's
   * admission (docs/performance.md, "Admitting idle viewers"). {@code --gateway-pacing-defaults}
   * keeps the gateway's defaults.
   */
  static final String SYNTHETIC_PACING = "{handshakes-per-target: 64, blacklist-threshold: 0}";

  private Bench() {}

  public static void main(String[] args) {
    System.exit(exitStatus(args, System.out, System.err));
  }

  /**
   * Runs the benchmark as the launcher does and returns its exit status: 0 done, 1 failed, 2 a
   * wrong command line, 3 a noisy run that was asked to publish (written unpublished).
   */
  static int exitStatus(String[] args, PrintStream console, PrintStream err) {
    try {
      run(args, console);
      return 0;
    } catch (Publication.NoisyRunException e) {
      return 3;
    } catch (IllegalArgumentException e) {
      err.println("bench: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (Exception e) {
      err.println("bench: failed: " + e);
      for (StackTraceElement f : e.getStackTrace()) {
        if (f.getClassName().startsWith("io.vncgate")) err.println("  at " + f);
      }
      return 1;
    }
  }

  private static VertxOptions benchLoop() {
    return new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setPreferNativeTransport(true);
  }

  /** Runs the benchmark; returns the JSON written (null with --only). */
  public static JsonObject run(String[] args, PrintStream console) throws Exception {
    List<String> rest = new ArrayList<>(List.of(args));
    int scenario = rest.indexOf("--scenario");
    if (scenario >= 0) {
      if (scenario + 1 >= rest.size()) throw new IllegalArgumentException("--scenario needs a value: relay, class-start, fan-out or desktop");
      String name = rest.remove(scenario + 1);
      rest.remove(scenario);
      switch (name) {
        case "class-start" -> {
          return ClassStart.run(rest.toArray(String[]::new), console);
        }
        case "fan-out" -> {
          return FanOut.run(rest.toArray(String[]::new), console);
        }
        case "desktop" -> {
          return Desktop.run(rest.toArray(String[]::new), console);
        }
        case "relay" -> args = rest.toArray(String[]::new);
        default -> throw new IllegalArgumentException("unknown scenario " + name + ": relay, class-start, fan-out or desktop");
      }
    }
    Options o = Options.parse(args);
    PrintLog out = new PrintLog(console);
    Settings s = Settings.of(o.mode);
    if (o.idle != null) s = s.withIdleViewers(o.idle);
    Noise noise = Noise.start(o.noiseLimit);
    Files.createDirectories(o.work);
    checkFileLimit(s, out);
    checkEphemeralPorts(s, out);
    Instant started = Instant.now();
    JsonObject congestion = Noise.congestionControl();
    out.line("vncgate bench (%s): %d CPUs, %s, TCP congestion control %s (bbr %s); load average %.2f; work folder %s",
        s.mode(), Runtime.getRuntime().availableProcessors(), Proc.cpuModel(), Proc.tcpCongestionControl(),
        congestion.getString("bbr"), Proc.load1(), o.work);

    // epoll where it loads: its timers wake the loop to the microsecond, NIO's selector only to the
    // millisecond, which makes a loop with round-trip timers due sooner than that poll without sleeping
    Vertx clientVertx = Vertx.vertx(benchLoop());
    if (!clientVertx.isNativeTransportEnabled()) {
      out.line("note: the bench's event loops run on NIO (%s): its round-trip timers poll, taking CPU from the relays",
          String.valueOf(clientVertx.unavailableNativeTransportCause()));
    }
    List<RelayProcess> processes = new ArrayList<>();
    SyntheticServerProcess[] serverProcess = new SyntheticServerProcess[1];
    Thread cleanup = new Thread(() -> {
      processes.forEach(RelayProcess::close);
      if (serverProcess[0] != null) serverProcess[0].close();
    }, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      // in a JVM of its own: an idle viewer then holds one socket in each process, not two in this one
      SyntheticServerProcess server = SyntheticServerProcess.start(o.work, s.width(), s.height());
      serverProcess[0] = server;
      int serverPort = server.port;
      WebsockifyProcess websockify = WebsockifyProcess.start(o.work, serverPort);
      processes.add(websockify);
      Path benchDir = Path.of(System.getProperty("vncgate.bench.dir", "."));
      WebsockifyJsProcess websockifyJs = WebsockifyJsProcess.start(benchDir, o.work, serverPort);
      processes.add(websockifyJs);
      String websockifyJsVersion = WebsockifyJsProcess.version(benchDir);
      GatewayProcess gateway = GatewayProcess.start(o.gatewayJar, o.work, serverPort, o.gatewayJvmOptions, o.zeroCopy,
          o.pacingDefaults ? null : SYNTHETIC_PACING);
      processes.add(gateway);
      out.line("synthetic RFB server :%d (%dx%d), websockify :%d (pid %d), %s :%d (pid %d), vncgate :%d ws / :%d tcp (pid %d)",
          serverPort, s.width(), s.height(), websockify.port, websockify.pid(), websockifyJsVersion, websockifyJs.port,
          websockifyJs.pid(), gateway.httpPort, gateway.tcpPort, gateway.pid());
      GatewayFacts facts = GatewayFacts.measure(gateway, o.gatewayJar);
      out.line("vncgate: %s", facts.line());

      // TCP_QUICKACK as a browser's or a VNC viewer's socket: Vert.x on epoll otherwise puts the
      // socket in delayed-ACK mode and a handshake step may wait 40-200 ms for the ACK timer,
      // which made the bench's own viewers connect at 152/s with no relay between (docs/performance.md)
      NetClient net = clientVertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setTcpQuickAck(true)
          .setConnectTimeout(10_000));
      Tickets tickets = new Tickets(clientVertx, gateway.httpPort, gateway.token);
      EventLoop loop = ((ContextInternal) clientVertx.getOrCreateContext()).nettyEventLoop();
      Map<String, RelayPath> paths = new LinkedHashMap<>();
      paths.put(RelayPath.DIRECT, RelayPath.direct(net, serverPort));
      paths.put(RelayPath.WEBSOCKIFY, RelayPath.websockify(net, websockify));
      paths.put(RelayPath.WEBSOCKIFY_JS, RelayPath.websockifyJs(net, websockifyJs, websockifyJsVersion));
      paths.put(RelayPath.VNCGATE_WS, RelayPath.vncgateWs(net, gateway, tickets));
      paths.put(RelayPath.VNCGATE_TCP, RelayPath.vncgateTcp(net, gateway, tickets));
      paths.put(RelayPath.VNCGATE_FANOUT, RelayPath.vncgateFanout(net, gateway, tickets));
      Phases phases = new Phases(loop, server, s, out, o.heapHistograms ? o.work : null, gateway);
      List<String> selected = o.only.isEmpty() ? RelayPath.ALL : o.only;

      Map<String, PathResult> results = new LinkedHashMap<>();
      for (String name : selected) results.put(name, new PathResult(name, paths.get(name).description));
      for (String name : List.of(RelayPath.VNCGATE_WS, RelayPath.VNCGATE_TCP, RelayPath.VNCGATE_FANOUT)) {
        if (selected.contains(name)) phases.warmUp(paths.get(name), s.gatewayWarmupS() / 2);
      }
      out.line("gateway warmed up (%.1f s of relaying, not measured)", s.gatewayWarmupS());
      // its /metrics (vncgate_relay_info): spliced or read, and why
      String relayMode = gateway.relayMode();
      out.line("vncgate relays large payloads: %s", relayMode == null ? "(its /metrics does not say)" : relayMode);
      if (o.profile != null) gateway.startRecording(o.profile.toAbsolutePath());
      // throughput: rounds of every path, interleaved and rotated, so that the machine's load
      // changing during the run does not favour one path; the median round counts
      Map<String, List<Phases.ThroughputSample>> rounds = new LinkedHashMap<>();
      for (String name : selected) rounds.put(name, new ArrayList<>());
      out.line("throughput, %d round(s) of %.0f s per path:", s.throughputRounds(), s.throughputS());
      for (int round = 0; round < s.throughputRounds(); round++) {
        for (int i = 0; i < selected.size(); i++) {
          String name = selected.get((i + round) % selected.size());
          rounds.get(name).add(phases.throughputRound(paths.get(name), round));
        }
      }
      for (String name : selected) phases.throughput(paths.get(name), results.get(name), rounds.get(name));
      double splicedShare = gateway.splicedShare();
      if (selected.contains(RelayPath.VNCGATE_WS) || selected.contains(RelayPath.VNCGATE_TCP)) {
        out.line("vncgate spliced %.1f %% of the bytes it relayed to viewers so far (warm-up included)", 100 * splicedShare);
      }
      for (String name : selected) {
        RelayPath path = paths.get(name);
        out.line("%s: %s", name, path.description);
        PathResult r = results.get(name);
        if (o.skipRtt) continue;
        if (path.fanOut()) { // a fan-out session answers an incremental request only when something changed
          phases.inputRoundTrips(path, r, 1);
          phases.inputRoundTrips(path, r, s.rttViewers());
          continue;
        }
        phases.roundTrips(path, r, 1);
        phases.roundTrips(path, r, s.rttViewers());
      }
      if (!o.skipIdle) {
        out.line("idle viewers:");
        for (String name : selected) {
          // direct: the bench's own floor, how fast it opens viewers with no relay between
          int n = name.equals(RelayPath.WEBSOCKIFY) ? s.websockifyIdleViewers() : s.idleViewers();
          phases.idle(paths.get(name), results.get(name), n);
        }
      }
      if (o.profile != null) {
        // after the idle phase: the recording covers the viewers' admission too
        gateway.stopRecording();
        out.line("JFR recording of the gateway: %s", o.profile.toAbsolutePath());
      }
      if (!o.only.isEmpty()) return null;

      Noise.Result quiet = noise.result();
      noise.stop();
      Report report = new Report(s, results, Report.machine(WebsockifyProcess.version()).put("websockify_js", websockifyJsVersion)
          .put("tcp_congestion", congestion), started).noise(quiet).gateway(facts);
      JsonObject json = report.json()
          .put("log_errors", new JsonObject().put("gateway", gateway.errorLines()).put("websockify", websockify.errorLines()))
          .put("gateway", new JsonObject().put("relay", relayMode)
              .put("limits_upstream", o.pacingDefaults ? "the gateway's defaults" : SYNTHETIC_PACING)
              .put("spliced_share", Double.isNaN(splicedShare) ? null : splicedShare));
      out.line("");
      out.line(report.table());
      Publication.Places to = Publication.places(o.publish, quiet, o.work, o.json, o.plots, out);
      to.writeJson(json, out);
      report.plots(to.plots());
      out.line("plots: %s", to.plots().toAbsolutePath());
      to.finish();
      return json;
    } finally {
      noise.stop();
      processes.forEach(RelayProcess::close);
      if (serverProcess[0] != null) serverProcess[0].close();
      Runtime.getRuntime().removeShutdownHook(cleanup);
      clientVertx.close();
    }
  }

  /**
   * Each idle viewer holds a socket here (the synthetic server's end is in its own process, which
   * has the same limit): say early if that cannot fit. A relay's own limit is measured as the
   * viewers connect ({@link OpenFiles}).
   */
  private static void checkFileLimit(Settings s, PrintLog out) throws IOException {
    for (String line : Proc.read(Path.of("/proc/self/limits")).split("\n")) {
      if (line.startsWith("Max open files")) {
        String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
        long needed = s.idleViewers() + 256L;
        if (!soft.equals("unlimited") && Long.parseLong(soft) < needed) {
          String hard = line.substring("Max open files".length()).trim().split("\\s+")[1];
          throw new IllegalArgumentException("the open-file limit is " + soft + " (hard limit " + hard + ") but "
              + s.idleViewers() + " idle viewers need about " + needed + " (a socket per viewer in this process and one"
              + " in the synthetic server's): the launcher raises the soft limit to the hard one; above the hard limit raise that"
              + " first (ulimit -Hn " + needed + " as root with CAP_SYS_RESOURCE, \"* hard nofile " + needed
              + "\" in /etc/security/limits.conf, LimitNOFILE= for a systemd unit, docker run --ulimit nofile="
              + needed + ") or ask for fewer (--idle " + Math.max(1, Long.parseLong(soft.equals("unlimited") ? "0" : hard) - 256)
              + ")");
        }
      }
    }
  }

  /**
   * Every idle viewer takes two ephemeral ports (viewer to relay, relay to server), and closed
   * connections keep theirs in TIME_WAIT for a minute: say so when a run right after another may
   * run out.
   */
  private static void checkEphemeralPorts(Settings s, PrintLog out) throws IOException {
    String text = Proc.read(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
    if (text == null) return;
    String[] range = text.trim().split("\\s+");
    long ports = Long.parseLong(range[1]) - Long.parseLong(range[0]) + 1;
    long timeWait = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path p = Path.of(table);
      if (!Files.exists(p)) continue;
      String tcp = Proc.read(p);
      if (tcp == null) continue;
      for (String line : tcp.split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 3 && f[3].equals("06")) timeWait++;
      }
    }
    long needed = 2L * (2L * s.idleViewers() + s.websockifyIdleViewers()) + 1000;
    if (ports - timeWait < needed) {
      out.line("warning: %d ephemeral ports, %d in TIME_WAIT, about %d needed: wait a minute after the last run",
          ports, timeWait, needed);
    }
  }

  /** The command line. */
  private record Options(String mode, Path work, Path json, Path plots, Path gatewayJar, List<String> gatewayJvmOptions,
      Path profile, List<String> only, boolean skipIdle, boolean skipRtt, boolean heapHistograms, String zeroCopy,
      Integer idle, double noiseLimit, boolean publish, boolean pacingDefaults) {

    static Options parse(String[] args) {
      String mode = "full";
      Path work = null;
      Path json = null;
      Path plots = null;
      Path jar = null;
      List<String> jvm = List.of();
      Path profile = null;
      List<String> only = List.of();
      boolean skipIdle = false;
      boolean skipRtt = false;
      boolean heapHistograms = false;
      String zeroCopy = null;
      Integer idle = null;
      double noiseLimit = Noise.DEFAULT_LIMIT;
      boolean publish = false;
      boolean pacingDefaults = false;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--quick" -> mode = "quick";
          case "--smoke" -> mode = "smoke";
          case "--full" -> mode = "full";
          case "--skip-idle" -> skipIdle = true;
          case "--skip-rtt" -> skipRtt = true;
          case "--heap-histograms" -> heapHistograms = true;
          case "--gateway-pacing-defaults" -> pacingDefaults = true;
          case "--publish" -> publish = true;
          case "--idle" -> {
            String v = value(args, ++i, a);
            try {
              idle = Integer.parseInt(v);
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("--idle takes a number of viewers (1 to 10000), not " + v);
            }
            if (idle < 1 || idle > 10_000) throw new IllegalArgumentException("--idle takes 1 to 10000 viewers, not " + v);
          }
          case "--noise-limit" -> noiseLimit = Publication.noiseLimit(value(args, ++i, a));
          case "--work" -> work = Path.of(value(args, ++i, a));
          case "--json" -> json = Path.of(value(args, ++i, a));
          case "--plots" -> plots = Path.of(value(args, ++i, a));
          case "--gateway-jar" -> jar = Path.of(value(args, ++i, a));
          case "--gateway-jvm-opts" -> jvm = Arrays.stream(value(args, ++i, a).trim().split("\\s+"))
              .filter(x -> !x.isEmpty()).toList();
          case "--profile" -> profile = Path.of(value(args, ++i, a));
          case "--zero-copy" -> {
            zeroCopy = value(args, ++i, a);
            if (!List.of("auto", "always", "never").contains(zeroCopy)) {
              throw new IllegalArgumentException("--zero-copy takes auto, always or never, not " + zeroCopy);
            }
          }
          case "--only" -> {
            only = List.of(value(args, ++i, a).split(","));
            for (String p : only) {
              if (!RelayPath.ALL.contains(p)) throw new IllegalArgumentException("unknown path " + p);
            }
          }
          case "-h", "--help" -> throw new IllegalArgumentException("help");
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (jar == null) {
        String prop = System.getProperty("vncgate.jar");
        if (prop == null) throw new IllegalArgumentException("--gateway-jar is required (the launcher passes it)");
        jar = Path.of(prop);
      }
      if (work == null) work = Path.of("target", "bench-" + mode);
      if (json == null) json = work.resolve("results.json");
      if (plots == null) plots = work.resolve("plots");
      if ((skipRtt || skipIdle) && only.isEmpty()) {
        throw new IllegalArgumentException("--skip-rtt and --skip-idle go with --only (the report needs every phase)");
      }
      if (publish && !only.isEmpty()) throw new IllegalArgumentException("--publish goes with a whole run, not --only");
      return new Options(mode, work, json, plots, jar, jvm, profile, only, skipIdle, skipRtt, heapHistograms, zeroCopy,
          idle, noiseLimit, publish, pacingDefaults);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
      return args[i];
    }
  }
}
