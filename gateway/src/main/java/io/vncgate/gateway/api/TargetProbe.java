package io.vncgate.gateway.api;

import io.vertx.core.Future;
import io.vncgate.gateway.auth.UserPrincipal;
import io.vncgate.gateway.failure.Outcome;

/**
 * Checks that a target's VNC server answers through its route (the relay's {@code TargetCheck},
 * handed in by the gateway): {@code GET /api/v1/targets/{id}/check}.
 */
@FunctionalInterface
public interface TargetProbe {
  /** The answer: the server's banner, or why not ({@code outcome} set, {@code error} in words). */
  record Checked(String banner, String version, long millis, Outcome outcome, String error) {}

  /** Fails only with a 403/404 {@code GatewayException} (not the user's, no such target). */
  Future<Checked> check(String target, UserPrincipal user);
}
