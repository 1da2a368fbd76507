package io.vncgate.gateway.cli;

import io.vertx.core.Vertx;
import io.vncgate.gateway.Gateway;
import io.vncgate.gateway.config.ConfigLoader;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.ui.WebUi;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vncgate serve [--config FILE]}: without --config, {@code VNCGATE_CONFIG} or /etc/vncgate/vncgate.yaml ({@link ConfigPath}). */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Run the gateway with a config file until it gets SIGTERM or Ctrl-C, then drain its viewers and exit.")
final class ServeCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = {"The gateway's YAML config file.",
      "Default: the file named by $VNCGATE_CONFIG, else /etc/vncgate/vncgate.yaml if it exists."})
  Path config;

  /** Where the default config file lives; tests point it elsewhere. */
  Path systemDefault = ConfigPath.SYSTEM_DEFAULT;
  Map<String, String> env = System.getenv();

  @Override
  public Integer call() throws Exception {
    config = ConfigPath.require(config, env, systemDefault);
    GatewayConfig cfg = ConfigLoader.load(config);
    LogSetup.apply(cfg.logging());
    Vertx vertx = Vertx.vertx(Gateway.vertxOptions());
    Gateway gateway;
    try {
      gateway = Gateway.start(vertx, cfg, List.of(WebUi.mountFor(cfg))).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    long drainSeconds = cfg.server().drainTimeout().toSeconds();
    Thread hook = new Thread(() -> {
      try {
        // the drain waits up to server.drain-timeout for viewers; then providers and Vert.x stop
        gateway.drain().eventually(vertx::close).await(drainSeconds + 10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // shutting down anyway
      }
      LogSetup.flushAtExit(2_000); // the drain's lines, before the JVM ends
      stopped.countDown();
    }, "vncgate-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    exitZeroOnSigterm();
    printHowToGetIn(gateway, cfg);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      // stopped from inside the JVM (tests): stop now rather than at exit
      Runtime.getRuntime().removeShutdownHook(hook);
      hook.run();
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /**
   * SIGTERM is how service managers and Kubernetes stop the gateway on purpose: after the drain
   * (the shutdown hook) the exit status is 0, not the JVM's 143, so the stop is not counted as a
   * failure. Ctrl-C (SIGINT) keeps the usual 130.
   */
  @SuppressWarnings("restriction")
  private static void exitZeroOnSigterm() {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> System.exit(0));
    } catch (IllegalArgumentException e) {
      // no SIGTERM on this OS: the JVM's own handling stays
    }
  }

  /** Once it listens: the page's address and the commands that open a desktop through it. */
  private void printHowToGetIn(Gateway gateway, GatewayConfig cfg) {
    PrintWriter out = spec.commandLine().getOut();
    String host = cfg.server().host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.isBlank()) host = "127.0.0.1";
    if (host.contains(":")) host = "[" + host + "]";
    String base = cfg.server().scheme() + "://" + host + ":" + gateway.httpPort() + cfg.server().pathPrefix();
    String configArg = config.toString().contains(" ") ? "'" + config + "'" : config.toString();
    out.println("vncgate is listening on " + base + "/ (Ctrl-C stops it).");
    out.println("To open a desktop in your browser:   vncgate open TARGET --config " + configArg
        + (cfg.server().port() == gateway.httpPort() ? "" : " --url " + base));
    out.println("For someone else, mint a token:      vncgate token --config " + configArg + " --sub NAME --ttl 8h");
    out.println("  and send them " + base + "/#token=TOKEN (or let them paste the token into the page).");
    if (gateway.tcpPort() > 0) {
      out.println("Native VNC viewers: " + cfg.server().tcp().host() + ":" + gateway.tcpPort()
          + ", with a ticket from POST /api/v1/sessions as the VNC password.");
    }
    out.flush();
  }
}
