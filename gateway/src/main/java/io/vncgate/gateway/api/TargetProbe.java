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
  /**
   * The answer: the target let the gateway in, or why not ({@code outcome} set, {@code error} in words).
   *
   * @param banner the RFB version spoken ({@code RFB 003.008}); null when answered from a live session
   * @param desktop the ServerInit's desktop name, null when not reached
   * @param authenticated true: the target accepted the stored password (or needs none); false: it did
   *     not; null: the check did not get that far
   * @param fromSession answered from the target's live shared session, without a new connection
   * @param ageSeconds how old the answer is; {@code cacheSeconds} how long one is reused
   */
  record Checked(String banner, String version, long millis, Outcome outcome, String error, String desktop, int width,
      int height, Boolean authenticated, boolean fromSession, long ageSeconds, long cacheSeconds) {}

  /** Fails only with a 403/404 {@code GatewayException} (not the user's, no such target). */
  Future<Checked> check(String target, UserPrincipal user);
}
