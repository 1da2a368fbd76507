package io.vncgate.gateway.transport;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.SocketAddress;
import io.vncgate.gateway.engine.DomainSockets;
import io.vncgate.spi.Route;
import java.io.FileNotFoundException;
import java.net.ConnectException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A unix domain socket on this host ({@link Route.UnixSocket}), e.g. a launched Xvnc's
 * {@code -rfbunixpath}: Vert.x's NetClient on a domain socket address, which needs the native
 * transport (epoll) or NIO on JDK 16+. Where this Vert.x has neither, every connection fails in
 * words and {@link #supported()} says so at start-up.
 */
public final class UnixSocketConnector implements Connector {
  private final Vertx vertx;
  private final NetClient client;
  private final boolean supported;

  public UnixSocketConnector(Vertx vertx, Duration connectTimeout) {
    this.vertx = vertx;
    this.supported = DomainSockets.supported(vertx);
    this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) connectTimeout.toMillis()));
  }

  /** Whether unix-socket routes can be served here. */
  public boolean supported() {
    return supported;
  }

  /** Why they cannot, for the start-up log and for each refused connection. */
  public String unsupportedReason() {
    return "this gateway cannot open unix sockets: " + DomainSockets.transportName(vertx)
        + " of this platform has no unix domain sockets (run on Linux with the epoll transport, or on Java 16 or later)";
  }

  @Override
  public Future<Upstream> connect(Route route) {
    if (!(route instanceof Route.UnixSocket unix)) {
      return Future.failedFuture(new TransportException("unix-socket connector cannot open " + route.describe()));
    }
    if (!supported) return Future.failedFuture(new TransportException(unsupportedReason(), true));
    Path path = unix.path();
    return client.connect(SocketAddress.domainSocketAddress(path.toString()))
        .<Upstream>map(socket -> new NetSocketUpstream(socket, unix.describe()))
        .recover(e -> Future.failedFuture(new TransportException(describe(path, e))));
  }

  /** A failure in words: the socket is missing, refuses, or may not be opened by the gateway's user. */
  static String describe(Path path, Throwable e) {
    String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase();
    if (e instanceof FileNotFoundException || m.contains("no such file")) {
      return "no unix socket at " + path + " (the VNC server is not running)";
    }
    if (e instanceof AccessDeniedException || m.contains("permission denied")) {
      return "the gateway's user may not open the unix socket " + path + " (permission denied)";
    }
    if (e instanceof ConnectException || m.contains("refused")) {
      if (!Files.exists(path)) return "no unix socket at " + path + " (the VNC server is not running)";
      return "connection refused at the unix socket " + path + " (nothing listens on it)";
    }
    return "cannot connect to the unix socket " + path + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}
