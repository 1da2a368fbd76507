package io.vncgate.gateway.relay;

import io.vertx.core.Vertx;
import io.vncgate.gateway.auth.RedeemThrottle;
import io.vncgate.gateway.auth.TicketStore;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.provider.ProviderRegistry;
import io.vncgate.gateway.transport.Connectors;

/**
 * What every connection needs, shared by the fronts.
 *
 * @param redeemThrottle failed ticket redemptions per remote address (both fronts)
 */
public record RelayServices(
    Vertx vertx,
    GatewayConfig config,
    TicketStore tickets,
    ProviderRegistry providers,
    Connectors connectors,
    ConnectionListener listener,
    io.vncgate.gateway.session.SessionRegistry sessions,
    io.vncgate.gateway.audit.AuditLog audit,
    RedeemThrottle redeemThrottle,
    /* attempts the gateway does not repeat: they would lock the target out */
    FinalFailureHold hold) {

  /** With a throttle made from {@code config.limits()} and a new hold. */
  public RelayServices(Vertx vertx, GatewayConfig config, TicketStore tickets, ProviderRegistry providers,
      Connectors connectors, ConnectionListener listener, io.vncgate.gateway.session.SessionRegistry sessions,
      io.vncgate.gateway.audit.AuditLog audit) {
    this(vertx, config, tickets, providers, connectors, listener, sessions, audit,
        new RedeemThrottle(config.limits().ticketFailuresPerAddress(), config.limits().ticketFailureWindow()),
        new FinalFailureHold());
  }
}
