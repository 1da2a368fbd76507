package io.vncgate.gateway.transport;

import io.vertx.core.Future;
import io.vncgate.spi.Route;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The connector for each kind of route; a kind with none fails in words. */
public final class Connectors {
  private final Map<Class<? extends Route>, Connector> byKind = new LinkedHashMap<>();

  public Connectors register(Class<? extends Route> kind, Connector connector) {
    byKind.put(kind, connector);
    return this;
  }

  public Future<Upstream> connect(Route route) {
    Connector c = byKind.get(route.getClass());
    if (c == null) {
      return Future.failedFuture(new TransportException(
          "routes of kind " + route.getClass().getSimpleName() + " are not supported by this gateway"));
    }
    return c.connect(route);
  }

  public Future<Void> close() {
    List<Future<Void>> all = new ArrayList<>();
    byKind.values().forEach(c -> all.add(c.close()));
    return Future.join(all).mapEmpty();
  }
}
