package io.vncgate.gateway.relay;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.auth.UserPrincipal;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.failure.Status;
import io.vncgate.gateway.rfb.RfbException;
import io.vncgate.gateway.rfb.RfbVersion;
import io.vncgate.gateway.transport.Upstream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Whether a target's VNC server answers, as a viewer's connection would reach it: the target is
 * found for the user (as for a session), its provider resolves the route, the route's real
 * connector connects (TCP, SSH channel, upstream WebSocket, unix socket) and the server's RFB
 * banner is read; then the connection is closed before any security is chosen. No ticket is
 * issued or redeemed, no viewer or session exists, the target's blacklist is not touched (no
 * authentication is attempted). Bounded by {@code server.handshake-timeout} as a whole and by
 * {@code server.banner-timeout} for the banner; runs on the caller's event loop, never blocks it.
 */
public final class TargetCheck {
  /** The check's answer: the banner ({@code outcome} null) or why not, in {@link Outcome} terms. */
  public record Result(String target, String banner, String version, long millis, Outcome outcome, String error) {
    public boolean ok() {
      return outcome == null;
    }
  }

  private final RelayServices services;

  public TargetCheck(RelayServices services) {
    this.services = services;
  }

  /**
   * Fails (a {@link GatewayException}) only when the user may not open the target or it does not
   * exist, as {@code POST /api/v1/sessions} would; every failure past that is a {@link Result}.
   */
  public Future<Result> run(String target, UserPrincipal user) {
    long t0 = System.nanoTime();
    return services.providers().find(target, user).compose(info -> connect(target, user, t0), e -> {
      GatewayException g = GatewayException.from(e);
      if (g.status() == Status.FORBIDDEN || g.status() == Status.NOT_FOUND) return Future.failedFuture(g);
      // its provider is not available or cannot list now: that is the check's answer
      String why = words(g, "target " + target + " unavailable: ").getMessage();
      return Future.succeededFuture(failed(target, t0, Outcome.of(g), why));
    });
  }

  private Future<Result> connect(String target, UserPrincipal user, long t0) {
    Promise<Result> done = Promise.promise();
    Upstream[] up = {null};
    Duration bound = services.config().server().handshakeTimeout();
    long timer = services.vertx().setTimer(bound.toMillis(), id -> done.tryComplete(failed(target, t0,
        Outcome.TARGET_TIMEOUT, "target " + target + " did not answer with an RFB banner within " + Durations.human(bound)
            + " (server.handshake-timeout)")));
    services.providers().resolve(target, user)
        .recover(e -> Future.failedFuture(words(GatewayException.from(e), "target " + target + " unavailable: ")))
        .compose(route -> services.connectors().connect(route.route())
            .recover(e -> {
              GatewayException g = GatewayException.from(e);
              return Future.failedFuture(words(g, "target " + target
                  + (g.status() == Status.NEEDS_OPERATOR ? ": " : " unreachable: ")));
            }))
        .onSuccess(u -> {
          up[0] = u;
          if (done.future().isComplete()) u.close();
          else banner(target, u, t0, done);
        })
        .onFailure(e -> {
          GatewayException g = GatewayException.from(e);
          done.tryComplete(failed(target, t0, Outcome.of(g), g.getMessage()));
        });
    return done.future().onComplete(ar -> {
      services.vertx().cancelTimer(timer);
      if (up[0] != null) up[0].close();
    });
  }

  private void banner(String target, Upstream up, long t0, Promise<Result> done) {
    Buffer got = Buffer.buffer();
    Duration bannerTimeout = services.config().server().bannerTimeout();
    long timer = services.vertx().setTimer(bannerTimeout.toMillis(), id -> done.tryComplete(failed(target, t0,
        Outcome.NO_BANNER, "target " + target + " sent no RFB banner within " + Durations.human(bannerTimeout)
            + ": is it a VNC server? (server.banner-timeout)")));
    done.future().onComplete(ar -> services.vertx().cancelTimer(timer));
    up.closeHandler(reason -> done.tryComplete(failed(target, t0, Outcome.TARGET_CLOSED, "target " + target
        + (reason != null ? ": " + reason : " closed the connection before its RFB banner"))));
    up.input().endHandler(v -> done.tryComplete(failed(target, t0, Outcome.TARGET_CLOSED,
        "target " + target + " closed the connection before its RFB banner")));
    up.input().exceptionHandler(e -> done.tryComplete(failed(target, t0, Outcome.TARGET_CLOSED,
        "target " + target + " connection error: " + e.getMessage())));
    up.input().handler(data -> {
      got.appendBuffer(data);
      if (got.length() < RfbVersion.BANNER_LENGTH) return;
      byte[] twelve = got.getBytes(0, RfbVersion.BANNER_LENGTH);
      long millis = (System.nanoTime() - t0) / 1_000_000;
      try {
        RfbVersion.fromServerBanner(twelve);
        String banner = new String(twelve, 0, 11, StandardCharsets.US_ASCII);
        done.tryComplete(new Result(target, banner, version(twelve), millis, null, null));
      } catch (RfbException e) {
        done.tryComplete(failed(target, t0, Outcome.ofTarget(e.failure().cause()),
            "target " + target + ": " + e.failure().message()));
      }
    });
    up.input().resume();
  }

  /** "3.8" from "RFB 003.008\n", as the server wrote it (3.889 stays 3.889). */
  private static String version(byte[] banner) {
    int major = Integer.parseInt(new String(banner, 4, 3, StandardCharsets.US_ASCII));
    int minor = Integer.parseInt(new String(banner, 8, 3, StandardCharsets.US_ASCII));
    return major + "." + minor;
  }

  private static Result failed(String target, long t0, Outcome outcome, String error) {
    return new Result(target, null, null, (System.nanoTime() - t0) / 1_000_000, outcome, error);
  }

  private static GatewayException words(GatewayException g, String prefix) {
    return g.getMessage().startsWith("target ") ? g : new GatewayException(g.status(), prefix + g.getMessage(), g.logDetail());
  }
}
