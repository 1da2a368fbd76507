package io.vncgate.gateway.front;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vncgate.gateway.api.Json;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.failure.Status;
import io.vncgate.gateway.provider.ProviderRegistry;

/**
 * The admin listener ({@code server.admin.host}/{@code port}): {@code /metrics}, {@code /healthz}
 * and {@code /readyz} on a port of their own (loopback by default), so scrapers and probes need no
 * way into the port viewers use, and {@code /metrics} is not on that port. Plain HTTP, one
 * instance; nothing else is served.
 */
public final class AdminFront extends VerticleBase {
  private final GatewayConfig.Admin admin;
  private final Probes probes;
  private final MetricsEndpoint metrics;
  private HttpServer server;

  public AdminFront(GatewayConfig.Admin admin, ConnectionLimiter limiter, ProviderRegistry providers, MetricsEndpoint metrics) {
    this.admin = admin;
    this.probes = new Probes(limiter, providers);
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/metrics").handler(metrics);
    router.get("/healthz").handler(probes::healthz);
    router.get("/readyz").handler(probes::readyz);
    router.route().last().handler(ctx -> Json.error(ctx, Status.NOT_FOUND, "no such endpoint: " + ctx.request().method()
        + " " + ctx.request().path() + " (the admin listener serves GET /metrics, /healthz and /readyz)"));
    router.route().failureHandler(Json::failureHandler);
    server = vertx.createHttpServer(new HttpServerOptions().setHost(admin.host()).setPort(admin.port())
        .setIdleTimeout(60).setHttp2ClearTextEnabled(false));
    return server.requestHandler(router).listen();
  }

  /** The port it listens on (the chosen one for port 0). */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }
}
