package io.vncgate.gateway.front;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vncgate.gateway.api.Json;
import io.vncgate.gateway.provider.ProviderRegistry;
import java.util.LinkedHashMap;

/** {@code /healthz} and {@code /readyz}, the same on the main port and the admin listener. */
final class Probes {
  private final ConnectionLimiter limiter;
  private final ProviderRegistry providers;

  Probes(ConnectionLimiter limiter, ProviderRegistry providers) {
    this.limiter = limiter;
    this.providers = providers;
  }

  void healthz(RoutingContext ctx) {
    Json.reply(ctx, 200, new JsonObject().put("status", "up"));
  }

  /** 200 once providers have started; 503 before, and from the first moment of a drain. */
  void readyz(RoutingContext ctx) {
    if (limiter.draining()) {
      Json.reply(ctx, 503, new JsonObject().put("status", "draining"));
      return;
    }
    boolean ready = providers.ready();
    JsonObject body = new JsonObject().put("status", ready ? "ready" : "not ready")
        .put("providers", new JsonArray(providers.names()));
    if (!providers.unavailable().isEmpty()) {
      body.put("unavailable", new JsonObject(new LinkedHashMap<>(providers.unavailable())));
    }
    Json.reply(ctx, ready ? 200 : 503, body);
  }
}
