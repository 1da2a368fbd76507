package io.vncgate.gateway.session;

import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.relay.UpstreamPacer;
import io.vncgate.gateway.relay.ViewerConnection;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One viewer in a session: a connection by {@code user} that may at most have {@code maxRole}.
 * Its current role is {@link Role#CONTROL} exactly when it is the session's controller.
 */
public final class Viewer {
  private final String id;
  private final String user;
  private final Role maxRole;
  private volatile Instant connectedAt;
  private volatile ViewerConnection connection;
  private volatile boolean relaying;
  private volatile UpstreamPacer.QueueState queue;
  /** The timer that ends the reservation if the ticket is never redeemed, or -1. */
  private final AtomicLong reservationTimer = new AtomicLong(-1);

  Viewer(String id, String user, Role maxRole) {
    this.id = id;
    this.user = user;
    this.maxRole = maxRole;
  }

  public String id() {
    return id;
  }

  public String user() {
    return user;
  }

  /** The most this viewer may have: what it asked for when it joined. */
  public Role maxRole() {
    return maxRole;
  }

  public Instant connectedAt() {
    return connectedAt;
  }

  public boolean connected() {
    return connection != null;
  }

  public ViewerConnection connection() {
    return connection;
  }

  /**
   * {@code connecting} from the ticket's redemption until both handshakes are done (the upstream
   * one may take long), {@code queued} meanwhile while it waits for its turn at the target
   * ({@link UpstreamPacer}), then {@code relaying}.
   */
  public String state() {
    return relaying ? "relaying" : queue != null ? "queued" : "connecting";
  }

  /** Where the viewer waits for its turn at the target, or null when it does not wait. */
  public UpstreamPacer.QueueState queue() {
    return queue;
  }

  void queue(UpstreamPacer.QueueState state) {
    this.queue = state;
  }

  public boolean relaying() {
    return relaying && connection != null;
  }

  /** Sets the reservation's timer to {@code timer} and returns the one it had (-1: none). */
  long reservationTimer(long timer) {
    return reservationTimer.getAndSet(timer);
  }

  /** The ticket was redeemed by {@code c}: listed from now on, as connecting. */
  void attach(ViewerConnection c) {
    if (connection != c) connectedAt = Instant.now();
    connection = c;
  }

  /** Both handshakes are done: bytes flow. */
  void relay(ViewerConnection c) {
    attach(c);
    queue = null;
    relaying = true;
  }

  void detach() {
    connection = null;
    relaying = false;
    queue = null;
  }
}
