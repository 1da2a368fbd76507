package io.vncgate.gateway.session;

import io.vertx.core.Vertx;
import io.vncgate.gateway.audit.AuditLog;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.auth.TicketGrant;
import io.vncgate.gateway.auth.UserPrincipal;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.failure.Status;
import io.vncgate.gateway.relay.ConnectionListener;
import io.vncgate.gateway.relay.UpstreamPacer;
import io.vncgate.gateway.relay.ViewerConnection;
import io.vncgate.gateway.rfb.MessagePolicy;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session roster of this process. Sessions are keyed by target: everyone who opens the same
 * target shares one session. Role checks are enforced in each viewer's framer, switched here.
 */
public final class LocalSessionRegistry implements SessionRegistry, ConnectionListener {
  private static final Logger log = LoggerFactory.getLogger(LocalSessionRegistry.class);

  private final Vertx vertx;
  private final Duration reservationTtl;
  private final AuditLog audit;
  private final Map<String, Session> byId = new ConcurrentHashMap<>();
  private final Map<String, Session> byTarget = new ConcurrentHashMap<>();
  private final AtomicInteger reservationTimers = new AtomicInteger();

  public LocalSessionRegistry(Vertx vertx, Duration ticketTtl, AuditLog audit) {
    this.vertx = vertx;
    this.reservationTtl = ticketTtl.plusSeconds(5);
    this.audit = audit;
  }

  @Override
  public Reservation reserve(String targetId, String user, Role maxRole) {
    Viewer viewer = new Viewer(UUID.randomUUID().toString(), user, maxRole);
    Session session;
    synchronized (this) {
      session = byTarget.computeIfAbsent(targetId, t -> {
        Session s = new Session(UUID.randomUUID().toString(), t);
        byId.put(s.id(), s);
        return s;
      });
      session.addPending(viewer);
    }
    // a ticket that is never used must not leave a viewer (or an empty session) behind; the timer
    // is cancelled when the ticket is redeemed, so that it does not hold the viewer (and a task on
    // an event loop) for the ticket's whole lifetime after every viewer who came
    reservationTimers.incrementAndGet();
    viewer.reservationTimer(vertx.setTimer(reservationTtl.toMillis(), id -> {
      reservationTimers.decrementAndGet();
      if (!viewer.connected()) drop(session, viewer);
    }));
    return new Reservation(session.id(), viewer.id());
  }

  /** Reservations whose timer is still pending: tickets issued and neither redeemed nor expired. */
  public int reservationTimers() {
    return reservationTimers.get();
  }

  private synchronized void drop(Session session, Viewer viewer) {
    session.leave(viewer);
    if (session.isEmpty()) {
      byTarget.remove(session.targetId(), session);
      byId.remove(session.id());
    }
  }

  @Override
  public void redeemed(ViewerConnection connection) {
    TicketGrant grant = connection.grant();
    Session session = grant.sessionId() == null ? null : byId.get(grant.sessionId());
    Viewer viewer = session == null ? null : session.viewer(grant.connectionId()).orElse(null);
    // listed (as connecting) from now on, so the reservation's timer leaves it: an upstream
    // handshake that outlives the ticket never relays unlisted, and operators can end it
    if (viewer != null) {
      viewer.attach(connection);
      long timer = viewer.reservationTimer(-1);
      if (timer >= 0 && vertx.cancelTimer(timer)) reservationTimers.decrementAndGet();
    }
  }

  @Override
  public void queued(ViewerConnection connection, UpstreamPacer.QueueState state) {
    TicketGrant grant = connection.grant();
    Session session = grant.sessionId() == null ? null : byId.get(grant.sessionId());
    Viewer viewer = session == null ? null : session.viewer(grant.connectionId()).orElse(null);
    if (viewer == null || viewer.connection() != connection) return;
    viewer.queue(state);
    vertx.eventBus().publish(SessionEvents.address(session.id()), SessionEvents.queue(session.id(), viewer.id(), state));
  }

  @Override
  public MessagePolicy joining(ViewerConnection connection) {
    TicketGrant grant = connection.grant();
    Session session = byId.get(grant.sessionId());
    Viewer viewer = session == null ? null : session.viewer(grant.connectionId()).orElse(null);
    if (viewer == null) {
      // the reservation expired between the ticket and the handshake: join as an observer, never more
      log.warn("connection={} joined without a reservation; treating it as an observer", connection.id());
      return MessagePolicy.OBSERVER;
    }
    viewer.relay(connection);
    boolean controls = session.join(viewer);
    audit.event("viewer.joined", grant.user().subject(), session.targetId(), session.id(), viewer.id(),
        "role " + session.roleOf(viewer).wireName() + (viewer.maxRole() == Role.CONTROL && !controls ? " (may take control)" : ""),
        connection.remote());
    if (controls) publishControl(session);
    return controls ? MessagePolicy.CONTROLLER : MessagePolicy.OBSERVER;
  }

  @Override
  public void closed(ViewerConnection connection, Outcome outcome, String reason) {
    TicketGrant grant = connection.grant();
    if (grant == null || grant.sessionId() == null) return;
    Session session = byId.get(grant.sessionId());
    if (session == null) return;
    Viewer viewer = session.viewer(grant.connectionId()).orElse(null);
    if (viewer == null || viewer.connection() != connection) return;
    boolean wasController;
    synchronized (this) {
      wasController = session.leave(viewer);
      if (session.isEmpty()) {
        byTarget.remove(session.targetId(), session);
        byId.remove(session.id());
        session.markEnded();
      }
    }
    audit.event(outcome.auditEvent(), viewer.user(), session.targetId(), session.id(), viewer.id(), reason, null,
        outcome.label());
    vertx.eventBus().publish(SessionEvents.address(session.id()), SessionEvents.left(session, viewer.id(), reason));
    if (wasController) publishControl(session);
    if (session.ended()) audit.event("session.ended", viewer.user(), session.targetId(), session.id(), null, "last viewer left");
  }

  @Override
  public int heldSessions() {
    return byId.size();
  }

  @Override
  public int heldViewers() {
    int n = 0;
    for (Session s : byId.values()) n += s.places();
    return n;
  }

  @Override
  public List<Session> sessions() {
    return byId.values().stream()
        .filter(s -> !s.viewers().isEmpty())
        .sorted(Comparator.comparing(Session::createdAt))
        .toList();
  }

  @Override
  public Optional<Session> session(String sessionId) {
    return Optional.ofNullable(byId.get(sessionId));
  }

  @Override
  public Optional<Session> sessionOfViewer(String viewerId) {
    return byId.values().stream().filter(s -> s.viewer(viewerId).isPresent()).findFirst();
  }

  private Viewer ownViewer(String sessionId, String viewerId, UserPrincipal caller) {
    Session session = session(sessionId).orElseThrow(() -> new GatewayException(Status.NOT_FOUND, "no session " + sessionId));
    Viewer viewer = session.viewer(viewerId).filter(Viewer::relaying)
        .orElseThrow(() -> new GatewayException(Status.NOT_FOUND, "no connected viewer " + viewerId + " in session " + sessionId
            + (session.viewer(viewerId).filter(Viewer::connected).isPresent() ? " (it is still connecting)" : "")));
    if (!viewer.user().equals(caller.subject())) {
      throw new GatewayException(Status.FORBIDDEN, "viewer " + viewerId + " is not yours");
    }
    // the same user with another token (narrower, or for other targets) must not steer this desktop
    if (!caller.mayOpen(session.targetId())) {
      throw new GatewayException(Status.FORBIDDEN, "the token you presented does not grant target " + session.targetId()
          + ": use a token whose vncgate.targets include it");
    }
    return viewer;
  }

  @Override
  public void takeControl(String sessionId, String viewerId, UserPrincipal caller) {
    if (!caller.role().allows(Role.CONTROL)) {
      throw new GatewayException(Status.FORBIDDEN, "your token allows only role \"view\": it can never take control");
    }
    Viewer viewer = ownViewer(sessionId, viewerId, caller);
    if (viewer.maxRole() != Role.CONTROL) {
      throw new GatewayException(Status.FORBIDDEN, "this viewer joined with role \"view\"; open the target with role \"control\" to take control");
    }
    Session session = byId.get(sessionId);
    Optional<Viewer> previous;
    synchronized (session) {
      previous = session.takeControl(viewer);
      // switch both whitelists before anyone hears about it: a message is judged by the role at the moment it is framed
      previous.ifPresent(p -> policy(p, MessagePolicy.OBSERVER));
      policy(viewer, MessagePolicy.CONTROLLER);
    }
    audit.event("control.taken", viewer.user(), session.targetId(), session.id(), viewer.id(),
        previous.map(p -> "from " + p.user() + " (viewer " + p.id() + ")").orElse("control was free"));
    publishControl(session);
  }

  @Override
  public void release(String sessionId, String viewerId, UserPrincipal caller) {
    Viewer viewer = ownViewer(sessionId, viewerId, caller);
    Session session = byId.get(sessionId);
    boolean released;
    synchronized (session) {
      released = session.release(viewer);
      if (released) policy(viewer, MessagePolicy.OBSERVER);
    }
    if (released) {
      audit.event("control.released", viewer.user(), session.targetId(), session.id(), viewer.id(), null);
      publishControl(session);
    }
  }

  @Override
  public void end(String sessionId, String reason) {
    Session session = session(sessionId).orElseThrow(() -> new GatewayException(Status.NOT_FOUND, "no session " + sessionId));
    audit.event("session.ended", null, session.targetId(), session.id(), null, reason);
    for (Viewer v : session.viewers()) terminate(v, reason);
  }

  @Override
  public void kick(String sessionId, String viewerId, String reason) {
    Session session = session(sessionId).orElseThrow(() -> new GatewayException(Status.NOT_FOUND, "no session " + sessionId));
    Viewer viewer = session.viewer(viewerId).filter(Viewer::connected)
        .orElseThrow(() -> new GatewayException(Status.NOT_FOUND, "no connected viewer " + viewerId + " in session " + sessionId));
    terminate(viewer, reason);
  }

  @Override
  public int goingAway(String reason) {
    int n = 0;
    for (Session session : sessions()) {
      for (Viewer v : session.viewers()) {
        ViewerConnection c = v.connection();
        if (c != null) {
          c.goingAwayFromAnyThread(reason);
          n++;
        }
      }
    }
    return n;
  }

  private static void terminate(Viewer v, String reason) {
    ViewerConnection c = v.connection();
    if (c != null) c.terminateFromAnyThread(reason);
  }

  private static void policy(Viewer v, MessagePolicy policy) {
    ViewerConnection c = v.connection();
    if (c != null) c.policy(policy);
  }

  private void publishControl(Session session) {
    vertx.eventBus().publish(SessionEvents.address(session.id()), SessionEvents.control(session));
  }
}
