package io.vncgate.testbeds.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * websockify-js (npm {@code websockify}, run by the machine's node) in front of the synthetic
 * server: the other WebSocket proxy people deploy. Installed by {@code npm ci} when the bench module
 * is built (testbeds/bench/package.json), never copied into the repository. One node process, all
 * connections on its event loop.
 */
final class WebsockifyJsProcess extends RelayProcess {
  static final String NODE = "node";
  final int port;

  private WebsockifyJsProcess(Process process, Path log, int port) {
    super(process, log);
    this.port = port;
  }

  /** testbeds/bench/node_modules/websockify/websockify.js, from the bench module's folder. */
  static Path script(Path benchDir) {
    return benchDir.resolve("node_modules").resolve("websockify").resolve("websockify.js");
  }

  static WebsockifyJsProcess start(Path benchDir, Path dir, int serverPort) throws IOException {
    Path script = script(benchDir);
    if (!Files.isRegularFile(script)) {
      throw new IOException(script + " is missing: websockify-js is installed by npm when the bench module is built"
          + " (cd testbeds/bench && npm ci; needs node and npm: apt-get install nodejs npm)");
    }
    int port = freePort();
    Path log = dir.resolve("websockify-js.log");
    Process p;
    try {
      p = new ProcessBuilder(List.of(NODE, script.toString(), "127.0.0.1:" + port, "127.0.0.1:" + serverPort))
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
    } catch (IOException e) {
      throw new IOException("node could not be started for websockify-js (apt-get install nodejs): " + e.getMessage(), e);
    }
    WebsockifyJsProcess w = new WebsockifyJsProcess(p, log, port);
    try {
      awaitPort(p, port, Duration.ofSeconds(20), log);
    } catch (IOException e) {
      w.close();
      throw new IOException("websockify-js did not start: " + e.getMessage(), e);
    }
    return w;
  }

  /** "websockify-js 0.7.1 (ws 1.1.5, node v20.…)", read from the installed packages; "unknown" parts where unreadable. */
  static String version(Path benchDir) {
    return "websockify-js " + packageVersion(benchDir, "websockify") + " (ws " + packageVersion(benchDir, "ws")
        + ", node " + nodeVersion() + ")";
  }

  private static String packageVersion(Path benchDir, String name) {
    try {
      return new JsonObject(Files.readString(benchDir.resolve("node_modules").resolve(name).resolve("package.json")))
          .getString("version", "unknown");
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String nodeVersion() {
    try {
      Process p = new ProcessBuilder(NODE, "--version").redirectErrorStream(true).start();
      String v = new String(p.getInputStream().readAllBytes()).trim();
      return p.waitFor() == 0 ? v : "unknown";
    } catch (IOException | InterruptedException e) {
      return "unknown";
    }
  }

  @Override
  long errorLines() {
    return countLines("Error");
  }
}
