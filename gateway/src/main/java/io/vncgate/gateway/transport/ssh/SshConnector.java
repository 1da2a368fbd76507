package io.vncgate.gateway.transport.ssh;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vncgate.gateway.transport.Connector;
import io.vncgate.gateway.transport.TransportException;
import io.vncgate.gateway.transport.Upstream;
import io.vncgate.spi.Route;
import io.vncgate.spi.SshHop;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.channel.StreamingChannel.Streaming;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSH route: an RFC 4254 {@code direct-tcpip} channel through one SSH hop to the target's VNC
 * port, the same thing as {@code ssh -L}. One MINA {@link SshClient} per connector; one
 * authenticated session per hop, shared by all channels to it and closed when idle. Host keys are
 * always verified against the hop's known_hosts file and/or pinned keys.
 *
 * <p>Never blocks the event loop: key files and the connect call run on a worker, MINA futures
 * are awaited through listeners with timeouts, and the returned future completes on the caller's
 * context.
 */
public final class SshConnector implements Connector {
  private static final Logger log = LoggerFactory.getLogger(SshConnector.class);
  private static final SshdSocketAddress ORIGINATOR = new SshdSocketAddress("127.0.0.1", 0);

  private final Vertx vertx;
  private final SshSettings settings;
  private final SshClient client;
  private final SessionPool pool;

  public SshConnector(Vertx vertx, SshSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.client = SshClients.create(settings);
    this.pool = new SessionPool(vertx, new SessionOpener(vertx, client, settings), settings);
  }

  public SshConnector(Vertx vertx) {
    this(vertx, SshSettings.DEFAULTS);
  }

  @Override
  public Future<Upstream> connect(Route route) {
    Context context = vertx.getOrCreateContext();
    if (!(route instanceof Route.Ssh ssh)) {
      return Future.failedFuture(new TransportException("the SSH connector cannot open " + route.describe()));
    }
    if (ssh.hops().size() != 1) {
      return Future.failedFuture(new TransportException("multi-hop SSH routes are not supported yet ("
          + ssh.hops().size() + " hops to " + ssh.targetHost() + ":" + ssh.targetPort() + ")"));
    }
    SshHop hop = ssh.hops().get(0);
    if (hop.knownHosts() == null && hop.pinnedKeys().isEmpty()) {
      return Future.failedFuture(new TransportException("SSH host " + PooledSession.hostPort(hop)
          + " has neither a known_hosts file nor pinned host keys; the gateway never accepts an unknown host key"));
    }
    Promise<Upstream> result = Promise.promise();
    pool.acquire(hop)
        .compose(pooled -> openChannel(context, pooled, ssh))
        .onComplete(ar -> context.runOnContext(v -> result.handle(ar)));
    return result.future();
  }

  /** Sessions held right now (open or opening). */
  public int pooledSessions() {
    return pool.size();
  }

  @Override
  public Future<Void> close() {
    return pool.close().compose(v -> vertx.executeBlocking(() -> {
      client.stop();
      return null;
    }, false));
  }

  private Future<Upstream> openChannel(Context context, PooledSession pooled, Route.Ssh route) {
    String target = route.targetHost() + ":" + route.targetPort();
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) pool.release(pooled);
    };
    ChannelDirectTcpip channel = null;
    OpenFuture opening;
    try {
      channel = pooled.session().createDirectTcpipChannel(ORIGINATOR,
          new SshdSocketAddress(route.targetHost(), route.targetPort()));
      channel.setStreaming(Streaming.Async);
      // whatever ends the channel (open refused, timeout, close, session drop) frees its slot once
      channel.addCloseFutureListener(f -> release.run());
      opening = channel.open();
    } catch (IOException | RuntimeException e) {
      if (channel != null) channel.close(true);
      release.run();
      return Future.failedFuture(new TransportException("cannot open an SSH channel to " + target + " via "
          + pooled.hostPort() + ": " + SshFailures.words(e)));
    }
    ChannelDirectTcpip opened = channel;
    Promise<Upstream> promise = Promise.promise();
    long timer = vertx.setTimer(settings.connectTimeout().toMillis(), id -> {
      if (promise.tryFail(new TransportException("the SSH server " + pooled.hostPort() + " did not open a channel to "
          + target + " within " + SshFailures.seconds(settings.connectTimeout())))) {
        opened.close(true);
      }
    });
    opening.addListener(f -> {
      vertx.cancelTimer(timer);
      if (f.isOpened()) {
        SshUpstream upstream = new SshUpstream(context, opened, pooled, route.describe(),
            settings.connectTimeout());
        if (!promise.tryComplete(upstream)) upstream.close();
        log.debug("SSH channel open: {}", route.describe());
      } else {
        promise.tryFail(forwardRefused(pooled, target, f.getException()));
        opened.close(true);
      }
    });
    return promise.future();
  }

  private static TransportException forwardRefused(PooledSession pooled, String target, Throwable cause) {
    String dropped = pooled.dropReason();
    if (dropped != null) return new TransportException(dropped);
    return new TransportException("the SSH server refused to forward to " + target + ": "
        + SshFailures.channelOpenWords(cause));
  }
}
