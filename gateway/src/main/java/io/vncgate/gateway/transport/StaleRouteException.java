package io.vncgate.gateway.transport;

/**
 * The target refused a one-shot credential the route held (its provider said so:
 * {@link io.vncgate.spi.Route.WebSocket.Remedy#RESOLVE_AGAIN}), e.g. a Proxmox console ticket
 * that expired or whose console stopped waiting: resolving the target again gives a new one, so
 * the connection is tried once more with a fresh route. Not the operator's to fix.
 */
public final class StaleRouteException extends TransportException {
  public StaleRouteException(String message) {
    super(message, false);
  }
}
