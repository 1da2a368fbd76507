package io.vncgate.gateway.engine;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.micrometer.MetricsService;
import io.vertx.micrometer.impl.MetricsServiceImpl;

/**
 * The Micrometer registry Vert.x measures itself into, so the gateway's own meters join it and
 * {@code /metrics} scrapes one registry. Vert.x 5 has no public getter for it; its metrics
 * service's implementation has one (a Vert.x internal: hence here, in the engine).
 */
public final class VertxMeters {
  private VertxMeters() {}

  /** The registry of {@code vertx}'s Micrometer metrics, or null when it was started without them. */
  public static MeterRegistry registry(Vertx vertx) {
    try {
      return MetricsService.create(vertx) instanceof MetricsServiceImpl impl ? impl.getRegistry() : null;
    } catch (RuntimeException | LinkageError e) {
      return null; // metrics not enabled, or another metrics implementation
    }
  }
}
