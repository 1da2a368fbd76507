package io.vncgate.testbeds.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** websockify (the Debian package's, run by the system Python) in front of the synthetic server. */
final class WebsockifyProcess extends RelayProcess {
  static final String PYTHON = "/usr/bin/python3";
  final int port;

  private WebsockifyProcess(Process process, Path log, int port) {
    super(process, log);
    this.port = port;
  }

  static WebsockifyProcess start(Path dir, int serverPort) throws IOException {
    if (!Files.isExecutable(Path.of(PYTHON))) {
      throw new IOException(PYTHON + " is missing; websockify needs it (apt-get install websockify)");
    }
    int port = freePort();
    Path log = dir.resolve("websockify.log");
    Process p = new ProcessBuilder(List.of(PYTHON, "-m", "websockify", "127.0.0.1:" + port, "127.0.0.1:" + serverPort))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    WebsockifyProcess w = new WebsockifyProcess(p, log, port);
    try {
      awaitPort(p, port, Duration.ofSeconds(20), log);
    } catch (IOException e) {
      w.close();
      throw new IOException("websockify did not start (apt-get install websockify): " + e.getMessage(), e);
    }
    return w;
  }

  static String version() {
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", "import importlib.metadata as m; print(m.version('websockify'))")
          .redirectErrorStream(true).start();
      String v = new String(p.getInputStream().readAllBytes()).trim();
      return p.waitFor() == 0 ? v : "unknown";
    } catch (IOException | InterruptedException e) {
      return "unknown";
    }
  }

  @Override
  long errorLines() {
    return countLines("Traceback");
  }
}
