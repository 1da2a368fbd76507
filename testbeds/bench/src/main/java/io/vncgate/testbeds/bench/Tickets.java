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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/** One-shot connection tickets from the gateway's API, as a browser page would get them. */
final class Tickets {
  private final HttpClient http;
  private final int port;
  private final String bearer;
  /** POSTs that got no answer within {@link #ANSWER_S} and were sent again (see {@link #next(String)}). */
  private final AtomicLong unanswered = new AtomicLong();
  static final long ANSWER_S = 30;

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

  /**
   * {@code POST /api/v1/sessions} for {@code target}, role control: the ticket. Sent once more
   * when the connection closed under it (the gateway closed it between two requests), and when no
   * answer came within {@link #ANSWER_S}: in two full desktop runs one POST of hundreds got none
   * though the gateway's access log has it answered 201 within 2 ms, so the bench's client lost
   * it; such a retry is counted ({@link #unanswered()}) and reported, not hidden.
   */
  Future<String> next(String target) {
    return post(target).recover(e -> {
      if (e instanceof HttpClosedException) return post(target);
      if (e instanceof TimeoutException) {
        unanswered.incrementAndGet();
        return post(target);
      }
      return Future.failedFuture(e);
    });
  }

  /** POSTs sent again because no answer came within {@link #ANSWER_S}. */
  long unanswered() {
    return unanswered.get();
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
            : Future.failedFuture("POST /api/v1/sessions answered " + resp.statusCode() + ": " + b)))
        .timeout(ANSWER_S, TimeUnit.SECONDS);
  }

  Future<Void> close() {
    return http.close();
  }
}
