package io.vncgate.gateway.provider;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Status;
import io.vncgate.spi.Caller;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetProvider;
import io.vncgate.spi.TargetRoute;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Guards every call into a provider: it runs on a worker (a provider that blocks cannot stall
 * the event loop), has a timeout, and any exception or failed stage becomes a
 * {@link GatewayException} in words.
 */
final class ProviderFacade {
  private final Vertx vertx;
  private final WorkerExecutor worker;
  private final TargetProvider provider;
  private final Duration timeout;

  ProviderFacade(Vertx vertx, WorkerExecutor worker, TargetProvider provider, Duration timeout) {
    this.vertx = vertx;
    this.worker = worker;
    this.provider = provider;
    this.timeout = timeout;
  }

  String name() {
    return provider.name();
  }

  TargetProvider provider() {
    return provider;
  }

  Future<List<TargetInfo>> list(Caller caller) {
    return call("list targets", () -> provider.list(caller));
  }

  Future<TargetRoute> resolve(String targetId, Caller caller) {
    return call("resolve " + targetId, () -> provider.resolve(targetId, caller));
  }

  /** Why the target's connection ended, in the provider's words, within {@code bound} (not the provider timeout). */
  Future<Optional<String>> whyEnded(String targetId, Caller caller, Duration bound) {
    return call("say why " + targetId + " ended", bound, () -> provider.whyEnded(targetId, caller));
  }

  /** Tells the provider how many viewers its target has now; it must return at once (never blocks). */
  void viewers(String targetId, int count) {
    try {
      provider.viewers(targetId, count);
    } catch (RuntimeException | LinkageError e) {
      org.slf4j.LoggerFactory.getLogger(ProviderFacade.class).warn("provider {} failed to take the viewer count of {}: {}",
          provider.name(), targetId, e.toString());
    }
  }

  private <T> Future<T> call(String what, Supplier<CompletionStage<T>> call) {
    return call(what, timeout, call);
  }

  private <T> Future<T> call(String what, Duration timeout, Supplier<CompletionStage<T>> call) {
    // complete on the caller's event loop, never on the worker or the provider's own thread
    // (calls come from event loops: the timer and the completion below run on the caller's)
    Context caller = vertx.getOrCreateContext();
    Promise<T> promise = Promise.promise();
    long timer = vertx.setTimer(timeout.toMillis(), id -> promise.tryFail(new GatewayException(Status.UPSTREAM_TIMEOUT,
        "provider " + provider.name() + " did not " + what + " within " + timeout.toSeconds() + " s")));
    worker.<CompletionStage<T>>executeBlocking(() -> {
          CompletionStage<T> stage = call.get();
          if (stage == null) throw new IllegalStateException("provider returned no result");
          return stage;
        }, false)
        .compose(stage -> Future.fromCompletionStage(stage, caller))
        .onComplete(ar -> {
          vertx.cancelTimer(timer);
          if (ar.succeeded()) {
            if (ar.result() == null) {
              promise.tryFail(new GatewayException(Status.INTERNAL, "provider " + provider.name() + " returned nothing for " + what));
            } else {
              promise.tryComplete(ar.result());
            }
          } else {
            GatewayException g = GatewayException.from(ar.cause());
            if (g.status() == Status.INTERNAL) {
              // a provider's bug: its exception (name, stack) goes to the operator's log, words to the viewer
              org.slf4j.LoggerFactory.getLogger(ProviderFacade.class).error("provider {} failed to {}", provider.name(), what, ar.cause());
              promise.tryFail(new GatewayException(Status.UPSTREAM_FAILED, "provider " + provider.name() + " failed to " + what
                  + "; the operator's log says why"));
            } else {
              promise.tryFail(g);
            }
          }
        });
    return promise.future();
  }
}
