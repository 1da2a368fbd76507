package io.vncgate.gateway.transport.ssh;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vncgate.gateway.transport.TransportException;
import io.vncgate.spi.SshHop;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens and authenticates one SSH session without blocking the event loop: key files and the
 * connect call (which may resolve a host name) run on a worker; MINA's connect and auth futures
 * are awaited through listeners, each with its own timeout.
 */
final class SessionOpener {
  private static final Logger log = LoggerFactory.getLogger(SessionOpener.class);

  private final Vertx vertx;
  private final SshClient client;
  private final SshSettings settings;
  private final Map<Path, StrictKnownHosts> knownHosts = new ConcurrentHashMap<>();

  SessionOpener(Vertx vertx, SshClient client, SshSettings settings) {
    this.vertx = vertx;
    this.client = client;
    this.settings = settings;
  }

  /** A session authenticated as the hop's user; fails with a {@link TransportException}. */
  Future<PooledSession> open(SshHop hop) {
    String where = PooledSession.hostPort(hop);
    return vertx.<Started>executeBlocking(() -> start(hop), false)
        .compose(started -> awaitConnect(hop, started))
        .compose(started -> authenticate(hop, started))
        .recover(e -> Future.failedFuture(e instanceof TransportException ? e
            : new TransportException("SSH connection to " + where + " failed: " + SshFailures.words(e))));
  }

  private record Started(ConnectFuture connect, List<Identity> identities, HostKeyPolicy policy) {}

  private Started start(SshHop hop) throws IOException {
    String where = PooledSession.hostPort(hop);
    List<Identity> identities = Identity.load(hop.identityFiles(), hop.user() + "@" + where);
    if (hop.knownHosts() == null && hop.pinnedKeys().isEmpty()) {
      throw new TransportException("SSH host " + where + " has neither a known_hosts file nor pinned host keys;"
          + " the gateway never accepts an unknown host key");
    }
    StrictKnownHosts verifier = hop.knownHosts() == null ? null
        : knownHosts.computeIfAbsent(hop.knownHosts().toAbsolutePath(), StrictKnownHosts::new);
    HostKeyPolicy policy = new HostKeyPolicy(where, hop.knownHosts(), verifier, PinnedKeys.parse(hop.pinnedKeys()));
    ConnectFuture connect = client.connect(hop.user(), hop.host(), hop.port(),
        AttributeRepository.ofKeyValuePair(HostKeyPolicy.ATTRIBUTE, policy), null);
    return new Started(connect, identities, policy);
  }

  private Future<Started> awaitConnect(SshHop hop, Started started) {
    Promise<Started> promise = Promise.promise();
    String where = PooledSession.hostPort(hop);
    long timer = vertx.setTimer(settings.connectTimeout().toMillis(), id -> {
      if (promise.tryFail(new TransportException("cannot reach SSH server " + where + ": timed out after "
          + SshFailures.seconds(settings.connectTimeout())))) {
        started.connect().cancel();
      }
    });
    started.connect().addListener(f -> {
      vertx.cancelTimer(timer);
      if (f.isConnected()) {
        if (!promise.tryComplete(started)) f.getClientSession().close(true);
      } else if (!f.isCanceled()) {
        promise.tryFail(new TransportException("cannot reach SSH server " + where + ": "
            + SshFailures.words(f.getException())));
      }
    });
    return promise.future();
  }

  private Future<PooledSession> authenticate(SshHop hop, Started started) {
    ClientSession session = started.connect().getClientSession();
    String who = hop.user() + "@" + PooledSession.hostPort(hop);
    started.identities().forEach(id -> session.addPublicKeyIdentity(id.keyPair()));
    Promise<PooledSession> promise = Promise.promise();
    long timer = vertx.setTimer(settings.authTimeout().toMillis(), id -> {
      if (promise.tryFail(new TransportException("SSH login as " + who + " timed out after "
          + SshFailures.seconds(settings.authTimeout())))) {
        session.close(true);
      }
    });
    AuthFuture auth;
    try {
      auth = session.auth();
    } catch (IOException | RuntimeException e) {
      vertx.cancelTimer(timer);
      session.close(true);
      return Future.failedFuture(authFailure(session, who, started, e));
    }
    auth.addListener(f -> {
      vertx.cancelTimer(timer);
      if (f.isSuccess()) {
        PooledSession pooled = new PooledSession(hop, session, started.identities());
        if (promise.tryComplete(pooled)) {
          log.info("SSH session to {} as {} opened", pooled.hostPort(), hop.user());
        } else {
          session.close(true);
        }
      } else {
        promise.tryFail(authFailure(session, who, started, f.getException()));
        session.close(true);
      }
    });
    return promise.future();
  }

  private static TransportException authFailure(ClientSession session, String who, Started started, Throwable e) {
    HostKeyRejection rejected = session.getAttribute(HostKeyRejection.ATTRIBUTE);
    if (rejected != null) {
      log.warn("SSH host key refused: {}", rejected.message());
      return new TransportException(rejected.message());
    }
    if (!(e instanceof SshException ssh)
        || ssh.getDisconnectCode() != SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE) {
      return new TransportException("SSH login as " + who + " failed: " + SshFailures.words(e));
    }
    String keys = started.identities().stream().map(Identity::describe).collect(Collectors.joining(", "));
    log.info("SSH key authentication as {} failed with {}", who, keys);
    return new TransportException("SSH key authentication as " + who + " failed: the server refused key"
        + (started.identities().size() > 1 ? "s " : " ") + keys);
  }
}
