package io.vncgate.gateway.transport.ws;

import io.vncgate.testbeds.FreePorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** websockify 0.10 (Debian's, /usr/bin/websockify) in front of a VNC server, on 127.0.0.1: ws, or wss with a certificate. */
public final class Websockify implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private Websockify(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** @param cert a PEM certificate and its key for wss only, or null for ws */
  public static Websockify start(Path dir, int vncPort, SelfSignedCert cert) throws Exception {
    int port = FreePorts.next();
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/websockify"));
    if (cert != null) cmd.addAll(List.of("--cert=" + cert.certPem(), "--key=" + cert.keyPem(), "--ssl-only"));
    cmd.addAll(List.of("127.0.0.1:" + port, "127.0.0.1:" + vncPort));
    Path log = dir.resolve("websockify-" + port + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Websockify w = new Websockify(p, port, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) throw new IllegalStateException("websockify exited: " + java.nio.file.Files.readString(log));
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return w;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    w.close();
    throw new IllegalStateException("websockify did not listen on " + port + " within 15 s");
  }

  public int port() {
    return port;
  }

  public String logText() throws IOException {
    return java.nio.file.Files.readString(log);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
  }
}
