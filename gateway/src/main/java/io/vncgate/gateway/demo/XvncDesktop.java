package io.vncgate.gateway.demo;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
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
      List<String> xvncCommand = List.of(xvncPath.toString(), ":" + display, "-rfbport", String.valueOf(port),
          "-localhost", "-interface", "127.0.0.1", "-SecurityTypes", "None", "-AlwaysShared", "-nolisten", "tcp",
          "-geometry", "1280x800", "-depth", "24", "-desktop", DESKTOP_PREFIX + display + ")");
      ProcessBuilder pb = new ProcessBuilder(watchdog(xvncCommand, dir))
          .redirectErrorStream(true).redirectOutput(logFile.toFile());
      pb.environment().put("VNCGATE_DEMO_DIR", dir.toAbsolutePath().toString());
      Process p = pb.start();
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

  /**
   * Ties Xvnc (and the demo's folder) to this JVM's life, even past kill -9, where no shutdown hook
   * runs: a small {@code sh} starts Xvnc in the background and waits for end-of-file on its stdin,
   * a pipe whose only writer is this JVM. When the JVM closes it ({@link #close}) or dies, the
   * kernel closes it, and sh stops Xvnc (SIGTERM: it removes its X socket and lock) and deletes the
   * folder. X clients on the display (xterm) exit with their X server.
   */
  static List<String> watchdog(List<String> command, Path dir) {
    if (!Files.isExecutable(Path.of("/bin/sh"))) return command;
    // a clean stop writes "keep" first (the JVM deletes the folder itself, and a failed start must keep it)
    String script = "\"$@\" </dev/null & x=$!; trap '' INT HUP; read -r line || true; kill $x 2>/dev/null; wait $x;"
        + " [ \"$line\" = keep ] || rm -rf -- \"$VNCGATE_DEMO_DIR\"";
    List<String> out = new ArrayList<>(List.of("/bin/sh", "-c", script, "vncgate-demo-watchdog"));
    out.addAll(command);
    return out;
  }

  /** The {@code -desktop} name of every demo Xvnc starts with this. */
  static final String DESKTOP_PREFIX = "vncgate demo (Xvnc :";

  /**
   * Stops demo Xvnc processes that outlived their demo: started by an older vncgate without the
   * watchdog, or whose watchdog was killed on its own. One is an orphan when its parent is gone,
   * is init, or is neither a watchdog nor a JVM (a running older demo keeps its own). Returns how
   * many were stopped; processes of other users cannot be and are left.
   */
  public static int sweepOrphans() {
    int stopped = 0;
    for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
      String cmd = h.info().commandLine().orElse("");
      if (!cmd.contains("Xvnc") || !cmd.contains(DESKTOP_PREFIX) || cmd.contains("vncgate-demo-watchdog")) continue;
      Optional<ProcessHandle> parent = h.parent();
      String parentCmd = parent.flatMap(p -> p.info().commandLine()).orElse("");
      boolean orphan = parent.isEmpty() || parent.get().pid() == 1
          || !(parentCmd.contains("vncgate-demo-watchdog") || parentCmd.contains("java"));
      if (orphan && h.destroy()) {
        stopped++;
        log.info("stopped Xvnc (pid {}) left behind by an earlier vncgate demo", h.pid());
      }
    }
    return stopped;
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
    try {
      xvnc.getOutputStream().write("keep\n".getBytes(StandardCharsets.US_ASCII));
      xvnc.getOutputStream().close(); // end-of-file for the watchdog: it stops Xvnc
      if (xvnc.waitFor(3, TimeUnit.SECONDS)) return;
    } catch (IOException e) {
      log.debug("closing the watchdog's pipe: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    xvnc.destroy();
    try {
      if (!xvnc.waitFor(3, TimeUnit.SECONDS)) xvnc.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      xvnc.destroyForcibly();
    }
  }
}
