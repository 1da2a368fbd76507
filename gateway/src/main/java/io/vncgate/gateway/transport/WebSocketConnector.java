package io.vncgate.gateway.transport;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vncgate.spi.Route;
import io.vncgate.spi.Secret;
import io.vncgate.spi.Tls;
import java.net.SocketException;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream WebSocket route ({@link Route.WebSocket}): Proxmox's {@code vncwebsocket},
 * KubeVirt's {@code vnc} subresource, websockify. One Vert.x WebSocket client per connector; the
 * route's headers and subprotocols go with the upgrade, TLS is verified by the route's
 * {@link Tls} (the system's CAs, a CA file, or a pinned certificate; never trust-all), and the
 * whole connect (TCP, TLS, upgrade) must finish within the connect timeout, as a TCP route's.
 * Failures are in words that never hold a header value or the URL's query (a one-shot ticket).
 */
public final class WebSocketConnector implements Connector {
  /**
   * The largest frame accepted from a target. Servers send a frame per read of their VNC socket
   * (websockify, Proxmox, KubeVirt: at most 64 KiB); a frame is held whole in memory before it is
   * relayed, so this bounds what one connection can make the gateway hold.
   */
  static final int MAX_INCOMING_FRAME_BYTES = 16 * 1024 * 1024;
  private static final Logger log = LoggerFactory.getLogger(WebSocketConnector.class);
  /** Distinct trust settings kept (each is a TLS context); more are rare, and cost only a rebuild. */
  private static final int MAX_TRUST_SETTINGS = 256;

  private final Vertx vertx;
  private final Duration connectTimeout;
  private final Duration keepalive;
  private final WebSocketClient client;
  private final Map<Tls, ClientSSLOptions> sslOptions = new ConcurrentHashMap<>();

  public WebSocketConnector(Vertx vertx, Duration connectTimeout) {
    this(vertx, connectTimeout, Duration.ZERO);
  }

  /** @param keepalive how often an open upstream WebSocket is pinged ({@code server.ws-keepalive}); zero: never */
  public WebSocketConnector(Vertx vertx, Duration connectTimeout, Duration keepalive) {
    this.vertx = vertx;
    this.connectTimeout = connectTimeout;
    this.keepalive = keepalive;
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setConnectTimeout((int) connectTimeout.toMillis())
        .setMaxFrameSize(MAX_INCOMING_FRAME_BYTES)
        .setMaxMessageSize(MAX_INCOMING_FRAME_BYTES)
        // Vert.x queues connections beyond this per server: every viewer has its own
        .setMaxConnections(Integer.MAX_VALUE)
        .setVerifyHost(true)
        .setTcpNoDelay(true)
        .setTcpQuickAck(true) // see TcpConnector
        .setTcpKeepAlive(true));
  }

  @Override
  public Future<Upstream> connect(Route route) {
    if (!(route instanceof Route.WebSocket ws)) {
      return Future.failedFuture(new TransportException("the WebSocket connector cannot open " + route.describe()));
    }
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost(host(ws))
        .setPort(ws.uri().getPort() > 0 ? ws.uri().getPort() : ws.secure() ? 443 : 80)
        .setSsl(ws.secure())
        .setURI((ws.uri().getRawPath() == null || ws.uri().getRawPath().isEmpty() ? "/" : ws.uri().getRawPath())
            + (ws.uri().getRawQuery() == null ? "" : "?" + ws.uri().getRawQuery()))
        .setAllowOriginHeader(false)
        .setTimeout(connectTimeout.toMillis())
        .setSubProtocols(ws.subprotocols().isEmpty() ? null : ws.subprotocols());
    ws.headers().forEach((name, value) -> options.putHeader(name, value.reveal()));
    if (ws.secure()) options.setSslOptions(ssl(ws.tls()));

    ClientWebSocket socket = client.webSocket();
    WebSocketUpstream upstream = new WebSocketUpstream(socket, ws.describe(), ws.maxFrameBytes());
    Promise<Upstream> result = Promise.promise();
    long timer = vertx.setTimer(connectTimeout.toMillis(), id -> result.tryFail(refusal(ws, Route.WebSocket.NO_ANSWER)
        .orElseGet(() -> new TransportException("the target's WebSocket did not complete the connection within "
            + seconds(connectTimeout) + " (TCP, TLS and the HTTP upgrade at " + ws.describe() + ")"))));
    socket.connect(options).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        upstream.connected().keepAlive(vertx, keepalive);
        if (!result.tryComplete(upstream)) upstream.close();
      } else {
        if (causeOf(ar.cause()) instanceof TlsTrust.CaFileUnusable) {
          log.error("WebSocket route {}: {}", ws.describe(), causeOf(ar.cause()).getMessage());
        }
        result.tryFail(refusal(ws, ar.cause()).orElseGet(() -> new TransportException(scrub(words(ar.cause(), ws), ws),
            isTrustSetting(ar.cause()) || isCredentialRefusal(ar.cause()))));
      }
    });
    return result.future();
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }

  /** The URI's host as a name or address to connect to: an IPv6 literal without its brackets. */
  static String host(Route.WebSocket ws) {
    String h = ws.uri().getHost();
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  private ClientSSLOptions ssl(Tls tls) {
    if (sslOptions.size() > MAX_TRUST_SETTINGS) sslOptions.clear();
    return sslOptions.computeIfAbsent(tls, t -> {
      TlsTrust trust = new TlsTrust(t);
      ClientSSLOptions options = new ClientSSLOptions();
      if (t.clientCertificate() != null) {
        // TLS client authentication (a kubeconfig's client-certificate-data / client-key-data)
        options.setKeyCertOptions(new PemKeyCertOptions()
            .addCertValue(Buffer.buffer(t.clientCertificate().certificatePem()))
            .addKeyValue(Buffer.buffer(t.clientCertificate().keyPem().bytes())));
      }
      return options
          .setTrustOptions(trust)
          // with a pinned certificate the pin is the check; else the URL's host must be one the certificate names
          .setHostnameVerificationAlgorithm(trust.verifiesHostName() ? "HTTPS" : "")
          .setSslHandshakeTimeout(connectTimeout.toMillis())
          .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    });
  }

  /** A failure to open the WebSocket, in words a user can act on (the route's description, never its query). */
  static String words(Throwable e, Route.WebSocket ws) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof UpgradeRejectedException u) return rejected(u.getStatus(), ws) + serverSaid(u);
      if (c instanceof TlsTrust.Refused r) return r.getMessage();
      if (c instanceof TlsTrust.CaFileUnusable bad) {
        return "the gateway cannot use the CA file set for this target; the operator's log says why";
      }
    }
    String m = e.getMessage() == null ? "" : e.getMessage();
    if (m.contains("Invalid subprotocol") || m.contains("subprotocol")) {
      return "the target's WebSocket did not accept the subprotocol offered (" + String.join(", ", ws.subprotocols())
          + ") at " + ws.describe();
    }
    if (m.contains("Connection closed while handshake")) {
      return "the target closed the connection during the WebSocket upgrade at " + ws.describe();
    }
    if (e instanceof SSLException) return "the TLS handshake with the target failed: " + m;
    return words(e);
  }

  /**
   * The certificate was refused by the route's trust setting (not the pinned one, signed by no
   * trusted CA, not naming the host) or the CA file is unusable: the same attempt fails the same
   * way until the operator changes the setting, so it is final.
   */
  static boolean isTrustSetting(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof TlsTrust.Refused || c instanceof TlsTrust.CaFileUnusable) return true;
    }
    return false;
  }

  /**
   * The route's provider's words for this failure, when it gave some: for an HTTP answer to the
   * upgrade by its status, for an upgrade that got no answer (closed, or timed out: not a TCP or
   * TLS failure) by {@link Route.WebSocket#NO_ANSWER}.
   */
  static Optional<TransportException> refusal(Route.WebSocket ws, Throwable e) {
    if (ws.refusals().isEmpty() || isTrustSetting(e)) return Optional.empty();
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof UpgradeRejectedException u) return refusal(ws, u.getStatus());
      if (c instanceof SSLException || c instanceof SocketException || c instanceof UnknownHostException) {
        return Optional.empty();
      }
    }
    return refusal(ws, Route.WebSocket.NO_ANSWER);
  }

  private static Optional<TransportException> refusal(Route.WebSocket ws, int status) {
    Route.WebSocket.Refusal r = ws.refusals().get(status);
    if (r == null) return Optional.empty();
    String words = scrub(r.words(), ws);
    return Optional.of(r.remedy() == Route.WebSocket.Remedy.RESOLVE_AGAIN
        ? new StaleRouteException(words) : new TransportException(words, true));
  }

  /**
   * The upgrade was answered 401 or 403: the route's credentials or their permissions are wrong,
   * and trying again sends the same ones (a provider whose routes hold one-shot credentials says
   * otherwise in {@link Route.WebSocket#refusals}).
   */
  static boolean isCredentialRefusal(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof UpgradeRejectedException u) return u.getStatus() == 401 || u.getStatus() == 403;
    }
    return false;
  }

  /** A failure of an open WebSocket (or of the TCP connect) in words. */
  static String words(Throwable e) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    if (m.contains("Max frame length")) {
      return "the target sent a WebSocket frame larger than " + (MAX_INCOMING_FRAME_BYTES >> 20) + " MiB";
    }
    if (e instanceof SSLException) return "TLS failed: " + m;
    return TcpConnector.describe(e);
  }

  private static String rejected(int status, Route.WebSocket ws) {
    String at = " at " + ws.describe();
    return switch (status) {
      case 401 -> "the target's WebSocket refused the credentials (HTTP 401 Unauthorized)" + at;
      case 403 -> "the target's WebSocket refused access (HTTP 403 Forbidden): the credentials lack the permission"
          + " to open this console" + at;
      case 404 -> "the target has no WebSocket endpoint" + at + " (HTTP 404 Not Found)";
      case 400 -> "the target's WebSocket refused the request (HTTP 400 Bad Request)" + at;
      case 503 -> "the target's WebSocket is unavailable (HTTP 503 Service Unavailable)" + at;
      default -> {
        if (status >= 500) yield "the target's WebSocket endpoint failed (HTTP " + status + ")" + at;
        if (status >= 300 && status < 400) {
          yield "the target answered the WebSocket upgrade with a redirect (HTTP " + status + ")" + at
              + ": give the URL it redirects to";
        }
        yield "the target did not accept the WebSocket upgrade (HTTP " + status + ")" + at
            + ": is it a WebSocket endpoint?";
      }
    };
  }

  /**
   * What the server said with its refusal, when it said it in words: the {@code message} of a
   * Kubernetes {@code Status} (KubeVirt's vnc subresource: which user lacks which verb on which
   * resource in which namespace), or a short plain-text body ("Active VNC connection. Request
   * denied."). Empty otherwise (Proxmox refuses with a bare status line).
   */
  static String serverSaid(UpgradeRejectedException u) {
    Buffer body = u.getBody();
    if (body == null || body.length() == 0 || body.length() > 4096) return "";
    String text = body.toString(StandardCharsets.UTF_8).trim();
    String said = null;
    if (text.startsWith("{")) {
      try {
        JsonObject status = new JsonObject(text);
        if ("Status".equals(status.getValue("kind")) && status.getValue("message") instanceof String m) said = m;
      } catch (RuntimeException e) {
        // not JSON after all: say nothing more
      }
    } else if (!text.startsWith("<") && text.length() <= 200 && text.chars().noneMatch(ch -> ch < 0x20 && ch != '\n')) {
      said = text.replace('\n', ' ');
    }
    if (said == null || said.isBlank()) return "";
    if (said.length() > 400) said = said.substring(0, 400) + "…";
    return "; the server said: " + said;
  }

  /** Removes anything secret a lower layer's words might hold: the URL's query and the header values. */
  static String scrub(String words, Route.WebSocket ws) {
    String out = words;
    String query = ws.uri().getRawQuery();
    if (query != null && !query.isEmpty()) {
      out = out.replace(query, "***");
      try {
        out = out.replace(URLDecoder.decode(query, StandardCharsets.UTF_8), "***");
      } catch (IllegalArgumentException e) {
        // not %-encoded as it should be: the raw query is scrubbed above
      }
    }
    for (Secret s : ws.headers().values()) {
      if (!s.isEmpty()) out = out.replace(s.reveal(), "***");
    }
    return out;
  }

  private static Throwable causeOf(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof TlsTrust.CaFileUnusable) return c;
    }
    return e;
  }

  private static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }
}
