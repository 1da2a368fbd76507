package io.vncgate.gateway.transport.ssh;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vncgate.gateway.transport.TransportException;
import io.vncgate.spi.SshHop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSH session per hop (host, port, user, keys, host-key policy), shared by its channels.
 * Concurrent requests for the same hop wait on the same login. A session that closes leaves the
 * pool; one that carries no channel for {@link SshSettings#idleSessionClose()} is closed.
 */
final class SessionPool {
  private static final Logger log = LoggerFactory.getLogger(SessionPool.class);

  private final Vertx vertx;
  private final SessionOpener opener;
  private final SshSettings settings;
  private final Map<SshHop, Future<PooledSession>> sessions = new HashMap<>();
  private boolean closed;

  SessionPool(Vertx vertx, SessionOpener opener, SshSettings settings) {
    this.vertx = vertx;
    this.opener = opener;
    this.settings = settings;
  }

  /** A session for {@code hop}, already counted for one channel: call {@link #release} when it ends. */
  Future<PooledSession> acquire(SshHop hop) {
    return acquire(hop, 2);
  }

  private Future<PooledSession> acquire(SshHop hop, int attempts) {
    Future<PooledSession> shared;
    synchronized (this) {
      if (closed) return Future.failedFuture(new TransportException("the SSH connector is closed"));
      shared = sessions.get(hop);
      if (shared == null || shared.failed() || shared.succeeded() && !shared.result().session().isOpen()) {
        shared = opener.open(hop);
        sessions.put(hop, shared);
        Future<PooledSession> mine = shared;
        mine.onComplete(ar -> opened(hop, mine, ar.succeeded() ? ar.result() : null));
      }
    }
    return shared.compose(pooled -> {
      if (pooled.retain()) {
        cancelIdleTimer(pooled);
        return Future.succeededFuture(pooled);
      }
      forget(hop, pooled);
      return attempts > 1 ? acquire(hop, attempts - 1)
          : Future.failedFuture(new TransportException(
              "SSH session to " + pooled.hostPort() + " closed while opening a channel"));
    });
  }

  /** The channel that {@link #acquire} counted is closed. */
  void release(PooledSession pooled) {
    if (!pooled.release()) return;
    long delay = settings.idleSessionClose().toMillis();
    if (delay == 0) {
      retireIfIdle(pooled, -1);
      return;
    }
    long timer = vertx.setTimer(delay, id -> retireIfIdle(pooled, id));
    long previous = pooled.idleTimer(timer);
    if (previous >= 0) vertx.cancelTimer(previous);
  }

  /** Closes every pooled session. */
  Future<Void> close() {
    List<Future<PooledSession>> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(sessions.values());
      sessions.clear();
    }
    List<Future<Void>> closing = new ArrayList<>();
    for (Future<PooledSession> f : all) {
      closing.add(f.transform(ar -> ar.succeeded() ? closeSession(ar.result(), true) : Future.succeededFuture()));
    }
    return Future.join(closing).mapEmpty();
  }

  synchronized int size() {
    return sessions.size();
  }

  private void opened(SshHop hop, Future<PooledSession> mine, PooledSession pooled) {
    if (pooled == null) {
      synchronized (this) {
        sessions.remove(hop, mine);
      }
      return;
    }
    pooled.session().addCloseFutureListener(f -> {
      forget(hop, pooled);
      pooled.logDropped();
    });
    boolean lateOpen;
    synchronized (this) {
      lateOpen = closed;
    }
    if (lateOpen) closeSession(pooled, true);
  }

  private void cancelIdleTimer(PooledSession pooled) {
    long previous = pooled.idleTimer(-1);
    if (previous >= 0) vertx.cancelTimer(previous);
  }

  private void retireIfIdle(PooledSession pooled, long timerId) {
    if (pooled.retireIfIdle(timerId)) {
      log.debug("closing idle SSH session to {}", pooled.hostPort());
      forget(pooled.hop(), pooled);
      closeSession(pooled, false);
    }
  }

  private synchronized void forget(SshHop hop, PooledSession pooled) {
    Future<PooledSession> current = sessions.get(hop);
    if (current != null && current.succeeded() && current.result() == pooled) {
      sessions.remove(hop);
    }
  }

  /** Idle sessions close gracefully; on shutdown, channels still open are cut at once. */
  private static Future<Void> closeSession(PooledSession pooled, boolean immediately) {
    pooled.retire();
    Promise<Void> done = Promise.promise();
    pooled.session().close(immediately).addListener(f -> done.tryComplete());
    return done.future();
  }
}
