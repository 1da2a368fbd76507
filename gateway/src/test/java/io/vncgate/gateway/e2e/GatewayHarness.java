package io.vncgate.gateway.e2e;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.Gateway;
import io.vncgate.gateway.auth.InMemoryTicketStore;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.auth.TicketStore;
import io.vncgate.gateway.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real gateway for end-to-end tests: written to a config file in a temp folder, loaded by the
 * same code as {@code vncgate serve}, listening on free loopback ports.
 */
final class GatewayHarness implements AutoCloseable {
  static final String SECRET = "end-to-end-test-secret-0123456789-abcdefgh";

  final Vertx vertx = Vertx.vertx(Gateway.vertxOptions());
  final Path dir;
  final Gateway gateway;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** {@code targetsYaml}: the list items under providers.static.targets, already indented by 6. */
  GatewayHarness(Path dir, String targetsYaml, String extraYaml) throws Exception {
    this(dir, targetsYaml, extraYaml, "10s");
  }

  GatewayHarness(Path dir, String targetsYaml, String extraYaml, String handshakeTimeout) throws Exception {
    this(dir, targetsYaml, extraYaml, handshakeTimeout, "");
  }

  /** {@code authYaml}: extra lines under {@code auth:}, indented by 2. */
  GatewayHarness(Path dir, String targetsYaml, String extraYaml, String handshakeTimeout, String authYaml) throws Exception {
    this(dir, targetsYaml, extraYaml, handshakeTimeout, authYaml, "");
  }

  /** {@code serverYaml}: extra lines under {@code server:}, indented by 2. */
  GatewayHarness(Path dir, String targetsYaml, String extraYaml, String handshakeTimeout, String authYaml,
      String serverYaml) throws Exception {
    this(dir, targetsYaml, extraYaml, handshakeTimeout, authYaml, serverYaml, 0);
  }

  /** {@code tcpPort}: the TCP front's port; 0 picks a free one (and deploys one listener). */
  GatewayHarness(Path dir, String targetsYaml, String extraYaml, String handshakeTimeout, String authYaml,
      String serverYaml, int tcpPort) throws Exception {
    this(dir, targetsYaml, extraYaml, handshakeTimeout, authYaml, serverYaml, tcpPort,
        new InMemoryTicketStore(Clock.systemUTC()));
  }

  /** {@code tickets}: the gateway's ticket store (to watch or fill it from a test). */
  GatewayHarness(Path dir, String targetsYaml, String extraYaml, String handshakeTimeout, String authYaml,
      String serverYaml, int tcpPort, TicketStore tickets) throws Exception {
    this.dir = dir;
    Files.writeString(dir.resolve("jwt.key"), SECRET + "\n");
    String yaml = "server:\n  host: 127.0.0.1\n  port: 0\n  tcp: {port: " + tcpPort + "}\n  handshake-timeout: " + handshakeTimeout + "\n" + serverYaml
        + "auth:\n  jwt: {secret-file: jwt.key}\n" + authYaml
        + (extraYaml == null ? "" : extraYaml)
        + "providers:\n  static:\n    targets:\n" + targetsYaml;
    Path config = dir.resolve("vncgate.yaml");
    Files.writeString(config, yaml);
    gateway = Gateway.start(vertx, ConfigLoader.load(config), List.of(), tickets).await(30, TimeUnit.SECONDS);
  }

  static String target(String id, int port, String passwordFile) {
    return "      - id: " + id + "\n        host: 127.0.0.1\n        port: " + port + "\n"
        + (passwordFile == null ? "" : "        password-file: " + passwordFile + "\n");
  }

  Path writeFile(String name, String content) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  String token(String sub, String glob, Role role) {
    return gateway.jwt().mint(sub, List.of(glob), role, Duration.ofMinutes(5));
  }

  int httpPort() {
    return gateway.httpPort();
  }

  int tcpPort() {
    return gateway.tcpPort();
  }

  String origin() {
    return "http://127.0.0.1:" + httpPort();
  }

  HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort() + path)).GET();
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort() + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** POST /api/v1/sessions and return the reply, failing the test on anything but 201. */
  JsonObject session(String token, String target, String role) throws Exception {
    HttpResponse<String> r = post("/api/v1/sessions", token,
        new JsonObject().put("target", target).put("role", role).encode());
    if (r.statusCode() != 201) throw new AssertionError("POST /api/v1/sessions: " + r.statusCode() + " " + r.body());
    return new JsonObject(r.body());
  }

  String ticket(String target) throws Exception {
    return session(token("alice", "**", Role.CONTROL), target, "control").getString("ticket");
  }

  /** A TCP bridge into the WebSocket front offering {@code binary} and the ticket, from the gateway's own origin. */
  io.vncgate.testbeds.WebSocketTcpBridge bridge(String ticket) {
    var b = io.vncgate.testbeds.WebSocketTcpBridge.to(vertx, "127.0.0.1", httpPort(), "/ws/v1/connect").origin(origin());
    b = ticket == null ? b.protocols("binary") : b.protocols("binary", "vncgate.ticket." + ticket);
    return b.start();
  }

  @Override
  public void close() throws Exception {
    try {
      gateway.close().await(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
