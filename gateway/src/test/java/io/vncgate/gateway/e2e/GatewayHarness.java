package io.vncgate.gateway.e2e;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vncgate.gateway.Gateway;
import io.vncgate.gateway.auth.InMemoryTicketStore;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.auth.TicketStore;
import io.vncgate.gateway.config.ConfigLoader;
import io.vncgate.gateway.ui.WebUi;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.WebSocketTcpBridge;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The one real gateway for tests: its config is written to {@code vncgate.yaml} in a temp folder
 * and loaded by the same code as {@code vncgate serve}, in this JVM, listening on free loopback
 * ports. It gives tests the ports, JWTs and tickets, HTTP calls and WebSocket viewers, and stops
 * the gateway and its Vert.x on {@link #close()}.
 *
 * <p>The gateway's tests use it from here; the integration tests (and any module) from the
 * gateway's test-jar ({@code <type>test-jar</type>}), which holds only this class: it cannot live
 * in testbeds, which the gateway's tests depend on.
 *
 * <p>Start one with {@link #in(Path)} and its {@link Builder}, or with the constructors (a static
 * target list, a TCP front, a 10 s handshake timeout).
 */
public final class GatewayHarness implements AutoCloseable {
  /** The JWT key the gateway is given (in {@code jwt.key}). */
  public static final String SECRET = "end-to-end-test-secret-0123456789-abcdefgh";

  /** As the gateway runs (epoll, metrics): the relay's zero-copy paths need epoll sockets. */
  public final Vertx vertx = Vertx.vertx(Gateway.vertxOptions());
  /** The folder holding vncgate.yaml, jwt.key and whatever the test writes there. */
  public final Path dir;
  public final Gateway gateway;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** {@code targetsYaml}: the list items under providers.static.targets, already indented by 6. */
  public GatewayHarness(Path dir, String targetsYaml, String extraYaml) throws Exception {
    this(dir, targetsYaml, extraYaml, "10s");
  }

  public GatewayHarness(Path dir, String targetsYaml, String extraYaml, String handshakeTimeout) throws Exception {
    this(dir, targetsYaml, extraYaml, handshakeTimeout, "");
  }

  /** {@code authYaml}: extra lines under {@code auth:}, indented by 2. */
  public GatewayHarness(Path dir, String targetsYaml, String extraYaml, String handshakeTimeout, String authYaml)
      throws Exception {
    this(dir, targetsYaml, extraYaml, handshakeTimeout, authYaml, "");
  }

  /** {@code serverYaml}: extra lines under {@code server:}, indented by 2. */
  public GatewayHarness(Path dir, String targetsYaml, String extraYaml, String handshakeTimeout, String authYaml,
      String serverYaml) throws Exception {
    this(dir, targetsYaml, extraYaml, handshakeTimeout, authYaml, serverYaml, 0);
  }

  /** {@code tcpPort}: the TCP front's port; 0 picks a free one (and deploys one listener). */
  public GatewayHarness(Path dir, String targetsYaml, String extraYaml, String handshakeTimeout, String authYaml,
      String serverYaml, int tcpPort) throws Exception {
    this(dir, targetsYaml, extraYaml, handshakeTimeout, authYaml, serverYaml, tcpPort,
        new InMemoryTicketStore(Clock.systemUTC()));
  }

  /** {@code tickets}: the gateway's ticket store (to watch or fill it from a test). */
  public GatewayHarness(Path dir, String targetsYaml, String extraYaml, String handshakeTimeout, String authYaml,
      String serverYaml, int tcpPort, TicketStore tickets) throws Exception {
    this(in(dir).targets(targetsYaml).yaml(extraYaml).handshakeTimeout(handshakeTimeout).auth(authYaml)
        .server(serverYaml).tcpPort(tcpPort).tickets(tickets));
  }

  private GatewayHarness(Builder b) throws Exception {
    this.dir = b.dir;
    Path config = b.writeConfig();
    try {
      var loaded = ConfigLoader.load(config);
      List<Consumer<Router>> routes = new ArrayList<>(b.routes);
      if (b.webUi) routes.add(WebUi.mountFor(loaded)); // its CSP follows the config (sign-in's identity provider)
      gateway = Gateway.start(vertx, loaded, routes, b.tickets).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close().await(10, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** A gateway whose config is written to {@code dir}: by default a TCP front on a free port and nothing else. */
  public static Builder in(Path dir) {
    return new Builder(dir);
  }

  /** What goes into the gateway's config, and how it is started. */
  public static final class Builder {
    private final Path dir;
    private String targets;
    private String yaml = "";
    private String server = "";
    private String auth = "";
    private String jwt = "{secret-file: jwt.key}";
    private String handshakeTimeout;
    private int httpPort;
    private String tcp = "{port: 0}";
    private TicketStore tickets = new InMemoryTicketStore(Clock.systemUTC());
    private final List<Consumer<Router>> routes = new ArrayList<>();
    private boolean webUi;

    private Builder(Path dir) {
      this.dir = dir;
    }

    /**
     * The list items under {@code providers.static.targets}, indented by 6 (see {@link #target});
     * without them the config has no {@code providers:} unless {@link #yaml} writes one.
     */
    public Builder targets(String targetsYaml) {
      this.targets = targetsYaml;
      return this;
    }

    /** Top-level keys ({@code limits:}, {@code ssh:}, {@code plugins:}, {@code providers:} without {@link #targets}). */
    public Builder yaml(String topLevelYaml) {
      this.yaml = topLevelYaml == null ? "" : topLevelYaml;
      return this;
    }

    /** Extra lines under {@code server:}, indented by 2. */
    public Builder server(String serverYaml) {
      this.server = serverYaml == null ? "" : serverYaml;
      return this;
    }

    /** The {@code auth.jwt} value, a flow map (default {@code {secret-file: jwt.key}}, the HS256 secret {@link #SECRET}). */
    public Builder jwt(String jwtFlowMap) {
      this.jwt = jwtFlowMap;
      return this;
    }

    /** Extra lines under {@code auth:}, indented by 2. */
    public Builder auth(String authYaml) {
      this.auth = authYaml == null ? "" : authYaml;
      return this;
    }

    /** {@code server.handshake-timeout}; unset, the gateway's default. */
    public Builder handshakeTimeout(String duration) {
      this.handshakeTimeout = duration;
      return this;
    }

    /** {@code server.port}, the HTTP/WebSocket front's; 0 (the default) picks a free one. */
    public Builder httpPort(int port) {
      this.httpPort = port;
      return this;
    }

    /** The TCP front's port; 0 picks a free one (and deploys one listener). */
    public Builder tcpPort(int port) {
      this.tcp = "{port: " + port + "}";
      return this;
    }

    /** The {@code server.tcp} flow map, e.g. {@code {port: 0, tls: require}}. */
    public Builder tcp(String flowMap) {
      this.tcp = flowMap;
      return this;
    }

    /** No TCP front: browsers only. */
    public Builder noTcp() {
      this.tcp = "{enabled: false}";
      return this;
    }

    /** The gateway's ticket store (to watch or fill it from a test). */
    public Builder tickets(TicketStore store) {
      this.tickets = store;
      return this;
    }

    /** Serves the web UI (the viewer page and noVNC) as {@code vncgate serve} does. */
    /** Mounts more routes on the gateway's router (under the base path), or looks at the router. */
    public Builder route(Consumer<Router> route) {
      routes.add(route);
      return this;
    }

    public Builder webUi() {
      webUi = true;
      return this;
    }

    /** Writes {@code jwt.key} and {@code vncgate.yaml} into the folder and returns the config's path. */
    public Path writeConfig() throws Exception {
      Files.writeString(dir.resolve("jwt.key"), SECRET + "\n");
      String config = "server:\n  host: 127.0.0.1\n  port: " + httpPort + "\n  tcp: " + tcp + "\n"
          + (handshakeTimeout == null ? "" : "  handshake-timeout: " + handshakeTimeout + "\n") + server
          + "auth:\n  jwt: " + jwt + "\n" + auth
          + yaml
          + (targets == null ? "" : "providers:\n  static:\n    targets:\n" + targets);
      return Files.writeString(dir.resolve("vncgate.yaml"), config);
    }

    public GatewayHarness start() throws Exception {
      return new GatewayHarness(this);
    }

    /** Starts a gateway that is expected to fail, and returns why. */
    public Throwable startFailure() throws Exception {
      GatewayHarness started;
      try {
        started = start();
      } catch (Exception e) {
        return e;
      }
      started.close();
      throw new AssertionError("the gateway started");
    }
  }

  /** A static target on 127.0.0.1; {@code passwordFile} when the server wants VNC authentication. */
  public static String target(String id, int port, String passwordFile) {
    return "      - id: " + id + "\n        host: 127.0.0.1\n        port: " + port + "\n"
        + (passwordFile == null ? "" : "        password-file: " + passwordFile + "\n");
  }

  /** A static target with {@code labels:} ({@code labelsYaml} a flow map, e.g. {@code {os: linux}}) or null. */
  public static String target(String id, int port, Path passwordFile, String labelsYaml) {
    return target(id, port, passwordFile == null ? null : passwordFile.toAbsolutePath().toString())
        + (labelsYaml == null ? "" : "        labels: " + labelsYaml + "\n");
  }

  public Path writeFile(String name, String content) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  /** A JWT for {@code sub}, allowed the targets {@code glob} matches, valid 5 minutes. */
  public String token(String sub, String glob, Role role) {
    return gateway.jwt().mint(sub, List.of(glob), role, Duration.ofMinutes(5));
  }

  /** A JWT for {@code user} allowed every target, valid 10 minutes (a browser page may hold it a while). */
  public String token(String user, Role role) {
    return gateway.jwt().mint(user, List.of("**"), role, Duration.ofMinutes(10));
  }

  public int httpPort() {
    return gateway.httpPort();
  }

  public int tcpPort() {
    return gateway.tcpPort();
  }

  public String origin() {
    return "http://127.0.0.1:" + httpPort();
  }

  /** GET with {@code token} as bearer (none when null). */
  public HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(origin() + path)).GET();
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** GET as alice, control of every target. */
  public HttpResponse<String> get(String path) throws Exception {
    return get(path, token("alice", "**", Role.CONTROL));
  }

  /** POST of JSON with {@code token} as bearer (none when null). */
  public HttpResponse<String> post(String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(origin() + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** POST of JSON as alice, control of every target. */
  public HttpResponse<String> post(String path, String json) throws Exception {
    return post(path, token("alice", "**", Role.CONTROL), json);
  }

  /** The targets {@code GET /api/v1/targets} lists, failing the test on anything but 200. */
  public JsonArray targets() throws Exception {
    HttpResponse<String> r = get("/api/v1/targets");
    if (r.statusCode() != 200) throw new AssertionError("GET /api/v1/targets: " + r.statusCode() + " " + r.body());
    return new JsonObject(r.body()).getJsonArray("targets");
  }

  /** The gateway's {@code /metrics} text. */
  public String metrics() throws Exception {
    return get("/metrics", null).body();
  }

  /** POST /api/v1/sessions and return the reply, failing the test on anything but 201. */
  public JsonObject session(String token, String target, String role) throws Exception {
    HttpResponse<String> r = post("/api/v1/sessions", token,
        new JsonObject().put("target", target).put("role", role).encode());
    if (r.statusCode() != 201) throw new AssertionError("POST /api/v1/sessions: " + r.statusCode() + " " + r.body());
    return new JsonObject(r.body());
  }

  /** A viewer in a session: its RFB client (handshake done, security None), its session and viewer ids, its user's token. */
  public record Joined(RfbTestClient rfb, String session, String viewer, String token) {}

  /**
   * {@code user} (a token of {@code tokenRole} for {@code static/*}) joins {@code target} as
   * {@code role} through the WebSocket front; the bridge and the client go into {@code open} to be closed.
   */
  public Joined join(String user, Role tokenRole, String target, String role, List<AutoCloseable> open) throws Exception {
    String token = token(user, "static/*", tokenRole);
    JsonObject s = session(token, target, role);
    WebSocketTcpBridge bridge = bridge(s.getString("ticket"));
    open.add(bridge);
    RfbTestClient rfb = RfbTestClient.connect(bridge.host(), bridge.port());
    open.add(rfb);
    rfb.handshakeNone();
    return new Joined(rfb, s.getString("id"), s.getString("viewer"), token);
  }

  /** A one-shot control ticket for {@code target}, as alice. */
  public String ticket(String target) throws Exception {
    return session(token("alice", "**", Role.CONTROL), target, "control").getString("ticket");
  }

  /** A TCP bridge into the WebSocket front offering {@code binary} and the ticket, from the gateway's own origin. */
  public WebSocketTcpBridge bridge(String ticket) {
    var b = WebSocketTcpBridge.to(vertx, "127.0.0.1", httpPort(), "/ws/v1/connect").origin(origin());
    b = ticket == null ? b.protocols("binary") : b.protocols("binary", "vncgate.ticket." + ticket);
    return b.start();
  }

  /** The viewer URL as `vncgate open` builds it: token and target in the fragment. */
  public String viewerUrl(String token, String target, boolean viewOnly) {
    return origin() + "/#token=" + token
        + (target == null ? "" : "&target=" + URLEncoder.encode(target, StandardCharsets.UTF_8))
        + (viewOnly ? "&role=view" : "");
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
