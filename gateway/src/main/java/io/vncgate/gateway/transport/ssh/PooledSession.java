package io.vncgate.gateway.transport.ssh;

import io.vncgate.spi.SshHop;
import java.util.List;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated SSH session shared by the channels to one hop. Counts its channels so the pool
 * can close it when idle, and remembers why it died so every channel on it can tell its viewer.
 * Its methods are called from MINA and Vert.x threads: state is guarded by {@code this}.
 */
final class PooledSession {
  private static final Logger log = LoggerFactory.getLogger(PooledSession.class);

  private final SshHop hop;
  private final ClientSession session;
  private final List<Identity> identities;
  private int channels;
  private long idleTimer = -1;
  private boolean retiring;
  private volatile String dropCause;

  PooledSession(SshHop hop, ClientSession session, List<Identity> identities) {
    this.hop = hop;
    this.session = session;
    this.identities = identities;
    session.addSessionListener(new SessionListener() {
      @Override
      public void sessionException(Session s, Throwable t) {
        if (dropCause == null) dropCause = SshFailures.words(t);
      }

      @Override
      public void sessionDisconnect(Session s, int reason, String msg, String language, boolean initiator) {
        if (!initiator && dropCause == null) {
          dropCause = "the server disconnected" + (msg == null || msg.isBlank() ? "" : " (" + msg + ")");
        }
      }
    });
  }

  SshHop hop() {
    return hop;
  }

  ClientSession session() {
    return session;
  }

  List<Identity> identities() {
    return identities;
  }

  String hostPort() {
    return hostPort(hop);
  }

  static String hostPort(SshHop hop) {
    return (hop.host().contains(":") ? "[" + hop.host() + "]" : hop.host()) + ":" + hop.port();
  }

  /** Claims the session for one more channel; false when it is closing or closed. */
  synchronized boolean retain() {
    if (retiring || !session.isOpen()) return false;
    channels++;
    return true;
  }

  /** One channel is done; returns true when none is left (the caller starts the idle timer). */
  synchronized boolean release() {
    channels = Math.max(0, channels - 1);
    return channels == 0 && !retiring;
  }

  synchronized int channels() {
    return channels;
  }

  /** Remembers the idle timer; returns the one it replaces (to cancel), or -1. */
  synchronized long idleTimer(long timerId) {
    long previous = idleTimer;
    idleTimer = timerId;
    return previous;
  }

  /** Marks the session closing if it is still idle under {@code timerId}; the caller then closes it. */
  synchronized boolean retireIfIdle(long timerId) {
    if (channels > 0 || idleTimer != timerId || retiring) return false;
    retiring = true;
    return true;
  }

  /** Marks the session as closed on purpose (idle, or the connector closing): not a drop. */
  synchronized void retire() {
    retiring = true;
  }

  synchronized boolean retiring() {
    return retiring;
  }

  /**
   * Why the session ended, when it ended by itself: "SSH session to host:port dropped: cause";
   * null while it is open or when the gateway closed it.
   */
  String dropReason() {
    if (session.isOpen() && !session.isClosing()) return null;
    synchronized (this) {
      if (retiring) return null;
    }
    String cause = dropCause;
    return "SSH session to " + hostPort() + " dropped: " + (cause == null ? "connection closed by the server" : cause);
  }

  void logDropped() {
    String reason = dropReason();
    if (reason != null) {
      log.error("{} (user={})", reason, hop.user());
    } else {
      log.debug("SSH session to {} as {} closed", hostPort(), hop.user());
    }
  }
}
