package io.vncgate.gateway.relay;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.failure.Status;
import io.vncgate.spi.Route;
import io.vncgate.spi.TargetRoute;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the gateway from tripping a target's abuse protection by itself. Every viewer of the
 * gateway reaches a target from the gateway's one address, and TigerVNC (common/rfb/Blacklist.cxx)
 * counts every connection from an address as a black mark until one authenticates: the
 * {@code BlacklistThreshold}-th (5) unauthenticated connection in a row is still let in but starts
 * a block of {@code BlacklistTimeout} (10 s, doubling at each expiry), and while it lasts every new
 * connection gets "Too many security failures" right after the banner. A class of 30 opening one
 * desktop at once is such a run.
 *
 * <p>So per target (per upstream endpoint: two target ids on one server share its blacklist) at most
 * {@code limits.upstream.handshakes-per-target} upstream handshakes are in flight, the rest wait in
 * FIFO order; a slot is held from connect until the upstream handshake ends. Independently of that,
 * no new connection starts while the connections opened since the last one that authenticated
 * (those the target still counts) reach {@code blacklist-threshold - 1}, except one alone when
 * nothing else is in flight (only a success clears the count). When the target answers "too many
 * security failures" before any password was sent, the lane pauses for the backoff (doubling on
 * repeat, at most {@link #MAX_BACKOFF}), then lets one probe through; the refused viewer goes back
 * to the head of the queue if its handshake time allows.
 *
 * <p>Thread-safe: each lane's state is guarded by the lane; attempts start and queue states are
 * told on the waiting viewer's own context.
 */
public final class UpstreamPacer {
  private static final Logger log = LoggerFactory.getLogger(UpstreamPacer.class);
  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

  /**
   * Where a waiting viewer stands.
   *
   * @param position 1-based place in the target's queue
   * @param length viewers waiting for that target
   * @param retryInSeconds seconds until the target is tried again when it is refusing the gateway, else 0
   */
  public record QueueState(int position, int length, long retryInSeconds, boolean preparing) {
    /**
     * Not yet in line: the target's provider is still preparing it (a launched desktop starting, a
     * console being created), told when resolving takes longer than a blink ({@code UpstreamSetup}).
     */
    public static final QueueState PREPARING = new QueueState(0, 0, 0, true);

    /** A place in the target's line. */
    public QueueState(int position, int length, long retryInSeconds) {
      this(position, length, retryInSeconds, false);
    }
  }

  private final Vertx vertx;
  private final GatewayConfig.Pacing config;
  private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
  private final AtomicLong backoffs = new AtomicLong();
  private volatile Consumer<Duration> waitObserver = d -> { };

  public UpstreamPacer(Vertx vertx, GatewayConfig.Pacing config) {
    this.vertx = vertx;
    this.config = config;
  }

  /** Which lane a route takes: its endpoint where the route names one, else the target. */
  static String laneKey(String targetId, TargetRoute route) {
    if (route != null && route.route() instanceof Route.Tcp tcp) return "tcp:" + tcp.host() + ":" + tcp.port();
    return "target:" + targetId;
  }

  /**
   * Runs {@code attempt} (connect and upstream handshake) when the target's lane lets it.
   *
   * @param deadlineNanos {@link System#nanoTime()} by which the viewer's handshake must be done
   * @param states told (on the caller's context) where the viewer stands while it waits, null once it runs
   * @param blacklisted whether an attempt's failure is the target refusing the gateway's address
   */
  public <T> Turn<T> run(String targetId, TargetRoute route, long deadlineNanos, Consumer<QueueState> states,
      Predicate<Throwable> blacklisted, Supplier<Future<T>> attempt) {
    String key = laneKey(targetId, route);
    while (true) {
      Lane lane = lanes.computeIfAbsent(key, Lane::new);
      lane.atOnce(route == null ? 0 : route.limits().handshakesAtOnce());
      Turn<T> turn = new Turn<>(lane, targetId, vertx.getOrCreateContext(), deadlineNanos, states, blacklisted, attempt);
      if (lane.enqueue(turn, false)) return turn;
      // the lane was retired (idle, nothing to remember) between the lookup and now: a fresh one
    }
  }

  /** Viewers waiting for a slot now, all targets together. */
  public long queued() {
    long n = 0;
    for (Lane l : lanes.values()) n += l.queueLength();
    return n;
  }

  /** Targets (endpoints) the pacer remembers now: those busy, paused or with uncleared connections. */
  int lanes() {
    return lanes.size();
  }

  /** Times a target refused the gateway's address and a lane paused. */
  public long backoffs() {
    return backoffs.get();
  }

  /** Told how long each viewer waited in a queue before its attempt started (from any thread). */
  public void onWait(Consumer<Duration> observer) {
    this.waitObserver = observer;
  }

  /** The pacer's own refusal (try again later), with its {@link Outcome}. */
  public static final class Refusal extends GatewayException {
    private final Outcome outcome;

    Refusal(String message, Outcome outcome) {
      super(Status.UNAVAILABLE, message);
      this.outcome = outcome;
    }

    public Outcome outcome() {
      return outcome;
    }
  }

  /** One viewer's place at one target: cancel it when the viewer goes. */
  public static final class Turn<T> {
    private final Lane lane;
    private final String targetId;
    private final Context context;
    private final long deadlineNanos;
    private final Consumer<QueueState> states;
    private final Predicate<Throwable> blacklisted;
    private final Supplier<Future<T>> attempt;
    private final Promise<T> result = Promise.promise();
    private final long createdNanos = System.nanoTime();
    // guarded by lane
    private boolean queued;
    private boolean inFlight;
    private boolean done;
    private long seq;
    private long startedNanos;
    private int lastPosition = -1;
    private long lastRetry = -1;

    private Turn(Lane lane, String targetId, Context context, long deadlineNanos, Consumer<QueueState> states,
        Predicate<Throwable> blacklisted, Supplier<Future<T>> attempt) {
      this.lane = lane;
      this.targetId = targetId;
      this.context = context;
      this.deadlineNanos = deadlineNanos;
      this.states = states;
      this.blacklisted = blacklisted;
      this.attempt = attempt;
    }

    /** The attempt's outcome, or the pacer's refusal. */
    public Future<T> future() {
      return result.future();
    }

    /**
     * The viewer went (or its time ran out): leaves the queue, or frees its slot. Returns, when it
     * was still waiting, the words saying so; else null.
     */
    public String cancel() {
      return lane.cancel(this);
    }

    private void begin() {
      Future<T> f;
      try {
        f = attempt.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> lane.finished(this, ar.succeeded(), ar.succeeded() ? null : ar.cause(), ar.result()));
    }

    private void tell(QueueState s) {
      context.runOnContext(v -> states.accept(s));
    }
  }

  private final class Lane {
    private final String key;
    private final ArrayDeque<Turn<?>> queue = new ArrayDeque<>();
    private int inFlight;
    /** Connections started on this lane, and the sequence number of the latest that authenticated. */
    private long started;
    private long clearedThrough;
    private long pausedUntilNanos;
    private long pauseBeganNanos = Long.MIN_VALUE;
    private boolean probe;
    /** Connections set up at once: the config's, lowered by the provider's latest route (Limits). */
    private int atOnce = config.handshakesPerTarget();
    private Duration nextBackoff;

    Lane(String key) {
      this.key = key;
      this.nextBackoff = config.blacklistBackoff();
    }

    /** Set once the lane is idle with nothing to remember and leaves the map; never used again. */
    private boolean retired;

    synchronized void atOnce(int providers) {
      atOnce = providers > 0 ? Math.min(providers, config.handshakesPerTarget()) : config.handshakesPerTarget();
    }

    synchronized int queueLength() {
      return queue.size();
    }

    /** False when this lane was retired meanwhile: the caller takes a fresh one. */
    boolean enqueue(Turn<?> turn, boolean head) {
      String full = null;
      synchronized (this) {
        if (retired) return false;
        if (!head && queue.size() >= config.queuePerTarget()) {
          full = "target " + turn.targetId + " has " + queue.size() + " viewers waiting for it already (the most the gateway queues"
              + " per target: limits.upstream.queue-per-target); try again in a minute";
        } else {
          turn.queued = true;
          if (head) queue.addFirst(turn);
          else queue.addLast(turn);
        }
        if (full != null) turn.done = true;
      }
      if (full != null) {
        fail(turn, new Refusal(full, Outcome.QUEUE_FULL));
        return true;
      }
      pump();
      return true;
    }

    /** Starts what may start, tells the others where they stand. */
    void pump() {
      List<Turn<?>> starting = new ArrayList<>();
      List<Runnable> tells = new ArrayList<>();
      long now = System.nanoTime();
      synchronized (this) {
        while (!queue.isEmpty() && mayStart(now)) {
          Turn<?> t = queue.pollFirst();
          t.queued = false;
          t.inFlight = true;
          t.seq = ++started;
          t.startedNanos = now;
          inFlight++;
          if (probe || uncleared() >= budget()) probe = true;
          starting.add(t);
        }
        long retry = now < pausedUntilNanos ? Math.max(1, (pausedUntilNanos - now + 999_999_999L) / 1_000_000_000L) : 0;
        int position = 0;
        for (Turn<?> t : queue) {
          position++;
          if (t.lastPosition != position || t.lastRetry != retry) {
            t.lastPosition = position;
            t.lastRetry = retry;
            QueueState s = new QueueState(position, queue.size(), retry);
            tells.add(() -> t.tell(s));
          }
        }
      }
      for (Turn<?> t : starting) {
        waitObserver.accept(Duration.ofNanos(now - t.createdNanos));
        if (t.lastPosition >= 0) t.tell(null);
        t.context.runOnContext(v -> t.begin());
      }
      tells.forEach(Runnable::run);
      retireIfIdle(now);
    }

    /**
     * A lane with nobody waiting or connecting, no pause and every connection it started cleared by
     * a login leaves the map, so dynamic targets do not accumulate lanes. One with uncleared
     * connections stays: the target still counts them against the gateway's address.
     */
    private void retireIfIdle(long now) {
      synchronized (this) {
        if (retired || !queue.isEmpty() || inFlight > 0 || probe || uncleared() > 0 || now < pausedUntilNanos) return;
        retired = true;
      }
      lanes.remove(key, this);
    }

    /** Guarded by this. */
    private boolean mayStart(long now) {
      if (now < pausedUntilNanos) return false;
      if (probe) return inFlight == 0;
      if (inFlight >= atOnce) return false;
      return config.blacklistThreshold() <= 0 || uncleared() < budget() || inFlight == 0;
    }

    private long uncleared() {
      return started - clearedThrough;
    }

    private long budget() {
      return config.blacklistThreshold() <= 0 ? Long.MAX_VALUE : config.blacklistThreshold() - 1L;
    }

    <T> void finished(Turn<T> turn, boolean ok, Throwable failure, T value) {
      boolean refusedByBlacklist = !ok && turn.blacklisted.test(failure);
      long now = System.nanoTime();
      String tooLate = null;
      synchronized (this) {
        if (turn.inFlight) {
          turn.inFlight = false;
          inFlight--;
        }
        if (!refusedByBlacklist) turn.done = true;
        if (ok) {
          // the target cleared this address's marks when it let this connection in; later ones may
          // have been counted after that, so they stay counted
          clearedThrough = Math.max(clearedThrough, turn.seq);
          probe = false;
          nextBackoff = config.blacklistBackoff();
        } else if (refusedByBlacklist) {
          if (turn.startedNanos >= pauseBeganNanos && now >= pausedUntilNanos) {
            // a new refusal, not one more answer to attempts started before the pause: back off (longer)
            Duration backoff = nextBackoff;
            pauseBeganNanos = now;
            pausedUntilNanos = now + backoff.toNanos();
            nextBackoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            probe = true;
            backoffs.incrementAndGet();
            log.info("target={} upstream={} refuses the gateway's address (\"too many security failures\"): pausing new"
                + " connections to it for {} s, then one probe", turn.targetId, key, backoff.toSeconds());
            long delayMs = Math.max(1, backoff.toMillis());
            vertx.setTimer(delayMs, id -> pump());
          }
          if (!turn.done && turn.deadlineNanos - now > pausedUntilNanos - now) {
            turn.queued = true;
            queue.addFirst(turn); // its time allows: first in line for the probe
          } else {
            turn.done = true;
            tooLate = blacklistedReason(turn.targetId, pausedUntilNanos - now);
          }
        }
      }
      if (ok) {
        turn.result.tryComplete(value);
      } else if (tooLate != null) {
        fail(turn, new Refusal(tooLate, Outcome.ADDRESS_BLOCKED));
      } else if (!refusedByBlacklist) {
        turn.result.tryFail(failure);
      }
      pump();
    }

    String cancel(Turn<?> turn) {
      String waiting = null;
      long now = System.nanoTime();
      synchronized (this) {
        if (turn.done) return null;
        turn.done = true;
        if (turn.queued) {
          int ahead = 0;
          for (Iterator<Turn<?>> it = queue.iterator(); it.hasNext(); ) {
            Turn<?> t = it.next();
            if (t == turn) {
              it.remove();
              break;
            }
            ahead++;
          }
          turn.queued = false;
          long waited = Math.max(0, (now - turn.createdNanos) / 1_000_000_000L);
          waiting = now < pausedUntilNanos
              ? blacklistedReason(turn.targetId, pausedUntilNanos - now)
              : "waited " + waited + " s for target " + turn.targetId + " behind " + ahead + " other viewer" + (ahead == 1 ? "" : "s")
                  + (atOnce < config.handshakesPerTarget()
                      ? " (its provider lets the gateway open " + atOnce + " connection" + (atOnce == 1 ? "" : "s")
                          + " to it at a time)"
                      : " (the gateway opens at most " + atOnce + " connections to a target at a time:"
                          + " limits.upstream.handshakes-per-target)")
                  + "; try again";
        } else if (turn.inFlight) {
          turn.inFlight = false;
          inFlight--;
        }
      }
      pump();
      return waiting;
    }

    private void fail(Turn<?> turn, GatewayException e) {
      turn.context.runOnContext(v -> turn.result.tryFail(e));
    }
  }

  /** The words a viewer gets when the target blocks the gateway's address longer than it can wait. */
  static String blacklistedReason(String targetId, long remainingNanos) {
    long s = Math.max(1, (remainingNanos + 999_999_999L) / 1_000_000_000L);
    return "target " + targetId + " is refusing the gateway for now: its VNC server blacklisted the gateway's address after"
        + " too many connections or failed logins from it (\"Too many security failures\"). This is not your password or"
        + " the stored one; the gateway tries again in " + s + " s: reconnect then";
  }
}
