package io.vncgate.gateway.session;

import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.auth.UserPrincipal;
import java.util.List;
import java.util.Optional;

/**
 * The roster of shared desktops: which viewers watch which target and who controls. Behind an
 * interface so it can later live in a cluster-wide store (Hazelcast maps and locks).
 */
public interface SessionRegistry {

  /** A viewer place reserved for a ticket, before its connection exists. */
  record Reservation(String sessionId, String viewerId) {}

  /** Reserves a viewer in the target's session (creating the session if there is none). */
  Reservation reserve(String targetId, String user, Role maxRole);

  /**
   * Every session the roster holds, including those whose only viewers are reservations for
   * tickets not used yet (for the {@code vncgate_roster_sessions} gauge).
   */
  int heldSessions();

  /** Viewer places held: connected viewers and reservations (for the {@code vncgate_roster_viewers} gauge). */
  int heldViewers();

  /** Sessions with at least one connected viewer, oldest first. */
  List<Session> sessions();

  Optional<Session> session(String sessionId);

  /** The session a viewer (connected or reserved) belongs to. */
  Optional<Session> sessionOfViewer(String viewerId);

  /**
   * Makes the caller's viewer the controller. Fails (403) if the caller's token or the viewer's
   * join role allows only view, or the viewer is not the caller's.
   */
  void takeControl(String sessionId, String viewerId, UserPrincipal caller);

  /** The controller gives control back; nobody controls until someone takes it. */
  void release(String sessionId, String viewerId, UserPrincipal caller);

  /** Ends every viewer of the session (operator action). */
  void end(String sessionId, String reason);

  /** Ends one viewer (operator action). */
  void kick(String sessionId, String viewerId, String reason);

  /** The gateway stops: tells every listed viewer {@code reason}; returns how many were told. */
  int goingAway(String reason);
}
