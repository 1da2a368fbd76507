package io.vncgate.gateway.auth;

import java.time.Instant;

/**
 * What a one-shot ticket grants: one connection by {@code user} to {@code targetId} with
 * {@code role}, until {@code expiresAt}.
 *
 * @param connectionId the id the connection will carry in logs and the API
 */
public record TicketGrant(String connectionId, UserPrincipal user, String targetId, Role role, Instant expiresAt) {}
