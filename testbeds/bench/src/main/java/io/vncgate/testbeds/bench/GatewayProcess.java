package io.vncgate.testbeds.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.net.URI;

/**
 * The real gateway, {@code java -jar vncgate.jar serve}, in a JVM of its own, configured with one
 * static target: the synthetic server (for the relay run twice: per-viewer, and fan-out as
 * {@link #FAN_OUT_TARGET}). Both fronts on free loopback ports.
 */
final class GatewayProcess extends RelayProcess {
  static final String TARGET = "static/bench";
  /** The same synthetic server as a second target whose viewers share one upstream (sessions.sharing: fan-out). */
  static final String FAN_OUT_TARGET = "static/bench-fanout";
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
  private static final String RELAY_INFO = "vncgate_relay_info";
  /** A Prometheus label: name="value", the value's quotes and backslashes escaped. */
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  final int httpPort;
  final int tcpPort;
  final String token;
  /** Seconds from starting the JVM to the first 200 of {@code /healthz} (a token minted alongside). */
  double startupS = Double.NaN;

  private GatewayProcess(Process process, Path log, int httpPort, int tcpPort, String token) {
    super(process, log);
    this.httpPort = httpPort;
    this.tcpPort = tcpPort;
    this.token = token;
  }

  /**
   * @param zeroCopy the gateway's {@code server.zero-copy}, or null for its default
   * @param upstream the gateway's {@code limits.upstream} (a flow map), or null for its defaults
   */
  static GatewayProcess start(Path jar, Path dir, int serverPort, List<String> jvmOptions, String zeroCopy, String upstream)
      throws IOException {
    GatewaySetup setup = new GatewaySetup("the benchmark (testbeds/bench/run)")
        .target(new GatewaySetup.Target("bench", "Synthetic RFB server", serverPort, null))
        .target(new GatewaySetup.Target("bench-fanout", "Synthetic RFB server, fan-out", serverPort, null))
        .sessions("sharing: {\"" + FAN_OUT_TARGET + "\": fan-out}");
    if (zeroCopy != null) setup.server("zero-copy: " + zeroCopy);
    setup.upstream(upstream);
    return start(jar, dir, setup, jvmOptions);
  }

  /** Writes {@code dir/vncgate.yaml} from {@code setup}, mints a token, starts the gateway and waits for both fronts. */
  static GatewayProcess start(Path jar, Path dir, GatewaySetup setup, List<String> jvmOptions) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException("the gateway jar " + jar + " is missing: build it (mvn -pl gateway -am -DskipTests package)");
    }
    int httpPort = freePort();
    int tcpPort = freePort();
    byte[] secret = new byte[48];
    new SecureRandom().nextBytes(secret);
    Files.writeString(dir.resolve("jwt.key"), Base64.getEncoder().encodeToString(secret) + "\n");
    Path config = dir.resolve("vncgate.yaml");
    Files.writeString(config, setup.yaml(httpPort, tcpPort));
    Path log = dir.resolve("gateway.log");
    List<String> cmd = new ArrayList<>();
    cmd.add(java());
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", jar.toString(), "serve", "--config", config.toString()));
    long startNs = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    String token;
    try {
      token = mintToken(jar, config, dir); // while the gateway starts: two JVM start-ups side by side
    } catch (IOException e) {
      p.destroyForcibly();
      throw e;
    }
    GatewayProcess g = new GatewayProcess(p, log, httpPort, tcpPort, token);
    try {
      g.awaitHealthy(Duration.ofSeconds(60));
      g.startupS = (System.nanoTime() - startNs) / 1e9;
      awaitPort(p, tcpPort, Duration.ofSeconds(10), log);
    } catch (IOException e) {
      g.close();
      throw e;
    }
    return g;
  }

  /** Polls {@code /healthz} every 10 ms until it answers 200. */
  private void awaitHealthy(Duration limit) throws IOException {
    var client = java.net.http.HttpClient.newHttpClient();
    var request = java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/healthz"))
        .timeout(Duration.ofSeconds(5)).build();
    long end = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < end) {
      try {
        if (client.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      if (!process.isAlive()) throw new IOException("the gateway exited with status " + process.exitValue() + "; see " + log);
      sleep(10);
    }
    throw new IOException("the gateway's /healthz did not answer 200 within " + limit.toSeconds() + " s; see " + log);
  }

  /** {@code vncgate token}: the JWT the benchmark presents to ask for tickets. */
  private static String mintToken(Path jar, Path config, Path dir) throws IOException {
    Path out = dir.resolve("token.out");
    Process p = new ProcessBuilder(java(), "-jar", jar.toString(), "token", "--config", config.toString(),
        "--sub", "bench", "--targets", "**", "--role", "control", "--ttl", "1h")
        .redirectError(dir.resolve("token.err").toFile())
        .redirectOutput(out.toFile())
        .start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("vncgate token failed; see " + dir.resolve("token.err"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    String token = Files.readString(out, StandardCharsets.US_ASCII).trim();
    Files.delete(out);
    return token;
  }

  /** A full GC ({@code jcmd GC.run}), then the heap in use ({@code jcmd GC.heap_info}). */
  @Override
  OptionalLong heapAfterGc() {
    jcmd("GC.run");
    String info = jcmd("GC.heap_info");
    Matcher m = HEAP_USED.matcher(info);
    return m.find() ? OptionalLong.of(Long.parseLong(m.group(1)) * 1024) : OptionalLong.empty();
  }

  @Override
  void heapHistogram(Path file) throws IOException {
    Files.writeString(file, jcmd("GC.class_histogram"));
  }

  /** Runs {@code jcmd PID command} and returns what it printed. */
  String jcmd(String command) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("jcmd " + command + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Starts Java Flight Recorder in the gateway (for --profile). */
  void startRecording(Path file) {
    jcmd("JFR.start name=bench settings=profile filename=" + file);
  }

  void stopRecording() {
    jcmd("JFR.stop name=bench");
  }

  /**
   * How the gateway relays large payloads, from its {@code /metrics} ({@code vncgate_relay_info}):
   * "transport: mode (reason)", e.g. "epoll: spliced (server.zero-copy: auto, TCP congestion
   * control cubic)"; null when it cannot be read.
   */
  String relayMode() {
    String body = metrics();
    return body == null ? null : relayMode(body);
  }

  /** The {@code vncgate_relay_info} sample of a {@code /metrics} text in words; null when there is none. */
  static String relayMode(String prometheusText) {
    for (String line : prometheusText.split("\n")) {
      if (!line.startsWith(RELAY_INFO + "{")) continue;
      Map<String, String> labels = new HashMap<>();
      Matcher m = LABEL.matcher(line.substring(RELAY_INFO.length() + 1, line.lastIndexOf('}')));
      while (m.find()) labels.put(m.group(1), m.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
      return labels.get("transport") + ": " + labels.get("mode") + " (" + labels.get("reason") + ")";
    }
    return null;
  }

  /**
   * Of the bytes the gateway relayed to viewers so far, the share it spliced socket to socket (its
   * {@code /metrics}); NaN when they cannot be read.
   */
  double splicedShare() {
    String body = metrics();
    if (body == null) return Double.NaN;
    double spliced = metric(body, "vncgate_spliced_bytes_total");
    double relayed = metric(body, "vncgate_relayed_bytes_total{direction=\"to_viewer\"");
    return relayed > 0 ? spliced / relayed : Double.NaN;
  }

  /** The gateway's {@code /metrics} text; null when it cannot be read. */
  String metricsText() {
    return metrics();
  }

  private String metrics() {
    try {
      var client = java.net.http.HttpClient.newHttpClient();
      var request = java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
          .timeout(Duration.ofSeconds(10)).build();
      return client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The value of the first sample whose line starts with {@code prefix}; NaN when there is none. */
  static double metric(String prometheusText, String prefix) {
    for (String line : prometheusText.split("\n")) {
      if (line.startsWith(prefix)) return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    return Double.NaN;
  }

  @Override
  long errorLines() {
    return countLines(" ERROR ");
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
