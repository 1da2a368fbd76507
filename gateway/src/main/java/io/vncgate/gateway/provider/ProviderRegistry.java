package io.vncgate.gateway.provider;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vncgate.gateway.auth.UserPrincipal;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Status;
import io.vncgate.spi.Sharing;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetProvider;
import io.vncgate.spi.TargetRoute;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The started providers, by name; lists and resolves targets through their facades. It also
 * knows which configured providers could not start ({@link #unavailable()}), so readiness and
 * error messages can say why their targets are absent.
 */
public final class ProviderRegistry {
  private static final Logger log = LoggerFactory.getLogger(ProviderRegistry.class);

  private final Vertx vertx;
  private final WorkerExecutor worker;
  private final Duration timeout;
  private final Map<String, ProviderFacade> providers = new ConcurrentHashMap<>();
  private final Map<String, String> unavailable = new ConcurrentHashMap<>();
  private final List<Runnable> afterStop = new CopyOnWriteArrayList<>();
  private volatile boolean startupDone;

  public ProviderRegistry(Vertx vertx, Duration timeout) {
    this.vertx = vertx;
    this.timeout = timeout;
    this.worker = vertx.createSharedWorkerExecutor("vncgate-providers", 4);
  }

  /** Registers a provider that has already been started. */
  public void add(TargetProvider provider) {
    ProviderFacade previous = providers.putIfAbsent(provider.name(), new ProviderFacade(vertx, worker, provider, timeout));
    if (previous != null) {
      throw new IllegalStateException("two providers are named \"" + provider.name() + "\"");
    }
  }

  /** Records a configured provider that could not start: its targets are absent, and why. */
  public void markUnavailable(String name, String reason) {
    unavailable.put(name, reason);
  }

  /** Configured providers that could not start, by name, with the reason. */
  public Map<String, String> unavailable() {
    return new TreeMap<>(unavailable);
  }

  /** Called once every configured provider has been started (or recorded as unavailable). */
  public void startupDone() {
    startupDone = true;
  }

  /** True once start-up is done and every configured provider started (for {@code /readyz}). */
  public boolean ready() {
    return startupDone && unavailable.isEmpty();
  }

  /** Runs {@code action} after every provider has stopped (e.g. unloading their plugins). */
  public void afterStop(Runnable action) {
    afterStop.add(action);
  }

  public List<String> names() {
    return providers.keySet().stream().sorted().toList();
  }

  /** The targets the user may open, from every provider; a failing provider is logged and left out. */
  public Future<List<TargetInfo>> list(UserPrincipal user) {
    List<Future<List<TargetInfo>>> calls = new ArrayList<>();
    for (ProviderFacade p : providers.values()) {
      calls.add(p.list(user.caller()).recover(e -> {
        log.warn("provider={} could not list targets: {}", p.name(), e.getMessage());
        return Future.succeededFuture(List.of());
      }));
    }
    return Future.all(calls).map(all -> {
      List<TargetInfo> out = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        List<TargetInfo> part = all.resultAt(i);
        for (TargetInfo t : part) {
          if (user.mayOpen(t.id())) out.add(t);
        }
      }
      out.sort(Comparator.comparing(TargetInfo::id));
      return out;
    });
  }

  /**
   * One configured provider's readiness as {@code GET /api/v1/providers} shows it: {@code state}
   * is "ready" (it listed its targets), "failing" (started, but listing failed or timed out) or
   * "unavailable" (it did not start); {@code words} say why, and {@code targets} how many it
   * listed for the caller.
   */
  public record Health(String name, String state, boolean ready, int targets, String words) {}

  /** Asks every started provider for the user's targets (bounded by the provider timeout); never fails. */
  public Future<List<Health>> health(UserPrincipal user) {
    List<Future<Health>> calls = new ArrayList<>();
    for (ProviderFacade p : providers.values()) {
      calls.add(p.list(user.caller())
          .map(list -> new Health(p.name(), "ready", true, list.size(), null))
          .otherwise(e -> new Health(p.name(), "failing", false, 0, e.getMessage())));
    }
    return Future.join(calls).transform(ar -> {
      List<Health> out = new ArrayList<>();
      for (Future<Health> f : calls) out.add(f.result());
      unavailable.forEach((name, why) -> out.add(new Health(name, "unavailable", false, 0, why)));
      out.sort(Comparator.comparing(Health::name));
      return Future.succeededFuture(out);
    });
  }

  /** One target the user may open, or a 403/404 failure in words. */
  public Future<TargetInfo> find(String targetId, UserPrincipal user) {
    if (!user.mayOpen(targetId)) {
      return Future.failedFuture(new GatewayException(Status.FORBIDDEN,
          "your token does not grant target " + targetId + " (it grants " + user.targets() + ")"));
    }
    ProviderFacade p = providerOf(targetId);
    if (p == null) return Future.failedFuture(unknownProvider(targetId));
    return p.list(user.caller()).compose(list -> list.stream()
        .filter(t -> t.id().equals(targetId))
        .findFirst()
        .map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(new GatewayException(Status.NOT_FOUND,
            "no target " + targetId + "; GET /api/v1/targets lists the ones you may open"))));
  }

  /** Where and how to reach the target, for one connection. */
  public Future<TargetRoute> resolve(String targetId, UserPrincipal user) {
    ProviderFacade p = providerOf(targetId);
    if (p == null) return Future.failedFuture(unknownProvider(targetId));
    return p.resolve(targetId, user.caller());
  }

  /**
   * Why the target's connection ended, in its provider's words ({@link TargetProvider#whyEnded}),
   * waited for at most {@code bound}; empty when the provider does not know, fails, is too slow or
   * does not exist. Never fails; completes on the caller's event loop.
   */
  public Future<Optional<String>> whyEnded(String targetId, UserPrincipal user, Duration bound) {
    ProviderFacade p = providerOf(targetId);
    if (p == null) return Future.succeededFuture(Optional.empty());
    return p.whyEnded(targetId, user.caller(), bound).otherwise(e -> {
      log.info("provider={} could not say why target {} ended: {}", p.name(), targetId, e.getMessage());
      return Optional.empty();
    });
  }

  /**
   * How the target's provider says its viewers share it ({@code TargetProvider.sharing}), from
   * memory on the caller's loop; per viewer when no provider serves it or the provider fails.
   */
  public Sharing sharing(String targetId) {
    ProviderFacade p = providerOf(targetId);
    if (p == null) return Sharing.PER_VIEWER;
    try {
      Sharing s = p.provider().sharing(targetId);
      return s == null ? Sharing.PER_VIEWER : s;
    } catch (RuntimeException | LinkageError e) {
      log.warn("provider={} could not say how target {} is shared ({}); each viewer gets its own connection", p.name(),
          targetId, e.toString());
      return Sharing.PER_VIEWER;
    }
  }

  /**
   * Tells the target's provider how many viewers relay from it now ({@link TargetProvider#viewers}),
   * on the caller's thread; a target of no started provider is ignored.
   */
  public void viewers(String targetId, int count) {
    ProviderFacade p = providerOf(targetId);
    if (p != null) p.viewers(targetId, count);
  }

  private ProviderFacade providerOf(String targetId) {
    int slash = targetId.indexOf('/');
    return slash <= 0 ? null : providers.get(targetId.substring(0, slash));
  }

  private GatewayException unknownProvider(String targetId) {
    int slash = targetId.indexOf('/');
    String why = slash <= 0 ? null : unavailable.get(targetId.substring(0, slash));
    if (why != null) {
      return new GatewayException(Status.UNAVAILABLE, "provider " + targetId.substring(0, slash)
          + " is not available: " + why);
    }
    return new GatewayException(Status.NOT_FOUND, "no provider serves target " + targetId
        + "; target ids look like <provider>/<id> and the providers here are " + names());
  }

  /** Stops every provider, then runs the {@link #afterStop} actions, off the event loop. */
  public Future<Void> stop() {
    return worker.executeBlocking(() -> {
      for (ProviderFacade p : providers.values()) {
        try {
          p.provider().stop();
        } catch (RuntimeException | LinkageError e) {
          log.warn("provider={} failed to stop: {}", p.name(), e.toString());
        }
      }
      providers.clear();
      for (Runnable action : afterStop) {
        try {
          action.run();
        } catch (RuntimeException e) {
          log.warn("cleanup after stopping providers failed: {}", e.toString());
        }
      }
      afterStop.clear();
      return null;
    }, false).eventually(worker::close).mapEmpty();
  }
}
