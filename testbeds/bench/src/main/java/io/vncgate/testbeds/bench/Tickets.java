package io.vncgate.testbeds.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/** One-shot connection tickets from the gateway's API, as a browser page would get them. */
final class Tickets {
  private final HttpClient http;
  private final int port;
  private final String bearer;

  Tickets(Vertx vertx, int port, String token) {
    // no keep-alive timeout: a pooled connection timing out as a request goes out fails the request
    // ("Connection was closed", seen once in a full run); the gateway keeps them open
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(0).setTcpNoDelay(true)
        .setTcpQuickAck(true),
        new PoolOptions().setHttp1MaxSize(16));
    this.port = port;
    this.bearer = "Bearer " + token;
  }

  /** {@code POST /api/v1/sessions} for the bench target, role control: the ticket. */
  Future<String> next() {
    return next(GatewayProcess.TARGET);
  }

  /** {@code POST /api/v1/sessions} for {@code target}, role control: the ticket. */
  Future<String> next(String target) {
    // a connection the gateway closed between two requests: once more, on a new connection
    return post(target).recover(e -> e instanceof HttpClosedException ? post(target) : Future.failedFuture(e));
  }

  private Future<String> post(String target) {
    RequestOptions req = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI("/api/v1/sessions").putHeader("Authorization", bearer).putHeader("Content-Type", "application/json")
        .setIdleTimeout(30_000); // a request that hangs fails in words instead of holding its caller
    String body = new JsonObject().put("target", target).put("role", "control").encode();
    return http.request(req)
        .compose(r -> r.send(body))
        .compose(resp -> resp.body().compose(b -> resp.statusCode() == 201
            ? Future.succeededFuture(b.toJsonObject().getString("ticket"))
            : Future.failedFuture("POST /api/v1/sessions answered " + resp.statusCode() + ": " + b)));
  }

  Future<Void> close() {
    return http.close();
  }
}
