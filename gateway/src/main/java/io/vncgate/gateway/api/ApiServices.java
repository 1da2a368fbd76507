package io.vncgate.gateway.api;

import io.vertx.core.Future;
import io.vncgate.gateway.audit.AuditLog;
import io.vncgate.gateway.auth.TicketStore;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Status;
import io.vncgate.gateway.provider.ProviderRegistry;
import io.vncgate.gateway.session.SessionRegistry;

/** What the REST API and the events socket need: tickets to issue, targets, the roster, the audit and the target check. */
public record ApiServices(
    GatewayConfig config,
    TicketStore tickets,
    ProviderRegistry providers,
    SessionRegistry sessions,
    AuditLog audit,
    TargetProbe probe) {

  /** Without a target check: {@code GET /api/v1/targets/{id}/check} answers 503. */
  public ApiServices(GatewayConfig config, TicketStore tickets, ProviderRegistry providers, SessionRegistry sessions,
      AuditLog audit) {
    this(config, tickets, providers, sessions, audit, (target, user) -> Future.failedFuture(
        new GatewayException(Status.UNAVAILABLE, "this gateway cannot check targets")));
  }
}
