package io.vncgate.gateway.relay;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vncgate.gateway.auth.UserPrincipal;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.failure.Status;
import io.vncgate.gateway.fanout.FanOutSession;
import io.vncgate.gateway.rfb.RfbVersion;
import io.vncgate.gateway.rfb.ServerInit;
import io.vncgate.spi.Sharing;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether a target's VNC server answers and lets the gateway in, as a viewer's connection would:
 * the target is found for the user (as for a session), then the same upstream path a viewer takes
 * ({@link UpstreamSetup}): its provider resolves the route, it waits for a turn in the target's
 * line ({@link UpstreamPacer}, so it waits out a blacklist and never adds to a burst), the route's
 * connector connects, the target's VNC password is read (config or SSH host) and the RFB handshake
 * runs through ServerInit with the shared flag set (other viewers stay); then the connection is
 * closed. It authenticates because TigerVNC counts every connection from an address that ends
 * before authenticating as a failure and, after 5, refuses that address (the gateway's, for every
 * viewer) for a while; an authenticated connection clears that count. So no number of checks can
 * lock viewers out, and a wrong stored password shows up here ({@link Outcome#AUTH_FAILED}).
 *
 * <p>A target whose viewers share one upstream connection ({@code sessions.sharing}: fan-out) and
 * has one open is answered from that session, without a connection: KubeVirt allows one VNC
 * connection per VM, and a second would drop the live one.
 *
 * <p>One check per target runs at a time (concurrent callers share it) and its answer is reused
 * for {@code limits.target-check.cache} (default 10 s) for every user who may see the target; the
 * permission check stays per caller, before that. No ticket is issued or redeemed, no viewer or
 * session exists (nothing in the roster, the provider is told of no viewer). Bounded by
 * {@code server.handshake-timeout} (the wait for a turn included); runs on the caller's event loop,
 * never blocks it.
 */
public final class TargetCheck {
  /**
   * The check's answer ({@code outcome} null: the target let the gateway in) or why not, in
   * {@link Outcome} terms.
   *
   * @param banner the RFB version spoken with the target ({@code RFB 003.008}); null when answered
   *     from a live session or when the banner was not read
   * @param millis how long the check took
   * @param desktop the target's desktop name and size from its ServerInit (the session's current size)
   * @param fromSession answered from the target's live fan-out session, no connection made
   * @param ageSeconds how old the answer is (0: made for this call)
   * @param cacheSeconds how long answers for this target are reused ({@code limits.target-check.cache})
   */
  public record Result(String target, String banner, String version, long millis, Outcome outcome, String error,
      ServerInit desktop, boolean fromSession, long ageSeconds, long cacheSeconds) {
    public boolean ok() {
      return outcome == null;
    }

    /**
     * Whether the target accepted the gateway's credentials: true when it let the gateway in,
     * false when authentication failed (wrong or missing password, too many attempts, no common
     * security type, the password unreadable), null when the check did not get that far.
     */
    public Boolean authenticated() {
      if (outcome == null) return true;
      return switch (outcome) {
        case AUTH_FAILED, PASSWORD_REQUIRED, PASSWORD_UNREADABLE, TOO_MANY_ATTEMPTS, NO_COMMON_SECURITY -> false;
        default -> null;
      };
    }
  }

  /** One target's check: running (shared by every caller), or done at {@code doneAtNanos}. */
  private static final class Flight {
    final Future<Result> future;
    volatile long doneAtNanos;

    Flight(Future<Result> future) {
      this.future = future;
    }
  }

  private final RelayServices services;
  private final long cacheNanos;
  private final AtomicLong ids = new AtomicLong();
  /** Guarded by itself. */
  private final Map<String, Flight> flights = new HashMap<>();

  public TargetCheck(RelayServices services) {
    this.services = services;
    this.cacheNanos = services.config().limits().targetCheckCache().toNanos();
  }

  /**
   * Fails (a {@link GatewayException}) only when the user may not open the target or it does not
   * exist, as {@code POST /api/v1/sessions} would; every failure past that is a {@link Result}.
   * Completes on the caller's context.
   */
  public Future<Result> run(String target, UserPrincipal user) {
    Context caller = services.vertx().getOrCreateContext();
    return services.providers().find(target, user).compose(info -> shared(target, user, caller), e -> {
      GatewayException g = GatewayException.from(e);
      if (g.status() == Status.FORBIDDEN || g.status() == Status.NOT_FOUND) return Future.failedFuture(g);
      // its provider is not available or cannot list now: that is the check's answer
      String why = prefix(g, "target " + target + " unavailable: ").getMessage();
      return Future.succeededFuture(failed(target, System.nanoTime(), Outcome.of(g), why));
    });
  }

  /** The running check of the target, or its answer while fresh, else a new check. */
  private Future<Result> shared(String target, UserPrincipal user, Context caller) {
    long now = System.nanoTime();
    Flight flight;
    Promise<Result> started = null;
    synchronized (flights) {
      flight = flights.get(target);
      if (flight == null || flight.future.isComplete() && now - flight.doneAtNanos >= cacheNanos) {
        started = Promise.promise();
        flight = new Flight(started.future());
        flights.put(target, flight);
      }
    }
    Flight f = flight;
    boolean fresh = started != null;
    if (fresh) {
      Promise<Result> promise = started;
      Future.succeededFuture().compose(v -> check(target, user)).onComplete(ar -> {
        f.doneAtNanos = System.nanoTime(); // before the future completes: every caller sees it set
        promise.complete(ar.succeeded() ? ar.result()
            : failed(target, now, Outcome.of(GatewayException.from(ar.cause())), GatewayException.from(ar.cause()).getMessage()));
      });
    }
    Promise<Result> answer = Promise.promise();
    f.future.onComplete(ar -> caller.runOnContext(v -> {
      Result r = ar.result();
      long age = fresh ? 0 : Math.max(0, (System.nanoTime() - f.doneAtNanos) / 1_000_000_000L);
      answer.complete(new Result(r.target(), r.banner(), r.version(), r.millis(), r.outcome(), r.error(), r.desktop(),
          r.fromSession(), age, cacheNanos / 1_000_000_000L));
    }));
    return answer.future();
  }

  /** One check: from the live fan-out session, else a connection that authenticates. */
  private Future<Result> check(String target, UserPrincipal user) {
    long t0 = System.nanoTime();
    if (services.fanOut().sharing(target) == Sharing.FAN_OUT) {
      FanOutSession live = services.fanOut().live(target);
      if (live != null) {
        return Future.succeededFuture(new Result(target, null, null, (System.nanoTime() - t0) / 1_000_000, null, null,
            live.serverInit(), true, 0, 0));
      }
    }
    Duration bound = services.config().server().handshakeTimeout();
    UpstreamSetup setup = new UpstreamSetup(services, "check-" + ids.incrementAndGet(), target, user,
        t0 + bound.toNanos(), state -> { });
    Promise<Result> done = Promise.promise();
    long timer = services.vertx().setTimer(bound.toMillis(), id -> {
      // still waiting for a turn at the target: the words say behind whom
      String waited = setup.stopWaiting();
      setup.cancel();
      done.tryComplete(waited != null ? failed(target, t0, Outcome.QUEUED_TOO_LONG, waited)
          : failed(target, t0, Outcome.TARGET_TIMEOUT, "target " + target + " did not complete the RFB handshake within "
              + Durations.human(bound) + " (server.handshake-timeout)"));
    });
    setup.start().onComplete(ar -> {
      services.vertx().cancelTimer(timer);
      if (ar.succeeded()) {
        UpstreamSetup.Ready ready = ar.result();
        ready.upstream().close(); // authenticated: TigerVNC's count of failures from the gateway is cleared
        RfbVersion v = setup.version();
        String banner = v == null ? null : v.banner().toString().trim();
        done.tryComplete(new Result(target, banner, banner == null ? null : version(banner),
            (System.nanoTime() - t0) / 1_000_000, null, null, ready.serverInit(), false, 0, 0));
      } else {
        Throwable e = ar.cause();
        Outcome outcome = e instanceof UpstreamSetup.Failed f ? f.outcome() : Outcome.of(GatewayException.from(e));
        done.tryComplete(failed(target, t0, outcome, GatewayException.from(e).getMessage()));
      }
    });
    return done.future();
  }

  /** "3.8" from "RFB 003.008". */
  private static String version(String banner) {
    return Integer.parseInt(banner.substring(4, 7)) + "." + Integer.parseInt(banner.substring(8, 11));
  }

  private static Result failed(String target, long t0, Outcome outcome, String error) {
    return new Result(target, null, null, (System.nanoTime() - t0) / 1_000_000, outcome, error, null, false, 0, 0);
  }

  private static GatewayException prefix(GatewayException g, String prefix) {
    return g.getMessage().startsWith("target ") ? g : new GatewayException(g.status(), prefix + g.getMessage(), g.logDetail());
  }
}
