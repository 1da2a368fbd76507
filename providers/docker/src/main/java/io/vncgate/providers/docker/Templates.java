package io.vncgate.providers.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.vncgate.providers.docker.config.TemplateSettings;
import io.vncgate.providers.docker.engine.Engine;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import io.vncgate.spi.Route;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Desktops started on demand ({@code providers.docker.templates}): opening {@code docker/<name>}
 * starts a container of that name from the template's image (or reuses the running one), and
 * once the gateway reports no viewers for the template's idle-stop, the container is removed.
 * The idle clock also runs from the start, so a container nobody ever connected to is removed
 * too. Blocking Engine calls run on the provider's threads; {@link #viewers} only arms or cancels
 * a timer.
 */
final class Templates {
  private static final Logger log = LoggerFactory.getLogger(Templates.class);
  static final String TEMPLATE_LABEL = "vncgate.template";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final Map<String, TemplateSettings> byName = new LinkedHashMap<>();
  private final Engine engine;
  private final Desktops desktops;
  private final String network;
  private final ExecutorService executor;
  private final ScheduledExecutorService timers;
  /** The pending idle stop of each template, if any. */
  private final Map<String, Pending> idle = new ConcurrentHashMap<>();
  /** The gateway's last count of viewers per template. */
  private final Map<String, Integer> watching = new ConcurrentHashMap<>();

  Templates(List<TemplateSettings> templates, Engine engine, Desktops desktops, String network, ExecutorService executor,
      ScheduledExecutorService timers) {
    templates.forEach(t -> byName.put(t.name(), t));
    this.engine = engine;
    this.desktops = desktops;
    this.network = network;
    this.executor = executor;
    this.timers = timers;
  }

  List<TemplateSettings> all() {
    return List.copyOf(byName.values());
  }

  Optional<TemplateSettings> named(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The labels the template's container is created with (they offer it like any other). */
  static Map<String, String> labels(TemplateSettings t) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Engine.TARGET_LABEL, "true");
    labels.put(TEMPLATE_LABEL, t.name());
    t.labels().forEach((k, v) -> labels.put(Desktops.PREFIX + k, v));
    return labels;
  }

  /**
   * The route to the template's container, started now if it is not running (blocking: call on
   * the provider's threads). Two viewers opening at once start one container.
   */
  /** A template's running container: where it is, and its id (for a password file inside it). */
  record Opened(Route.Tcp route, String containerId) {}

  Opened open(String targetId, TemplateSettings t) {
    synchronized (t) {
      Optional<InspectContainerResponse> existing = engine.inspect(t.name());
      if (existing.isPresent() && !t.name().equals(existing.get().getConfig().getLabels().get(TEMPLATE_LABEL))) {
        throw new ProviderException(Kind.MISCONFIGURED, "a container named " + t.name() + " exists but was not started"
            + " from the template " + t.key() + ": rename the template or remove the container");
      }
      if (existing.isPresent() && Boolean.TRUE.equals(existing.get().getState().getRunning())) {
        if (watching.getOrDefault(t.name(), 0) == 0) armIdle(t, targetId);
        return new Opened(desktops.route(targetId, t.name(), existing.get()), existing.get().getId());
      }
      existing.ifPresent(c -> engine.remove(c.getId(), t.name())); // exited: start afresh
      log.info("docker: starting {} from image {} for {}", t.name(), t.image(), targetId);
      String id = engine.run(t.name(), t.image(), t.command(), labels(t), network);
      InspectContainerResponse started = engine.inspect(id).orElseThrow(() -> new ProviderException(Kind.UNAVAILABLE,
          "container " + t.name() + " stopped right after it started: `docker logs " + t.name() + "` says why"));
      Route.Tcp route = desktops.route(targetId, t.name(), started);
      awaitListening(t, route);
      armIdle(t, targetId); // from now: the viewer's connection stops it once it relays
      return new Opened(route, id);
    }
  }

  /** Until the VNC server accepts connections (a desktop image takes a moment to start Xvnc). */
  private void awaitListening(TemplateSettings t, Route.Tcp route) {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(route.host(), route.port()), 1000);
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw new ProviderException(Kind.UNAVAILABLE, "container " + t.name() + " started from " + t.image()
              + " but nothing listens on port " + route.port() + " after " + READY_TIMEOUT.toSeconds() + " s: `docker logs "
              + t.name() + "` says why");
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ProviderException(Kind.UNAVAILABLE, "interrupted while " + t.name() + " was starting");
        }
      }
    }
  }

  /**
   * After a gateway restart: a template's container still running gets its idle clock again (it
   * would otherwise run until someone opens and leaves it).
   */
  void adopt(String name) {
    TemplateSettings t = byName.get(name);
    synchronized (t) {
      engine.inspect(name).filter(c -> name.equals(c.getConfig().getLabels().get(TEMPLATE_LABEL))
          && Boolean.TRUE.equals(c.getState().getRunning())).ifPresent(c -> {
            log.info("docker: {} from template {} is running; removed after {} without a viewer", name, t.key(),
                t.idleStop());
            armIdle(t, Desktops.targetId(name));
          });
    }
  }

  /** The gateway's count of viewers of a target: at zero the idle clock runs, above it stops. */
  void viewers(String targetId, String name, int count) {
    TemplateSettings t = byName.get(name);
    if (t == null) return;
    watching.put(name, count);
    if (count > 0) {
      Pending pending = idle.remove(name);
      if (pending != null) pending.cancel();
    } else {
      armIdle(t, targetId);
    }
  }

  private void armIdle(TemplateSettings t, String targetId) {
    Pending next = new Pending();
    Pending previous = idle.put(t.name(), next);
    if (previous != null) previous.cancel();
    next.future = timers.schedule(() -> executor.execute(() -> stopIdle(t, targetId, next)),
        t.idleStop().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One armed idle stop; the one in {@link #idle} is the only one that may act. */
  private static final class Pending {
    volatile ScheduledFuture<?> future;

    void cancel() {
      ScheduledFuture<?> f = future;
      if (f != null) f.cancel(false);
    }
  }

  private void stopIdle(TemplateSettings t, String targetId, Pending which) {
    synchronized (t) {
      if (!idle.remove(t.name(), which)) return; // re-armed or cancelled meanwhile
      try {
        engine.inspect(t.name()).ifPresent(c -> {
          engine.remove(c.getId(), t.name());
          log.info("docker: {} had no viewer for {}: container {} removed", targetId, t.idleStop(), t.name());
        });
      } catch (ProviderException e) {
        log.warn("docker: {} is idle but its container could not be removed: {}", targetId, e.getMessage());
      }
    }
  }

}
