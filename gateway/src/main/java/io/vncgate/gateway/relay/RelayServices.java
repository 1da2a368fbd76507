package io.vncgate.gateway.relay;

import io.vertx.core.Vertx;
import io.vncgate.gateway.auth.RedeemThrottle;
import io.vncgate.gateway.auth.TicketStore;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.fanout.FanOutSessions;
import io.vncgate.gateway.provider.ProviderRegistry;
import io.vncgate.gateway.transport.Connectors;

/**
 * What every viewer connection needs, shared by the fronts. The roster and the audit reach the
 * relay only through the {@link ConnectionListener}.
 *
 * @param redeemThrottle failed ticket redemptions per remote address (both fronts)
 * @param hold attempts the gateway does not repeat: they would lock the target out
 */
public record RelayServices(
    Vertx vertx,
    GatewayConfig config,
    TicketStore tickets,
    ProviderRegistry providers,
    Connectors connectors,
    ConnectionListener listener,
    RedeemThrottle redeemThrottle,
    /* attempts the gateway does not repeat: they would lock the target out */
    FinalFailureHold hold,
    /* at most a few upstream handshakes per target at a time, the rest queued (limits.upstream) */
    UpstreamPacer pacer,
    /* the targets whose viewers share one upstream connection (sessions.sharing), and their sessions */
    FanOutSessions fanOut) {

  /** With a throttle made from {@code config.limits()}, a new hold, a new pacer and no fan-out session yet. */
  public RelayServices(Vertx vertx, GatewayConfig config, TicketStore tickets, ProviderRegistry providers,
      Connectors connectors, ConnectionListener listener) {
    this(vertx, config, tickets, providers, connectors, listener,
        new RedeemThrottle(config.limits().ticketFailuresPerAddress(), config.limits().ticketFailureWindow()),
        new FinalFailureHold(), new UpstreamPacer(vertx, config.pacing()),
        new FanOutSessions(vertx, config, providers::sharing));
  }
}
