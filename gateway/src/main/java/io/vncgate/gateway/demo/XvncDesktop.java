package io.vncgate.gateway.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real X desktop for the demo when TigerVNC's {@code Xvnc} is installed: a private display,
 * RFB on a loopback port with security None, and an {@code xterm} on it when xterm is installed.
 */
public final class XvncDesktop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(XvncDesktop.class);

  private final int display;
  private final int port;
  private final Process xvnc;
  private final List<Process> clients = new ArrayList<>();

  private XvncDesktop(int display, int port, Process xvnc) {
    this.display = display;
    this.port = port;
    this.xvnc = xvnc;
  }

  /** The program's path if it is on PATH. */
  public static Optional<Path> which(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(java.io.File.pathSeparator)) {
      if (dir.isEmpty()) continue;
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) return Optional.of(p);
    }
    return Optional.empty();
  }

  public static boolean available() {
    return which("Xvnc").isPresent();
  }

  /** Starts Xvnc on a free display and port (logs go to {@code dir}); fails if it does not come up. */
  public static XvncDesktop start(Path dir) throws IOException, InterruptedException {
    Path xvncPath = which("Xvnc").orElseThrow(() -> new IOException("Xvnc is not on PATH"));
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int display = freeDisplay();
      int port = freePort();
      Path logFile = dir.resolve("Xvnc-" + display + ".log");
      Process p = new ProcessBuilder(xvncPath.toString(), ":" + display, "-rfbport", String.valueOf(port),
          "-localhost", "-interface", "127.0.0.1", "-SecurityTypes", "None", "-AlwaysShared", "-nolisten", "tcp",
          "-geometry", "1280x800", "-depth", "24", "-desktop", "vncgate demo (Xvnc :" + display + ")")
          .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
      XvncDesktop desktop = new XvncDesktop(display, port, p);
      if (desktop.awaitReady(10_000)) {
        desktop.startClients(dir);
        return desktop;
      }
      desktop.close();
      last = new IOException("Xvnc :" + display + " did not start; its log: " + logFile);
    }
    throw last;
  }

  private boolean awaitReady(long timeoutMs) throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < end && xvnc.isAlive()) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
        if (Files.exists(Path.of("/tmp/.X11-unix/X" + display))) return true;
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(100);
    }
    return false;
  }

  private void startClients(Path dir) {
    run(dir, "xsetroot", "-solid", "#2b4a6f");
    if (!run(dir, "xterm", "-geometry", "100x32+60+60", "-title", "vncgate demo: a real X desktop",
        "-fa", "Monospace", "-fs", "11")) {
      log.info("xterm is not installed: the X desktop (Xvnc :{}) has no windows; install xterm for a terminal", display);
    }
  }

  private boolean run(Path dir, String program, String... args) {
    Optional<Path> path = which(program);
    if (path.isEmpty()) return false;
    List<String> command = new ArrayList<>(List.of(path.get().toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve(program + ".log").toFile());
    pb.environment().put("DISPLAY", ":" + display);
    try {
      clients.add(pb.start());
      return true;
    } catch (IOException e) {
      log.warn("could not start {} on the demo X desktop: {}", program, e.getMessage());
      return false;
    }
  }

  private static int freeDisplay() {
    for (int i = 0; i < 100; i++) {
      int n = ThreadLocalRandom.current().nextInt(20, 100);
      if (!Files.exists(Path.of("/tmp/.X11-unix/X" + n)) && !Files.exists(Path.of("/tmp/.X" + n + "-lock"))) return n;
    }
    throw new IllegalStateException("no free X display number between :20 and :99");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  public int display() {
    return display;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    for (Process c : clients) c.destroy();
    xvnc.destroy();
    try {
      if (!xvnc.waitFor(3, TimeUnit.SECONDS)) xvnc.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      xvnc.destroyForcibly();
    }
  }
}
