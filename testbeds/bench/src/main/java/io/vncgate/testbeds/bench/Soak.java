package io.vncgate.testbeds.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.Arrays;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * {@code testbeds/soak/run [--cycles N | --quick | --smoke] [--json FILE]}: the fault and soak
 * check. Starts the real gateway jar with six static targets (real Xvnc, synthetic server, refused
 * port, an Xvnc killed and restarted, a silent server, one hanging up mid-handshake), runs a
 * warm-up, records the gateway's descriptors, threads, heap after GC, roster and live tickets,
 * runs N mixed connect/disconnect cycles with bounded concurrency, waits out the tickets and
 * reservations, records again and compares. Prints PASS/FAIL per check; exits 1 on any FAIL.
 */
public final class Soak {
  private static final String USAGE = """
      usage: testbeds/soak/run [--cycles N | --quick | --smoke] [--concurrency N] [--seed N]
                               [--json FILE] [--work DIR] [--gateway-jar FILE]
        --cycles N     cycles after the warm-up (default 10000)
        --quick        500 cycles (a few minutes)
        --smoke        24 cycles, short tickets (the test suite runs this; well under a minute)
        --concurrency  cycles in flight at once (default 24)
        --seed         the order of cycle kinds (default 1)
        --json         also write the results as JSON here
      """;
  /** A cycle that has not ended after this long is counted as hung (the longest wait in one is the gateway's 8 s handshake timeout). */
  static final long CYCLE_LIMIT_MS = 30_000;

  private Soak() {}

  public static void main(String[] args) {
    int status;
    try {
      status = run(args, System.out).getBoolean("pass") ? 0 : 1;
    } catch (IllegalArgumentException e) {
      if (!e.getMessage().equals("help")) System.err.println("soak: " + e.getMessage());
      System.err.print(USAGE);
      status = 2;
    } catch (Exception e) {
      System.err.println("soak: failed: " + e);
      for (StackTraceElement f : e.getStackTrace()) {
        if (f.getClassName().startsWith("io.vncgate")) System.err.println("  at " + f);
      }
      status = 2;
    }
    System.exit(status);
  }

  /** The settings of a run: how many cycles, how long tickets live (the wait before each snapshot follows from it). */
  record Settings(String mode, int cycles, int warmup, int concurrency, long seed, int ticketTtlS, int handshakeTimeoutS) {
    /** Tickets expire after the TTL; unused reservations are dropped 5 s later (LocalSessionRegistry); 1 s to spare. */
    long settleMs() {
      return (ticketTtlS + 5 + 1) * 1000L;
    }

    /** Full GCs per heap reading: two in long runs, one in the smoke run (each {@code jcmd} is a JVM start). */
    int heapReadings() {
      return mode.equals("smoke") ? 1 : 2;
    }

    JsonObject json() {
      return new JsonObject().put("mode", mode).put("cycles", cycles).put("warmup_cycles", warmup)
          .put("concurrency", concurrency).put("seed", seed).put("ticket_ttl_s", ticketTtlS)
          .put("handshake_timeout_s", handshakeTimeoutS).put("settle_s", settleMs() / 1000.0);
    }
  }

  /**
   * The gateway's configuration for the soak, in one place. The soak opens thousands of
   * connections from 127.0.0.1 in a few minutes: any per-address connection cap or ticket throttle
   * the gateway has must be set high here (none exists on this branch; see docs/security-testing.md).
   */
  static GatewaySetup gatewaySetup(Settings s, SoakTargets targets) {
    GatewaySetup setup = new GatewaySetup("the fault and soak check (testbeds/soak/run)")
        .ticketTtl(s.ticketTtlS() + "s")
        .server("handshake-timeout: " + s.handshakeTimeoutS() + "s");
    targets.targets().forEach(setup::target);
    return setup;
  }

  public static JsonObject run(String[] args, PrintStream console) throws Exception {
    Options o = Options.parse(args);
    Settings s = o.settings;
    PrintLog out = new PrintLog(console);
    Files.createDirectories(o.work);
    Instant started = Instant.now();
    out.line("vncgate soak (%s): %d cycles after %d warm-up, %d in flight, seed %d; %d CPUs, load %s; work folder %s",
        s.mode(), s.cycles(), s.warmup(), s.concurrency(), s.seed(), Runtime.getRuntime().availableProcessors(),
        loadAverage(), o.work);
    Vertx serverVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    Vertx clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    ExecutorService lane = Executors.newSingleThreadExecutor(r -> new Thread(r, "soak-kill-lane"));
    List<AutoCloseable> toClose = new ArrayList<>();
    Thread cleanup = new Thread(() -> closeAll(toClose), "soak-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      SoakTargets targets = SoakTargets.start(serverVertx);
      toClose.add(targets);
      GatewayProcess gateway = GatewayProcess.start(o.gatewayJar, o.work, gatewaySetup(s, targets), List.of());
      toClose.add(0, gateway);
      out.line("gateway pid %d, :%d (HTTP/WebSocket) :%d (TCP); targets %s", gateway.pid(), gateway.httpPort,
          gateway.tcpPort, targets.targets().stream().map(t -> t.id() + ":" + t.port()).toList());
      NetClient net = clientVertx.createNetClient(new NetClientOptions().setConnectTimeout(10_000));
      Context context = clientVertx.getOrCreateContext();
      SoakRunner runner = new SoakRunner(clientVertx, context, net, gateway, targets);

      // warm-up: the gateway's lazily made parts (event loops, worker threads, classes, the attach
      // listener jcmd starts) exist before the first snapshot
      Tickets tickets = new Tickets(clientVertx, gateway.httpPort, gateway.token);
      runner.tickets(tickets);
      Phase warm = cycles(SoakCycle.plan(s.warmup(), s.seed() + 1), s, runner, context, lane, null);
      gateway.jcmd("VM.version"); // starts the gateway's attach listener (a thread, a socket) before the first count
      Phases.await(tickets.close(), 10);
      out.line("warm-up: %d cycles in %.1f s, %d not as expected; waiting %.0f s for tickets and reservations to expire",
          s.warmup(), warm.seconds, warm.failures(), s.settleMs() / 1000.0);
      RelayProcess.sleep(s.settleMs());
      GatewayState before = GatewayState.read(gateway, s.heapReadings());
      out.line("before: %s", summary(before));

      tickets = new Tickets(clientVertx, gateway.httpPort, gateway.token);
      runner.tickets(tickets);
      Phase run = cycles(SoakCycle.plan(s.cycles(), s.seed()), s, runner, context, lane, out);
      Phases.await(tickets.close(), 10);
      out.line("cycles: %d in %.1f s (%.0f/s), %d not as expected; %d Xvnc kills; waiting %.0f s", s.cycles(), run.seconds,
          s.cycles() / run.seconds, run.failures(), targets.kills(), s.settleMs() / 1000.0);
      RelayProcess.sleep(s.settleMs());
      GatewayState after = GatewayState.read(gateway, s.heapReadings());
      out.line("after:  %s", summary(after));

      SoakChecks checks = new SoakChecks(before, after, run, gateway.pid(), gateway.process.isAlive());
      JsonObject json = new JsonObject()
          .put("tool", "vncgate soak")
          .put("started", started.toString())
          .put("settings", s.json())
          .put("machine", new JsonObject().put("nproc", Runtime.getRuntime().availableProcessors())
              .put("cpu", Proc.cpuModel()).put("kernel", Proc.kernel()).put("load_at_end", loadAverage()))
          .put("elapsed_s", (System.nanoTime() - run.startedNanos) / 1e9)
          .put("cycles_s", run.seconds)
          .put("warmup", warm.json())
          .put("kinds", run.json())
          .put("server_kills", targets.kills())
          .put("before", before.json())
          .put("after", after.json())
          .put("checks", checks.json())
          .put("gateway_log", new JsonObject().put("error_lines", gateway.errorLines())
              .put("warn_lines", gateway.countLines(" WARN ")).put("file", gateway.log().toString()))
          .put("pass", checks.pass());
      run.print(out);
      checks.print(out);
      out.line("gateway log: %d ERROR lines, %d WARN lines (%s)", gateway.errorLines(), gateway.countLines(" WARN "),
          gateway.log());
      out.line("%s", checks.pass() ? "soak: PASS" : "soak: FAIL");
      if (o.json != null) {
        Files.createDirectories(o.json.toAbsolutePath().getParent());
        Files.writeString(o.json, json.encodePrettily() + "\n");
      }
      return json;
    } finally {
      lane.shutdownNow();
      closeAll(toClose);
      Runtime.getRuntime().removeShutdownHook(cleanup);
      clientVertx.close();
      serverVertx.close();
    }
  }

  private static void closeAll(List<AutoCloseable> list) {
    for (AutoCloseable c : list) {
      try {
        c.close();
      } catch (Exception e) {
        System.err.println("soak: closing " + c + ": " + e);
      }
    }
    list.clear();
  }

  private static String summary(GatewayState g) {
    return String.format("%d fds %s, %d threads, heap after GC %.1f MiB, tickets %.0f, roster %.0f sessions / %.0f viewer places, API roster %d/%d",
        g.fdTotal(), g.fds(), g.threadTotal(), g.heapBytes() / 1048576.0, g.gauges().get("vncgate_tickets_live"),
        g.gauges().get("vncgate_roster_sessions"), g.gauges().get("vncgate_roster_viewers"), g.rosterSessions(),
        g.rosterViewers());
  }

  static String loadAverage() {
    String l = Proc.read(Path.of("/proc/loadavg"));
    return l == null ? "unknown" : String.join(" ", Arrays.copyOf(l.trim().split(" "), 3));
  }

  /** Runs the planned cycles, at most {@code concurrency} at once; SERVER_KILLED ones one after the other on {@code lane}. */
  private static Phase cycles(List<SoakCycle> plan, Settings s, SoakRunner runner, Context context, ExecutorService lane,
      PrintLog progress) throws InterruptedException {
    Phase phase = new Phase();
    Semaphore permits = new Semaphore(s.concurrency());
    int step = Math.max(1, plan.size() / 10);
    for (int i = 0; i < plan.size(); i++) {
      permits.acquire();
      SoakCycle kind = plan.get(i);
      int index = i;
      CompletableFuture<String> f = kind == SoakCycle.SERVER_KILLED
          ? CompletableFuture.supplyAsync(runner::serverKilled, lane)
          : onLoop(context, () -> runner.run(kind, index));
      f.whenComplete((detail, e) -> {
        if (phase.record(kind, detail, e) && progress != null) {
          progress.line("  cycle %d (%s) not as expected: %s", index, kind.name().toLowerCase(), Phase.why(e));
        }
        permits.release();
      });
      if (progress != null && (i + 1) % step == 0) {
        progress.line("  %d/%d started, %.0f s, %d not as expected so far", i + 1, plan.size(), phase.elapsed(),
            phase.failures());
      }
    }
    permits.acquire(s.concurrency()); // every cycle ended
    phase.end();
    return phase;
  }

  /** Runs a cycle on the client's event loop; a cycle still running after {@link #CYCLE_LIMIT_MS} fails as hung. */
  private static CompletableFuture<String> onLoop(Context context, Supplier<Future<String>> cycle) {
    Promise<String> p = Promise.promise();
    context.runOnContext(v -> {
      long timer = context.owner().setTimer(CYCLE_LIMIT_MS, t -> p.tryFail("hung: not ended within " + CYCLE_LIMIT_MS / 1000 + " s"));
      Future<String> f;
      try {
        f = cycle.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        context.owner().cancelTimer(timer);
        if (ar.succeeded()) p.tryComplete(ar.result());
        else p.tryFail(ar.cause());
      });
    });
    return p.future().toCompletionStage().toCompletableFuture();
  }

  private record Options(Settings settings, Path work, Path json, Path gatewayJar) {
    static Options parse(String[] args) {
      String mode = "full";
      Integer cycles = null;
      int concurrency = 24;
      long seed = 1;
      Path work = null;
      Path json = null;
      Path jar = Path.of(System.getProperty("vncgate.jar", "gateway/target/vncgate.jar"));
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--quick" -> mode = "quick";
          case "--smoke" -> mode = "smoke";
          case "--cycles" -> cycles = positive(value(args, i++, "--cycles"), "--cycles");
          case "--concurrency" -> concurrency = positive(value(args, i++, "--concurrency"), "--concurrency");
          case "--seed" -> seed = Long.parseLong(value(args, i++, "--seed"));
          case "--work" -> work = Path.of(value(args, i++, "--work"));
          case "--json" -> json = Path.of(value(args, i++, "--json"));
          case "--gateway-jar" -> jar = Path.of(value(args, i++, "--gateway-jar"));
          case "--help", "-h" -> throw new IllegalArgumentException("help");
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      Settings s = switch (mode) {
        case "smoke" -> new Settings(mode, cycles != null ? cycles : 24, SoakCycle.values().length, Math.min(concurrency, 8),
            seed, 2, 5);
        case "quick" -> new Settings(mode, cycles != null ? cycles : 500, 100, concurrency, seed, 5, 8);
        default -> new Settings(mode, cycles != null ? cycles : 10_000, 300, concurrency, seed, 5, 8);
      };
      if (work == null) work = Path.of("testbeds/bench/target/soak-" + mode);
      return new Options(s, work.toAbsolutePath(), json, jar.toAbsolutePath());
    }

    private static String value(String[] args, int i, String option) {
      if (i + 1 >= args.length) throw new IllegalArgumentException(option + " needs a value");
      return args[i + 1];
    }

    private static int positive(String v, String option) {
      try {
        int n = Integer.parseInt(v);
        if (n > 0) return n;
      } catch (NumberFormatException ignored) {
        // said below
      }
      throw new IllegalArgumentException(option + " must be a whole number above 0, got " + v);
    }
  }

  /** The outcomes of one series of cycles, by kind (recorded from any thread). */
  static final class Phase {
    final long startedNanos = System.nanoTime();
    double seconds;
    private final Map<SoakCycle, int[]> counts = new EnumMap<>(SoakCycle.class);
    private final Map<SoakCycle, List<String>> failures = new EnumMap<>(SoakCycle.class);
    private final Map<SoakCycle, List<String>> samples = new EnumMap<>(SoakCycle.class);
    private int failed;
    private int hung;

    /** Records one cycle's end; true for one of the first 20 not as expected (worth printing at once). */
    synchronized boolean record(SoakCycle kind, String detail, Throwable e) {
      int[] c = counts.computeIfAbsent(kind, k -> new int[2]);
      c[0]++;
      if (e == null) {
        List<String> l = samples.computeIfAbsent(kind, k -> new ArrayList<>());
        if (l.size() < 2 && !l.contains(detail)) l.add(detail);
        return false;
      }
      c[1]++;
      failed++;
      String why = why(e);
      if (why.startsWith("hung")) hung++;
      List<String> l = failures.computeIfAbsent(kind, k -> new ArrayList<>());
      if (l.size() < 5) l.add(why);
      return failed <= 20;
    }

    static String why(Throwable e) {
      return e instanceof CompletionException && e.getCause() != null
          ? String.valueOf(e.getCause().getMessage()) : String.valueOf(e.getMessage());
    }

    synchronized int failures() {
      return failed;
    }

    synchronized int hung() {
      return hung;
    }

    double elapsed() {
      return (System.nanoTime() - startedNanos) / 1e9;
    }

    void end() {
      seconds = elapsed();
    }

    synchronized JsonObject json() {
      JsonObject o = new JsonObject();
      for (SoakCycle k : SoakCycle.values()) {
        int[] c = counts.getOrDefault(k, new int[2]);
        o.put(k.name().toLowerCase(), new JsonObject().put("description", k.description).put("cycles", c[0])
            .put("not_as_expected", c[1]).put("samples", samples.getOrDefault(k, List.of()))
            .put("failures", failures.getOrDefault(k, List.of())));
      }
      return o;
    }

    synchronized void print(PrintLog out) {
      out.line("%-26s %7s %7s  %s", "cycle kind", "cycles", "failed", "what the viewer saw (a sample)");
      for (SoakCycle k : SoakCycle.values()) {
        int[] c = counts.getOrDefault(k, new int[2]);
        List<String> s = samples.getOrDefault(k, List.of());
        out.line("%-26s %7d %7d  %s", k.name().toLowerCase(), c[0], c[1], s.isEmpty() ? "" : clip(s.get(0)));
        for (String f : failures.getOrDefault(k, List.of())) out.line("%-26s %7s %7s  FAILED: %s", "", "", "", clip(f));
      }
    }

    private static String clip(String s) {
      return s.length() > 150 ? s.substring(0, 147) + "..." : s;
    }
  }
}
