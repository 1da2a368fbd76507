package io.vncgate.gateway.auth;

import java.util.Optional;

/**
 * One-shot, short-lived tickets. Behind an interface so the store can later live in a
 * cluster-wide map.
 */
public interface TicketStore {

  /** Issues a new ticket for the grant and returns its secret text. */
  String issue(TicketGrant grant);

  /** Redeems a ticket: returns its grant once, if it exists and has not expired; never again. */
  Optional<TicketGrant> redeem(String ticket);

  /**
   * Redeems the ticket a native viewer typed as its VNC password: the one live ticket whose
   * first 8 characters (all VNC auth uses) answer the challenge.
   */
  Optional<TicketGrant> redeemVncResponse(byte[] challenge, byte[] response);
}
