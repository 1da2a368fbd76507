package io.vncgate.gateway.cli;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.JwtService;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.config.ConfigLoader;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.demo.XvncDesktop;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import java.util.concurrent.TimeUnit;

/**
 * {@code vncgate open TARGET --config FILE [--no-browser] [--view-only] [--token JWT] [--url URL]}:
 * opens a target of a running gateway in the browser. The token travels in the URL's fragment,
 * which browsers never send to a server; the page moves it to session storage at once.
 */
@Command(name = "open", description = {
    "Open a target of a running gateway in the browser (or print the URL). With the config's signing key it",
    "mints a short-lived token for you; or give one with --token."})
final class OpenCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TARGET", description = "a target id, e.g. static/lab1")
  String target;

  @Option(names = "--config", paramLabel = "FILE", description = "the gateway's YAML config: its signing key and address")
  Path config;

  @Option(names = "--token", paramLabel = "JWT", description = "use this token instead of minting one")
  String token;

  @Option(names = "--url", paramLabel = "URL", description = "the gateway's address (default: from the config, else http://127.0.0.1:6080)")
  String url;

  @Option(names = "--view-only", description = "watch only: the token and the page ask for role view")
  boolean viewOnly;

  @Option(names = "--no-browser", description = "print the URL instead of opening a browser")
  boolean noBrowser;

  @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "1h", description = "lifetime of a minted token (default: ${DEFAULT-VALUE}); the page needs it to reconnect")
  String ttl;

  @Option(names = "--user", paramLabel = "NAME", description = "the minted token's subject (default: your login name)")
  String user;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (config == null && token == null) {
      throw new ParameterException(spec.commandLine(), "give --config FILE (to mint a token with its key) or --token JWT");
    }
    GatewayConfig cfg = config == null ? null : ConfigLoader.load(config);
    String base = baseUrl(cfg);
    String jwt = token != null ? token.strip() : mint(cfg);

    Optional<String> problem = check(base, jwt);
    if (problem.isPresent()) {
      err.println("vncgate: " + problem.get());
      return 2;
    }
    String viewerUrl = base + "/#token=" + jwt + "&target=" + target + (viewOnly ? "&role=view" : "");
    if (!noBrowser && openBrowser(viewerUrl)) {
      out.println("Opened " + target + (viewOnly ? " (view only)" : "") + " in your browser.");
      return 0;
    }
    out.println("Open this URL in a browser (it holds a sign-in token; do not share it):");
    out.println();
    out.println("  " + viewerUrl);
    return 0;
  }

  private String baseUrl(GatewayConfig cfg) {
    if (url != null) {
      String u = url.strip().replaceAll("/+$", "");
      if (!u.matches("https?://[^/\\s]+")) {
        throw new ParameterException(spec.commandLine(), "--url must look like http://host:port, got '" + url + "'");
      }
      return u;
    }
    if (cfg == null) return "http://127.0.0.1:6080";
    String host = cfg.server().host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.isBlank()) host = "127.0.0.1";
    if (host.contains(":")) host = "[" + host + "]";
    int port = cfg.server().port() == 0 ? 6080 : cfg.server().port();
    return cfg.server().scheme() + "://" + host + ":" + port;
  }

  private String mint(GatewayConfig cfg) {
    Duration d = CliDurations.parse(spec, "--ttl", ttl);
    String subject = user != null ? user : System.getProperty("user.name", "operator");
    Vertx vertx = Vertx.vertx();
    try {
      return new JwtService(vertx, cfg.jwt()).mint(subject, List.of(target), viewOnly ? Role.VIEW : Role.CONTROL, d);
    } finally {
      vertx.close();
    }
  }

  /** Asks the gateway for the targets this token may open: is it up, is the token good, is the target there? */
  private Optional<String> check(String base, String jwt) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r;
    try {
      r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/targets")).timeout(Duration.ofSeconds(15))
          .header("Authorization", "Bearer " + jwt).GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      return Optional.of("no gateway answers at " + base + ": start it with `vncgate serve --config FILE`, or give its address with --url");
    } catch (IOException e) {
      return Optional.of("could not reach the gateway at " + base + ": " + e);
    }
    JsonObject body;
    try {
      body = new JsonObject(r.body());
    } catch (RuntimeException e) {
      return Optional.of(base + " answered HTTP " + r.statusCode() + " without JSON: is it a vncgate gateway?");
    }
    if (r.statusCode() != 200) {
      return Optional.of("the gateway refused the token (HTTP " + r.statusCode() + "): " + body.getString("error", "")
          + (token == null ? " (is --config the config this gateway runs with?)" : ""));
    }
    JsonArray targets = body.getJsonArray("targets", new JsonArray());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) ids.add(targets.getJsonObject(i).getString("id"));
    if (!ids.contains(target)) {
      if (token == null) return Optional.of("the gateway at " + base + " has no target " + target + " (see `providers` in its config)");
      return Optional.of("no target " + target + " among those this token may open"
          + (ids.isEmpty() ? " (none)" : ": " + String.join(", ", ids)));
    }
    return Optional.empty();
  }

  /** xdg-open on Linux (with a display), open on macOS; false if neither is there or it fails. */
  private static boolean openBrowser(String viewerUrl) {
    boolean mac = System.getProperty("os.name", "").toLowerCase().contains("mac");
    String opener = mac ? "open" : "xdg-open";
    if (XvncDesktop.which(opener).isEmpty()) return false;
    if (!mac && System.getenv("DISPLAY") == null && System.getenv("WAYLAND_DISPLAY") == null) return false;
    try {
      Process p = new ProcessBuilder(opener, viewerUrl).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return !p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
