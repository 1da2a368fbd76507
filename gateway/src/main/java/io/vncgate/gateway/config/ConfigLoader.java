package io.vncgate.gateway.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vncgate.gateway.engine.ZeroCopy;
import io.vncgate.gateway.transport.ssh.SshSettings;
import io.vncgate.spi.ProviderConfig;
import io.vncgate.spi.ProviderConfigException;
import io.vncgate.spi.Sharing;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads the YAML config file once, at start, into a validated {@link GatewayConfig}. */
public final class ConfigLoader {
  private static final Set<String> ALGORITHMS = Set.of("HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512");
  private static final int MIN_HMAC_SECRET_BYTES = 32;

  private ConfigLoader() {}

  /** The file, with the {@code VNCGATE_} variables of the process's environment over it. */
  public static GatewayConfig load(Path file) {
    return load(file, System.getenv());
  }

  /**
   * The file, with the {@code VNCGATE_} variables of {@code env} over it (see {@link EnvOverrides}):
   * environment over file over defaults. An error in a value from the environment names the
   * variable as well as the key.
   */
  public static GatewayConfig load(Path file, Map<String, String> env) {
    Path abs = file.toAbsolutePath().normalize();
    Map<String, Object> root;
    try {
      String text = Files.readString(abs, StandardCharsets.UTF_8);
      @SuppressWarnings("unchecked")
      Map<String, Object> parsed = new YAMLMapper().readValue(text, Map.class);
      root = parsed == null ? Map.of() : parsed;
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + abs + " does not exist");
    } catch (JsonProcessingException e) {
      throw new ConfigException("config file " + abs + " is not valid YAML: " + e.getOriginalMessage()
          + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
    } catch (IOException e) {
      throw new ConfigException("config file " + abs + " cannot be read: " + e.getMessage());
    }
    Map<String, Object> merged = new LinkedHashMap<>();
    EnvOverrides fromEnv = EnvOverrides.apply(root, env, merged);
    try {
      return fromMap(abs, merged, env);
    } catch (ProviderConfigException e) {
      String variable = fromEnv.sourceOf(e.key());
      throw new ConfigException("config " + abs.getFileName() + ": " + e.getMessage() + misplaced(e.key())
          + (variable == null ? "" : " (from the environment variable " + variable + ")"));
    }
  }

  /**
   * For an unknown key with no near sibling: the known key(s) of that name elsewhere, e.g.
   * {@code server.ttl} → {@code  — is it auth.tickets.ttl?}; else "".
   */
  static String misplaced(String key) {
    if (key.contains("[") || ConfigKeys.find(key) != null) return "";
    String name = key.substring(key.lastIndexOf('.') + 1);
    ConfigKeys.Node parent = key.contains(".") ? ConfigKeys.find(key.substring(0, key.lastIndexOf('.'))) : ConfigKeys.root();
    if (parent == null || parent.shape != ConfigKeys.Shape.SECTION) return "";
    if (ProviderConfig.closest(name, parent.children.keySet()).isPresent()) return ""; // the sibling was named
    List<String> elsewhere = new ArrayList<>();
    collect(ConfigKeys.root(), name, elsewhere);
    return elsewhere.isEmpty() ? "" : " — is it " + String.join(" or ", elsewhere) + "?";
  }

  private static void collect(ConfigKeys.Node node, String name, List<String> out) {
    for (ConfigKeys.Node c : node.children.values()) {
      if (c.name().equals(name)) out.add(c.path);
      if (c.shape == ConfigKeys.Shape.SECTION) collect(c, name, out);
    }
  }

  static GatewayConfig fromMap(Path file, Map<String, Object> map) {
    return fromMap(file, map, System.getenv());
  }

  static GatewayConfig fromMap(Path file, Map<String, Object> map, Map<String, String> env) {
    Path dir = file.getParent();
    ProviderConfig root = new ProviderConfig("", map).onlyKeys("server", "auth", "limits", "providers", "plugins", "audit", "ssh",
        "sessions", "logging");

    ProviderConfig server = root.section("server")
        .onlyKeys("host", "port", "allowed-origins", "tcp", "handshake-timeout", "idle-timeout", "provider-timeout",
            "ws-keepalive", "zero-copy", "banner-timeout", "drain-timeout", "tls",
            "base-path", "trusted-proxies", "admin");
    String host = server.string("host", "127.0.0.1");
    int port = server.integer("port", 6080, 0, 65535); // 0: any free port (tests)
    List<String> origins = server.strings("allowed-origins"); // empty: the gateway's own origin, once its port is known
    for (int i = 0; i < origins.size(); i++) {
      String o = origins.get(i);
      if (!o.equals("*") && !o.matches("https?://[^/\\s]+")) {
        throw new ProviderConfigException(server.key("allowed-origins") + "[" + i + "]",
            "expected an origin like http://host:port (scheme and host, no path), got \"" + o + "\"");
      }
    }
    ProviderConfig tcp = server.section("tcp").onlyKeys("enabled", "host", "port", "tls");
    GatewayConfig.Tls tls = tls(server, dir);
    Duration keepalive = server.duration("ws-keepalive", Duration.ofSeconds(25));
    if (!keepalive.isZero() && keepalive.compareTo(Duration.ofSeconds(1)) < 0) {
      throw server.invalid("ws-keepalive", "must be at least 1s, or 0s to send no pings");
    }
    String zeroCopyValue = server.string("zero-copy", ZeroCopy.AUTO.value());
    ZeroCopy zeroCopy = ZeroCopy.of(zeroCopyValue);
    if (zeroCopy == null) {
      boolean yamlBoolean = zeroCopyValue.equals("true") || zeroCopyValue.equals("false");
      throw server.invalid("zero-copy", "expected auto, always or never, got \"" + zeroCopyValue + "\""
          + (yamlBoolean ? " (YAML reads yes, no, on, off as true or false)" : ""));
    }
    GatewayConfig.Server serverConfig = new GatewayConfig.Server(host, port, List.copyOf(origins),
        new GatewayConfig.Tcp(tcp.bool("enabled", true), tcp.string("host", "127.0.0.1"), tcp.integer("port", 6900, 0, 65535),
            tcpTls(tcp, tls != null)),
        positive(server, "handshake-timeout", Duration.ofSeconds(30)),
        server.duration("idle-timeout", Duration.ofMinutes(30)),
        positive(server, "provider-timeout", Duration.ofSeconds(15)),
        keepalive, zeroCopy, positive(server, "banner-timeout", Duration.ofSeconds(5)),
        positive(server, "drain-timeout", Duration.ofSeconds(10)), tls,
        basePath(server), trustedProxies(server), admin(server, dir, port));

    ProviderConfig auth = root.section("auth").onlyKeys("jwt", "tickets", "admins", "oidc", "claims-path",
        "groups-claim", "claims-mapping");
    List<String> admins = auth.strings("admins");
    GatewayConfig.Jwt jwt = identity(auth, dir, env);
    Duration ticketTtl = positive(auth.section("tickets").onlyKeys("ttl"), "ttl", Duration.ofSeconds(30));

    ProviderConfig limits = root.section("limits").onlyKeys("clipboard", "connections", "http", "websocket", "tickets", "upstream",
        "target-check");
    ProviderConfig clip = limits.section("clipboard").onlyKeys("max-bytes", "to-server", "to-viewer");
    GatewayConfig.Clipboard clipboard = new GatewayConfig.Clipboard(
        clip.bytes("max-bytes", 1024 * 1024, 0, 256L * 1024 * 1024), clip.bool("to-server", true), clip.bool("to-viewer", true));

    ProviderConfig plugins = root.section("plugins").onlyKeys("dir");
    Path pluginsDir = plugins.optionalString("dir").map(dir::resolve).orElse(null);

    GatewayConfig.Audit audit = audit(root.section("audit"), dir);

    return new GatewayConfig(file, serverConfig, jwt, ticketTtl, clipboard, root.section("providers"), pluginsDir,
        admins, audit, ssh(root.section("ssh")), limits(limits), pacing(limits.section("upstream")),
        sessions(root.section("sessions")), logging(root.section("logging")));
  }

  /** {@code logging}: the format of the log and whether each HTTP request is logged. */
  private static GatewayConfig.Logging logging(ProviderConfig logging) {
    logging.onlyKeys("format", "access");
    GatewayConfig.Logging d = GatewayConfig.Logging.DEFAULTS;
    String format = logging.string("format", d.format().name().toLowerCase(Locale.ROOT));
    GatewayConfig.LogFormat f = switch (format) {
      case "text" -> GatewayConfig.LogFormat.TEXT;
      case "json" -> GatewayConfig.LogFormat.JSON;
      default -> throw logging.invalid("format", "expected text or json, got \"" + format + "\"");
    };
    return new GatewayConfig.Logging(f, logging.bool("access", d.access()));
  }

  /** {@code server.admin}: a second listener for /metrics and the probes, and /metrics' token. */
  private static GatewayConfig.Admin admin(ProviderConfig server, Path dir, int mainPort) {
    if (!server.has("admin")) return GatewayConfig.Admin.NONE;
    ProviderConfig admin = server.section("admin").onlyKeys("host", "port", "metrics-token-file");
    String host = admin.string("host", "127.0.0.1");
    int port = admin.has("port") ? admin.integer("port", 0, 0, 65535) : GatewayConfig.Admin.NO_LISTENER;
    if (port > 0 && port == mainPort) {
      throw admin.invalid("port", "is server.port too; the admin listener needs a port of its own");
    }
    if (admin.has("host") && port == GatewayConfig.Admin.NO_LISTENER) {
      throw admin.invalid("host", "is set but server.admin.port is not: set the port to open the admin listener");
    }
    Path token = admin.optionalString("metrics-token-file").map(dir::resolve).orElse(null);
    return new GatewayConfig.Admin(host, port, token);
  }

  /** {@code audit}: the file and how logback rolls it (docs/configuration.md). */
  private static GatewayConfig.Audit audit(ProviderConfig audit, Path dir) {
    audit.onlyKeys("file", "max-file-size", "rotate", "max-history", "compress");
    Path file = audit.optionalString("file").map(dir::resolve).orElse(null);
    long maxFileSize = audit.bytes("max-file-size", 0, 0, Long.MAX_VALUE);
    if (maxFileSize > 0 && maxFileSize < 1024) {
      throw audit.invalid("max-file-size", "must be at least 1KiB (or 0 for no size limit), got " + maxFileSize + " bytes");
    }
    String rotateWord = audit.string("rotate", "never");
    GatewayConfig.Audit.Rotate rotate = switch (rotateWord) {
      case "never" -> GatewayConfig.Audit.Rotate.NEVER;
      case "daily" -> GatewayConfig.Audit.Rotate.DAILY;
      case "hourly" -> GatewayConfig.Audit.Rotate.HOURLY;
      default -> throw audit.invalid("rotate", "expected never, daily or hourly, got \"" + rotateWord + "\"");
    };
    // logback keeps at most 20 files in a size-only window (FixedWindowRollingPolicy)
    boolean sizeOnly = rotate == GatewayConfig.Audit.Rotate.NEVER;
    int maxHistory = audit.integer("max-history", 10, 1, sizeOnly ? 20 : 100_000);
    boolean compress = audit.bool("compress", false);
    if (file == null && (maxFileSize > 0 || rotate != GatewayConfig.Audit.Rotate.NEVER)) {
      throw audit.invalid(maxFileSize > 0 ? "max-file-size" : "rotate", "rolls the audit file, but audit.file is not set");
    }
    return new GatewayConfig.Audit(file, maxFileSize, rotate, maxHistory, compress);
  }

  /** {@code server.base-path}: "/" or a path like "/vnc" (a trailing slash is dropped). */
  private static String basePath(ProviderConfig server) {
    String value = server.string("base-path", "/");
    String p = value.length() > 1 && value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    if (p.equals("/")) return p;
    if (!p.matches("(/[A-Za-z0-9._~-]+)+") || p.matches(".*/\\.{1,2}(/.*)?")) {
      throw server.invalid("base-path", "expected \"/\" or a path like \"/vnc\" (segments of letters, digits, "
          + "'.', '_', '~', '-'; no '.' or '..' segment, no query), got \"" + value + "\"");
    }
    if (p.equals("/healthz") || p.equals("/readyz") || p.equals("/metrics")) {
      throw server.invalid("base-path", p + " is where the probes answer at the root; choose another path");
    }
    return p;
  }

  /** {@code server.trusted-proxies}: IP addresses or CIDR ranges, never host names. */
  private static List<AddressRange> trustedProxies(ProviderConfig server) {
    List<String> values = server.strings("trusted-proxies");
    List<AddressRange> ranges = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      try {
        ranges.add(AddressRange.parse(values.get(i)));
      } catch (IllegalArgumentException e) {
        throw new ProviderConfigException(server.key("trusted-proxies") + "[" + i + "]", e.getMessage());
      }
    }
    return List.copyOf(ranges);
  }

  /** {@code server.tcp.tls}: off, offer or require; offer by default when server.tls is set, else off. */
  private static GatewayConfig.TcpTls tcpTls(ProviderConfig tcp, boolean haveTls) {
    GatewayConfig.TcpTls dflt = haveTls ? GatewayConfig.TcpTls.OFFER : GatewayConfig.TcpTls.OFF;
    String value = tcp.string("tls", dflt.value());
    if (value.equals("false")) value = "off"; // YAML 1.1 reads an unquoted off (and no) as false
    GatewayConfig.TcpTls mode = null;
    for (GatewayConfig.TcpTls m : GatewayConfig.TcpTls.values()) {
      if (m.value().equals(value.toLowerCase(Locale.ROOT))) mode = m;
    }
    if (mode == null) {
      throw tcp.invalid("tls", "expected off, offer or require, got \"" + value + "\""
          + (value.equals("true") ? " (YAML reads yes and on as true: write offer or require)" : ""));
    }
    if (mode != GatewayConfig.TcpTls.OFF && !haveTls) {
      throw tcp.invalid("tls", mode.value() + " needs server.tls (cert-file, key-file): the TCP front uses the"
          + " HTTP port's certificate");
    }
    return mode;
  }

  /** {@code server.tls}: absent, or both PEM files, readable (their content is checked at start, see TlsFiles). */
  private static GatewayConfig.Tls tls(ProviderConfig server, Path dir) {
    if (!server.has("tls")) return null;
    ProviderConfig tls = server.section("tls").onlyKeys("cert-file", "key-file", "check-interval");
    if (!tls.has("cert-file")) throw tls.missing("cert-file", "a PEM certificate file (the server's certificate, then any chain)");
    if (!tls.has("key-file")) throw tls.missing("key-file", "the certificate's PEM private key file (RSA or EC)");
    Path cert = readable(tls, "cert-file", dir);
    Path key = readable(tls, "key-file", dir);
    Duration check = tls.duration("check-interval", Duration.ofSeconds(30));
    if (check.compareTo(Duration.ofSeconds(1)) < 0) throw tls.invalid("check-interval", "must be at least 1s");
    return new GatewayConfig.Tls(cert, key, check);
  }

  /** The file named by {@code key}, relative to the config folder, if it exists and is readable. */
  private static Path readable(ProviderConfig c, String key, Path dir) {
    Path p = dir.resolve(c.string(key));
    if (!Files.exists(p)) throw c.invalid(key, "file " + p + " does not exist");
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw c.invalid(key, "file " + p + " cannot be read by this process (check its owner and mode)");
    }
    return p;
  }

  /** {@code sessions}: which targets fan out, and the fan-out session's bounds. */
  private static GatewayConfig.Sessions sessions(ProviderConfig sessions) {
    sessions.onlyKeys("sharing", "fan-out-grace", "fan-out-stall-timeout", "fan-out-upstream-encoding");
    GatewayConfig.Sessions d = GatewayConfig.Sessions.DEFAULTS;
    ProviderConfig sharing = sessions.section("sharing");
    List<GatewayConfig.SharingRule> rules = new ArrayList<>();
    for (String glob : sharing.keys()) {
      String value = sharing.string(glob);
      Sharing mode = switch (value) {
        case "fan-out" -> Sharing.FAN_OUT;
        case "per-viewer" -> Sharing.PER_VIEWER;
        default -> throw sharing.invalid(glob, "expected fan-out or per-viewer, got \"" + value + "\"");
      };
      if (glob.isBlank()) throw sharing.invalid(glob, "a target glob such as static/* or kubevirt/**");
      rules.add(new GatewayConfig.SharingRule(glob, mode));
    }
    Duration grace = sessions.duration("fan-out-grace", d.fanOutGrace());
    if (grace.isNegative()) throw sessions.invalid("fan-out-grace", "must not be negative");
    Duration stall = sessions.duration("fan-out-stall-timeout", d.fanOutStallTimeout());
    if (stall.compareTo(Duration.ofSeconds(1)) < 0) {
      throw sessions.invalid("fan-out-stall-timeout", "must be at least 1s (a viewer on a slow link takes seconds per update)");
    }
    String encoding = sessions.string("fan-out-upstream-encoding", d.fanOutUpstreamEncoding().name().toLowerCase(Locale.ROOT));
    GatewayConfig.UpstreamEncoding upstreamEncoding = switch (encoding) {
      case "auto" -> GatewayConfig.UpstreamEncoding.AUTO;
      case "zrle" -> GatewayConfig.UpstreamEncoding.ZRLE;
      case "hextile" -> GatewayConfig.UpstreamEncoding.HEXTILE;
      default -> throw sessions.invalid("fan-out-upstream-encoding", "expected auto, zrle or hextile, got \"" + encoding + "\"");
    };
    return new GatewayConfig.Sessions(rules, grace, stall, upstreamEncoding);
  }

  /** {@code limits.connections/http/websocket/tickets}; absent keys keep {@link GatewayConfig.Limits#DEFAULTS}. */
  private static GatewayConfig.Limits limits(ProviderConfig limits) {
    GatewayConfig.Limits d = GatewayConfig.Limits.DEFAULTS;
    ProviderConfig conn = limits.section("connections").onlyKeys("max", "per-address");
    int max = conn.has("max") ? conn.integer("max", 0, 1, 1_000_000) : GatewayConfig.Limits.AUTO;
    int perAddress = conn.integer("per-address", d.maxConnectionsPerAddress(), 1, 1_000_000);
    if (max != GatewayConfig.Limits.AUTO && perAddress > max) {
      throw conn.invalid("per-address", "is " + perAddress + ", more than limits.connections.max (" + max + ")");
    }
    ProviderConfig http = limits.section("http").onlyKeys("header-timeout");
    Duration headerTimeout = positive(http, "header-timeout", d.headerTimeout());
    ProviderConfig ws = limits.section("websocket").onlyKeys("max-frame", "events-message");
    int maxFrame = (int) ws.bytes("max-frame", d.wsMaxFrameBytes(), 1024, 64L * 1024 * 1024);
    int eventsMessage = (int) ws.bytes("events-message", d.wsFirstMessageBytes(), 512, 1024 * 1024);
    if (eventsMessage > maxFrame) {
      throw ws.invalid("events-message", "is " + eventsMessage + " bytes, more than limits.websocket.max-frame (" + maxFrame + ")");
    }
    ProviderConfig tickets = limits.section("tickets").onlyKeys("per-user", "failures-per-address", "failure-window");
    // 0: every check connects (each one authenticates, so none counts against the target's blacklist)
    ProviderConfig check = limits.section("target-check").onlyKeys("cache");
    Duration checkCache = check.duration("cache", d.targetCheckCache());
    if (checkCache.isNegative()) throw check.invalid("cache", "must not be negative (0s: every check connects)");
    return new GatewayConfig.Limits(max, perAddress, headerTimeout, maxFrame, eventsMessage,
        tickets.integer("per-user", d.ticketsPerUser(), 1, 100_000),
        tickets.integer("failures-per-address", d.ticketFailuresPerAddress(), 1, 1_000_000),
        positive(tickets, "failure-window", d.ticketFailureWindow()), checkCache);
  }

  /** {@code limits.upstream}; absent keys keep {@link GatewayConfig.Pacing#DEFAULTS}. */
  private static GatewayConfig.Pacing pacing(ProviderConfig upstream) {
    upstream.onlyKeys("handshakes-per-target", "queue-per-target", "blacklist-threshold", "blacklist-backoff");
    GatewayConfig.Pacing d = GatewayConfig.Pacing.DEFAULTS;
    return new GatewayConfig.Pacing(upstream.integer("handshakes-per-target", d.handshakesPerTarget(), 1, 1000),
        upstream.integer("queue-per-target", d.queuePerTarget(), 1, 100_000),
        upstream.integer("blacklist-threshold", d.blacklistThreshold(), 0, 1000),
        positive(upstream, "blacklist-backoff", d.blacklistBackoff()));
  }

  /** The SSH route's timing ({@code ssh:}); absent keys keep {@link SshSettings#DEFAULTS}. */
  private static SshSettings ssh(ProviderConfig ssh) {
    ssh.onlyKeys("connect-timeout", "auth-timeout", "keepalive", "idle-session-close");
    SshSettings d = SshSettings.DEFAULTS;
    return new SshSettings(positive(ssh, "connect-timeout", d.connectTimeout()), positive(ssh, "auth-timeout", d.authTimeout()),
        ssh.duration("keepalive", d.keepaliveInterval()), ssh.duration("idle-session-close", d.idleSessionClose()));
  }

  /**
   * {@code auth.jwt} with a static key, or keys from an identity provider ({@code auth.jwt.jwks-url}
   * or {@code auth.oidc.issuer}), and where the grant is read ({@code auth.claims-path},
   * {@code auth.groups-claim}, {@code auth.claims-mapping}).
   */
  private static GatewayConfig.Jwt identity(ProviderConfig auth, Path dir, Map<String, String> env) {
    ProviderConfig jwtSection = auth.section("jwt");
    ProviderConfig oidc = auth.section("oidc").onlyKeys("issuer", "audience", "ca-file", "refetch-interval",
        "client-id", "scopes");
    String path = auth.string("claims-path", "vncgate");
    if (path.isBlank() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
      throw auth.invalid("claims-path", "expected a dotted claim path such as resource_access.vncgate, got \"" + path + "\"");
    }
    String groupsClaim = auth.string("groups-claim", "groups");
    List<GatewayConfig.GroupRule> rules = new ArrayList<>();
    for (ProviderConfig rule : auth.sections("claims-mapping")) {
      rule.onlyKeys("group", "targets", "role");
      if (!rule.has("group")) throw rule.missing("group", "the group (or role) name in the token's " + groupsClaim + " claim");
      List<String> targets = rule.strings("targets");
      if (targets.isEmpty()) throw rule.missing("targets", "a list of target globs the group may open, e.g. [\"pve/**\"]");
      String role = rule.string("role", "view");
      if (!role.equals("view") && !role.equals("control")) {
        throw rule.invalid("role", "expected view or control, got \"" + role + "\"");
      }
      rules.add(new GatewayConfig.GroupRule(rule.string("group"), targets, role));
    }
    GatewayConfig.ClaimSource claims = new GatewayConfig.ClaimSource(path, groupsClaim, rules);
    boolean jwks = jwtSection.has("jwks-url");
    boolean discovery = oidc.has("issuer");
    if (!jwks && !discovery) {
      if (oidc.has("audience") || oidc.has("ca-file") || oidc.has("refetch-interval") || oidc.has("client-id")
          || oidc.has("scopes")) {
        throw oidc.missing("issuer", "the identity provider's issuer URL (its discovery document is <issuer>/.well-known/openid-configuration)");
      }
      GatewayConfig.Jwt s = jwt(jwtSection, dir, env);
      return new GatewayConfig.Jwt(s.algorithm(), s.key(), s.signingKey(), s.issuer(), s.audience(), null, claims);
    }
    if (jwks && discovery) {
      throw jwtSection.invalid("jwks-url", "set either auth.jwt.jwks-url or auth.oidc.issuer (discovery finds the JWKS), not both");
    }
    for (String k : List.of("algorithm", "secret-file", "secret-env", "public-key-file", "private-key-file")) {
      if (jwtSection.has(k)) {
        throw jwtSection.invalid(k, "the keys come from the identity provider ("
            + (jwks ? "auth.jwt.jwks-url" : "auth.oidc.issuer") + "); remove this static key setting");
      }
    }
    jwtSection.onlyKeys("jwks-url", "issuer", "audience");
    URI jwksUrl = jwks ? httpsUrl(jwtSection, "jwks-url") : null;
    URI issuerUrl = discovery ? httpsUrl(oidc, "issuer") : null;
    String issuer = discovery ? oidc.string("issuer") : jwtSection.string("issuer", null);
    // with an identity provider the audience is checked only when configured: IdPs differ in what they put there
    String audience = discovery ? oidc.string("audience", null) : jwtSection.string("audience", null);
    Path caFile = null;
    if (oidc.has("ca-file")) {
      caFile = dir.resolve(oidc.string("ca-file"));
      if (!Files.isReadable(caFile)) throw oidc.invalid("ca-file", "file " + caFile + " does not exist or cannot be read");
    }
    Duration refetch = positive(oidc, "refetch-interval", Duration.ofSeconds(30));
    return new GatewayConfig.Jwt("RS256", null, null, issuer, audience,
        new GatewayConfig.RemoteKeys(jwksUrl, issuerUrl, caFile, refetch, signIn(oidc, discovery)), claims);
  }

  /** {@code auth.oidc.client-id} and {@code auth.oidc.scopes}: the page's sign-in (a public client); null when not set. */
  private static GatewayConfig.SignIn signIn(ProviderConfig oidc, boolean discovery) {
    if (!oidc.has("client-id")) {
      if (oidc.has("scopes")) throw oidc.missing("client-id", "the page's client id at the identity provider (a public client)");
      return null;
    }
    if (!discovery) throw oidc.missing("issuer", "sign-in from the page (auth.oidc.client-id) needs the issuer's discovery");
    String clientId = oidc.string("client-id");
    if (clientId.isBlank() || !clientId.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw oidc.invalid("client-id", "expected the client id as registered at the identity provider (printable, no spaces)");
    }
    // a list, or one text value of space-separated scopes as OAuth writes them
    List<String> scopes = oidc.has("scopes")
        ? oidc.strings("scopes").stream().flatMap(s -> Arrays.stream(s.trim().split("\\s+"))).toList()
        : List.of("openid");
    for (String s : scopes) {
      if (s.isEmpty() || !s.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '"' && c != '\\')) {
        throw oidc.invalid("scopes", "a scope is one word of printable characters, got \"" + s + "\"");
      }
    }
    if (!scopes.contains("openid")) {
      throw oidc.invalid("scopes", "must include openid (the sign-in is OpenID Connect), got " + scopes);
    }
    return new GatewayConfig.SignIn(clientId, scopes);
  }

  private static URI httpsUrl(ProviderConfig c, String key) {
    String text = c.string(key);
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw c.invalid(key, "not a URL: " + e.getReason());
    }
    boolean loopback = "127.0.0.1".equals(uri.getHost()) || "localhost".equals(uri.getHost()) || "[::1]".equals(uri.getHost());
    if (uri.getHost() == null || !("https".equals(uri.getScheme()) || ("http".equals(uri.getScheme()) && loopback))) {
      throw c.invalid(key, "expected an https:// URL (http:// only on 127.0.0.1 or localhost), got \"" + text + "\"");
    }
    return uri;
  }

  private static GatewayConfig.Jwt jwt(ProviderConfig jwt, Path dir, Map<String, String> env) {
    jwt.onlyKeys("algorithm", "secret-file", "secret-env", "public-key-file", "private-key-file", "issuer", "audience");
    String alg = jwt.string("algorithm", "HS256").toUpperCase();
    if (!ALGORITHMS.contains(alg)) {
      throw jwt.invalid("algorithm", "unsupported \"" + alg + "\"; use one of HS256, RS256, ES256 (or the 384/512 variants)");
    }
    String issuer = jwt.string("issuer", "vncgate");
    String audience = jwt.string("audience", "vncgate");
    if (alg.startsWith("HS")) {
      byte[] secret;
      if (jwt.has("secret-file")) {
        secret = readSecret(jwt, "secret-file", dir);
      } else if (jwt.has("secret-env")) {
        String name = jwt.string("secret-env");
        String value = env.get(name);
        if (value == null || value.isBlank()) {
          throw jwt.invalid("secret-env", "environment variable " + name + " is not set");
        }
        secret = value.strip().getBytes(StandardCharsets.UTF_8);
      } else {
        throw jwt.missing("secret-file", "a file holding the " + alg + " secret (at least " + MIN_HMAC_SECRET_BYTES
            + " bytes; e.g. `head -c 48 /dev/urandom | base64 > jwt.key`)");
      }
      if (secret.length < MIN_HMAC_SECRET_BYTES) {
        throw jwt.invalid(jwt.has("secret-file") ? "secret-file" : "secret-env",
            "the " + alg + " secret is " + secret.length + " bytes; it must be at least " + MIN_HMAC_SECRET_BYTES);
      }
      return new GatewayConfig.Jwt(alg, secret, secret, issuer, audience);
    }
    if (!jwt.has("public-key-file")) {
      throw jwt.missing("public-key-file", "a PEM public key file for " + alg);
    }
    byte[] pub = readSecret(jwt, "public-key-file", dir);
    requirePem(jwt, "public-key-file", pub, "PUBLIC KEY");
    byte[] priv = null;
    if (jwt.has("private-key-file")) {
      priv = readSecret(jwt, "private-key-file", dir);
      requirePem(jwt, "private-key-file", priv, "PRIVATE KEY");
    }
    return new GatewayConfig.Jwt(alg, pub, priv, issuer, audience);
  }

  private static void requirePem(ProviderConfig c, String key, byte[] content, String kind) {
    String text = new String(content, StandardCharsets.US_ASCII);
    if (!text.contains("-----BEGIN " + kind + "-----")) {
      throw c.invalid(key, "expected a PEM file starting with -----BEGIN " + kind + "----- (PKCS#8 / X.509 SubjectPublicKeyInfo)");
    }
  }

  /** Reads a secret file named by {@code key}, relative to the config folder; trailing newlines are dropped. */
  public static byte[] readSecret(ProviderConfig c, String key, Path dir) {
    Path p = dir.resolve(c.string(key));
    try {
      byte[] bytes = Files.readAllBytes(p);
      int end = bytes.length;
      while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) end--;
      return Arrays.copyOf(bytes, end);
    } catch (NoSuchFileException e) {
      throw c.invalid(key, "file " + p + " does not exist");
    } catch (IOException e) {
      throw c.invalid(key, "file " + p + " cannot be read: " + e.getClass().getSimpleName());
    }
  }

  private static Duration positive(ProviderConfig c, String key, Duration fallback) {
    Duration d = c.duration(key, fallback);
    if (d.isZero() || d.isNegative()) throw c.invalid(key, "must be longer than zero");
    return d;
  }

}
