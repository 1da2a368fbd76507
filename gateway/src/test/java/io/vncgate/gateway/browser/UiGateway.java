package io.vncgate.gateway.browser;

import io.vertx.core.Vertx;
import io.vncgate.gateway.Gateway;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.config.ConfigLoader;
import io.vncgate.gateway.ui.WebUi;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A gateway serving the web UI, configured from YAML in a temp folder, on a free loopback port. */
final class UiGateway implements AutoCloseable {
  /** As the gateway runs (epoll, metrics): the relay's zero-copy paths need epoll sockets. */
  final Vertx vertx = Vertx.vertx(Gateway.vertxOptions());
  final Gateway gateway;

  /** {@code targetsYaml}: items under providers.static.targets, indented by 6. */
  UiGateway(Path dir, String targetsYaml, String serverExtraYaml) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "browser-test-secret-0123456789-abcdefghijkl\n");
    String yaml = "server:\n  host: 127.0.0.1\n  port: 0\n  tcp: {enabled: false}\n"
        + (serverExtraYaml == null ? "" : serverExtraYaml)
        + "auth:\n  jwt: {secret-file: jwt.key}\n"
        + "providers:\n  static:\n    targets:\n" + targetsYaml;
    Path config = dir.resolve("vncgate.yaml");
    Files.writeString(config, yaml);
    gateway = Gateway.start(vertx, ConfigLoader.load(config), List.of(WebUi::mount)).await(30, TimeUnit.SECONDS);
  }

  static String target(String id, int port, String labelsYaml) {
    return target(id, port, null, labelsYaml);
  }

  /** A static target; {@code passwordFile} (absolute) when the server wants VNC authentication. */
  static String target(String id, int port, Path passwordFile, String labelsYaml) {
    return "      - id: " + id + "\n        host: 127.0.0.1\n        port: " + port + "\n"
        + (passwordFile == null ? "" : "        password-file: " + passwordFile.toAbsolutePath() + "\n")
        + (labelsYaml == null ? "" : "        labels: " + labelsYaml + "\n");
  }

  String origin() {
    return "http://127.0.0.1:" + gateway.httpPort();
  }

  /** The gateway's {@code /metrics} text. */
  String metrics() throws Exception {
    var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(origin() + "/metrics")).build();
    return java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
  }

  String token(String user, Role role) {
    return gateway.jwt().mint(user, List.of("**"), role, Duration.ofMinutes(10));
  }

  /** The viewer URL as `vncgate open` builds it: token and target in the fragment. */
  String viewerUrl(String token, String target, boolean viewOnly) {
    return origin() + "/#token=" + token + (target == null ? "" : "&target=" + URLEncoder.encode(target, StandardCharsets.UTF_8))
        + (viewOnly ? "&role=view" : "");
  }

  @Override
  public void close() throws Exception {
    gateway.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}
