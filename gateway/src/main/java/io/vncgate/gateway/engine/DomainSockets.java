package io.vncgate.gateway.engine;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;

/**
 * Whether this Vert.x can open unix domain sockets: the native transport (epoll) can, and so can
 * NIO on a JDK with {@code UnixDomainSocketAddress} (16+); Vert.x's public API does not say.
 */
public final class DomainSockets {
  private DomainSockets() {
  }

  public static boolean supported(Vertx vertx) {
    return vertx instanceof VertxInternal v && v.transport().supportsDomainSockets();
  }

  /** The transport's name for messages, e.g. "epoll" or "nio". */
  public static String transportName(Vertx vertx) {
    return vertx.isNativeTransportEnabled() ? "the native transport" : "the NIO transport";
  }
}
