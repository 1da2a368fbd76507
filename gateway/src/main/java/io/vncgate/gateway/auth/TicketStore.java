package io.vncgate.gateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vncgate.gateway.rfb.VncAuth;
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
   * The 16-byte VNC-authentication challenge to send a native viewer now. A store that indexes
   * tickets by response hands out one challenge to every viewer for a short epoch (see
   * {@link InMemoryTicketStore}); this default makes a fresh one each time, which leaves
   * {@link #redeemVncResponse} a search.
   */
  default byte[] vncChallenge() {
    return VncAuth.newChallenge();
  }

  /**
   * Redeems the ticket a native viewer typed as its VNC password: the one live ticket whose
   * first 8 characters (all VNC auth uses) answer the challenge. When the challenge is not one
   * the store has indexed this searches the live tickets (the response does not say which was
   * used), so it may take milliseconds: never on an event loop; use {@link #redeemVncLogin}.
   */
  Optional<TicketGrant> redeemVncResponse(byte[] challenge, byte[] response);

  /**
   * {@link #redeemVncResponse} without blocking the caller: completes on the calling thread when
   * it is a lookup (microseconds), else runs on a worker thread of {@code vertx}. This default
   * always uses a worker.
   */
  default Future<Optional<TicketGrant>> redeemVncLogin(Vertx vertx, byte[] challenge, byte[] response) {
    return vertx.executeBlocking(() -> redeemVncResponse(challenge, response), false);
  }

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
