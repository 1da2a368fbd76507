package io.vncgate.it;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.Gateway;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.config.ConfigLoader;
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

/**
 * A real gateway loaded from {@code dir/vncgate.yaml} by the same code as {@code vncgate serve},
 * on free loopback ports, with helpers to ask for sessions and to connect viewers through the
 * WebSocket front.
 */
final class ItGateway implements AutoCloseable {
  private static final String SECRET = "integration-test-secret-0123456789-abcdefgh";

  final Vertx vertx = Vertx.vertx();
  final Gateway gateway;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** {@code yaml}: everything after server: and auth:, e.g. plugins: and providers:. */
  ItGateway(Path dir, String yaml) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), SECRET + "\n");
    Path config = Files.writeString(dir.resolve("vncgate.yaml"),
        "server: {host: 127.0.0.1, port: 0, tcp: {port: 0}, handshake-timeout: 20s}\n"
            + "auth: {jwt: {secret-file: jwt.key}}\n" + yaml);
    try {
      gateway = Gateway.start(vertx, ConfigLoader.load(config)).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close().await(10, TimeUnit.SECONDS);
      throw e;
    }
  }

  private String token() {
    return gateway.jwt().mint("alice", List.of("**"), Role.CONTROL, Duration.ofMinutes(5));
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort() + path))
        .header("Authorization", "Bearer " + token()).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The targets {@code GET /api/v1/targets} lists. */
  JsonArray targets() throws Exception {
    HttpResponse<String> r = get("/api/v1/targets");
    if (r.statusCode() != 200) throw new AssertionError("GET /api/v1/targets: " + r.statusCode() + " " + r.body());
    return new JsonObject(r.body()).getJsonArray("targets");
  }

  /** A one-shot ticket for {@code target} from {@code POST /api/v1/sessions}. */
  String ticket(String target) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort()
            + "/api/v1/sessions"))
        .header("Authorization", "Bearer " + token()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("target", target).put("role", "control").encode()))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) throw new AssertionError("POST /api/v1/sessions: " + r.statusCode() + " " + r.body());
    return new JsonObject(r.body()).getString("ticket");
  }

  /** A loopback TCP port that is a browser-like WebSocket viewer connection for {@code target}. */
  WebSocketTcpBridge bridge(String target) throws Exception {
    String origin = "http://127.0.0.1:" + gateway.httpPort();
    return WebSocketTcpBridge.to(vertx, "127.0.0.1", gateway.httpPort(), "/ws/v1/connect").origin(origin)
        .protocols("binary", "vncgate.ticket." + ticket(target)).start();
  }

  @Override
  public void close() throws Exception {
    try {
      gateway.close().await(15, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
