package io.vncgate.gateway.provider.plugin;

import io.vertx.core.Vertx;
import io.vncgate.gateway.Gateway;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real gateway started from a config file whose {@code providers:} and {@code plugins:} the test writes. */
final class TestGateway implements AutoCloseable {
  final Vertx vertx;
  final Gateway gateway;
  private final HttpClient http = HttpClient.newHttpClient();

  private TestGateway(Vertx vertx, Gateway gateway) {
    this.vertx = vertx;
    this.gateway = gateway;
  }

  /** Writes {@code dir/vncgate.yaml} with the given extra YAML (top-level keys) and returns its path. */
  static Path config(Path dir, String yaml) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "plugin-test-secret-0123456789-abcdefghijkl\n");
    return Files.writeString(dir.resolve("vncgate.yaml"),
        "server: {host: 127.0.0.1, port: 0, tcp: {enabled: false}}\nauth: {jwt: {secret-file: jwt.key}}\n" + yaml);
  }

  static TestGateway start(Path config) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      return new TestGateway(vertx, Gateway.start(vertx, ConfigLoader.load(config)).await(30, TimeUnit.SECONDS));
    } catch (Exception e) {
      vertx.close().await(10, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** Starts a gateway that is expected to fail, and returns why. */
  static Throwable failure(Path config) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Gateway.start(vertx, ConfigLoader.load(config)).await(30, TimeUnit.SECONDS);
      throw new AssertionError("the gateway started");
    } catch (Exception e) {
      return e;
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String json) throws Exception {
    return http.send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(String path) {
    String token = gateway.jwt().mint("alice", List.of("**"), Role.CONTROL, Duration.ofMinutes(5));
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort() + path))
        .header("Authorization", "Bearer " + token);
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
