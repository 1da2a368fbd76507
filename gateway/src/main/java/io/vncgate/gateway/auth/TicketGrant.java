package io.vncgate.gateway.auth;

import java.time.Instant;

/**
 * What a one-shot ticket grants: one connection by {@code user} to {@code targetId} with
 * {@code role}, until {@code expiresAt}.
 *
 * @param connectionId the viewer id the connection will carry in logs and the API
 * @param sessionId the shared session the viewer joins
 */
public record TicketGrant(String connectionId, String sessionId, UserPrincipal user, String targetId, Role role,
    Instant expiresAt) {}
