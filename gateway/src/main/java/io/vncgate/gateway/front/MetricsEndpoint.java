package io.vncgate.gateway.front;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vncgate.gateway.api.Json;
import io.vncgate.gateway.failure.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics}: the Prometheus text of the gateway's one registry, behind the bearer token
 * of {@code server.admin.metrics-token-file} when one is set (compared in constant time; never
 * logged). Served on the main port, or on the admin listener when {@code server.admin.port} is set.
 *
 * <p>The text is built on a worker thread, not on the event loop that took the request: a scrape
 * reads every meter, and the JVM's process and CPU gauges read /proc and cgroup files (1-5 ms of
 * CPU on a loaded machine, 2026-12-02, docs/performance.md), and the event loop that answers it
 * also relays viewers, whose messages would wait that long at each scrape.
 */
public final class MetricsEndpoint implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final Supplier<String> scrape;
  /** The token's bytes; null: no token asked. */
  private final byte[] token;

  /** @param token the bearer token scrapers must send; null: none */
  public MetricsEndpoint(Supplier<String> scrape, String token) {
    this.scrape = scrape;
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (token != null) {
      String header = ctx.request().getHeader("Authorization");
      String problem = null;
      if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        problem = "GET /metrics needs a bearer token (Authorization: Bearer <the token in server.admin.metrics-token-file>)";
      } else if (!MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.UTF_8))) {
        problem = "the bearer token is not the one in server.admin.metrics-token-file";
      }
      if (problem != null) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"vncgate metrics\"");
        Json.error(ctx, Status.UNAUTHORIZED, problem);
        return;
      }
    }
    ctx.vertx().executeBlocking(scrape::get, false).onComplete(ar -> {
      if (ar.failed()) {
        log.error("GET /metrics: the scrape failed", ar.cause());
        Json.error(ctx, Status.INTERNAL, "the metrics could not be read");
        return;
      }
      ctx.response().putHeader("Content-Type", CONTENT_TYPE).end(ar.result());
    });
  }
}
