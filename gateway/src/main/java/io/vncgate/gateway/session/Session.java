package io.vncgate.gateway.session;

import io.vncgate.gateway.auth.Role;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shared desktop of one target: its viewers and which one controls. Each viewer keeps its own
 * upstream connection (compressed encodings cannot be spliced between viewers); a fan-out of one
 * upstream to many viewers would replace the connections, not this roster.
 *
 * <p>Mutations happen under the session's monitor so "who controls" changes atomically.
 */
public final class Session {
  private final String id;
  private final String targetId;
  private final Instant createdAt = Instant.now();
  private final Map<String, Viewer> viewers = new ConcurrentHashMap<>();
  private volatile String controllerId;
  private volatile boolean ended;

  Session(String id, String targetId) {
    this.id = id;
    this.targetId = targetId;
  }

  public String id() {
    return id;
  }

  public String targetId() {
    return targetId;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public boolean ended() {
    return ended;
  }

  /** Connected viewers, oldest first. */
  public List<Viewer> viewers() {
    List<Viewer> out = new ArrayList<>();
    for (Viewer v : viewers.values()) {
      if (v.connected()) out.add(v);
    }
    out.sort((a, b) -> a.connectedAt().compareTo(b.connectedAt()));
    return out;
  }

  /** Viewers connected or reserved. */
  int places() {
    return viewers.size();
  }

  public Optional<Viewer> viewer(String viewerId) {
    return Optional.ofNullable(viewers.get(viewerId));
  }

  public Optional<Viewer> controller() {
    String c = controllerId;
    return c == null ? Optional.empty() : Optional.ofNullable(viewers.get(c)).filter(Viewer::connected);
  }

  public Role roleOf(Viewer v) {
    return v.id().equals(controllerId) ? Role.CONTROL : Role.VIEW;
  }

  synchronized void addPending(Viewer v) {
    viewers.put(v.id(), v);
  }

  /** A viewer's connection is relaying: a control-capable viewer takes control if nobody has it. */
  synchronized boolean join(Viewer v) {
    if (controllerId == null && v.maxRole() == Role.CONTROL) {
      controllerId = v.id();
      return true;
    }
    return false;
  }

  /** Removes a viewer; returns true if it was the controller. */
  synchronized boolean leave(Viewer v) {
    viewers.remove(v.id());
    v.detach();
    if (v.id().equals(controllerId)) {
      controllerId = null;
      return true;
    }
    return false;
  }

  /** Makes {@code v} the controller; returns the previous controller, if another viewer. */
  synchronized Optional<Viewer> takeControl(Viewer v) {
    Optional<Viewer> previous = controller().filter(p -> !p.id().equals(v.id()));
    controllerId = v.id();
    return previous;
  }

  /** The controller gives control back: nobody controls until someone takes it. */
  synchronized boolean release(Viewer v) {
    if (v.id().equals(controllerId)) {
      controllerId = null;
      return true;
    }
    return false;
  }

  synchronized boolean isEmpty() {
    return viewers.isEmpty();
  }

  void markEnded() {
    ended = true;
  }
}
