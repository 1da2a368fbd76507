package io.vncgate.gateway.relay;

import io.vertx.core.Future;
import io.vncgate.gateway.auth.TicketGrant;
import io.vncgate.gateway.auth.TicketStore;
import io.vncgate.gateway.failure.Outcome;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a viewer's ticket is redeemed, for both fronts: the throttle on addresses that
 * guessed too many tickets ({@code limits.tickets}), the redemption, the count of failures, and
 * the roster's word that the ticket's viewer is now connecting. A browser's ticket (the WebSocket
 * subprotocol) is redeemed at the upgrade; a native viewer's (its VNC password) when its VNC
 * authentication response arrives.
 */
public final class Admission {
  private static final Logger log = LoggerFactory.getLogger(Admission.class);

  /** A ticket's verdict: a grant, or a refusal with its outcome and words. */
  public record Verdict(TicketGrant grant, Outcome refusal, String reason) {
    public Verdict {
      if ((grant == null) == (refusal == null)) throw new IllegalArgumentException("a grant or a refusal");
      if (refusal != null) Objects.requireNonNull(reason, "reason");
    }

    static Verdict admitted(TicketGrant grant) {
      return new Verdict(grant, null, null);
    }

    static Verdict refused(Outcome outcome, String reason) {
      return new Verdict(null, outcome, reason);
    }

    public boolean admitted() {
      return grant != null;
    }
  }

  private final RelayServices services;

  public Admission(RelayServices services) {
    this.services = services;
  }

  /** The refusal of an address that failed too many redemptions, if it did; nothing is looked up for it. */
  public Optional<String> throttled(String address) {
    return Optional.ofNullable(services.redeemThrottle().refusal(address));
  }

  /**
   * A browser's ticket, offered as the WebSocket subprotocol {@code vncgate.ticket.<ticket>}:
   * one lookup, on the event loop.
   */
  public Verdict browser(Optional<String> ticket, String address) {
    if (ticket.isEmpty()) {
      return Verdict.refused(Outcome.TICKET_REFUSED, "no ticket: offer the WebSocket subprotocol "
          + TicketStore.WS_PROTOCOL_PREFIX + "<ticket> from POST /api/v1/sessions");
    }
    Optional<String> throttled = throttled(address);
    // not even looked up: guessing from one address goes at limits.tickets.failures-per-address a window
    if (throttled.isPresent()) return Verdict.refused(Outcome.TICKET_THROTTLED, throttled.get());
    Optional<TicketGrant> grant = services.tickets().redeem(ticket.get());
    if (grant.isPresent()) return Verdict.admitted(grant.get());
    services.redeemThrottle().failed(address);
    return Verdict.refused(Outcome.TICKET_REFUSED, "the ticket is not valid (tickets work once and expire after "
        + services.config().ticketTtl().toSeconds() + " s): ask POST /api/v1/sessions for a new one");
  }

  /**
   * A native viewer's VNC authentication response to {@code challenge}: which live ticket was
   * typed is a lookup in the ticket index when the challenge is indexed, else a search on a worker.
   */
  Future<Verdict> nativeViewer(ViewerChannel viewer, byte[] challenge, byte[] response) {
    String address = viewer.address();
    String remote = viewer.remote();
    Optional<String> throttled = throttled(address);
    if (throttled.isPresent()) return Future.succeededFuture(Verdict.refused(Outcome.TICKET_THROTTLED, throttled.get()));
    return services.tickets().redeemVncLogin(services.vertx(), challenge, response)
        .transform(ar -> {
          if (ar.failed()) {
            log.error("remote={} checking the VNC password against the tickets failed", remote, ar.cause());
            return Future.succeededFuture(Verdict.refused(Outcome.INTERNAL,
                "the gateway could not check the ticket: try again, or tell its operator"));
          }
          if (ar.result().isPresent()) return Future.succeededFuture(Verdict.admitted(ar.result().get()));
          services.redeemThrottle().failed(address);
          return Future.succeededFuture(Verdict.refused(Outcome.TICKET_REFUSED, "the password is not a valid ticket"
              + " (tickets work once and expire after " + services.config().ticketTtl().toSeconds()
              + " s): ask POST /api/v1/sessions for a new one"));
        });
  }

  /** {@code connection} holds its ticket's grant: the roster lists it (as connecting) from now on. */
  void redeemed(ViewerConnection connection) {
    services.listener().redeemed(connection);
  }
}
