package io.vncgate.testbeds.bench;

import io.netty.channel.EventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vncgate.testbeds.bench.ClassRun.Single;
import io.vncgate.testbeds.bench.ClassViewer.Outcome;
import io.vncgate.testbeds.bench.ClassViewer.Way;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code testbeds/bench/run --scenario class-start}: a class opens the same real Xvnc (VNC password,
 * TigerVNC's blacklist as shipped) within one second, through vncgate (browsers and native viewers
 * mixed), through websockify, and straight; time to first framebuffer per viewer, failures and
 * their reasons, and whether Xvnc blacklisted the loopback address. Before that, one viewer's
 * connect latency on every way, one connect after another.
 */
final class ClassStart {
  static final String DIRECT = "direct";
  static final String WEBSOCKIFY = "websockify";
  static final String VNCGATE = "vncgate";
  static final List<String> PATHS = List.of(DIRECT, WEBSOCKIFY, VNCGATE);

  static final String USAGE = """
      usage: testbeds/bench/run --scenario class-start [--quick | --smoke] [--json FILE] [--plots DIR] [--work DIR]
                                [--viewers 30,50,100] [--window-ms 1000] [--connects 20] [--paths direct,websockify,vncgate]
                                [--noise-limit SHARE] [--publish]
        --viewers    class sizes, one burst per size and path (default 30,50,100; --smoke 10)
        --window-ms  the viewers' connects start evenly spread over this (default 1000; 0: all at once)
        --connects   one viewer's connect latency: connects in a row per way (default 20; --smoke 5)
        --paths      which bursts: direct (VNC auth straight to Xvnc), websockify, vncgate (half
                     browsers on the WebSocket front, half native viewers on the TCP front)
      """;

  private ClassStart() {}

  /** Runs the scenario; returns the JSON written. */
  static JsonObject run(String[] args, PrintStream console) throws Exception {
    Options o = Options.parse(args);
    PrintLog out = new PrintLog(console);
    Noise noise = Noise.start(o.noiseLimit);
    Files.createDirectories(o.work);
    Instant started = Instant.now();
    out.line("vncgate class start (%s): %d CPUs, %s; work folder %s", o.mode,
        Runtime.getRuntime().availableProcessors(), Proc.cpuModel(), o.work);
    Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
        .setPreferNativeTransport(true));
    List<RelayProcess> processes = new ArrayList<>();
    ClassTarget xvnc = null;
    try {
      xvnc = ClassTarget.start(o.width, o.height);
      Path password = xvnc.keepPasswordFile(o.work);
      WebsockifyProcess websockify = WebsockifyProcess.start(o.work, xvnc.port());
      processes.add(websockify);
      GatewaySetup setup = new GatewaySetup("the class-start benchmark (testbeds/bench/run --scenario class-start)")
          .target(new GatewaySetup.Target("xvnc", "Xvnc with a VNC password", xvnc.port(), password));
      GatewayProcess gateway = GatewayProcess.start(o.gatewayJar, o.work, setup, List.of());
      processes.add(gateway);
      out.line("Xvnc :%d (%dx%d, VncAuth, blacklist threshold 5 / timeout 10 s as shipped), websockify :%d, vncgate :%d ws / :%d tcp",
          xvnc.port(), o.width, o.height, websockify.port, gateway.httpPort, gateway.tcpPort);

      // TCP_QUICKACK on, as the gateway's own sockets: Vert.x on epoll otherwise puts a socket in
      // delayed-ACK mode before connect(), and each handshake step can then wait for the 200 ms
      // delayed-ACK timer, which a browser's or a VNC viewer's socket does not
      NetClient net = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setTcpQuickAck(true)
          .setConnectTimeout(10_000));
      EventLoop loop = ((ContextInternal) vertx.getOrCreateContext()).nettyEventLoop();
      Tickets tickets = new Tickets(vertx, gateway.httpPort, gateway.token);
      ClassViewer viewers = new ClassViewer(net, loop,
          new ClassViewer.Ports(xvnc.port(), websockify.port, gateway.httpPort, gateway.tcpPort));
      ClassRun run = new ClassRun(loop, viewers, tickets, "static/xvnc");

      // a gateway in service is warm: its handshake code compiled before anything is timed
      for (Way w : List.of(Way.VNCGATE_WS, Way.VNCGATE_TCP)) run.sequential(w, o.connects);
      xvnc.restart();
      out.line("gateway warmed up (%d connects per front, not measured)", o.connects);

      Map<Way, List<Single>> singles = new LinkedHashMap<>();
      for (Way w : Way.values()) {
        List<Single> series = run.sequential(w, o.connects);
        singles.put(w, series);
        out.line("one viewer, %s: %s", w.label,
            ClassReport.stats(series.stream().map(Single::outcome).toList()).encode());
      }

      List<ClassReport.Scenario> scenarios = new ArrayList<>();
      for (int n : o.viewers) {
        for (String path : o.paths) {
          xvnc.restart();
          long[] cpu0 = Proc.cpuTimes();
          ClassRun.Burst burst = run.burst(ways(path, n), o.windowMs);
          long[] cpu1 = Proc.cpuTimes();
          Outcome probe = run.one(Way.DIRECT).outcome(); // after the viewers closed: is 127.0.0.1 blocked now?
          ClassReport.Scenario s = new ClassReport.Scenario(path, n, o.windowMs, burst, xvnc.blacklistedLines(),
              xvnc.firstBlacklistedLine(), probe, Proc.load1(), Proc.stealShare(cpu0, cpu1));
          scenarios.add(s);
          JsonObject j = s.toJson();
          out.line("%s %d viewers: ttfb %s, failures %d %s, Xvnc blacklisted %d, blocked after: %s", path, n,
              j.getJsonObject("ttfb_ms").encode(), s.failures(), j.getJsonObject("failure_reasons").encode(),
              s.blacklistedLines(), s.blockedAfter());
        }
      }

      Noise.Result quiet = noise.result();
      ClassReport report = new ClassReport(Report.machine(WebsockifyProcess.version()), o.settingsJson(), singles, scenarios,
          quiet);
      JsonObject json = report.json()
          .put("date", started.truncatedTo(ChronoUnit.SECONDS).toString())
          .put("log_errors", new JsonObject().put("gateway", gateway.errorLines()).put("websockify", websockify.errorLines()));
      out.line("");
      out.line(report.table());
      tickets.close();
      Publication.Places to = Publication.places(o.publish, quiet, o.work, o.json, o.plots, out);
      to.writeJson(json, out);
      Files.writeString(to.plots().resolve("class-start.md"),
          report.markdown(started.truncatedTo(ChronoUnit.SECONDS).toString()));
      out.line("summary: %s", to.plots().resolve("class-start.md").toAbsolutePath());
      to.finish();
      return json;
    } finally {
      noise.stop();
      processes.forEach(RelayProcess::close);
      if (xvnc != null) xvnc.close();
      vertx.close();
    }
  }

  /** The viewers of one burst: straight, through websockify, or alternately browser and native through vncgate. */
  static List<Way> ways(String path, int n) {
    List<Way> ways = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ways.add(switch (path) {
        case DIRECT -> Way.DIRECT;
        case WEBSOCKIFY -> Way.WEBSOCKIFY;
        default -> i % 2 == 0 ? Way.VNCGATE_WS : Way.VNCGATE_TCP;
      });
    }
    return ways;
  }

  private record Options(String mode, Path work, Path json, Path plots, Path gatewayJar, List<Integer> viewers,
      long windowMs, int connects, List<String> paths, int width, int height, double noiseLimit, boolean publish) {

    JsonObject settingsJson() {
      return new JsonObject().put("mode", mode).put("viewers", viewers).put("window_ms", windowMs)
          .put("connects", connects).put("paths", paths).put("framebuffer", width + "x" + height)
          .put("encodings", "ZRLE, Raw").put("xvnc_security", "VncAuth")
          .put("xvnc_blacklist", "as shipped: BlacklistThreshold 5, BlacklistTimeout 10")
          .put("first_frame_timeout_s", ClassViewer.FIRST_FRAME_TIMEOUT_S);
    }

    static Options parse(String[] args) {
      String mode = "full";
      Path work = null;
      Path json = null;
      Path plots = null;
      Path jar = null;
      List<Integer> viewers = null;
      long windowMs = 1000;
      Integer connects = null;
      List<String> paths = PATHS;
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
          case "--window-ms" -> windowMs = atLeast(value(args, ++i, a), a, 0);
          case "--connects" -> connects = positive(value(args, ++i, a), a);
          case "--paths" -> {
            paths = List.of(value(args, ++i, a).split(","));
            for (String p : paths) {
              if (!PATHS.contains(p)) throw new IllegalArgumentException("unknown path " + p + " (" + PATHS + ")");
            }
          }
          case "-h", "--help" -> throw new IllegalArgumentException("help");
          default -> throw new IllegalArgumentException("unknown option " + a + " for --scenario class-start");
        }
      }
      if (jar == null) {
        String prop = System.getProperty("vncgate.jar");
        if (prop == null) throw new IllegalArgumentException("--gateway-jar is required (the launcher passes it)");
        jar = Path.of(prop);
      }
      boolean smoke = mode.equals("smoke");
      if (viewers == null) viewers = smoke ? List.of(10) : mode.equals("quick") ? List.of(30) : List.of(30, 50, 100);
      if (connects == null) connects = smoke ? 5 : 20;
      if (work == null) work = Path.of("target", "class-start-" + mode);
      if (json == null) json = work.resolve("class-start.json");
      if (plots == null) plots = work;
      return new Options(mode, work, json, plots, jar, viewers, windowMs, connects, paths, 1024, 768, noiseLimit, publish);
    }

    private static int positive(String v, String option) {
      return atLeast(v, option, 1);
    }

    private static int atLeast(String v, String option, int min) {
      try {
        int n = Integer.parseInt(v.trim());
        if (n >= min) return n;
      } catch (NumberFormatException e) {
        // said below
      }
      throw new IllegalArgumentException(option + " takes whole numbers from " + min + ", not " + v);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
      return args[i];
    }
  }
}
