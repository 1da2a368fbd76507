package io.vncgate.gateway.transport.ssh;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real TigerVNC Xvnc on 127.0.0.1 with security type None, for the SSH route tests (the shared
 * launchers in testbeds/ live on another branch for now).
 */
final class XvncProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final int display;

  private XvncProcess(Process process, int port, int display) {
    this.process = process;
    this.port = port;
    this.display = display;
  }

  static XvncProcess start(Path logDir) throws IOException, InterruptedException {
    int display = freeDisplay();
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    File log = logDir.resolve("xvnc-" + display + ".log").toFile();
    Process p = new ProcessBuilder(List.of("Xvnc", ":" + display, "-rfbport", String.valueOf(port), "-localhost",
        "-SecurityTypes", "None", "-geometry", "800x600", "-depth", "24", "-nolisten", "tcp",
        // tests drop viewers before auth; without this TigerVNC soon blacklists 127.0.0.1
        "-BlacklistThreshold", "1000000"))
        .redirectErrorStream(true).redirectOutput(log).start();
    XvncProcess xvnc = new XvncProcess(p, port, display);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) throw new IOException("Xvnc :" + display + " exited: " + Files.readString(log.toPath()));
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return xvnc;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    xvnc.close();
    throw new IOException("Xvnc :" + display + " did not listen on " + port);
  }

  int port() {
    return port;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static int freeDisplay() throws IOException {
    for (int i = 0; i < 50; i++) {
      int n = 100 + ThreadLocalRandom.current().nextInt(800);
      if (!Files.exists(Path.of("/tmp/.X" + n + "-lock")) && !Files.exists(Path.of("/tmp/.X11-unix/X" + n))) {
        return n;
      }
    }
    throw new IOException("no free X display number");
  }

  @Override
  public String toString() {
    return "Xvnc :" + display + " on 127.0.0.1:" + port;
  }
}
