package io.vncgate.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vncgate.testbeds.FreePorts;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ScriptedRfbServer;
import io.vncgate.testbeds.WebSocketTcpBridge;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vncgate serve} as a real process: config keys from {@code VNCGATE_} variables win over the
 * file; {@code logging.format: json} makes every log line a JSON object; the access log has one
 * line per request with no token, ticket or query string in it; {@code logging.access: false}
 * silences it; an unknown {@code VNCGATE_} variable stops start-up with "did you mean".
 */
@Timeout(180)
class ServeEnvAndLogTest {
  /** What ServeCommand prints for people on stdout (not the log). */
  private static final List<String> BANNER = List.of("vncgate is listening", "To open a desktop", "For someone else",
      "  and send them", "Native VNC viewers");

  @TempDir Path dir;

  @Test
  void environmentOverridesAndJsonAccessLogWithoutSecrets() throws Exception {
    int filePort = FreePorts.next();
    int envPort = FreePorts.next();
    Vertx vertx = Vertx.vertx();
    Process serve = null;
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(64, 48, "d").start()) {
      Path config = config(filePort, desktop.port());
      serve = start(config, Map.of("VNCGATE_SERVER_PORT", Integer.toString(envPort), "VNCGATE_SERVER_TCP_ENABLED", "false",
          "VNCGATE_LOGGING_FORMAT", "json"), "serve.log");
      awaitListening("serve.log");
      assertTrue(Files.readString(dir.resolve("serve.log")).contains("vncgate is listening on http://127.0.0.1:" + envPort + "/"),
          Files.readString(dir.resolve("serve.log")));

      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      String token = token(config);
      HttpResponse<String> targets = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + envPort
          + "/api/v1/targets?token=QUERY-SECRET-42")).header("Authorization", "Bearer " + token).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, targets.statusCode(), targets.body());
      String ticket = ticket(http, envPort, token);
      try (WebSocketTcpBridge bridge = WebSocketTcpBridge.to(vertx, "127.0.0.1", envPort, "/ws/v1/connect")
          .origin("http://127.0.0.1:" + envPort).protocols("binary", "vncgate.ticket." + ticket).start();
           RfbTestClient browser = RfbTestClient.connect(bridge.host(), bridge.port())) {
        assertEquals(64, browser.handshakeNone().width());
      }
      assertEquals(404, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + envPort + "/no/such?x=1")).GET().build(),
          HttpResponse.BodyHandlers.ofString()).statusCode());
      // the file's port is not used
      assertThrowsConnect(http, filePort);

      List<JsonObject> log = new ArrayList<>();
      for (int i = 0; i < 50 && access(log).size() < 4; i++) {
        Thread.sleep(100);
        log = jsonLines(Files.readString(dir.resolve("serve.log")));
      }
      List<JsonObject> access = access(log);
      System.out.println("access log: " + access);
      assertTrue(log.size() > access.size(), "the gateway's own log lines are JSON too: " + log);
      assertTrue(log.stream().allMatch(l -> l.containsKey("level") && l.containsKey("timestamp") && l.containsKey("formattedMessage")),
          log.toString());
      JsonObject get = find(access, "GET", "/api/v1/targets");
      assertEquals(200, kv(get).getInteger("status"));
      assertTrue(kv(get).getLong("bytes") > 0, get.encode());
      assertEquals("127.0.0.1", kv(get).getString("client"));
      assertTrue(kv(get).containsKey("durationMs"));
      assertTrue(get.getString("formattedMessage").matches("GET /api/v1/targets 200 \\d+B \\d+ms 127\\.0\\.0\\.1"),
          get.getString("formattedMessage"));
      assertEquals(201, kv(find(access, "POST", "/api/v1/sessions")).getInteger("status"));
      assertEquals(101, kv(find(access, "GET", "/ws/v1/connect")).getInteger("status"));
      assertEquals(404, kv(find(access, "GET", "/no/such")).getInteger("status"));

      String whole = Files.readString(dir.resolve("serve.log"));
      assertFalse(whole.contains(token), "the JWT is in the log");
      assertFalse(whole.contains(token.substring(token.lastIndexOf('.') + 1)), "the JWT's signature is in the log");
      assertFalse(whole.contains(ticket), "the ticket is in the log");
      assertFalse(whole.contains("QUERY-SECRET-42"), "the query string is in the log");
    } finally {
      if (serve != null) serve.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void accessLogOffFromTheEnvironmentAndUnknownVariablesStopStartUp() throws Exception {
    int port = FreePorts.next();
    Process serve = null;
    try {
      Path config = config(port, 5999);
      Process bad = start(config, Map.of("VNCGATE_SERVER_PROT", "7000"), "bad.log");
      assertTrue(bad.waitFor(60, TimeUnit.SECONDS));
      String badLog = Files.readString(dir.resolve("bad.log"));
      assertNotEquals(0, bad.exitValue(), badLog);
      assertTrue(badLog.contains("VNCGATE_SERVER_PROT is not a config key: server has no key prot — did you mean VNCGATE_SERVER_PORT?"),
          badLog);

      Process wrong = start(config, Map.of("VNCGATE_SERVER_TCP_PORT", "seventy"), "wrong.log");
      assertTrue(wrong.waitFor(60, TimeUnit.SECONDS));
      String wrongLog = Files.readString(dir.resolve("wrong.log"));
      assertTrue(wrongLog.contains("server.tcp.port: expected a whole number from 0 to 65535, got \"seventy\""
          + " (from the environment variable VNCGATE_SERVER_TCP_PORT)"), wrongLog);

      serve = start(config, Map.of("VNCGATE_LOGGING_ACCESS", "false", "VNCGATE_SERVER_TCP_ENABLED", "false"), "quiet.log");
      awaitListening("quiet.log");
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      for (int i = 0; i < 3; i++) {
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).GET().build(),
            HttpResponse.BodyHandlers.ofString()).statusCode());
      }
      Thread.sleep(500);
      String quiet = Files.readString(dir.resolve("quiet.log"));
      assertFalse(quiet.contains("/healthz"), quiet);
      assertTrue(quiet.contains("INFO"), "text log lines: " + quiet);
      assertTrue(jsonLines(quiet.lines().filter(l -> l.startsWith("{")).reduce("", (a, b) -> a + b + "\n")).isEmpty(), quiet);
    } finally {
      if (serve != null) serve.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private Path config(int port, int targetPort) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "env-log-test-secret-0123456789-abcdefghij\n");
    Path config = dir.resolve("vncgate.yaml");
    Files.writeString(config, "server:\n  host: 127.0.0.1\n  port: " + port + "\n"
        + "auth:\n  jwt: {secret-file: jwt.key}\n"
        + "providers:\n  static:\n    targets:\n      - {id: lab1, host: 127.0.0.1, port: " + targetPort + "}\n");
    return config;
  }

  private Process start(Path config, Map<String, String> env, String logName) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve",
        "--config", config.toString()).redirectErrorStream(true).redirectOutput(dir.resolve(logName).toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("VNCGATE_"));
    pb.environment().putAll(env);
    return pb.start();
  }

  private void awaitListening(String logName) throws Exception {
    Path log = dir.resolve(logName);
    for (int i = 0; i < 300 && !Files.readString(log).contains("vncgate is listening"); i++) Thread.sleep(100);
    assertTrue(Files.readString(log).contains("vncgate is listening"), Files.readString(log));
  }

  /** Every line of the output that is not the banner for people, parsed as JSON (fails on a line that is not JSON). */
  private static List<JsonObject> jsonLines(String output) {
    List<JsonObject> out = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (line.isBlank() || BANNER.stream().anyMatch(line::startsWith)) continue;
      try {
        out.add(new JsonObject(line));
      } catch (DecodeException e) {
        throw new AssertionError("a log line is not JSON: " + line, e);
      }
    }
    return out;
  }

  private static List<JsonObject> access(List<JsonObject> log) {
    return log.stream().filter(l -> "vncgate.access".equals(l.getString("loggerName"))).toList();
  }

  /** The access line's key-value pairs (logback's kvpList: a list of one-pair objects) as one object. */
  private static JsonObject kv(JsonObject line) {
    JsonObject out = new JsonObject();
    Object list = line.getValue("kvpList");
    if (list instanceof JsonArray a) {
      for (Object o : a) if (o instanceof JsonObject pair) pair.forEach(e -> out.put(e.getKey(), e.getValue()));
    } else if (list instanceof JsonObject o) {
      o.forEach(e -> out.put(e.getKey(), e.getValue()));
    }
    // numbers may be written as strings
    for (String k : List.of("status", "bytes", "durationMs")) {
      if (out.getValue(k) instanceof String s) out.put(k, Long.parseLong(s));
    }
    return out;
  }

  private static JsonObject find(List<JsonObject> access, String method, String path) {
    return access.stream().filter(l -> method.equals(kv(l).getString("method")) && path.equals(kv(l).getString("path")))
        .findFirst().orElseThrow(() -> new AssertionError("no access line for " + method + " " + path + " in " + access));
  }

  private static void assertThrowsConnect(HttpClient http, int port) {
    try {
      http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      throw new AssertionError("the file's port " + port + " answers, though VNCGATE_SERVER_PORT set another");
    } catch (java.io.IOException expected) {
      // refused: nothing listens there
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String ticket(HttpClient http, int port, String token) throws Exception {
    HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/sessions"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"target\": \"static/lab1\", \"role\": \"control\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, created.statusCode(), created.body());
    return new JsonObject(created.body()).getString("ticket");
  }

  private static String token(Path config) {
    java.io.StringWriter out = new java.io.StringWriter();
    picocli.CommandLine cli = Main.commandLine();
    cli.setOut(new java.io.PrintWriter(out, true));
    assertEquals(0, cli.execute("token", "--config", config.toString(), "--sub", "alice", "--ttl", "5m"));
    return out.toString().strip();
  }
}
