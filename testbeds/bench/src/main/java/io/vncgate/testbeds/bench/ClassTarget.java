package io.vncgate.testbeds.bench;

import io.vncgate.testbeds.XvncServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * The class-start target: a real TigerVNC Xvnc with a VNC password (security type VncAuth) and
 * its blacklist as shipped (BlacklistThreshold 5, BlacklistTimeout 10), always on the same
 * loopback port. Started afresh for every scenario, so that one scenario's blacklist marks (which
 * Xvnc keeps per source address, doubling the block each time) do not fall on the next.
 */
final class ClassTarget implements AutoCloseable {
  /** What Xvnc logs for each connection it refuses from a blacklisted address (VNCServerST.cxx, 1.12). */
  static final String BLACKLISTED = "Connections: blacklisted: ";
  /** The reason it sends such a connection. */
  static final String TOO_MANY = "Too many security failures";
  static final String PASSWORD = "class-pw";

  private final int width;
  private final int height;
  private final int port;
  private XvncServer xvnc;

  private ClassTarget(int width, int height, int port) {
    this.width = width;
    this.height = height;
    this.port = port;
  }

  static ClassTarget start(int width, int height) {
    XvncServer.require();
    ClassTarget t = new ClassTarget(width, height, RelayProcess.freePort());
    t.restart();
    return t;
  }

  /** Stops the running Xvnc, if any, and starts a new one on the same port (returns after a full handshake). */
  void restart() {
    if (xvnc != null) xvnc.close();
    xvnc = XvncServer.builder().geometry(width, height).password(PASSWORD).port(port).desktopName("class-start")
        .timeout(Duration.ofSeconds(20)).start();
  }

  int port() {
    return port;
  }

  /** A copy of the password file that outlives restarts (the gateway's config points to it). */
  Path keepPasswordFile(Path dir) throws IOException {
    Path copy = dir.resolve("xvnc.password");
    Files.copy(xvnc.passwordFile(), copy, StandardCopyOption.REPLACE_EXISTING);
    return copy;
  }

  /** Lines of the running Xvnc's log that say it refused a blacklisted address. */
  long blacklistedLines() {
    return xvnc.logLines(BLACKLISTED).size();
  }

  /** The first such line, or null. */
  String firstBlacklistedLine() {
    List<String> lines = xvnc.logLines(BLACKLISTED);
    return lines.isEmpty() ? null : lines.get(0).trim();
  }

  @Override
  public void close() {
    if (xvnc != null) xvnc.close();
  }
}
