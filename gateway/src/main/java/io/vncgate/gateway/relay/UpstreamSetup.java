package io.vncgate.gateway.relay;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.auth.TicketGrant;
import io.vncgate.gateway.auth.UserPrincipal;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.failure.Status;
import io.vncgate.gateway.rfb.HandshakeStep;
import io.vncgate.gateway.rfb.RfbVersion;
import io.vncgate.gateway.rfb.ServerInit;
import io.vncgate.gateway.rfb.UpstreamHandshake;
import io.vncgate.gateway.transport.StaleRouteException;
import io.vncgate.gateway.transport.Upstream;
import io.vncgate.gateway.transport.UpstreamPassword;
import io.vncgate.spi.TargetRoute;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream half of one admitted connection: resolve the target with its provider → check the
 * hold on attempts that would lock it out → connect → read its VNC password (on its SSH host when
 * kept there) → the RFB handshake with the target. Its future holds the ready upstream (paused,
 * with the target's ServerInit and any bytes after it) or fails with an {@link Failed} that
 * carries the {@link Outcome}. Runs on the connection's event loop.
 *
 * <p>A viewer's connection ({@code ViewerConnection}) and a target check ({@link TargetCheck}) both
 * take this path, so a check waits its turn at the target like a viewer and authenticates like one
 * (TigerVNC counts a connection that ends before authenticating against the gateway's address).
 */
final class UpstreamSetup {
  private static final Logger log = LoggerFactory.getLogger(UpstreamSetup.class);
  /** A route resolved longer ago than this when its turn at the target comes is resolved again. */
  private static final long STALE_ROUTE_NANOS = 2_000_000_000L;

  /** The upstream after its handshake: paused, nothing read past {@code leftover}. */
  record Ready(Upstream upstream, TargetRoute route, ServerInit serverInit, Buffer leftover) {}

  /** Why the setup failed, in words for the viewer, with its outcome. */
  static final class Failed extends GatewayException {
    private final Outcome outcome;

    Failed(Outcome outcome, String message) {
      this(outcome, message, null);
    }

    Failed(Outcome outcome, String message, String logDetail) {
      super(Status.UPSTREAM_FAILED, message, logDetail);
      this.outcome = outcome;
    }

    Outcome outcome() {
      return outcome;
    }
  }

  /** How long resolving may take before the page is told the target is being prepared (no flash for quick ones). */
  private static final long PREPARING_AFTER_MS = 300;

  private final RelayServices services;
  private final String connectionId;
  private final UserPrincipal user;
  private final String target;
  private final long deadlineNanos;
  private final Consumer<UpstreamPacer.QueueState> queueStates;
  private TargetRoute resolved;
  private UpstreamPacer.Turn<Ready> turn;
  private long resolvedAtNanos;
  private Upstream upstream;
  private boolean cancelled;
  private RfbVersion version;

  /**
   * @param deadlineNanos {@link System#nanoTime()} by which the viewer's handshake must be done: a
   *     viewer queued at its target ({@link UpstreamPacer}) waits no longer
   * @param queueStates told, on this event loop, where the viewer stands while it waits for a turn
   *     at the target, and null once its attempt starts
   */
  UpstreamSetup(RelayServices services, String connectionId, TicketGrant grant, long deadlineNanos,
      Consumer<UpstreamPacer.QueueState> queueStates) {
    this(services, connectionId, grant.targetId(), grant.user(), deadlineNanos, queueStates);
  }

  /** For {@code target} as {@code user} sees it, without a ticket (a {@link TargetCheck}). */
  UpstreamSetup(RelayServices services, String connectionId, String target, UserPrincipal user, long deadlineNanos,
      Consumer<UpstreamPacer.QueueState> queueStates) {
    this.services = services;
    this.connectionId = connectionId;
    this.user = user;
    this.target = target;
    this.deadlineNanos = deadlineNanos;
    this.queueStates = queueStates;
  }

  /** The RFB version spoken with the target, once its banner was read; else null. */
  RfbVersion version() {
    return version;
  }

  Future<Ready> start() {
    // a provider that takes a while (a desktop it starts on demand) shows the page "starting";
    // a quick resolve never flashes it
    boolean[] told = {false};
    long preparing = services.vertx().setTimer(PREPARING_AFTER_MS, id -> {
      told[0] = true;
      queueStates.accept(UpstreamPacer.QueueState.PREPARING);
    });
    return services.providers().resolve(target, user)
        .onComplete(ar -> {
          services.vertx().cancelTimer(preparing);
          if (told[0]) queueStates.accept(null);
        })
        .recover(e -> Future.failedFuture(prefix(GatewayException.from(e), "target " + target + " unavailable: ")))
        .compose(route -> {
          resolved = route;
          resolvedAtNanos = System.nanoTime();
          // an attempt that would only count against the target's blacklist again is not made
          Optional<String> held = services.hold().refusal(target, route);
          return held.isPresent() ? Future.<TargetRoute>failedFuture(new Failed(Outcome.HELD, held.get()))
              : Future.succeededFuture(route);
        })
        .compose(this::paced)
        .transform(ar -> {
          if (ar.succeeded()) {
            services.hold().succeeded(target);
            return Future.succeededFuture(ar.result());
          }
          return Future.failedFuture(failed(ar.cause()));
        });
  }

  /**
   * Waits for a turn at the target (at most a few upstream handshakes at a time, see
   * {@link UpstreamPacer}); an attempt the target refuses as blacklisted is closed and made again
   * after the pacer's backoff, while the viewer's handshake time allows.
   */
  private Future<Ready> paced(TargetRoute route) {
    turn = services.pacer().run(target, route, deadlineNanos, queueStates,
        e -> e instanceof Failed f && f.outcome() == Outcome.ADDRESS_BLOCKED, () -> {
          // a route may hold a one-shot ticket with a short window (Proxmox: its console worker
          // waits 10 s): one resolved long before its turn came is resolved again
          Future<Ready> first = System.nanoTime() - resolvedAtNanos > STALE_ROUTE_NANOS ? resolveAgainAndAttempt()
              : attempt(route);
          // the target refused a one-shot credential of the route as stale: a new route has a new one
          return first
              .recover(e -> e instanceof StaleRouteException && !cancelled ? resolveAgainAndAttempt() : Future.failedFuture(e))
              .recover(e -> Future.failedFuture(e instanceof StaleRouteException
                  ? prefix(GatewayException.from(e), "target " + target + ": ") : e));
        });
    return turn.future();
  }

  private Future<Ready> resolveAgainAndAttempt() {
    return services.providers().resolve(target, user)
        .recover(e -> Future.failedFuture(prefix(GatewayException.from(e), "target " + target + " unavailable: ")))
        .compose(fresh -> {
          resolved = fresh;
          resolvedAtNanos = System.nanoTime();
          return attempt(fresh);
        });
  }

  /** One connect, password and upstream handshake on {@code route}, once the pacer gave the turn. */
  private Future<Ready> attempt(TargetRoute route) {
    // another viewer's attempt may have failed for good while this one waited: not repeated
    Optional<String> held = services.hold().refusal(target, route);
    if (held.isPresent()) return Future.failedFuture(new Failed(Outcome.HELD, held.get()));
    return services.connectors().connect(route.route())
        .recover(e -> {
          if (e instanceof StaleRouteException) return Future.failedFuture(e); // paced() tries a new route
          GatewayException g = GatewayException.from(e);
          // a refused certificate is the route's settings, not an unreachable target
          return Future.failedFuture(prefix(g, "target " + target
              + (g.status() == Status.NEEDS_OPERATOR ? ": " : " unreachable: ")));
        })
        .compose(up -> password(up, route))
        .onFailure(e -> {
          if (upstream != null) upstream.close();
        });
  }

  /**
   * The handshake time ran out: if the viewer was still waiting for its turn at the target, it
   * leaves the queue and the words say how long it waited behind whom; else null.
   */
  String stopWaiting() {
    return turn == null ? null : turn.cancel();
  }

  /** The viewer left or the connection timed out: whatever is open is closed, nothing more is tried. */
  void cancel() {
    cancelled = true;
    if (turn != null) turn.cancel(); // frees its place in the target's queue, or its slot
    if (upstream != null) upstream.close();
  }

  private Future<Ready> password(Upstream up, TargetRoute route) {
    upstream = up;
    if (cancelled) {
      up.close();
      return Future.failedFuture(new Failed(Outcome.VIEWER_LEFT, "the viewer went away"));
    }
    // the password may first be read on the SSH host; the viewer may leave meanwhile
    return UpstreamPassword.of(route, up)
        .recover(e -> {
          GatewayException g = GatewayException.from(e);
          return Future.failedFuture(new Failed(Outcome.PASSWORD_UNREADABLE, "target " + target + ": " + g.getMessage(),
              g.logDetail()));
        })
        .compose(password -> {
          UpstreamHandshake handshake = new UpstreamHandshake(password);
          if (password != null) Arrays.fill(password, (byte) 0);
          if (cancelled) return Future.failedFuture(new Failed(Outcome.VIEWER_LEFT, "the viewer went away"));
          return handshake(up, handshake).map(done -> new Ready(up, route, done.serverInit(), done.leftover()));
        });
  }

  private Future<HandshakeStep.Ready> handshake(Upstream up, UpstreamHandshake handshake) {
    Promise<HandshakeStep.Ready> done = Promise.promise();
    up.closeHandler(reason -> done.tryFail(new Failed(Outcome.TARGET_CLOSED, "target " + target
        + (reason != null ? ": " + reason : " closed the connection during the RFB handshake"))));
    up.input().endHandler(v -> done.tryFail(new Failed(Outcome.TARGET_CLOSED,
        "target " + target + " closed the connection during the RFB handshake")));
    up.input().exceptionHandler(e -> done.tryFail(new Failed(Outcome.TARGET_CLOSED,
        "target " + target + " connection error: " + e.getMessage())));
    // a target that accepts and then says nothing (an HTTP server waiting for a request) is named
    // long before the handshake timeout
    Duration bannerTimeout = services.config().server().bannerTimeout();
    long bannerTimer = services.vertx().setTimer(bannerTimeout.toMillis(), id -> done.tryFail(new Failed(Outcome.NO_BANNER,
        "target " + target + " sent no RFB banner within " + Durations.human(bannerTimeout) + ": is it a VNC server?"
            + " (server.banner-timeout)")));
    done.future().onComplete(ar -> services.vertx().cancelTimer(bannerTimer));
    up.input().handler(data -> {
      services.vertx().cancelTimer(bannerTimer);
      HandshakeStep step = handshake.onData(data);
      if (version == null) version = handshake.version();
      log.debug("connection={} upstream handshake: {} bytes in, {} ({} bytes out)", connectionId, data.length(),
          step.getClass().getSimpleName(), step.output().length());
      if (step.output().length() > 0) up.output().write(step.output());
      if (step instanceof HandshakeStep.Ready ready) {
        up.input().pause();
        up.input().handler(null);
        up.input().endHandler(null);
        up.input().exceptionHandler(null);
        up.closeHandler(null);
        done.tryComplete(ready);
      } else if (step instanceof HandshakeStep.Failed failed) {
        done.tryFail(new Failed(Outcome.ofTarget(failed.failure().cause()), OperatorFailures.describe(target, failed.failure())));
      }
    });
    up.input().resume();
    return done.future();
  }

  /** Any failure as a {@link Failed}: logged for the operator where it says more, held where it would lock the target out. */
  private Failed failed(Throwable e) {
    if (upstream != null) upstream.close();
    GatewayException g = GatewayException.from(e);
    Outcome outcome = e instanceof Failed f ? f.outcome() : e instanceof UpstreamPacer.Refusal r ? r.outcome() : Outcome.of(g);
    if (g.logDetail() != null) {
      log.error("connection={} target={} user={}: {}", connectionId, target, user.subject(), g.logDetail());
    } else if (outcome == Outcome.INTERNAL && g.getCause() != null) {
      log.error("connection={} target={} user={}: unexpected failure", connectionId, target, user.subject(), g.getCause());
    }
    services.hold().failed(target, resolved, outcome, g.getMessage());
    return e instanceof Failed f ? f : new Failed(outcome, g.getMessage(), g.logDetail());
  }

  private static GatewayException prefix(GatewayException g, String prefix) {
    return g.getMessage().startsWith("target ") ? g : new GatewayException(g.status(), prefix + g.getMessage(), g.logDetail());
  }
}
