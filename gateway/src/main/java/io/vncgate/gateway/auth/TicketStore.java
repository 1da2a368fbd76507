package io.vncgate.gateway.auth;

import java.util.Optional;

/**
 * One-shot, short-lived tickets. Behind an interface so the store can later live in a
 * cluster-wide map.
 */
public interface TicketStore {

  /** A browser offers its ticket as the WebSocket subprotocol {@code vncgate.ticket.<ticket>}. */
  String WS_PROTOCOL_PREFIX = "vncgate.ticket.";

  /** Issues a new ticket for the grant and returns its secret text. */
  String issue(TicketGrant grant);

  /** Redeems a ticket: returns its grant once, if it exists and has not expired; never again. */
  Optional<TicketGrant> redeem(String ticket);

  /**
   * Redeems the ticket a native viewer typed as its VNC password: the one live ticket whose
   * first 8 characters (all VNC auth uses) answer the challenge. This searches the live tickets
   * (the response does not say which was used), so it may take milliseconds: never on an event loop.
   */
  Optional<TicketGrant> redeemVncResponse(byte[] challenge, byte[] response);

  /** The live (unredeemed, unexpired) tickets issued to {@code subject}, for {@code limits.tickets.per-user}. */
  int liveTickets(String subject);

  /**
   * Tickets issued and neither redeemed nor expired, for the {@code vncgate_tickets_live} gauge;
   * -1 when the store cannot count them cheaply.
   */
  default int live() {
    return -1;
  }
}
