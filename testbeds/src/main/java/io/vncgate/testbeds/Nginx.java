package io.vncgate.testbeds;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx as a reverse proxy, run in the foreground as a child process ({@code daemon off}),
 * its config, pid file, logs and temp folders in one folder of the test's, listening on a free
 * port of 127.0.0.1 only. The caller gives lines for the {@code http} block (a {@code map}) and the
 * {@code server { ... }} block's body with {@code LISTEN} where the listen address goes;
 * {@link #close} stops it.
 */
public final class Nginx implements AutoCloseable {
  public static final Path BINARY = Path.of(System.getProperty("vncgate.test.nginx", "/usr/sbin/nginx"));

  private final Process process;
  private final Path dir;
  private final int port;

  private Nginx(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  /** Fails, naming the Debian package, when nginx is missing (tests never skip for that). */
  public static void require() {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(BINARY + " not found: install nginx (see .ci/install-deps)");
    }
  }

  /**
   * Starts nginx with {@code serverBody} inside its one {@code server} block ({@code LISTEN} in it is
   * replaced by {@code 127.0.0.1:<free port>}) and waits until it accepts connections.
   */
  public static Nginx start(Path dir, String httpLines, String serverBody) throws IOException, InterruptedException {
    require();
    Files.createDirectories(dir.resolve("logs"));
    int port = FreePorts.next();
    String conf = String.join("\n",
        "daemon off;",
        "master_process off;",
        "worker_processes 1;",
        "pid " + dir.resolve("nginx.pid") + ";",
        "error_log " + dir.resolve("logs/error.log") + " info;",
        "events { worker_connections 256; }",
        "http {",
        "  access_log " + dir.resolve("logs/access.log") + ";",
        "  client_body_temp_path " + dir.resolve("client_body") + ";",
        "  proxy_temp_path " + dir.resolve("proxy") + ";",
        "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
        "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
        "  scgi_temp_path " + dir.resolve("scgi") + ";",
        httpLines,
        "  server {",
        serverBody.replace("LISTEN", "127.0.0.1:" + port),
        "  }",
        "}",
        "");
    Path file = dir.resolve("nginx.conf");
    Files.writeString(file, conf);
    Process p = new ProcessBuilder(List.of(BINARY.toString(), "-p", dir + "/", "-e", dir.resolve("logs/error.log").toString(),
        "-c", file.toString()))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("logs/stdout.log").toFile())
        .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new TestbedException("nginx exited with " + p.exitValue() + ": " + log(dir));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return new Nginx(p, dir, port);
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    p.destroyForcibly();
    throw new TestbedException("nginx did not listen on 127.0.0.1:" + port + " within 10 s: " + log(dir));
  }

  private static String log(Path dir) {
    try {
      return Files.readString(dir.resolve("logs/error.log")) + Files.readString(dir.resolve("logs/stdout.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  public int port() {
    return port;
  }

  /** nginx's error log so far (for a failing test's message). */
  public String errorLog() {
    return log(dir);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
