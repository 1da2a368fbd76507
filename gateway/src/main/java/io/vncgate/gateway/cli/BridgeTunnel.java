package io.vncgate.gateway.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.streams.Pipe;
import io.vncgate.gateway.front.WebSocketFront;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;

/**
 * The bridge's network side, all on one Vert.x event loop: the session request to the gateway, the
 * listener on 127.0.0.1, and per local connection a WebSocket in the gateway's native mode, bytes
 * piped both ways (each pipe pauses its source while the other side's write queue is full).
 */
final class BridgeTunnel implements AutoCloseable {

  /** A failure the user can act on: the words, and the exit code they mean. */
  static final class Failure extends Exception {
    final int exitCode;

    Failure(int exitCode, String words) {
      super(words, null, false, false);
      this.exitCode = exitCode;
    }
  }

  /** What POST /api/v1/sessions answered; {@code ticket} is a secret: never printed. */
  record Session(String ticket, String wsPath, long expiresInSeconds) {
    @Override
    public String toString() {
      return "Session[wsPath=" + wsPath + "]";
    }
  }

  /** The largest frame taken from the gateway (the largest limits.websocket.max-frame it may have). */
  private static final int MAX_FRAME_IN = 64 * 1024 * 1024;
  /**
   * The largest frame sent to the gateway: its limits.websocket.max-frame may be as small as 1 KiB;
   * a viewer's messages are small but for a pasted clipboard.
   */
  static final int MAX_FRAME_OUT = 1024;

  private final Vertx vertx;
  private final URI gateway;
  private final boolean tls;
  private final PrintWriter err;
  private final HttpClient http;
  private final WebSocketClient ws;
  private final AtomicInteger connections = new AtomicInteger();
  /** Completed when the first local connection has ended (both its halves closed). */
  final CompletableFuture<Void> firstConnectionEnded = new CompletableFuture<>();
  private NetServer server;

  BridgeTunnel(URI gateway, Path caFile, PrintWriter err) {
    this.vertx = Vertx.vertx();
    this.gateway = gateway;
    this.tls = gateway.getScheme().equals("https");
    this.err = err;
    HttpClientOptions httpOptions = new HttpClientOptions().setConnectTimeout(10_000);
    // frames from the gateway are as large as its reads; those to it are cut by FrameCutter
    WebSocketClientOptions wsOptions = new WebSocketClientOptions().setConnectTimeout(10_000)
        .setMaxFrameSize(MAX_FRAME_IN).setMaxMessageSize(MAX_FRAME_IN);
    if (tls) {
      // the JVM's trust store unless --ca-file; host names are checked; never trust-all
      httpOptions.setSsl(true).setVerifyHost(true);
      wsOptions.setSsl(true).setVerifyHost(true);
      if (caFile != null) {
        PemTrustOptions trust = new PemTrustOptions().addCertPath(caFile.toAbsolutePath().toString());
        httpOptions.setTrustOptions(trust);
        wsOptions.setTrustOptions(trust);
      }
    }
    this.http = vertx.createHttpClient(httpOptions);
    this.ws = vertx.createWebSocketClient(wsOptions);
  }

  private int port() {
    return gateway.getPort() > 0 ? gateway.getPort() : tls ? 443 : 80;
  }

  private String base() {
    return gateway.getScheme() + "://" + gateway.getRawAuthority();
  }

  /** POST /api/v1/sessions for {@code target}: the ticket, or the gateway's words as a {@link Failure}. */
  Session requestSession(String token, String target) throws Failure {
    RequestOptions req = new RequestOptions().setMethod(HttpMethod.POST).setHost(gateway.getHost()).setPort(port())
        .setSsl(tls).setURI("/api/v1/sessions").setIdleTimeout(20_000)
        .putHeader("Authorization", "Bearer " + token).putHeader("Content-Type", "application/json");
    String body = new JsonObject().put("target", target).encode();
    record Reply(int status, Buffer body) {}
    Reply reply;
    try {
      reply = http.request(req)
          .compose(r -> r.send(body).compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b))))
          .await();
    } catch (Exception e) {
      throw new Failure(3, unreachable(e));
    }
    JsonObject json;
    try {
      json = new JsonObject(reply.body());
    } catch (RuntimeException e) {
      throw new Failure(4, base() + " answered HTTP " + reply.status() + " without JSON: is it a vncgate gateway?");
    }
    if (reply.status() != 201) {
      String words = json.getString("error", "(no reason given)");
      String hint = switch (reply.status()) {
        case 401 -> ": the token is invalid or expired; get a new one (vncgate token, or your identity provider)";
        case 403 -> ": this token may not open " + target;
        case 404 -> ": check the target id (GET /api/v1/targets lists those your token may open)";
        default -> "";
      };
      throw new Failure(4, "the gateway refused the session for " + target + " (HTTP " + reply.status() + "): "
          + words + hint);
    }
    String ticket = json.getString("ticket");
    if (ticket == null || ticket.isEmpty()) throw new Failure(4, base() + " answered without a ticket: is it a vncgate gateway?");
    JsonObject websocket = json.getJsonObject("websocket", new JsonObject());
    return new Session(ticket, websocket.getString("path", "/ws/v1/connect"), json.getLong("expiresInSeconds", 30L));
  }

  /** Words for a failure to reach the gateway: refused, unknown host, untrusted or mismatched certificate. */
  private String unreachable(Throwable e) {
    StringBuilder chain = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      chain.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
      if (t instanceof ConnectException) {
        return "no gateway answers at " + base() + " (connection refused): check --gateway and that the gateway runs";
      }
      if (t instanceof UnknownHostException) return "the gateway's host " + gateway.getHost() + " is unknown: check --gateway";
    }
    String all = chain.toString();
    if (all.contains("No subject alternative") || all.contains("No name matching") || all.contains("doesn't match")) {
      return "the gateway's TLS certificate is not for " + gateway.getHost() + ": use the host name it was issued for in --gateway";
    }
    if (all.contains("CertificateException") || all.contains("PKIX") || all.contains("unable to find valid certification path")) {
      return "the gateway's TLS certificate is not trusted: if a private CA signed it, give that CA's certificate with --ca-file PEM";
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return "TLS with the gateway at " + base() + " failed: " + t.getMessage() + " (is it https? use http:// for a gateway without TLS)";
      }
    }
    return "could not reach the gateway at " + base() + ": " + e.getMessage();
  }

  /** Listens on 127.0.0.1, a free port; each connection is tunnelled to the gateway's native mode. */
  int listen(String wsPath) throws Failure {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(gateway.getHost()).setPort(port())
        .setSsl(tls).setURI(wsPath).addSubProtocol(WebSocketFront.NATIVE_PROTOCOL)
        .setAllowOriginHeader(false); // not a browser: no Origin, as vncviewer on the TCP front has none
    server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0).setTcpNoDelay(true))
        .connectHandler(socket -> tunnel(socket, options));
    try {
      return server.listen().await().actualPort();
    } catch (Exception e) {
      throw new Failure(3, "cannot listen on 127.0.0.1: " + e.getMessage());
    }
  }

  private void tunnel(NetSocket socket, WebSocketConnectOptions options) {
    int n = connections.incrementAndGet();
    Pipe<Buffer> toGateway = socket.pipe(); // paused: what the viewer sends waits for the WebSocket
    socket.closeHandler(v -> {
      if (n == 1) firstConnectionEnded.complete(null);
    });
    ws.connect(options).onComplete(ar -> {
      if (ar.failed()) {
        err.println("vncgate: the viewer's connection " + n + " could not reach the gateway: " + unreachable(ar.cause()));
        err.flush();
        toGateway.close();
        socket.close();
        return;
      }
      WebSocket gatewaySide = ar.result();
      gatewaySide.closeHandler(v -> {
        Short code = gatewaySide.closeStatusCode();
        if (code != null && code != 1000) {
          err.println("vncgate: the gateway ended the viewer's connection " + n + " (" + code + "): " + gatewaySide.closeReason());
          err.flush();
        }
      });
      gatewaySide.pipeTo(socket);   // ends the local socket when the gateway closes
      toGateway.to(new FrameCutter(gatewaySide, MAX_FRAME_OUT)); // closes the WebSocket when the viewer closes
    });
  }

  /** Stops listening and ends every tunnel. */
  @Override
  public void close() {
    try {
      Future<Void> closing = server == null ? Future.succeededFuture() : server.close();
      closing.transform(v -> vertx.close()).await();
    } catch (Exception e) {
      // closing anyway
    }
  }
}
