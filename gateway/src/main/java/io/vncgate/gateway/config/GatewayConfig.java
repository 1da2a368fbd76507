package io.vncgate.gateway.config;

import io.vncgate.gateway.engine.ZeroCopy;
import io.vncgate.gateway.transport.ssh.SshSettings;
import io.vncgate.spi.ProviderConfig;
import io.vncgate.spi.Sharing;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The gateway's whole configuration: one typed, validated tree built once at start by
 * {@link ConfigLoader}. Every error names the key.
 */
public record GatewayConfig(
    @ConfigKey.None Path file,
    Server server,
    @ConfigKey("auth.jwt") Jwt jwt,
    @ConfigKey("auth.tickets.ttl") Duration ticketTtl,
    @ConfigKey("limits.clipboard") Clipboard clipboard,
    ProviderConfig providers,
    @ConfigKey("plugins.dir") Path pluginsDir,
    @ConfigKey("auth.admins") List<String> admins,
    /* audit.*: the audit file and how it rolls; file null: audit lines go to the log */
    Audit audit,
    @ConfigKey(value = "ssh", renames = "keepaliveInterval=keepalive") SshSettings ssh,
    /* what one client may hold or try before it is authenticated (limits.connections, .http, .websocket, .tickets) */
    Limits limits,
    /* how the gateway paces its own connections to one target (limits.upstream) */
    @ConfigKey("limits.upstream") Pacing pacing,
    /* how the viewers of one target share it (sessions.*) */
    Sessions sessions,
    /* how the log is written (logging.*) */
    Logging logging) {

  /** The same config with other {@code sessions} settings (tests). */
  public GatewayConfig withSessions(Sessions sessions) {
    return new GatewayConfig(file, server, jwt, ticketTtl, clipboard, providers, pluginsDir, admins, audit, ssh, limits,
        pacing, sessions, logging);
  }

  /** Where the gateway listens and how long it waits. */
  public record Server(
      String host,
      int port,
      List<String> allowedOrigins,
      Tcp tcp,
      Duration handshakeTimeout,
      Duration idleTimeout,
      Duration providerTimeout,
      /* a WebSocket ping to every browser this often, so idle proxies keep the connection; zero: none */
      Duration wsKeepalive,
      /* whether large server payloads are spliced to viewers socket to socket */
      ZeroCopy zeroCopy,
      /* how long a connected target may stay silent before its RFB banner: then it is named as no VNC server */
      Duration bannerTimeout,
      /* on SIGTERM: how long viewers told "the gateway is restarting" get to close before their sockets are dropped */
      Duration drainTimeout,
      /* HTTPS and wss:// on the HTTP port (server.tls); null: plain HTTP */
      Tls tls,
      /* the path every HTTP route is served under (server.base-path): "/" or "/vnc" (no trailing slash) */
      String basePath,
      /* the peers whose X-Forwarded-* / Forwarded headers are believed (server.trusted-proxies) */
      @ConfigKey(as = "strings") List<AddressRange> trustedProxies,
      /* server.admin: a second listener for /metrics and the probes, and the token /metrics wants */
      Admin admin) {

    /** The base path as a prefix to put before "/api/v1/...": "" at the root, else e.g. "/vnc". */
    public String pathPrefix() {
      return basePath.equals("/") ? "" : basePath;
    }

    /** {@code https} with {@link #tls}, else {@code http}. */
    public String scheme() {
      return tls == null ? "http" : "https";
    }

    /**
     * The origins allowed to open WebSockets: the configured ones, or by default the gateway's own
     * ({@code http://host:port}, plus {@code localhost} when bound to loopback or all addresses).
     */
    public List<String> originsFor(int actualPort) {
      if (!allowedOrigins.isEmpty()) return allowedOrigins;
      String scheme = scheme();
      if (host.equals("127.0.0.1") || host.equals("0.0.0.0") || host.equals("localhost")) {
        return List.of(scheme + "://127.0.0.1:" + actualPort, scheme + "://localhost:" + actualPort);
      }
      return List.of(scheme + "://" + host + ":" + actualPort);
    }
  }

  /**
   * TLS on the HTTP port ({@code server.tls}).
   *
   * @param certFile PEM certificate, the server's first, then any chain ({@code server.tls.cert-file})
   * @param keyFile its PEM private key, RSA or EC ({@code server.tls.key-file})
   * @param checkInterval how often both files are checked for a change, which is then served to new
   *     connections ({@code server.tls.check-interval})
   */
  public record Tls(Path certFile, Path keyFile, Duration checkInterval) {}

  /**
   * The TCP front for native viewers.
   *
   * @param tls whether it offers or requires VeNCrypt (TLS with {@code server.tls}'s certificate,
   *     then VNC auth) ({@code server.tcp.tls})
   */
  public record Tcp(boolean enabled, String host, int port, TcpTls tls) {}

  /** {@code server.tcp.tls}: what the TCP front offers native viewers. */
  public enum TcpTls {
    /** VNC authentication in plain TCP only. */
    OFF,
    /** VeNCrypt X509Vnc (TLS, then VNC auth) first, plain VNC authentication too. */
    OFFER,
    /** VeNCrypt X509Vnc only: a viewer that cannot do TLS is refused in words. */
    REQUIRE;

    /** The config value: {@code off}, {@code offer} or {@code require}. */
    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * JWT verification (and, where a signing key is present, minting for {@code vncgate token}).
   *
   * @param key the HS256 secret, or the PEM public key for RS256/ES256
   * @param signingKey the HS256 secret, or a PEM private key for RS256/ES256; null if not configured
   */
  public record Jwt(
      @ConfigKey(values = {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"}) String algorithm,
      @ConfigKey({"auth.jwt.secret-file", "auth.jwt.secret-env", "auth.jwt.public-key-file"}) byte[] key,
      @ConfigKey("auth.jwt.private-key-file") byte[] signingKey,
      String issuer,
      @ConfigKey({"auth.jwt.audience", "auth.oidc.audience"}) String audience,
      @ConfigKey("auth.oidc") RemoteKeys remote,
      @ConfigKey("auth") ClaimSource claims) {
    /** A static key (HS secret or PEM public key), the vncgate claim where it always was. */
    public Jwt(String algorithm, byte[] key, byte[] signingKey, String issuer, String audience) {
      this(algorithm, key, signingKey, issuer, audience, null, ClaimSource.DEFAULT);
    }

    @Override
    public String toString() {
      return "Jwt[algorithm=" + algorithm + ", issuer=" + issuer + ", audience=" + audience
          + (remote == null ? "" : ", " + remote) + "]";
    }
  }

  /**
   * Keys fetched from an identity provider instead of one static key ({@code auth.jwt.jwks-url} or
   * {@code auth.oidc.issuer}).
   *
   * @param jwksUrl the JWKS URL; null when found through discovery
   * @param discoveryIssuer the issuer whose {@code /.well-known/openid-configuration} names {@code jwks_uri}; null with jwksUrl
   * @param caFile a PEM CA bundle trusted for the IdP's HTTPS instead of the system CAs; null: system CAs
   * @param refetchInterval the least time between two fetches of the keys (an unknown kid refetches at most this often)
   */
  public record RemoteKeys(@ConfigKey("auth.jwt.jwks-url") URI jwksUrl,
      @ConfigKey("auth.oidc.issuer") URI discoveryIssuer, Path caFile, Duration refetchInterval,
      /* the page's sign-in at the identity provider (auth.oidc.client-id, .scopes); null: none offered */
      SignIn signIn) {
    public RemoteKeys(URI jwksUrl, URI discoveryIssuer, Path caFile, Duration refetchInterval) {
      this(jwksUrl, discoveryIssuer, caFile, refetchInterval, null);
    }
  }

  /**
   * The viewer page signs in at the identity provider (authorization code with PKCE) as this public client.
   *
   * @param clientId {@code auth.oidc.client-id}
   * @param scopes {@code auth.oidc.scopes} (default {@code [openid]})
   */
  public record SignIn(@ConfigKey("auth.oidc.client-id") String clientId,
      @ConfigKey("auth.oidc.scopes") List<String> scopes) {
    public SignIn {
      scopes = List.copyOf(scopes);
    }
  }

  /**
   * Where the {@code vncgate} grant is read from.
   *
   * @param path a dotted claim path to the {@code {targets, role}} object ({@code auth.claims-path}; default {@code vncgate})
   * @param groupsClaim the claim holding the bearer's groups or roles (a dotted path; default {@code groups})
   * @param mapping group rules used when the token has no object at {@code path} ({@code auth.claims-mapping})
   */
  public record ClaimSource(@ConfigKey("auth.claims-path") String path, String groupsClaim,
      @ConfigKey("auth.claims-mapping") List<GroupRule> mapping) {
    public static final ClaimSource DEFAULT = new ClaimSource("vncgate", "groups", List.of());

    public ClaimSource {
      mapping = List.copyOf(mapping);
    }
  }

  /** One {@code auth.claims-mapping} item: members of {@code group} get {@code targets} with {@code role}. */
  public record GroupRule(String group, List<String> targets, @ConfigKey(values = {"view", "control"}) String role) {
    public GroupRule {
      targets = List.copyOf(targets);
    }
  }

  /**
   * Bounds on what clients may hold or try, most of it before they are authenticated.
   *
   * @param maxConnections open connections on both fronts together ({@code limits.connections.max});
   *     {@link #AUTO} (the default): half the process's open-file limit less 256, at most 10,000
   * @param maxConnectionsPerAddress of them, from one remote address ({@code limits.connections.per-address})
   * @param headerTimeout an HTTP connection must deliver a complete request head within this time of
   *     opening or of its previous response; a slow trickle does not extend it ({@code limits.http.header-timeout})
   * @param wsMaxFrameBytes largest WebSocket frame a client may send ({@code limits.websocket.max-frame})
   * @param wsFirstMessageBytes largest message on {@code /ws/v1/events}, whose first one authenticates
   *     ({@code limits.websocket.events-message})
   * @param ticketsPerUser live (unused, unexpired) tickets one user may hold ({@code limits.tickets.per-user})
   * @param ticketFailuresPerAddress failed ticket redemptions one address may make per window before it is
   *     refused for the rest of the window ({@code limits.tickets.failures-per-address})
   * @param ticketFailureWindow that window ({@code limits.tickets.failure-window})
   */
  public record Limits(
      @ConfigKey("limits.connections.max") int maxConnections,
      @ConfigKey("limits.connections.per-address") int maxConnectionsPerAddress,
      @ConfigKey("limits.http.header-timeout") Duration headerTimeout,
      @ConfigKey("limits.websocket.max-frame") int wsMaxFrameBytes,
      @ConfigKey("limits.websocket.events-message") int wsFirstMessageBytes,
      @ConfigKey("limits.tickets.per-user") int ticketsPerUser,
      @ConfigKey("limits.tickets.failures-per-address") int ticketFailuresPerAddress,
      @ConfigKey("limits.tickets.failure-window") Duration ticketFailureWindow,
      @ConfigKey("limits.target-check.cache") Duration targetCheckCache) {
    /** {@code maxConnections} sized at start from the process's open-file limit. */
    public static final int AUTO = -1;
    /** How long one target's check answer is reused for everyone who may see the target ({@code TargetCheck}). */
    public static final Duration TARGET_CHECK_CACHE = Duration.ofSeconds(10);
    public static final Limits DEFAULTS = new Limits(AUTO, 256, Duration.ofSeconds(10), 1024 * 1024, 8 * 1024,
        20, 20, Duration.ofMinutes(1), TARGET_CHECK_CACHE);

    /** With the default {@code limits.target-check.cache}. */
    public Limits(int maxConnections, int maxConnectionsPerAddress, Duration headerTimeout, int wsMaxFrameBytes,
        int wsFirstMessageBytes, int ticketsPerUser, int ticketFailuresPerAddress, Duration ticketFailureWindow) {
      this(maxConnections, maxConnectionsPerAddress, headerTimeout, wsMaxFrameBytes, wsFirstMessageBytes, ticketsPerUser,
          ticketFailuresPerAddress, ticketFailureWindow, TARGET_CHECK_CACHE);
    }
  }

  /**
   * {@code limits.connections.max} as it applies: the configured value, or for {@link Limits#AUTO}
   * half of {@code maxFileDescriptors} less 256 (a relayed viewer holds two descriptors), from 64 to
   * 10,000; 10,000 where the limit is unknown (-1).
   */
  public static int effectiveMaxConnections(Limits limits, long maxFileDescriptors) {
    if (limits.maxConnections() != Limits.AUTO) return limits.maxConnections();
    if (maxFileDescriptors <= 0) return 10_000;
    return (int) Math.max(64, Math.min(10_000, (maxFileDescriptors - 256) / 2));
  }

  /**
   * How the gateway paces its own connections to one target, so that a burst of viewers never
   * trips the target's abuse protection (TigerVNC's per-address blacklist): see {@code UpstreamPacer}.
   *
   * @param handshakesPerTarget upstream handshakes in flight per target at most ({@code limits.upstream.handshakes-per-target})
   * @param queuePerTarget viewers waiting for one target at most; more are refused ({@code limits.upstream.queue-per-target})
   * @param blacklistThreshold the target's count of unauthenticated connections from one address that blocks it
   *     (TigerVNC's {@code BlacklistThreshold}); 0: the target has none ({@code limits.upstream.blacklist-threshold})
   * @param blacklistBackoff the first pause after the target refused the gateway's address, doubling on repeat
   *     (TigerVNC's {@code BlacklistTimeout}) ({@code limits.upstream.blacklist-backoff})
   */
  public record Pacing(int handshakesPerTarget, int queuePerTarget, int blacklistThreshold, Duration blacklistBackoff) {
    public static final Pacing DEFAULTS = new Pacing(3, 1000, 5, Duration.ofSeconds(10));
  }

  /** Gateway-wide clipboard policy; providers may narrow it per target. */
  public record Clipboard(long maxBytes, boolean toServer, boolean toViewer) {}

  /**
   * How the viewers of one target share it ({@code sessions}).
   *
   * @param sharing target globs ({@code auth}'s syntax) with the sharing they get, in the file's
   *     order: the first that matches wins over the provider's answer ({@code sessions.sharing})
   * @param fanOutGrace how long a fan-out session's upstream stays open after its last viewer left
   *     ({@code sessions.fan-out-grace})
   * @param fanOutStallTimeout a fan-out viewer whose socket has taken no update for this long is
   *     cut off ({@code sessions.fan-out-stall-timeout})
   * @param fanOutUpstreamEncoding the encoding a fan-out session asks its target for first
   *     ({@code sessions.fan-out-upstream-encoding})
   */
  public record Sessions(@ConfigKey(mapping = true) List<SharingRule> sharing, Duration fanOutGrace, Duration fanOutStallTimeout,
      UpstreamEncoding fanOutUpstreamEncoding) {
    public static final Sessions DEFAULTS = new Sessions(List.of(), Duration.ofSeconds(30), Duration.ofSeconds(60),
        UpstreamEncoding.AUTO);

    public Sessions {
      sharing = List.copyOf(sharing);
    }
  }

  /**
   * {@code sessions.fan-out-upstream-encoding}: what a fan-out session asks its target for first.
   * {@link #AUTO}: Hextile when the target is near (a round trip under {@link #NEAR_MICROS}: the
   * same host, a LAN, a data centre), where bytes are cheap and the VNC server's and the gateway's
   * CPU are not (no zlib on either side); ZRLE when it is far or the transport cannot tell (an
   * SSH route), where bytes count.
   */
  public enum UpstreamEncoding {
    AUTO,
    ZRLE,
    HEXTILE;

    /** {@link #AUTO}'s line between near and far, in microseconds of round trip. */
    public static final long NEAR_MICROS = 2_000;
  }

  /** One entry of {@code sessions.sharing}: targets matching {@code glob} get {@code sharing}. */
  public record SharingRule(String glob, Sharing sharing) {}

  /**
   * How the log is written ({@code logging}).
   *
   * @param format {@code text}: one line per event for people; {@code json}: one JSON object per line (logback's
   *     JsonEncoder) for log collectors ({@code logging.format})
   * @param access one line per HTTP request on the logger {@code vncgate.access} ({@code logging.access})
   */
  public record Logging(LogFormat format, boolean access) {
    public static final Logging DEFAULTS = new Logging(LogFormat.TEXT, true);
  }

  /** {@code logging.format}. */
  public enum LogFormat {
    TEXT,
    JSON
  }

  /**
   * {@code audit}: where audit lines go and how the file rolls (docs/configuration.md).
   *
   * @param file the audit file; null: lines go to the log (logger {@code vncgate.audit})
   * @param maxFileSize roll when the file passes this many bytes; 0: no size limit
   * @param rotate roll at each UTC day or hour too
   * @param maxHistory rolled files kept (size only), or days/hours kept (with {@code rotate})
   * @param compress gzip the rolled files
   */
  public record Audit(Path file, long maxFileSize, Rotate rotate, int maxHistory, boolean compress) {
    public static final Audit NONE = new Audit(null, 0, Rotate.NEVER, 10, false);

    /** {@code audit.rotate}. */
    public enum Rotate {
      NEVER, DAILY, HOURLY
    }

    /** Whether logback rolls the file (else it is only appended to, and logrotate may move or truncate it). */
    public boolean rolls() {
      return maxFileSize > 0 || rotate != Rotate.NEVER;
    }
  }

  /**
   * {@code server.admin} (docs/deploy.md, "Metrics and the admin listener").
   *
   * @param host the admin listener's address ({@code server.admin.host})
   * @param port its port; {@link #NO_LISTENER}: none, {@code /metrics} stays on the main port ({@code server.admin.port})
   * @param metricsTokenFile a file holding the bearer token {@code GET /metrics} needs wherever it is served; null: none
   */
  public record Admin(String host, int port, Path metricsTokenFile) {
    public static final int NO_LISTENER = -1;
    public static final Admin NONE = new Admin("127.0.0.1", NO_LISTENER, null);

    public boolean listener() {
      return port != NO_LISTENER;
    }
  }
}
