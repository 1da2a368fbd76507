package io.vncgate.gateway.transport;

import io.vertx.core.Future;
import io.vncgate.spi.Route;

/** Opens an {@link Upstream} for one kind of {@link Route}. */
public interface Connector {

  /**
   * Connects. Fails with a {@link TransportException} whose message says in words what went
   * wrong (e.g. "connection refused", "host key of box1 not trusted: SHA256:…").
   */
  Future<Upstream> connect(Route route);

  /** Releases shared resources (clients, pooled sessions). */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
