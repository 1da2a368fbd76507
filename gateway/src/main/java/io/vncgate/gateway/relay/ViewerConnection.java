package io.vncgate.gateway.relay;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.streams.Pipe;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.auth.TicketGrant;
import io.vncgate.gateway.auth.TicketStore;
import io.vncgate.gateway.engine.RelayStreams;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Status;
import io.vncgate.gateway.rfb.ClientMessageFramer;
import io.vncgate.gateway.rfb.HandshakeStep;
import io.vncgate.gateway.rfb.MessagePolicy;
import io.vncgate.gateway.rfb.RfbException;
import io.vncgate.gateway.rfb.RfbFailure;
import io.vncgate.gateway.rfb.ServerInit;
import io.vncgate.gateway.rfb.ServerMessageFramer;
import io.vncgate.gateway.rfb.UpstreamHandshake;
import io.vncgate.gateway.rfb.ViewerHandshake;
import io.vncgate.gateway.transport.Upstream;
import io.vncgate.gateway.transport.UpstreamPassword;
import io.vncgate.spi.TargetRoute;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * One viewer's connection through the gateway: the RFB handshake on both sides, then a
 * backpressured relay both ways, the viewer→server half framed and filtered by role.
 *
 * <p>Order: the viewer gets the banner at once; when it has answered (and, on the TCP front,
 * presented its ticket as the VNC password) the gateway resolves the target, connects, reads the
 * target's VNC password on its SSH host when it is kept there, and does the upstream handshake;
 * only then does the viewer learn its security result, so every failure before ServerInit
 * reaches it as an RFB failure reason. Everything runs on one event loop.
 */
public final class ViewerConnection {
  private static final Logger log = LoggerFactory.getLogger(ViewerConnection.class);
  /** Bytes a viewer may send before the handshake completes. */
  private static final int MAX_HANDSHAKE_BYTES = 4096;

  private enum State { HANDSHAKE, CONNECTING, RELAYING, CLOSED }

  private final RelayServices services;
  private final ViewerChannel viewer;
  private final ViewerHandshake viewerHandshake;
  private final String refusal;
  private final Instant startedAt = Instant.now();
  private final AtomicLong bytesToServer = new AtomicLong();
  private final AtomicLong bytesToViewer = new AtomicLong();
  private final AtomicLong bytesSpliced = new AtomicLong();

  private State state = State.HANDSHAKE;
  private io.vertx.core.Context context;
  private TicketGrant grant;
  private Upstream upstream;
  private ClientMessageFramer framer;
  private long handshakeTimer = -1;
  private long idleTimer = -1;
  private long lastActivity = System.nanoTime();
  private int handshakeBytes;

  private ViewerConnection(RelayServices services, ViewerChannel viewer, ViewerHandshake.Security security,
      TicketGrant grant, String refusal) {
    this.services = services;
    this.viewer = viewer;
    this.viewerHandshake = new ViewerHandshake(security);
    this.grant = grant;
    this.refusal = refusal;
  }

  /** A browser whose ticket was already redeemed at the WebSocket upgrade. */
  public static ViewerConnection admitted(RelayServices services, ViewerChannel viewer, TicketGrant grant) {
    return new ViewerConnection(services, viewer, ViewerHandshake.Security.NONE, grant, null);
  }

  /** A native viewer that will present its ticket as the VNC password. */
  public static ViewerConnection withTicketAuth(RelayServices services, ViewerChannel viewer) {
    return new ViewerConnection(services, viewer, ViewerHandshake.Security.VNC_AUTH, null, null);
  }

  /** A viewer that will be told {@code reason} as an RFB failure as soon as the protocol allows. */
  public static ViewerConnection refused(RelayServices services, ViewerChannel viewer, String reason) {
    return new ViewerConnection(services, viewer, ViewerHandshake.Security.NONE, null, reason);
  }

  public void start() {
    context = services.vertx().getOrCreateContext();
    handshakeTimer = services.vertx().setTimer(services.config().server().handshakeTimeout().toMillis(), id -> {
      handshakeTimer = -1;
      String who = state == State.CONNECTING && grant != null
          ? "target " + grant.targetId() + " did not complete the RFB handshake"
          : "the viewer did not complete the RFB handshake";
      fail(Status.UPSTREAM_TIMEOUT, who + " within " + services.config().server().handshakeTimeout().toSeconds() + " s",
          "timeout", state == State.CONNECTING);
    });
    // a WebSocket whose TCP connection ends without a close frame (a closed tab) is the viewer leaving,
    // not a fault of the target: reasons starting "the viewer" are logged at info, not as failures
    viewer.input().exceptionHandler(e -> close(e instanceof HttpClosedException ? "the viewer disconnected"
        : "the viewer's connection failed: " + e.getMessage()));
    viewer.input().endHandler(v -> close("the viewer disconnected"));
    viewer.input().handler(this::onViewerHandshakeData);
    if (grant != null) services.listener().redeemed(this); // a browser: its ticket was redeemed at the upgrade
    viewer.output().write(viewerHandshake.start());
  }

  private void onViewerHandshakeData(Buffer data) {
    // CONNECTING too: the viewer answers the security types while the upstream side is done
    if (state != State.HANDSHAKE && state != State.CONNECTING) return;
    handshakeBytes += data.length();
    if (handshakeBytes > MAX_HANDSHAKE_BYTES) {
      fail(Status.BAD_REQUEST, "the viewer sent too much data during the RFB handshake", "viewer-protocol", false);
      return;
    }
    onViewerStep(viewerHandshake.onData(data));
  }

  private void onViewerStep(HandshakeStep step) {
    if (state == State.CLOSED) return;
    log.debug("connection={} viewer handshake: {} ({} bytes out)", id(), step.getClass().getSimpleName(), step.output().length());
    if (step.output().length() > 0) viewer.output().write(step.output());
    if (step instanceof HandshakeStep.AwaitAdmission await) {
      admit(await);
    } else if (step instanceof HandshakeStep.Ready ready) {
      startRelay(ready.leftover());
    } else if (step instanceof HandshakeStep.Failed failed) {
      closeAfterFailure(Status.BAD_REQUEST, failed.failure().message(), cause(failed.failure()), false);
    }
  }

  private void admit(HandshakeStep.AwaitAdmission await) {
    if (refusal != null) {
      refuse(Status.UNAUTHORIZED, refusal, "ticket", false);
      return;
    }
    if (grant != null) {
      connect();
      return;
    }
    // a remote address that guessed too many tickets is refused without a search (limits.tickets)
    String address = viewer.address();
    String throttled = services.redeemThrottle().refusal(address);
    if (throttled != null) {
      refuse(Status.TOO_MANY_REQUESTS, throttled, "ticket-throttled", false);
      return;
    }
    // which live ticket was typed is found by trying them all: off the event loop
    TicketStore tickets = services.tickets();
    services.vertx().executeBlocking(() -> tickets.redeemVncResponse(await.challenge(), await.response()), false)
        .onComplete(ar -> {
          if (state == State.CLOSED) return; // the viewer left (or timed out) meanwhile
          if (ar.failed()) {
            log.error("connection={} checking the VNC password against the tickets failed", id(), ar.cause());
            refuse(Status.INTERNAL, "the gateway could not check the ticket: try again, or tell its operator", "ticket", false);
            return;
          }
          grant = ar.result().orElse(null);
          if (grant == null) {
            services.redeemThrottle().failed(address);
            refuse(Status.UNAUTHORIZED, "the password is not a valid ticket (tickets work once and expire after "
                + services.config().ticketTtl().toSeconds() + " s): ask POST /api/v1/sessions for a new one", "ticket", false);
            return;
          }
          services.listener().redeemed(this);
          connect();
        });
  }

  /** Admitted: resolve the target, connect and do the upstream handshake. */
  private void connect() {
    state = State.CONNECTING;
    String target = grant.targetId();
    services.providers().resolve(target, grant.user())
        .recover(e -> Future.failedFuture(prefix(GatewayException.from(e), "target " + target + " unavailable: ")))
        .compose(route -> {
          resolved = route;
          // an attempt that would only count against the target's blacklist again is not made
          Optional<String> held = services.hold().refusal(target, route);
          return held.isPresent() ? Future.<TargetRoute>failedFuture(new UpstreamRfbFailure("held", held.get()))
              : Future.succeededFuture(route);
        })
        .compose(route -> services.connectors().connect(route.route())
            .recover(e -> Future.failedFuture(prefix(GatewayException.from(e), "target " + target + " unreachable: ")))
            .compose(up -> upstreamHandshake(up, route)))
        .onSuccess(this::onUpstreamReady)
        .onFailure(e -> {
          GatewayException g = GatewayException.from(e);
          String cause = e instanceof UpstreamRfbFailure u ? u.cause : "unreachable";
          if (g.logDetail() != null) {
            log.error("connection={} target={} user={}: {}", id(), target, grant.user().subject(), g.logDetail());
          } else if (g.status() == Status.INTERNAL && g.getCause() != null) {
            log.error("connection={} target={} user={}: unexpected failure", id(), target, grant.user().subject(), g.getCause());
          }
          services.hold().failed(target, resolved, cause, g.getMessage());
          if (OperatorFailures.isFinal(cause) || g.status() == Status.NEEDS_OPERATOR) {
            refuse(Status.NEEDS_OPERATOR, OperatorFailures.finalReason(g.getMessage()), cause, true);
          } else {
            refuse(g.status(), g.getMessage(), cause, true);
          }
        });
  }

  private Future<ServerInit> upstreamHandshake(Upstream up, TargetRoute route) {
    if (state == State.CLOSED) {
      up.close();
      return Future.failedFuture(new GatewayException(Status.BAD_REQUEST, "the viewer went away"));
    }
    upstream = up;
    limits = route.limits();
    String target = grant.targetId();
    // the password may first be read on the SSH host; the viewer may leave meanwhile
    return UpstreamPassword.of(route, up)
        .recover(e -> {
          GatewayException g = GatewayException.from(e);
          return Future.failedFuture(new UpstreamRfbFailure("password", "target " + target + ": " + g.getMessage(), g.logDetail()));
        })
        .compose(password -> {
          UpstreamHandshake handshake = new UpstreamHandshake(password);
          if (password != null) Arrays.fill(password, (byte) 0);
          if (state == State.CLOSED) {
            return Future.failedFuture(new GatewayException(Status.BAD_REQUEST, "the viewer went away"));
          }
          return upstreamHandshake(up, handshake);
        });
  }

  private Future<ServerInit> upstreamHandshake(Upstream up, UpstreamHandshake handshake) {
    io.vertx.core.Promise<ServerInit> done = io.vertx.core.Promise.promise();
    String target = grant.targetId();
    up.closeHandler(reason -> done.tryFail(new UpstreamRfbFailure("closed", "target " + target
        + (reason != null ? ": " + reason : " closed the connection during the RFB handshake"))));
    up.input().endHandler(v -> done.tryFail(new UpstreamRfbFailure("closed",
        "target " + target + " closed the connection during the RFB handshake")));
    up.input().exceptionHandler(e -> done.tryFail(new UpstreamRfbFailure("closed",
        "target " + target + " connection error: " + e.getMessage())));
    // a target that accepts and then says nothing (an HTTP server waiting for a request) is named
    // long before the handshake timeout
    Duration bannerTimeout = services.config().server().bannerTimeout();
    long bannerTimer = services.vertx().setTimer(bannerTimeout.toMillis(), id -> done.tryFail(new UpstreamRfbFailure("no-banner",
        "target " + target + " sent no RFB banner within " + human(bannerTimeout) + ": is it a VNC server?"
            + " (server.banner-timeout)")));
    done.future().onComplete(ar -> services.vertx().cancelTimer(bannerTimer));
    up.input().handler(data -> {
      services.vertx().cancelTimer(bannerTimer);
      HandshakeStep step = handshake.onData(data);
      log.debug("connection={} upstream handshake: {} bytes in, {} ({} bytes out)", id(), data.length(),
          step.getClass().getSimpleName(), step.output().length());
      if (step.output().length() > 0) up.output().write(step.output());
      if (step instanceof HandshakeStep.Ready ready) {
        up.input().pause();
        up.input().handler(null);
        upstreamLeftover = ready.leftover();
        done.tryComplete(ready.serverInit());
      } else if (step instanceof HandshakeStep.Failed failed) {
        done.tryFail(new UpstreamRfbFailure(cause(failed.failure()), OperatorFailures.describe(target, failed.failure())));
      }
    });
    up.input().resume();
    return done.future();
  }

  private TargetRoute resolved;
  private Buffer upstreamLeftover;
  private ServerInit serverInit;
  private io.vncgate.spi.Limits limits = io.vncgate.spi.Limits.DEFAULTS;

  private void onUpstreamReady(ServerInit serverInit) {
    services.hold().succeeded(grant.targetId());
    if (state == State.CLOSED) return;
    this.serverInit = serverInit;
    onViewerStep(viewerHandshake.admit(serverInit));
  }

  private void startRelay(Buffer viewerLeftover) {
    if (state == State.CLOSED) return;
    state = State.RELAYING;
    cancelHandshakeTimer();
    var clip = services.config().clipboard();
    // the provider may narrow the gateway's clipboard policy for this target, never widen it
    long clipboardMax = limits.clipboardMaxBytes() > 0 ? Math.min(limits.clipboardMaxBytes(), clip.maxBytes()) : clip.maxBytes();
    boolean clipboardToServer = clip.toServer() && limits.clipboardToServer();
    boolean clipboardToViewer = clip.toViewer() && limits.clipboardToViewer();
    // the role is decided before any viewer byte is framed, leftover bytes included
    MessagePolicy policy = services.listener().joining(this);
    framer = new ClientMessageFramer(policy == null ? MessagePolicy.OBSERVER : policy, clipboardMax, clipboardToServer,
        (type, bytes, why) -> {
          log.info("connection={} target={} user={} dropped {} ({} bytes): {}", id(), grant.targetId(),
              grant.user().subject(), type.wireName(), bytes, why);
          services.listener().dropped(this, type, why);
        });
    ServerMessageFramer serverFramer = new ServerMessageFramer(serverInit.pixelFormat(), clipboardMax, clipboardToViewer,
        (type, bytes, why) -> {
          log.info("connection={} target={} user={} dropped {} from the target ({} bytes): {}", id(), grant.targetId(),
              grant.user().subject(), type, bytes, why);
          services.listener().droppedFromServer(this, type, why);
        });
    framer.formatListener(new ClientMessageFramer.FormatListener() {
      @Override
      public void pixelFormatSent(byte[] pixelFormat, boolean afterSyncFence) {
        serverFramer.pixelFormatSent(pixelFormat, afterSyncFence);
      }

      @Override
      public void pixelFormatSent(byte[] pixelFormat, long fence, boolean gatewayFence) {
        serverFramer.pixelFormatSent(pixelFormat, fence, gatewayFence);
      }
    });
    serverFramer.onFenceSupport(framer::serverFencesConfirmed);
    framer.updateProgress(serverFramer::updatesBegun, serverFramer::updatesDone);
    // 7-byte pointer events only once the target itself confirmed ExtendedMouseButtons
    serverFramer.onExtendedMouseButtons(framer::extendedPointerConfirmed);
    // large server payloads may go socket to socket, unread, where the config and the sockets allow
    viewer.prepareForRelay(services.config().server().zeroCopy());
    WriteStream<Buffer> toViewer = RelayStreams.toViewer(new ServerFraming(serverFramer), viewer.output(), bytesToViewer,
        bytesSpliced, this::touch,
        e -> fail(Status.UPSTREAM_FAILED, "target " + grant.targetId() + " " + e.getMessage(), "target-protocol", true));
    viewer.input().pause();
    viewer.input().handler(null);
    upstream.input().endHandler(null);
    upstream.input().exceptionHandler(null);
    upstream.closeHandler(reason -> close(reason == null ? "the VNC server closed the connection" : reason));

    if (upstreamLeftover != null && upstreamLeftover.length() > 0) {
      toViewer.write(upstreamLeftover);
    }
    WriteStream<Buffer> toServer = RelayStreams.toServer(framer::feed, upstream.output(), bytesToServer, this::touch,
        this::onRelayFailure);
    if (viewerLeftover.length() > 0) {
      toServer.write(viewerLeftover).onFailure(this::onRelayFailure);
    }
    Pipe<Buffer> down = upstream.input().pipe();
    down.endOnComplete(false);
    down.to(toViewer)
        .onComplete(ar -> close(ar.succeeded() ? "the VNC server closed the connection"
            : "connection lost: " + ar.cause().getMessage()));
    Pipe<Buffer> up = viewer.input().pipe();
    up.endOnComplete(false);
    up.to(toServer).onComplete(ar -> {
      if (ar.succeeded()) close("the viewer disconnected");
      else onRelayFailure(ar.cause());
    });
    startIdleTimer();
    log.info("connection={} target={} user={} front={} relaying (viewer {}, server {})", id(), grant.targetId(),
        grant.user().subject(), viewer.front(), viewer.remote(), upstream.describe());
    services.listener().relaying(this);
  }

  private void onRelayFailure(Throwable e) {
    if (e instanceof RfbException r) {
      fail(Status.BAD_REQUEST, r.failure().message(), "viewer-protocol", false);
    } else {
      // the viewer's stream failed (it went away without a clean close)
      close("the viewer disconnected");
    }
  }

  private void touch() {
    lastActivity = System.nanoTime();
  }

  private void startIdleTimer() {
    long idleMs = services.config().server().idleTimeout().toMillis();
    if (idleMs <= 0) return;
    long period = Math.max(1000, Math.min(idleMs / 4, 30_000));
    idleTimer = services.vertx().setPeriodic(period, id -> {
      if ((System.nanoTime() - lastActivity) / 1_000_000 >= idleMs) {
        fail(Status.UPSTREAM_TIMEOUT, "idle for " + human(services.config().server().idleTimeout())
            + " (server.idle-timeout); reconnect to continue", "idle", false);
      }
    });
  }

  /** Tells the viewer why in the RFB handshake, then closes. */
  private void refuse(Status status, String reason, String cause, boolean upstreamFault) {
    if (state == State.CLOSED) return;
    HandshakeStep step = viewerHandshake.refuse(reason);
    if (step.output().length() > 0) viewer.output().write(step.output());
    closeAfterFailure(status, reason, cause, upstreamFault);
  }

  /** A failure at any stage: before relaying it goes into the RFB handshake, after it only as close reason. */
  private void fail(Status status, String reason, String cause, boolean upstreamFault) {
    if (state == State.RELAYING || state == State.CLOSED) {
      closeAfterFailure(status, reason, cause, upstreamFault);
    } else {
      refuse(status, reason, cause, upstreamFault);
    }
  }

  private void closeAfterFailure(Status status, String reason, String cause, boolean upstreamFault) {
    if (state == State.CLOSED) return;
    boolean beforeRelay = state != State.RELAYING;
    if (beforeRelay) services.listener().handshakeFailed(viewer.front(), cause);
    String user = grant == null ? "-" : grant.user().subject();
    String target = grant == null ? "-" : grant.targetId();
    if (upstreamFault) {
      log.error("connection={} target={} user={} front={} failed: {}", id(), target, user, viewer.front(), reason);
    } else {
      log.info("connection={} target={} user={} front={} remote={} refused: {}", id(), target, user, viewer.front(),
          viewer.remote(), reason);
    }
    shutdown(status, reason);
  }

  /** Ends the connection normally (either side closed). */
  public void close(String reason) {
    if (state == State.CLOSED) return;
    if (state != State.RELAYING) {
      // the viewer leaving (cleanly or not) is no upstream fault: info, not error
      closeAfterFailure(Status.UPSTREAM_FAILED, reason, "closed", grant != null && !reason.startsWith("the viewer")
          && !reason.startsWith("viewer "));
      return;
    }
    log.info("connection={} target={} user={} front={} closed: {} ({} bytes to server, {} bytes to viewer, {} of them spliced)",
        id(), grant.targetId(), grant.user().subject(), viewer.front(), reason, bytesToServer.get(), bytesToViewer.get(),
        bytesSpliced.get());
    shutdown(Status.UPSTREAM_FAILED, reason);
  }

  /**
   * The gateway is stopping: the viewer is told so (WebSocket close 1001 Going Away with the
   * reason; before ServerInit an RFB failure reason; a native viewer after ServerInit just sees the
   * close) and the audit says so. Safe from any thread.
   */
  public void goingAwayFromAnyThread(String reason) {
    if (context != null) context.runOnContext(v -> fail(Status.GOING_AWAY, reason, "shutdown", false));
  }

  /** Ends the connection on an operator's or the session's request; safe from any thread. */
  public void terminateFromAnyThread(String reason) {
    context.runOnContext(v -> fail(Status.CONFLICT, reason, "terminated", false));
  }

  private void shutdown(Status status, String reason) {
    boolean wasRelaying = state == State.RELAYING;
    state = State.CLOSED;
    cancelHandshakeTimer();
    if (idleTimer >= 0) services.vertx().cancelTimer(idleTimer);
    if (upstream != null) upstream.close();
    if (wasRelaying && reason.equals("the viewer disconnected")) {
      viewer.close();
    } else {
      viewer.close(status, reason);
    }
    services.listener().closed(this, reason);
  }

  private void cancelHandshakeTimer() {
    if (handshakeTimer >= 0) {
      services.vertx().cancelTimer(handshakeTimer);
      handshakeTimer = -1;
    }
  }

  /** Switches the whitelist for this viewer's messages (take-over); applies from the next message. */
  public void policy(MessagePolicy policy) {
    if (framer != null) framer.policy(policy);
  }

  public String id() {
    return grant == null ? "-" : grant.connectionId();
  }

  public TicketGrant grant() {
    return grant;
  }

  /** The viewer's address and port, for logs and the audit trail. */
  public String remote() {
    return viewer.remote();
  }

  public Instant startedAt() {
    return startedAt;
  }

  public long bytesToServer() {
    return bytesToServer.get();
  }

  public long bytesToViewer() {
    return bytesToViewer.get();
  }

  /** Of {@link #bytesToViewer()}, those spliced from the target's socket (never in the gateway's memory). */
  public long bytesSpliced() {
    return bytesSpliced.get();
  }

  private static String human(Duration d) {
    if (d.toSeconds() < 10 && d.toMillis() % 1000 != 0) return d.toMillis() + " ms";
    return d.toSeconds() < 120 ? d.toSeconds() + " s" : d.toMinutes() < 120 ? d.toMinutes() + " min" : d.toHours() + " h";
  }

  private static String cause(RfbFailure f) {
    return f.cause().name().toLowerCase().replace('_', '-');
  }

  private static GatewayException prefix(GatewayException g, String prefix) {
    return g.getMessage().startsWith("target ") ? g : new GatewayException(g.status(), prefix + g.getMessage(), g.logDetail());
  }

  /** An upstream handshake failure (or its password's) with its metrics label. */
  private static final class UpstreamRfbFailure extends GatewayException {
    final String cause;

    UpstreamRfbFailure(String cause, String message) {
      this(cause, message, null);
    }

    UpstreamRfbFailure(String cause, String message, String logDetail) {
      super(Status.UPSTREAM_FAILED, message, logDetail);
      this.cause = cause;
    }
  }
}
