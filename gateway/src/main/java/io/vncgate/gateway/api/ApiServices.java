package io.vncgate.gateway.api;

import io.vncgate.gateway.audit.AuditLog;
import io.vncgate.gateway.auth.TicketStore;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.provider.ProviderRegistry;
import io.vncgate.gateway.session.SessionRegistry;

/** What the REST API and the events socket need: tickets to issue, targets, the roster and the audit. */
public record ApiServices(
    GatewayConfig config,
    TicketStore tickets,
    ProviderRegistry providers,
    SessionRegistry sessions,
    AuditLog audit) {}
