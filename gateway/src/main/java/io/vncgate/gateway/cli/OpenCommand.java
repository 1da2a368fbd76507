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
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code vncgate open TARGET [--config FILE] [--no-browser] [--view-only] [--token JWT] [--url URL]}:
 * opens a target of a running gateway in the browser. The token travels in the URL's fragment,
 * which browsers never send to a server; the page moves it to session storage at once.
 */
@Command(name = "open", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, description = {
    "Open a target of a running gateway in the browser (or print the URL). With the config's signing key it",
    "mints a short-lived token for you; or give one with --token."})
final class OpenCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TARGET", description = "The target id, e.g. static/lab1.")
  String target;

  @Option(names = "--config", paramLabel = "FILE", description = {"The gateway's YAML config file: its signing key and address.",
      "Default without --token: the file named by $VNCGATE_CONFIG, else /etc/vncgate/vncgate.yaml if it exists."})
  Path config;

  /** Where the default config file lives, and the environment; tests point them elsewhere. */
  Path systemDefault = ConfigPath.SYSTEM_DEFAULT;
  Map<String, String> env = System.getenv();

  @Option(names = "--token", paramLabel = "JWT", description = "Use this token instead of minting one.")
  String token;

  @Option(names = "--url", paramLabel = "URL", description = "The gateway's address (default: from the config, else http://127.0.0.1:6080).")
  String url;

  @Option(names = "--view-only", description = "Watch only: the token and the page ask for role view.")
  boolean viewOnly;

  @Option(names = "--no-browser", description = "Print the URL instead of opening a browser.")
  boolean noBrowser;

  @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "1h", description = "The lifetime of a minted token (default: ${DEFAULT-VALUE}); the page needs it to reconnect.")
  String ttl;

  @Option(names = "--user", paramLabel = "NAME", description = "The minted token's subject (default: your login name).")
  String user;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (config == null && token == null) {
      // no token to use: a config is needed to mint one, found as `serve` finds it
      config = ConfigPath.choose(null, env, systemDefault)
          .orElseThrow(() -> new IllegalArgumentException(ConfigPath.noneFound(systemDefault) + "; or give --token JWT"));
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
      if (!u.matches("https?://[^/\\s]+(/[^\\s?#]*)?")) {
        throw new ParameterException(spec.commandLine(), "--url must look like http://host:port or, behind a reverse proxy,"
            + " https://host/base-path, got '" + url + "'");
      }
      return u;
    }
    if (cfg == null) return "http://127.0.0.1:6080";
    String host = cfg.server().host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.isBlank()) host = "127.0.0.1";
    if (host.contains(":")) host = "[" + host + "]";
    int port = cfg.server().port() == 0 ? 6080 : cfg.server().port();
    return cfg.server().scheme() + "://" + host + ":" + port + cfg.server().pathPrefix();
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

  /**
   * xdg-open on Linux (with a display), open on macOS; false if neither is there or it fails. The
   * token never goes on a command line (where {@code ps} shows it to every user): the opener gets a
   * file readable by this user only, a one-line page that sends the browser on to the URL.
   */
  private static boolean openBrowser(String viewerUrl) {
    boolean mac = System.getProperty("os.name", "").toLowerCase().contains("mac");
    String opener = mac ? "open" : "xdg-open";
    if (XvncDesktop.which(opener).isEmpty()) return false;
    if (!mac && System.getenv("DISPLAY") == null && System.getenv("WAYLAND_DISPLAY") == null) return false;
    try {
      Path page = redirectPage(viewerUrl);
      Process p = new ProcessBuilder(opener, page.toUri().toString()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return !p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * A page in a folder only this user can read ($XDG_RUNTIME_DIR, else the temp dir) that replaces
   * itself with the viewer URL. The browser may read it after this command exits, so it stays; the
   * next {@code vncgate open} removes pages older than a minute.
   */
  static Path redirectPage(String viewerUrl) throws IOException {
    String runtime = System.getenv("XDG_RUNTIME_DIR");
    Path base = runtime != null && Files.isDirectory(Path.of(runtime)) ? Path.of(runtime) : Path.of(System.getProperty("java.io.tmpdir"));
    Path dir = base.resolve("vncgate-open-" + System.getProperty("user.name", "user"));
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    if (!Files.isDirectory(dir)) {
      if (posix) Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      else Files.createDirectory(dir);
    }
    if (posix && !Files.getPosixFilePermissions(dir).equals(PosixFilePermissions.fromString("rwx------"))) {
      throw new IOException(dir + " is readable by others: not putting a token there");
    }
    try (var old = Files.newDirectoryStream(dir, "open-*.html")) {
      for (Path o : old) {
        if (Files.getLastModifiedTime(o).toMillis() < System.currentTimeMillis() - 60_000) Files.deleteIfExists(o);
      }
    }
    Path page = posix
        ? Files.createTempFile(dir, "open-", ".html", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
        : Files.createTempFile(dir, "open-", ".html");
    String js = viewerUrl.replace("\\", "\\\\").replace("'", "\\'").replace("<", "\\x3c");
    Files.writeString(page, "<!doctype html><meta charset=utf-8><title>vncgate</title>"
        + "<script>location.replace('" + js + "')</script>\n");
    return page;
  }
}
