package io.vncgate.providers.desktop;

import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The desktops this gateway runs, by local id: started on the first open (later opens wait for
 * the same start), reused while they run, stopped after {@code idle-stop} with no viewer, when
 * their session ends, or with the gateway; never more than {@code max-desktops} at once. One lock
 * guards the map; processes start and stop on the provider's threads, never under the lock.
 */
final class Desktops {
  private static final Logger log = LoggerFactory.getLogger(Desktops.class);

  /** How a desktop stands, for the target list. */
  enum State { STARTING, RUNNING }

  private final DesktopSettings settings;
  private final ExecutorService launchers;
  private final ScheduledExecutorService timers;
  private final Map<String, Entry> entries = new HashMap<>();
  /** Why each recently ended desktop ended, by local id (the oldest forgotten past {@link #ENDINGS_KEPT}). */
  private final Map<String, String> endings = new LinkedHashMap<>();
  private static final int ENDINGS_KEPT = 256;
  /** How often, and how many times, {@link #whyEnded} looks again when the end is not recorded yet. */
  private static final long LOOK_AGAIN_MS = 100;
  private static final int LOOKS = 5;
  private boolean closed;

  private static final class Entry {
    final String id;
    CompletableFuture<LaunchedDesktop> ready;
    LaunchedDesktop desktop;
    int viewers;
    ScheduledFuture<?> idleTimer;
    /** The display it got, held from launch to stop so two desktops never race for one. */
    int display = -1;

    Entry(String id) {
      this.id = id;
    }
  }

  Desktops(DesktopSettings settings, ExecutorService launchers, ScheduledExecutorService timers) {
    this.settings = settings;
    this.launchers = launchers;
    this.timers = timers;
  }

  /**
   * The desktop's socket once it accepts: the running one, the one starting, or a new one.
   *
   * @param title the desktop name Xvnc sends in ServerInit
   */
  CompletableFuture<Path> open(String id, String title, DesktopSettings.Look look) {
    Entry e;
    synchronized (this) {
      if (closed) return CompletableFuture.failedFuture(new ProviderException(Kind.UNAVAILABLE, "the gateway is stopping"));
      e = entries.get(id);
      if (e == null) {
        if (entries.size() >= settings.maxDesktops()) {
          return CompletableFuture.failedFuture(new ProviderException(Kind.UNAVAILABLE, "this gateway runs its limit of "
              + settings.maxDesktops() + " desktop" + (settings.maxDesktops() == 1 ? "" : "s")
              + "; close one or ask the admin to raise providers.desktop.max-desktops"));
        }
        Entry fresh = new Entry(id);
        endings.remove(id);
        Set<Integer> taken = takenDisplays();
        entries.put(id, fresh);
        // callers see the start only once it is recorded (a reconnect then finds it running)
        fresh.ready = CompletableFuture.supplyAsync(() -> LaunchedDesktop.launch(settings, id, title, look, taken), launchers)
            .whenComplete((d, failure) -> started(fresh, d, failure));
        e = fresh;
      }
    }
    return e.ready.thenApply(LaunchedDesktop::socket);
  }

  private void started(Entry e, LaunchedDesktop d, Throwable failure) {
    synchronized (this) {
      if (failure != null) {
        entries.remove(e.id, e);
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        log.warn("desktop {} did not start: {}", e.id, cause.getMessage());
        return;
      }
      e.desktop = d;
      e.display = d.display();
      if (closed) return; // stopAll stops it once started
      if (e.viewers == 0) {
        // opened but perhaps never watched (the viewer gave up): stopped like an idle one
        scheduleIdle(e);
      }
    }
    d.onEnd(words -> ended(e, words));
  }

  /** The viewer count of a desktop changed (the gateway's viewers hook); returns at once. */
  void viewers(String id, int count) {
    synchronized (this) {
      Entry e = entries.get(id);
      if (e == null) return;
      e.viewers = count;
      if (count > 0) {
        if (e.idleTimer != null) e.idleTimer.cancel(false);
        e.idleTimer = null;
      } else if (e.desktop != null) {
        scheduleIdle(e);
      }
    }
  }

  private void scheduleIdle(Entry e) {
    if (e.idleTimer != null) e.idleTimer.cancel(false);
    e.idleTimer = null;
    if (settings.idleStop().isZero()) return;
    e.idleTimer = timers.schedule(() -> idle(e), settings.idleStop().toMillis(), TimeUnit.MILLISECONDS);
  }

  private void idle(Entry e) {
    synchronized (this) {
      if (entries.get(e.id) != e || e.viewers > 0 || e.desktop == null) return;
      entries.remove(e.id);
      ending(e.id, "the desktop was stopped after " + settings.idleStop().toSeconds() + " s without a viewer");
    }
    log.info("desktop {} had no viewer for {}: stopping it", e.id, settings.idleStop());
    launchers.execute(e.desktop::stop);
  }

  /** Xvnc or the session ended on its own: forget the desktop (the next open starts a fresh one). */
  private void ended(Entry e, String words) {
    synchronized (this) {
      if (entries.get(e.id) != e) return;
      entries.remove(e.id);
      if (e.idleTimer != null) e.idleTimer.cancel(false);
      ending(e.id, words);
    }
    log.info("desktop {} ended: {}", e.id, words);
    launchers.execute(e.desktop::stop);
  }

  /** Under the lock: remembers why the desktop ended, for {@link #whyEnded}. */
  private void ending(String id, String words) {
    endings.remove(id);
    endings.put(id, words);
    if (endings.size() > ENDINGS_KEPT) endings.remove(endings.keySet().iterator().next());
  }

  /**
   * Why a viewer's connection to the desktop ended: recorded when it ended or was stopped; a
   * desktop whose process has just exited (its socket closes before the exit is noticed) is looked
   * at again a few times; empty while it runs.
   */
  CompletableFuture<Optional<String>> whyEnded(String id) {
    CompletableFuture<Optional<String>> out = new CompletableFuture<>();
    look(id, 1, out);
    return out;
  }

  private void look(String id, int n, CompletableFuture<Optional<String>> out) {
    Optional<String> words;
    synchronized (this) {
      Entry e = entries.get(id);
      words = Optional.ofNullable(endings.get(id)).or(() -> e == null || e.desktop == null ? Optional.empty()
          : e.desktop.endWords());
    }
    if (words.isPresent() || n >= LOOKS) {
      out.complete(words);
      return;
    }
    try {
      timers.schedule(() -> look(id, n + 1, out), LOOK_AGAIN_MS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      out.complete(Optional.empty());
    }
  }

  /** Whether a desktop runs or starts, for the target list. */
  synchronized Optional<State> state(String id) {
    Entry e = entries.get(id);
    if (e == null) return Optional.empty();
    return Optional.of(e.desktop == null ? State.STARTING : State.RUNNING);
  }

  /** Local ids of every desktop running or starting. */
  synchronized List<String> ids() {
    return new ArrayList<>(entries.keySet());
  }

  /** The Xvnc pid of a running desktop (tests, logs). */
  synchronized Optional<Long> pid(String id) {
    Entry e = entries.get(id);
    return e == null || e.desktop == null ? Optional.empty() : Optional.of(e.desktop.pid());
  }

  private Set<Integer> takenDisplays() {
    Set<Integer> taken = new HashSet<>();
    for (Entry e : entries.values()) if (e.display >= 0) taken.add(e.display);
    return taken;
  }

  /** Stops every desktop (those starting, once started) and waits for them. Off the event loop. */
  void stopAll() {
    List<Entry> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(entries.values());
      entries.clear();
      all.forEach(e -> {
        if (e.idleTimer != null) e.idleTimer.cancel(false);
      });
    }
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (Entry e : all) {
      stops.add(e.ready.handle((d, failure) -> d).thenAcceptAsync(d -> {
        if (d != null) d.stop();
      }, launchers));
    }
    try {
      CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    } catch (Exception ex) {
      log.warn("not every desktop stopped in time: {}", ex.toString());
    }
  }
}
