package io.vncgate.gateway;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vncgate.gateway.api.ApiRoutes;
import io.vncgate.gateway.api.ApiServices;
import io.vncgate.gateway.api.Json;
import io.vncgate.gateway.api.TargetProbe;
import io.vncgate.gateway.audit.AuditLog;
import io.vncgate.gateway.audit.ClipboardAudit;
import io.vncgate.gateway.auth.InMemoryTicketStore;
import io.vncgate.gateway.auth.JwtService;
import io.vncgate.gateway.auth.TicketStore;
import io.vncgate.gateway.config.ConfigException;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.engine.RelayMode;
import io.vncgate.gateway.engine.VertxMeters;
import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.failure.Status;
import io.vncgate.gateway.front.AdminFront;
import io.vncgate.gateway.front.ConnectionLimiter;
import io.vncgate.gateway.front.ListenFailure;
import io.vncgate.gateway.front.MetricsEndpoint;
import io.vncgate.gateway.front.TcpFront;
import io.vncgate.gateway.front.TlsFiles;
import io.vncgate.gateway.front.TlsReloader;
import io.vncgate.gateway.front.WebSocketFront;
import io.vncgate.gateway.metrics.GatewayMetrics;
import io.vncgate.gateway.provider.ProviderRegistry;
import io.vncgate.gateway.provider.plugin.ProviderLoader;
import io.vncgate.gateway.relay.ConnectionListener;
import io.vncgate.gateway.relay.RelayServices;
import io.vncgate.gateway.relay.TargetCheck;
import io.vncgate.gateway.relay.ViewerConnection;
import io.vncgate.gateway.relay.ViewerCounts;
import io.vncgate.gateway.session.LocalSessionRegistry;
import io.vncgate.gateway.session.SessionRegistry;
import io.vncgate.gateway.transport.Connectors;
import io.vncgate.gateway.transport.TcpConnector;
import io.vncgate.gateway.transport.UnixSocketConnector;
import io.vncgate.gateway.transport.WebSocketConnector;
import io.vncgate.gateway.transport.ssh.SshConnector;
import io.vncgate.spi.Route;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running gateway: providers, transports and fronts, started in one chain and stopped together. */
public final class Gateway {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);
  static final String METRICS_REGISTRY = "vncgate";
  private static final AtomicInteger REGISTRIES = new AtomicInteger();

  private final Vertx vertx;
  private final GatewayConfig config;
  private final RelayServices services;
  private final ApiServices api;
  private final JwtService jwt;
  /** How large payloads are relayed (the start-up log, {@code vncgate_relay_info}). */
  private final RelayMode relayMode;
  private final List<WebSocketFront> httpFronts = new CopyOnWriteArrayList<>();
  /** Open connections of both fronts, against limits.connections. */
  private final ConnectionLimiter limiter;
  private final int maxConnections;
  private TcpFront tcpFront;
  /** Every TCP front instance: each serves VeNCrypt with server.tls's certificate of the moment. */
  private final List<TcpFront> tcpFronts = new CopyOnWriteArrayList<>();
  private AdminFront adminFront;
  private GatewayMetrics metrics;
  private MetricsEndpoint metricsEndpoint;
  /** server.tls as read at start; null: plain HTTP. */
  private TlsFiles tls;
  private TlsReloader tlsReloader;
  private final List<String> deployments = new ArrayList<>();

  private Gateway(Vertx vertx, GatewayConfig config, RelayServices services, ApiServices api, JwtService jwt,
      RelayMode relayMode) {
    this.vertx = vertx;
    this.config = config;
    this.services = services;
    this.api = api;
    this.jwt = jwt;
    this.relayMode = relayMode;
    this.maxConnections = GatewayConfig.effectiveMaxConnections(config.limits(), maxFileDescriptors());
    this.limiter = new ConnectionLimiter(maxConnections, config.limits().maxConnectionsPerAddress());
  }

  /** Starts everything; fails (naming the key) on a config problem found at start. */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config) {
    return start(vertx, config, List.of());
  }

  public static Future<Gateway> start(Vertx vertx, GatewayConfig config, List<Consumer<Router>> extraRoutes) {
    return start(vertx, config, extraRoutes, new InMemoryTicketStore(Clock.systemUTC()));
  }

  /** @param tickets where tickets live (this process's memory, or a store shared by a cluster) */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config, List<Consumer<Router>> extraRoutes,
      TicketStore tickets) {
    JwtService jwt;
    try {
      jwt = new JwtService(vertx, config.jwt(), Set.copyOf(config.admins()));
    } catch (RuntimeException e) {
      return Future.failedFuture(new ConfigException(config.jwt().remote() != null ? e.getMessage()
          : "auth.jwt: the key cannot be used for " + config.jwt().algorithm() + ": " + e.getMessage()));
    }
    TlsFiles tls = null;
    if (config.server().tls() != null) {
      try {
        tls = TlsFiles.read(vertx, config.server().tls()); // on the starting thread: file reads
      } catch (ConfigException e) {
        return Future.failedFuture(e);
      }
    }
    ProviderRegistry registry = new ProviderRegistry(vertx, config.server().providerTimeout());
    Duration connectTimeout = config.server().handshakeTimeout().compareTo(Duration.ofSeconds(10)) < 0
        ? config.server().handshakeTimeout() : Duration.ofSeconds(10);
    Connectors connectors = new Connectors().register(Route.Tcp.class, new TcpConnector(vertx, connectTimeout));
    connectors.register(Route.Ssh.class, new SshConnector(vertx, config.ssh()));
    connectors.register(Route.WebSocket.class,
        new WebSocketConnector(vertx, connectTimeout, config.server().wsKeepalive()));
    UnixSocketConnector unix = new UnixSocketConnector(vertx, connectTimeout);
    connectors.register(Route.UnixSocket.class, unix);
    if (!unix.supported()) log.warn("{}: targets reached by a unix socket (providers.desktop) will fail", unix.unsupportedReason());
    AuditLog audit;
    try {
      audit = config.audit().file() == null ? AuditLog.toLog() : AuditLog.toFile(config.audit());
    } catch (IOException e) {
      return Future.failedFuture(new ConfigException("audit.file: cannot open " + config.audit().file() + ": " + e.getMessage()));
    }
    LocalSessionRegistry sessions = new LocalSessionRegistry(vertx, config.ticketTtl(), audit);
    // one registry: Vert.x's own (HTTP, net) when it measures itself (vertxOptions()), the gateway's meters beside them
    PrometheusMeterRegistry meters = VertxMeters.registry(vertx) instanceof PrometheusMeterRegistry p ? p
        : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    GatewayMetrics metrics = new GatewayMetrics(meters, sessions, tickets);
    metrics.jvmAndProcess(Version.get(), Version.commit());
    String metricsToken;
    try {
      metricsToken = metricsToken(config.server().admin()); // on the starting thread: a file read
    } catch (ConfigException e) {
      metrics.close();
      audit.close();
      return Future.failedFuture(e);
    }
    MetricsEndpoint metricsEndpoint = new MetricsEndpoint(meters::scrape, metricsToken);
    // on the starting thread, not an event loop: this loads JNA (a native library unpacked to disk) and reads /proc
    RelayMode relayMode = RelayMode.of(config.server().zeroCopy(), vertx.isNativeTransportEnabled(),
        vertx.unavailableNativeTransportCause());
    metrics.relayMode(relayMode);
    ConnectionListener listener = ConnectionListener.all(List.of(sessions, metrics, auditRefusals(audit), new ClipboardAudit(audit),
        new ViewerCounts(registry)));
    RelayServices services = new RelayServices(vertx, config, tickets, registry, connectors, listener);
    TargetCheck targetCheck = new TargetCheck(services);
    ApiServices api = new ApiServices(config, tickets, registry, sessions, audit, (target, user) -> targetCheck.run(target, user)
        .map(r -> new TargetProbe.Checked(r.banner(), r.version(), r.millis(), r.outcome(), r.error(),
            r.desktop() == null ? null : r.desktop().name(), r.desktop() == null ? 0 : r.desktop().width(),
            r.desktop() == null ? 0 : r.desktop().height(), r.authenticated(), r.fromSession(), r.ageSeconds(),
            r.cacheSeconds())));
    metrics.pacing(services.pacer());
    metrics.fanOut(services.fanOut());
    metrics.eventLoopDelay(vertx);
    // /metrics before the extra routes: the page's static files (WebUi) match every GET outside
    // /api and /ws, and looking "metrics" up among the jar's files first cost 61-134 ms of CPU per
    // scrape (docs/performance.md, 2026-12-02)
    List<Consumer<Router>> routes = new ArrayList<>();
    if (config.server().admin().listener()) {
      routes.add(router -> router.get("/metrics").handler(ctx -> Json.error(ctx, Status.NOT_FOUND,
          "GET /metrics is served on the admin listener (server.admin.port), not on this port")));
    } else {
      routes.add(router -> router.get("/metrics").handler(metricsEndpoint));
    }
    routes.addAll(extraRoutes);
    Gateway gateway = new Gateway(vertx, config, services, api, jwt, relayMode);
    gateway.tls = tls;
    gateway.metrics = metrics;
    gateway.metricsEndpoint = metricsEndpoint;
    // an identity provider that does not answer yet does not stop the start: tokens are refused in words until it does
    return jwt.start()
        .compose(v -> gateway.startProviders())
        .compose(v -> gateway.deployFronts(routes))
        .map(v -> gateway)
        .recover(e -> gateway.close().transform(ignored -> Future.failedFuture(e)));
  }

  /**
   * Vert.x options with Micrometer metrics on, exported in Prometheus format at {@code /metrics},
   * and Netty's epoll transport where it loads (Linux; NIO elsewhere).
   */
  public static VertxOptions vertxOptions() {
    // the request method is a label, but clients choose it: every name would be a new series kept
    // forever, so the label is Vert.x's own only for the methods the gateway answers, else OTHER
    var labels = EnumSet.copyOf(MicrometerMetricsOptions.DEFAULT_LABELS);
    labels.remove(Label.HTTP_METHOD);
    return new VertxOptions().setPreferNativeTransport(true).setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        // a registry per Vert.x instance (Vert.x shares one per name in the JVM): each gateway scrapes its own
        .setRegistryName(METRICS_REGISTRY + "-" + REGISTRIES.incrementAndGet())
        .setLabels(labels)
        .setServerRequestTagsProvider(req -> io.micrometer.core.instrument.Tags.of(
            Label.HTTP_METHOD.toString(), WebSocketFront.methodLabel(req.method().name())))
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
  }

  /**
   * The bearer token of {@code server.admin.metrics-token-file}, or null when none is set: its
   * first line, at least 16 characters. Never logged.
   */
  private static String metricsToken(GatewayConfig.Admin admin) {
    if (admin.metricsTokenFile() == null) return null;
    String text;
    try {
      text = Files.readString(admin.metricsTokenFile(), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("server.admin.metrics-token-file: cannot read " + admin.metricsTokenFile() + ": "
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
    String token = text.lines().findFirst().orElse("").strip();
    if (token.length() < 16 || !token.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
      throw new ConfigException("server.admin.metrics-token-file: " + admin.metricsTokenFile() + " must hold a token of at"
          + " least 16 printable characters without spaces on its first line (e.g. `head -c 32 /dev/urandom | base64 > FILE`)");
    }
    return token;
  }

  /** Audits connections refused before relaying (bad tickets, failed handshakes) with their cause. */
  private static ConnectionListener auditRefusals(AuditLog audit) {
    return new ConnectionListener() {
      @Override
      public void closed(ViewerConnection c, Outcome outcome, String reason) {
        // never admitted: whatever ended it, no viewer existed; refused, with its outcome
        if (c.grant() == null) audit.event(Outcome.AUDIT_REFUSED, null, null, null, null, reason, c.remote(), outcome.label());
      }
    };
  }

  private Future<Void> startProviders() {
    return ProviderLoader.start(vertx, config, services.providers());
  }

  private Future<Void> deployFronts(List<Consumer<Router>> extraRoutes) {
    int instances = config.server().port() == 0 ? 1 : Math.max(1, Runtime.getRuntime().availableProcessors());
    Future<String> http = vertx.deployVerticle(() -> {
      WebSocketFront front = new WebSocketFront(services, api, jwt, extraRoutes, limiter, tls);
      httpFronts.add(front);
      return front;
    }, new DeploymentOptions().setInstances(instances)).onSuccess(deployments::add)
        .recover(e -> Future.failedFuture(ListenFailure.describe(e, "server.host", config.server().host(), "server.port",
            config.server().port())));
    Future<String> tcp = Future.succeededFuture();
    if (config.server().tcp().enabled()) {
      // one listener per event loop, like the HTTP front (Vert.x shares the port between them),
      // so native viewers' relays are spread over the cores; port 0 gets one (each would pick its own)
      int tcpInstances = config.server().tcp().port() == 0 ? 1 : Math.max(1, Runtime.getRuntime().availableProcessors());
      tcp = vertx.deployVerticle(() -> {
        TcpFront front = new TcpFront(services, limiter, tls);
        tcpFronts.add(front);
        if (tcpFront == null) tcpFront = front;
        return front;
      }, new DeploymentOptions().setInstances(tcpInstances)).onSuccess(deployments::add)
          .recover(e -> Future.failedFuture(ListenFailure.describe(e, "server.tcp.host", config.server().tcp().host(),
              "server.tcp.port", config.server().tcp().port())));
    }
    Future<String> admin = Future.succeededFuture();
    GatewayConfig.Admin adminConfig = config.server().admin();
    if (adminConfig.listener()) {
      admin = vertx.deployVerticle(() -> {
        adminFront = new AdminFront(adminConfig, limiter, services.providers(), metricsEndpoint);
        return adminFront;
      }, new DeploymentOptions()).onSuccess(deployments::add)
          .recover(e -> Future.failedFuture(ListenFailure.describe(e, "server.admin.host", adminConfig.host(),
              "server.admin.port", adminConfig.port())));
    }
    return Future.all(http, tcp, admin).<Void>mapEmpty().onSuccess(v -> {
      if (tls != null) {
        tlsReloader = new TlsReloader(vertx, config.server().tls(), tls, () -> List.copyOf(httpFronts),
            () -> List.copyOf(tcpFronts));
        tlsReloader.start();
      }
      logStart();
    });
  }

  private void logStart() {
    var s = config.server();
    log.info("vncgate {} listening on {}://{}:{} (WebSocket {}), JWT {} iss={} aud={}", Version.get(), s.scheme(), s.host(),
        httpPort(), ApiRoutes.WS_PATH, config.jwt().remote() == null ? config.jwt().algorithm()
        : "RS256/ES256 from the identity provider", config.jwt().issuer(), config.jwt().audience());
    if (tls != null) {
      log.info("TLS (1.2, 1.3) with {}; {} and {} are checked for changes every {} s", tls.describe(),
          s.tls().certFile(), s.tls().keyFile(), s.tls().checkInterval().toSeconds());
    } else if (!isLoopback(s.host())) {
      log.warn("server.host {} is not loopback and server.tls is not set: tokens, tickets and screens cross the network"
          + " unencrypted; set server.tls (cert-file, key-file) or put a TLS reverse proxy in front", s.host());
    }
    if (tcpFront != null) {
      log.info("native VNC viewers: {}:{} (VNC password = a one-shot ticket; {})", s.tcp().host(), tcpPort(),
          TcpFront.describe(s.tcp().tls()));
      if (!isLoopback(s.tcp().host()) && s.tcp().tls() != GatewayConfig.TcpTls.REQUIRE) {
        log.warn("server.tcp.host {} is not loopback and server.tcp.tls is {}: viewers may connect without TLS from the"
            + " network (tickets and screens in the clear); set server.tcp.tls: require", s.tcp().host(), s.tcp().tls().value());
      }
    }
    log.info("WebSocket origins allowed: {}", s.originsFor(httpPort()));
    logMetrics();
    // server.base-path and server.trusted-proxies (docs/deploy.md, "Behind a reverse proxy")
    if (!s.pathPrefix().isEmpty()) {
      log.info("every route under server.base-path {}/ (/healthz, /readyz and /metrics also at the root)", s.pathPrefix());
    }
    if (!s.trustedProxies().isEmpty()) {
      log.info("X-Forwarded-For/-Proto/-Host and Forwarded are believed from server.trusted-proxies {} only{}",
          s.trustedProxies(), s.allowedOrigins().isEmpty() ? "; the origin they report may open WebSockets" : "");
    }
    log.info("{}", relayMode.describe());
    var limits = config.limits();
    long fds = maxFileDescriptors();
    log.info("limits: {} connections{}, {} per address; HTTP request heads within {} ms; {} live tickets per user,"
        + " {} failed redemptions per address per {} s", maxConnections,
        limits.maxConnections() == GatewayConfig.Limits.AUTO ? " (from the open-file limit " + fds + ")" : "",
        limits.maxConnectionsPerAddress(), limits.headerTimeout().toMillis(), limits.ticketsPerUser(),
        limits.ticketFailuresPerAddress(), limits.ticketFailureWindow().toSeconds());
    // a relayed viewer holds two descriptors (viewer and target); the gateway needs some for itself
    if (fds > 0 && 2L * maxConnections + 256 > fds) {
      log.warn("limits.connections.max {} needs about {} file descriptors, but the process may open only {}:"
          + " raise `ulimit -n` (LimitNOFILE=) or lower limits.connections.max", maxConnections,
          2L * maxConnections + 256, fds);
    }
    if (s.allowedOrigins().contains("*")) {
      log.warn("server.allowed-origins contains \"*\": any web page may open WebSockets to this gateway");
    }
  }

  /** Where /metrics is served and whether it wants a token (docs/deploy.md, "Metrics and the admin listener"). */
  private void logMetrics() {
    var s = config.server();
    var admin = s.admin();
    String token = admin.metricsTokenFile() == null ? "no token" : "the bearer token of server.admin.metrics-token-file";
    if (admin.listener()) {
      log.info("admin listener (GET /metrics, /healthz, /readyz) on http://{}:{}, /metrics with {}", admin.host(), adminPort(),
          token);
      if (!isLoopback(admin.host()) && admin.metricsTokenFile() == null) {
        log.warn("server.admin.host {} is not loopback and server.admin.metrics-token-file is not set: anyone who can reach"
            + " the admin port reads the metrics", admin.host());
      }
    } else if (!isLoopback(s.host()) && admin.metricsTokenFile() == null) {
      log.warn("GET /metrics is open on the main port {}:{}: set server.admin.port (a loopback listener of its own) or"
          + " server.admin.metrics-token-file to keep it from the network", s.host(), httpPort());
    }
  }

  /** The process's limit on open files, or -1 where the JVM does not say. */
  private static long maxFileDescriptors() {
    return ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean u ? u.getMaxFileDescriptorCount() : -1;
  }

  private static boolean isLoopback(String host) {
    return host.equals("127.0.0.1") || host.equals("::1") || host.equals("localhost");
  }

  public int httpPort() {
    return httpFronts.isEmpty() ? -1 : httpFronts.get(0).actualPort();
  }

  /** The certificate served at start (subject, expiry, SHA-256), or null without server.tls. */
  public String tlsCertificate() {
    return tls == null ? null : tls.describe();
  }

  /** The admin listener's port, or -1 without {@code server.admin.port}. */
  public int adminPort() {
    return adminFront == null ? -1 : adminFront.actualPort();
  }

  public int tcpPort() {
    return tcpFront == null ? -1 : tcpFront.actualPort();
  }

  public RelayServices services() {
    return services;
  }

  /** Who is in which session, and the places reserved for tickets not yet redeemed. */
  public SessionRegistry sessions() {
    return api.sessions();
  }

  public JwtService jwt() {
    return jwt;
  }

  public GatewayConfig config() {
    return config;
  }

  /** The reason viewers get (and the audit records) when the gateway stops. */
  public static final String SHUTTING_DOWN = "the gateway is shutting down";

  /** The reason viewers get (and the audit records) when the gateway drains on SIGTERM. */
  public static final String RESTARTING = "the gateway is restarting";

  public Future<Void> close() {
    if (tlsReloader != null) tlsReloader.stop();
    // viewers first, in words (WebSocket 1001 Going Away), before the fronts drop their sockets
    limiter.refuseAll(SHUTTING_DOWN);
    int told = api.sessions().goingAway(SHUTTING_DOWN);
    return viewersGone(told == 0 ? 0 : 40)
        .transform(v -> undeployFronts());
  }

  /**
   * A graceful stop (SIGTERM): new connections of both fronts are refused and {@code /readyz}
   * answers 503 at once ({@code /healthz} stays 200); every viewer is told "the gateway is
   * restarting" (browsers: WebSocket close 1001 with it, and the page reconnects; native viewers
   * in their handshake: an RFB failure reason, relaying ones: the close); then the gateway waits
   * up to {@code server.drain-timeout} for them to be gone before it drops what is left and stops.
   */
  public Future<Void> drain() {
    limiter.refuseAll(RESTARTING + ": try again in a moment");
    int told = api.sessions().goingAway(RESTARTING);
    Duration timeout = config.server().drainTimeout();
    log.info("draining: no new connections; told {} viewer(s) the gateway is restarting, waiting up to {} s for them to close",
        told, timeout.toSeconds());
    return viewersGone(told == 0 ? 0 : (int) Math.max(1, timeout.toMillis() / 50))
        .transform(v -> undeployFronts());
  }

  /** Waits (up to {@code checks} × 50 ms) until no viewer is listed any more. */
  private Future<Void> viewersGone(int checks) {
    if (checks <= 0 || api.sessions().sessions().isEmpty()) return Future.succeededFuture();
    Promise<Void> gone = Promise.promise();
    vertx.setTimer(50, id -> viewersGone(checks - 1).onComplete(gone));
    return gone.future();
  }

  private Future<Void> undeployFronts() {
    List<Future<Void>> undeploys = new ArrayList<>();
    for (String id : deployments) undeploys.add(vertx.undeploy(id));
    return Future.join(undeploys)
        .transform(v -> services.providers().stop())
        .transform(v -> services.connectors().close())
        .eventually(() -> {
          if (metrics != null) metrics.close();
          api.audit().close();
          return Future.succeededFuture();
        });
  }
}
