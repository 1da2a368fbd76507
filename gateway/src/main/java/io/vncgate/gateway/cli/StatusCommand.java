package io.vncgate.gateway.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.cli.StatusHttp.Answer;
import io.vncgate.gateway.cli.StatusReport.Layer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code vncgate status [TARGET] [--gateway URL] [--token-file F] [--ca-file PEM] [--json]}: checks
 * a running gateway layer by layer (reachable, TLS, token, providers, the target's VNC server,
 * who is connected) and says for each broken layer what is wrong and what to paste to fix it.
 * Exit code 0 healthy, 1 unhealthy, 2 a usage error.
 */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, description = {
    "Check a running gateway layer by layer: reachable, TLS, your token, its providers, a target's VNC server",
    "and who is connected. Each problem comes with the commands to fix it. Exit code 0 healthy, 1 unhealthy."})
final class StatusCommand implements Callable<Integer> {
  static final String DEFAULT_TOKEN_FILE = "~/.vncgate-token";
  static final Duration TLS_WARNING = Duration.ofDays(14);

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "TARGET", description = "A target id to check too, e.g. static/lab1.")
  String target;

  @Option(names = "--gateway", paramLabel = "URL", defaultValue = "http://127.0.0.1:6080",
      description = "The gateway's address (default: ${DEFAULT-VALUE}).")
  String gatewayUrl;

  @Option(names = "--token-file", paramLabel = "FILE", description = "A file holding your token (default: "
      + DEFAULT_TOKEN_FILE + ").")
  Path tokenFile;

  @Option(names = "--ca-file", paramLabel = "PEM", description = "Trust this CA (or the gateway's own certificate) for HTTPS.")
  Path caFile;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  private String base;
  private StatusHttp http;

  @Override
  public Integer call() throws Exception {
    URI uri = parseUrl();
    base = uri.toString();
    if (caFile != null && !Files.isReadable(caFile)) {
      throw new ParameterException(spec.commandLine(), "--ca-file " + caFile + " cannot be read");
    }
    try {
      http = new StatusHttp(uri, caFile);
    } catch (IOException | GeneralSecurityException e) {
      throw new ParameterException(spec.commandLine(), "--ca-file: " + e.getMessage());
    }
    StatusReport report = new StatusReport(base);
    boolean up = reachable(report);
    if (up && uri.getScheme().equals("https")) up = tls(report);
    else if (up) report.add(Layer.skipped("tls", "plain HTTP (the gateway has no server.tls)"));
    if (up) up = healthz(report);
    if (!up) {
      for (String l : List.of("token", "providers", "target", "sessions")) {
        if (!l.equals("target") || target != null) {
          report.add(Layer.skipped(l, "not checked: the gateway cannot be used (see above)"));
        }
      }
    } else {
      String token = token(report);
      StatusApiLayers api = new StatusApiLayers(http, base, target,
          tokenFile != null ? tokenFile.toString() : DEFAULT_TOKEN_FILE);
      api.providers(report, token);
      if (target != null) {
        if (token != null) api.target(report, token);
        else report.add(Layer.skipped("target", "not checked: no usable token"));
      }
      if (token != null) api.sessions(report, token);
      else report.add(Layer.skipped("sessions", "not checked: no usable token"));
    }
    if (json) spec.commandLine().getOut().println(report.json().encodePrettily());
    else report.printText(spec.commandLine().getOut());
    spec.commandLine().getOut().flush();
    return report.healthy() ? 0 : 1;
  }

  private URI parseUrl() {
    String u = gatewayUrl.strip().replaceAll("/+$", "");
    if (!u.matches("https?://[^/\\s]+")) {
      throw new ParameterException(spec.commandLine(), "--gateway must look like http://host:port or https://host:port, got '"
          + gatewayUrl + "'");
    }
    return URI.create(u);
  }

  // 1. the gateway: something listens, TLS, /healthz

  private boolean reachable(StatusReport report) {
    try {
      http.connect();
      report.add(Layer.ok("gateway", "accepts connections at " + base, new JsonObject()));
      return true;
    } catch (UnknownHostException e) {
      report.add(Layer.problem("gateway", "cannot resolve " + e.getMessage(), "the gateway's host name is unknown here",
          "no address for " + e.getMessage(), new JsonObject(),
          "vncgate status --gateway https://HOST:PORT   # the address your browser opens"));
    } catch (IOException e) {
      report.add(Layer.problem("gateway", "no gateway answers at " + base, "nothing accepts connections at " + base,
          e.getClass().getSimpleName() + ": " + e.getMessage(), new JsonObject(),
          "systemctl restart vncgate",
          "docker start vncgate",
          "vncgate serve --config /etc/vncgate/vncgate.yaml",
          "curl -k " + base + "/healthz"));
    }
    return false;
  }

  private boolean tls(StatusReport report) throws GeneralSecurityException {
    String caHint = "vncgate status --gateway " + base + " --ca-file /path/to/your-ca.pem" + (target == null ? "" : " " + target);
    X509Certificate cert;
    try {
      cert = http.handshake();
    } catch (SSLException e) {
      X509Certificate served = null;
      try {
        served = http.servedCertificate();
      } catch (IOException | GeneralSecurityException ignored) {
        // not even an unjudged handshake: no certificate to describe
      }
      if (served == null) {
        report.add(noTls(e));
        return false;
      }
      JsonObject data = certJson(served);
      boolean expired = served != null && served.getNotAfter().toInstant().isBefore(Instant.now());
      if (expired) {
        report.add(Layer.problem("tls", "the certificate expired on " + served.getNotAfter().toInstant(),
            "the gateway serves an expired certificate (" + served.getSubjectX500Principal().getName() + ")",
            e.getMessage(), data,
            "certbot renew   # or a new certificate from your CA into server.tls.cert-file; the gateway reloads it",
            "openssl x509 -noout -enddate -in /etc/vncgate/tls/cert.pem   # the file server.tls.cert-file names"));
      } else {
        report.add(Layer.problem("tls", "the certificate is not trusted" + (caFile == null ? "" : " by " + caFile),
            "the gateway's certificate " + (served == null ? "" : "(" + served.getSubjectX500Principal().getName()
                + ", issued by " + served.getIssuerX500Principal().getName() + ") ")
                + "is not trusted here" + (caFile == null ? " (the system's CAs)" : " (--ca-file " + caFile + ")")
                + " or does not name host " + URI.create(base).getHost(),
            e.getMessage(), data, caHint, "curl --cacert /path/to/your-ca.pem " + base + "/healthz"));
      }
      return false;
    } catch (IOException e) {
      report.add(noTls(e));
      return false;
    }
    JsonObject data = certJson(cert);
    Duration left = Duration.between(Instant.now(), cert.getNotAfter().toInstant());
    String summary = cert.getSubjectX500Principal().getName() + ", trusted, expires " + cert.getNotAfter().toInstant()
        + " (in " + left.toDays() + " days)";
    if (left.compareTo(TLS_WARNING) < 0) {
      report.add(Layer.warn("tls", summary, "the certificate expires in " + left.toDays() + " days, on "
              + cert.getNotAfter().toInstant(), "renew it before then: browsers refuse an expired certificate",
          data, "certbot renew   # or a new certificate from your CA into server.tls.cert-file; the gateway reloads it"));
    } else {
      report.add(Layer.ok("tls", summary, data));
    }
    return true;
  }

  private Layer noTls(IOException e) {
    return Layer.problem("tls", "no TLS handshake with " + base, "the gateway's port does not speak TLS (no server.tls?)",
        e.getClass().getSimpleName() + ": " + e.getMessage(), new JsonObject(),
        "vncgate status --gateway " + base.replaceFirst("^https", "http") + (target == null ? "" : " " + target)
            + "   # if the gateway has no server.tls",
        "curl -v " + base.replaceFirst("^https", "http") + "/healthz");
  }

  private static JsonObject certJson(X509Certificate c) {
    return new JsonObject().put("subject", c.getSubjectX500Principal().getName())
        .put("issuer", c.getIssuerX500Principal().getName())
        .put("notAfter", c.getNotAfter().toInstant().toString());
  }

  private boolean healthz(StatusReport report) {
    try {
      Answer a = http.get("/healthz", null);
      if (a.status() == 200 && a.json() != null) {
        report.add(Layer.ok("gateway", base + " answers /healthz in " + a.millis() + " ms",
            new JsonObject().put("millis", a.millis())));
        return true;
      }
      report.add(Layer.problem("gateway", base + " is not a vncgate gateway", base + "/healthz answered HTTP " + a.status()
          + (a.json() == null ? " without JSON" : ""), abbreviate(a.body()), new JsonObject(),
          "vncgate status --gateway https://HOST:PORT   # the gateway's own address (server.port), not a proxy's other site"));
    } catch (IOException e) {
      List<String> rescue = new ArrayList<>();
      if (base.startsWith("http://")) {
        rescue.add("vncgate status --gateway " + base.replaceFirst("^http", "https") + (target == null ? "" : " " + target)
            + "   # if the gateway has server.tls");
      }
      rescue.add("curl -kv " + base + "/healthz");
      rescue.add("systemctl restart vncgate");
      report.add(new Layer("gateway", StatusReport.State.PROBLEM, base + " does not answer HTTP",
          "the gateway accepts connections but answers no HTTP" + (base.startsWith("http://") ? " (does it speak HTTPS?)" : ""),
          e.getClass().getSimpleName() + ": " + e.getMessage(), List.copyOf(rescue), new JsonObject()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  // 2. the token

  private String token(StatusReport report) {
    Path file = tokenFile != null ? tokenFile : Path.of(System.getProperty("user.home"), ".vncgate-token");
    String shown = tokenFile != null ? tokenFile.toString() : DEFAULT_TOKEN_FILE;
    String redirect = tokenFile != null ? tokenFile.toString() : DEFAULT_TOKEN_FILE;
    String mintHint = mintHint(null, null, redirect);
    String jwt;
    try {
      jwt = Files.readString(file).strip();
    } catch (NoSuchFileException e) {
      report.add(Layer.problem("token", "no token in " + shown, "there is no token file " + shown,
          "the API (providers, target, sessions) needs a token", new JsonObject(), mintHint));
      return null;
    } catch (IOException e) {
      report.add(Layer.problem("token", "cannot read " + shown, "the token file cannot be read", e.getMessage(),
          new JsonObject(), "chmod 600 " + shown, mintHint));
      return null;
    }
    JsonObject payload = payload(jwt);
    if (payload == null) {
      report.add(Layer.problem("token", shown + " holds no JWT", "the token file does not hold a JWT (three dot-separated parts)",
          "read " + jwt.length() + " characters", new JsonObject(), mintHint));
      return null;
    }
    JsonObject data = new JsonObject().put("subject", payload.getValue("sub"));
    Object grant = payload.getValue("vncgate");
    mintHint = mintHint(payload.getValue("sub") instanceof String sub ? sub : null,
        grant instanceof JsonObject g && g.getValue("targets") instanceof JsonArray a && !a.isEmpty() ? a.getValue(0) : null,
        redirect);
    if (grant instanceof JsonObject g) data.put("targets", g.getValue("targets")).put("role", g.getValue("role"));
    String who = payload.getValue("sub") + (grant instanceof JsonObject g ? ", role " + g.getValue("role") + ", targets "
        + g.getValue("targets") : "");
    Instant exp = payload.getValue("exp") instanceof Number n ? Instant.ofEpochSecond(n.longValue()) : null;
    if (exp != null) data.put("expires", exp.toString());
    if (exp != null && exp.isBefore(Instant.now())) {
      report.add(Layer.problem("token", who + ": expired " + ago(exp), "the token expired on " + exp + " (" + ago(exp) + ")",
          "every API call and new connection is refused with it; open sessions are not cut", data, mintHint));
      return null;
    }
    try {
      Answer a = http.get("/api/v1/targets", jwt);
      if (a.status() == 200 && a.json() != null) {
        int n = a.json().getJsonArray("targets", new JsonArray()).size();
        data.put("targetsVisible", n);
        report.add(Layer.ok("token", who + (exp == null ? "" : ", expires " + exp + " (in " + in(exp) + ")")
            + "; " + n + " target" + (n == 1 ? "" : "s") + " visible", data));
        return jwt;
      }
      String error = a.json() == null ? abbreviate(a.body()) : a.json().getString("error", "");
      report.add(Layer.problem("token", who + ": refused by the gateway (HTTP " + a.status() + ")",
          "the gateway does not accept this token", error, data, mintHint));
    } catch (IOException e) {
      report.add(Layer.problem("token", "the token could not be checked", "GET /api/v1/targets failed",
          e.getClass().getSimpleName() + ": " + e.getMessage(), data, "curl -H \"Authorization: Bearer $(cat " + redirect
              + ")\" " + base + "/api/v1/targets"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return null;
  }

  /** The command that mints a new token like the old one (its subject, its first target glob) into the token file. */
  private String mintHint(String sub, Object glob, String file) {
    String targets = glob instanceof String g ? g : target == null ? "**" : target;
    return "vncgate token --config /etc/vncgate/vncgate.yaml --sub " + (sub != null && sub.matches("[\\w.@-]+") ? sub
        : user()) + " --targets '" + targets.replace("'", "") + "' --ttl 8h > " + file
        + "   # on the gateway's host; with an identity provider, save the token it gives you";
  }

  /** The JWT's payload, decoded but not verified (only for what it says: the gateway verifies it). */
  static JsonObject payload(String jwt) {
    String[] parts = jwt.split("\\.", -1);
    if (parts.length != 3) return null;
    try {
      return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** This login's name, for the commands to paste. */
  static String user() {
    return System.getProperty("user.name", "alice");
  }

  private static String ago(Instant t) {
    return human(Duration.between(t, Instant.now())) + " ago";
  }

  private static String in(Instant t) {
    return human(Duration.between(Instant.now(), t));
  }

  private static String human(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 120) return s + " s";
    if (s < 7200) return s / 60 + " min";
    if (s < 172800) return s / 3600 + " h";
    return s / 86400 + " days";
  }

  static String abbreviate(String body) {
    String b = body == null ? "" : body.strip().replaceAll("\\s+", " ");
    return b.length() > 200 ? b.substring(0, 200) + "…" : b;
  }
}
