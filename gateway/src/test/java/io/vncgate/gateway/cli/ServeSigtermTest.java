package io.vncgate.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vncgate.testbeds.FreePorts;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ScriptedRfbServer;
import io.vncgate.testbeds.WebSocketClose;
import io.vncgate.testbeds.WebSocketTcpBridge;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `vncgate serve` stopped with SIGTERM tells its browsers why (close 1001) and audits it. */
@Timeout(90)
class ServeSigtermTest {
  @TempDir Path dir;

  @Test
  void sigtermClosesViewersWithGoingAwayAndTheAuditSaysTheGatewayIsShuttingDown() throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "sigterm-test-secret-0123456789-abcdefghij\n");
    int port = FreePorts.next();
    Vertx vertx = Vertx.vertx();
    Process serve = null;
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(64, 48, "d").start()) {
      Path config = dir.resolve("vncgate.yaml");
      Files.writeString(config, "server:\n  host: 127.0.0.1\n  port: " + port + "\n  tcp: {enabled: false}\n"
          + "auth:\n  jwt: {secret-file: jwt.key}\naudit: {file: audit.log}\n"
          + "providers:\n  static:\n    targets:\n      - {id: lab1, host: 127.0.0.1, port: " + desktop.port() + "}\n");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      serve = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve",
          "--config", config.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("serve.log").toFile()).start();
      for (int i = 0; i < 300 && !Files.readString(dir.resolve("serve.log")).contains("vncgate is listening"); i++) Thread.sleep(100);
      assertTrue(Files.readString(dir.resolve("serve.log")).contains("vncgate is listening"), Files.readString(dir.resolve("serve.log")));

      String token = token(config);
      HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/api/v1/sessions"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"target\": \"static/lab1\", \"role\": \"control\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(201, created.statusCode(), created.body());
      String ticket = new JsonObject(created.body()).getString("ticket");
      try (WebSocketTcpBridge bridge = WebSocketTcpBridge.to(vertx, "127.0.0.1", port, "/ws/v1/connect")
              .origin("http://127.0.0.1:" + port).protocols("binary", "vncgate.ticket." + ticket).start();
           RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
        assertEquals(64, client.handshakeNone().width());
        serve.destroy(); // SIGTERM
        WebSocketClose close = bridge.awaitClose(1, Duration.ofSeconds(15));
        assertEquals(new WebSocketClose(1001, "the gateway is shutting down"), close);
      }
      assertTrue(serve.waitFor(20, TimeUnit.SECONDS), "serve exits");
      List<String> audit = Files.readAllLines(dir.resolve("audit.log"));
      assertTrue(audit.stream().anyMatch(l -> l.contains("\"event\":\"viewer.left\"")
          && l.contains("\"cause\":\"the gateway is shutting down\"")), audit.toString());
    } finally {
      if (serve != null) serve.destroyForcibly();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static String token(Path config) {
    java.io.StringWriter out = new java.io.StringWriter();
    picocli.CommandLine cli = Main.commandLine();
    cli.setOut(new java.io.PrintWriter(out, true));
    assertEquals(0, cli.execute("token", "--config", config.toString(), "--sub", "alice", "--ttl", "5m"));
    return out.toString().strip();
  }
}
