package io.vncgate.gateway.browser;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real TigerVNC Xvnc for browser tests (security None, loopback only), with the X tools the
 * tests use on its display: xsetroot, xclip, xdotool. A stand-in until testbeds' XvncServer lands.
 */
final class LocalXvnc implements AutoCloseable {
  final int display;
  final int port;
  private final Process process;
  private final Path log;

  private LocalXvnc(int display, int port, Process process, Path log) {
    this.display = display;
    this.port = port;
    this.process = process;
    this.log = log;
  }

  static boolean available() {
    return onPath("Xvnc");
  }

  static boolean onPath(String command) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(":")) {
      if (Files.isExecutable(Path.of(dir, command))) return true;
    }
    return false;
  }

  static LocalXvnc start(Path dir, int width, int height) throws Exception {
    Exception last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int display = ThreadLocalRandom.current().nextInt(200, 600);
      if (Files.exists(Path.of("/tmp/.X11-unix/X" + display)) || Files.exists(Path.of("/tmp/.X" + display + "-lock"))) continue;
      int port = freePort();
      Path log = dir.resolve("Xvnc-" + display + ".log");
      Process p = new ProcessBuilder("Xvnc", ":" + display, "-rfbport", String.valueOf(port), "-localhost",
          "-interface", "127.0.0.1", "-SecurityTypes", "None", "-AlwaysShared", "-nolisten", "tcp",
          "-geometry", width + "x" + height, "-depth", "24", "-desktop", "browser-test")
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      LocalXvnc x = new LocalXvnc(display, port, p, log);
      try {
        x.awaitPort(10_000);
        return x;
      } catch (Exception e) {
        last = e;
        x.close();
      }
    }
    throw new IllegalStateException("Xvnc did not start", last);
  }

  private void awaitPort(long timeoutMs) throws Exception {
    long end = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < end) {
      if (!process.isAlive()) throw new IllegalStateException("Xvnc exited: " + Files.readString(log));
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        if (Files.exists(Path.of("/tmp/.X11-unix/X" + display))) return;
      } catch (IOException notYet) {
        // keep waiting
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("Xvnc :" + display + " did not listen on " + port);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Runs an X client on this display and returns its output; fails on a non-zero exit. */
  String x(String... command) throws Exception {
    return xWithInput(null, command);
  }

  String xWithInput(String stdin, String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("DISPLAY", ":" + display);
    Process p = pb.start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    // xclip -i stays in the background to serve the selection: do not wait for it
    if (command[0].equals("xclip") && List.of(command).contains("-i")) {
      Thread.sleep(300);
      return "";
    }
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    return out;
  }

  void rootColour(String colour) throws Exception {
    x("xsetroot", "-solid", colour);
  }

  /** The CLIPBOARD selection's text, or "" when nobody owns it. */
  String clipboard() throws Exception {
    ProcessBuilder pb = new ProcessBuilder("xclip", "-o", "-selection", "clipboard").redirectErrorStream(false);
    pb.environment().put("DISPLAY", ":" + display);
    Process p = pb.start();
    p.getOutputStream().close();
    if (!p.waitFor(5, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "";
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  /** xdotool's "x:12 y:34 screen:0 window:…" as {x, y}. */
  int[] pointer() throws Exception {
    String out = x("xdotool", "getmouselocation");
    List<Integer> v = new ArrayList<>();
    for (String part : out.trim().split("\\s+")) {
      if (part.startsWith("x:") || part.startsWith("y:")) v.add(Integer.parseInt(part.substring(2)));
    }
    return new int[] {v.get(0), v.get(1)};
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
  }
}
