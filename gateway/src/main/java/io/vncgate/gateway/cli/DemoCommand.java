package io.vncgate.gateway.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.vncgate.gateway.demo.Demo;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vncgate demo [--port N]}: the embedded default, for a first look. */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, description = {
    "Start a gateway on 127.0.0.1 with a built-in demo desktop (and a real X desktop when TigerVNC's Xvnc is",
    "installed) and print the URL to open. Nothing is written outside a temp folder; Ctrl-C stops everything."})
final class DemoCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--port", paramLabel = "N", defaultValue = "6080", description = "The gateway's port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--no-xvnc", description = "Do not start an X desktop even if Xvnc is installed.")
  boolean noXvnc;

  @Option(names = "--tls", description = "Serve https:// and wss:// with a self-signed certificate made for this run (the browser warns once).")
  boolean tls;

  @Option(names = "--verbose", description = "Log every connection (default: warnings only).")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    if (!verbose && LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
      // the URL is what matters here: keep the console to warnings (also loggers set to INFO by name)
      for (ch.qos.logback.classic.Logger l : logback.getLoggerList()) {
        if (l.getLevel() != null && !l.getLevel().isGreaterOrEqual(Level.WARN)) l.setLevel(Level.WARN);
      }
      logback.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
    }
    PrintWriter out = spec.commandLine().getOut();
    System.setProperty("java.awt.headless", "true");
    Demo demo = Demo.start(new Demo.Options(port, !noXvnc, Duration.ofHours(12), System.getProperty("user.name", "demo"),
        tls));
    Thread shutdown = new Thread(demo::close, "vncgate-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    out.println("vncgate demo is running.");
    for (String note : demo.notes()) out.println("  " + note);
    out.println();
    out.println("Open this URL in a browser on this computer (it holds a sign-in token for 12 hours; do not share it):");
    out.println();
    out.println("  " + demo.url());
    out.println();
    out.println("Press Ctrl-C to stop.");
    out.flush();
    try {
      new CountDownLatch(1).await(); // until Ctrl-C runs the shutdown hook
    } catch (InterruptedException e) {
      // stopped from inside the JVM (tests): stop now rather than at exit
      Runtime.getRuntime().removeShutdownHook(shutdown);
      demo.close();
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
