package io.vncgate.gateway.fanout;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vncgate.gateway.auth.TargetGlob;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.spi.Limits;
import io.vncgate.spi.Sharing;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fan-out sessions of this process, one per target id (the session's key; a cluster would
 * route a target's viewers to the node that holds it). Which targets fan out is decided before
 * anything is resolved ({@link #sharing}), and the first viewer's {@link #hold} opens the upstream
 * while every other viewer of the target waits for the same session: concurrent first viewers
 * never open two upstream connections (KubeVirt would drop the first). After the last holder lets
 * go the session stays {@code sessions.fan-out-grace}, so a reload joins it at once.
 */
public final class FanOutSessions {
  private static final Logger log = LoggerFactory.getLogger(FanOutSessions.class);

  /** A viewer's claim on its target's session, from before its upstream is set up to its end. */
  public interface Hold {
    /** The session, once its upstream is set up (completed on any thread), or why not. */
    Future<FanOutSession> session();

    /** The viewer's connection ended; idempotent. */
    void release();
  }

  private final Vertx vertx;
  private final GatewayConfig config;
  private final Function<String, Sharing> providerSharing;
  private final List<Map.Entry<TargetGlob, Sharing>> rules = new ArrayList<>();
  /** Guarded by this. */
  private final Map<String, Entry> byTarget = new HashMap<>();
  private final AtomicLong upstreamsOpened = new AtomicLong();
  /** Rectangles the sessions decoded from their targets, per data encoding ({@link UpstreamDecoder#ENCODINGS}'s order). */
  private final LongAdder[] upstreamRectangles = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};

  /**
   * @param providerSharing the target's provider's answer ({@code TargetProvider.sharing}), when
   *     {@code sessions.sharing} has no glob for it
   */
  public FanOutSessions(Vertx vertx, GatewayConfig config, Function<String, Sharing> providerSharing) {
    this.vertx = vertx;
    this.config = config;
    this.providerSharing = providerSharing;
    for (GatewayConfig.SharingRule rule : config.sessions().sharing()) {
      rules.add(Map.entry(TargetGlob.of(rule.glob()), rule.sharing()));
    }
  }

  /** How this target's viewers share it: the first glob of {@code sessions.sharing} that matches, else its provider's word. */
  public Sharing sharing(String targetId) {
    for (Map.Entry<TargetGlob, Sharing> rule : rules) {
      if (rule.getKey().matches(targetId)) return rule.getValue();
    }
    Sharing s = providerSharing.apply(targetId);
    return s == null ? Sharing.PER_VIEWER : s;
  }

  /**
   * A claim on the target's session: the one that exists (open, opening or in its grace), or a new
   * one whose upstream {@code opener} sets up (called at once, on the caller's loop, which becomes
   * the session's). Every holder must {@link Hold#release} when its connection ends.
   */
  public Hold hold(String targetId, Supplier<Future<FanOutSession.Opened>> opener) {
    Entry entry;
    boolean open;
    synchronized (this) {
      entry = byTarget.get(targetId);
      open = entry == null;
      if (open) {
        entry = new Entry(targetId);
        byTarget.put(targetId, entry);
      }
      entry.holders++;
    }
    if (open) entry.open(opener);
    return new EntryHold(entry);
  }

  /**
   * The target's session while its upstream connection is open (held or in its grace), else null:
   * a target check answers from it instead of opening a second connection (KubeVirt allows one).
   */
  public synchronized FanOutSession live(String targetId) {
    Entry e = byTarget.get(targetId);
    return e == null ? null : e.session;
  }

  /** Fan-out sessions with an open upstream connection (the gauge {@code vncgate_fanout_sessions}). */
  public synchronized int sessions() {
    int n = 0;
    for (Entry e : byTarget.values()) if (e.session != null) n++;
    return n;
  }

  /** Upstream connections fan-out sessions have opened since start (the counter {@code vncgate_fanout_upstreams_opened_total}). */
  public long upstreamsOpened() {
    return upstreamsOpened.get();
  }

  /**
   * Rectangles the fan-out sessions have decoded from their targets in {@code encoding} (one of
   * {@link UpstreamDecoder#ENCODINGS}): which encoding the targets send ({@code
   * sessions.fan-out-upstream-encoding}).
   */
  public long upstreamRectangles(int encoding) {
    return upstreamRectangles[UpstreamDecoder.slot(encoding)].sum();
  }

  void countUpstreamRectangles(int encoding, long n) {
    if (n > 0) upstreamRectangles[UpstreamDecoder.slot(encoding)].add(n);
  }

  /** Viewers holding a fan-out session now, those still in their handshake included. */
  public synchronized int holders() {
    int n = 0;
    for (Entry e : byTarget.values()) n += e.holders;
    return n;
  }

  /** The session ended (its upstream, or the grace): the next viewer of its target opens a new one. */
  synchronized void ended(FanOutSession session) {
    Entry e = byTarget.get(session.target());
    if (e != null && e.session == session) byTarget.remove(session.target());
  }

  private synchronized void failed(Entry entry) {
    byTarget.remove(entry.target, entry);
  }

  /** One target's session: while opening, open, or in its grace. */
  private final class Entry {
    final String target;
    final Promise<FanOutSession> ready = Promise.promise();
    /** Guarded by the registry. */
    int holders;
    /** Counts releases: a grace timer closes the session only if no viewer came and went since it started. */
    long releases;
    FanOutSession session;

    Entry(String target) {
      this.target = target;
    }

    void open(Supplier<Future<FanOutSession.Opened>> opener) {
      Context context = vertx.getOrCreateContext();
      Future<FanOutSession.Opened> opening;
      try {
        opening = opener.get();
      } catch (RuntimeException e) {
        opening = Future.failedFuture(e);
      }
      opening.onComplete(ar -> context.runOnContext(v -> {
        if (ar.failed()) {
          failed(this);
          ready.fail(ar.cause());
          return;
        }
        FanOutSession.Opened opened = ar.result();
        Limits limits = opened.limits();
        GatewayConfig.Clipboard clip = config.clipboard();
        long clipboardMax = limits.clipboardMaxBytes() > 0 ? Math.min(limits.clipboardMaxBytes(), clip.maxBytes()) : clip.maxBytes();
        FanOutSession s;
        try {
          s = new FanOutSession(vertx, FanOutSessions.this, target, context, opened, clipboardMax,
              clip.toViewer() && limits.clipboardToViewer(), config.sessions().fanOutStallTimeout(),
              config.sessions().fanOutUpstreamEncoding());
        } catch (RuntimeException e) {
          log.error("target={} fan-out session could not start", target, e);
          opened.upstream().close();
          failed(this);
          ready.fail(e);
          return;
        }
        upstreamsOpened.incrementAndGet();
        boolean idle;
        synchronized (FanOutSessions.this) {
          session = s;
          idle = holders == 0;
        }
        s.start(opened.leftover());
        ready.complete(s);
        if (idle) graceFrom(releasesNow());
      }));
    }

    private long releasesNow() {
      synchronized (FanOutSessions.this) {
        return releases;
      }
    }

    /** Every holder let go: the session closes after the grace, unless a viewer comes (and goes) meanwhile. */
    void graceFrom(long releasesAtStart) {
      FanOutSession s = session;
      if (s == null) return; // still opening: checked when it opens
      long ms = config.sessions().fanOutGrace().toMillis();
      Runnable check = () -> {
        boolean close;
        synchronized (FanOutSessions.this) {
          close = holders == 0 && releases == releasesAtStart && byTarget.get(target) == this;
          if (close) byTarget.remove(target);
        }
        if (close) s.closeIdle(config.sessions().fanOutGrace());
      };
      s.context().runOnContext(v -> {
        if (ms <= 0) check.run();
        else vertx.setTimer(ms, id -> check.run());
      });
    }

    void released() {
      long at;
      boolean idle;
      synchronized (FanOutSessions.this) {
        holders--;
        releases++;
        at = releases;
        idle = holders == 0;
      }
      if (idle) graceFrom(at);
    }
  }

  private static final class EntryHold implements Hold {
    private final Entry entry;
    private boolean released;

    EntryHold(Entry entry) {
      this.entry = entry;
    }

    @Override
    public Future<FanOutSession> session() {
      return entry.ready.future();
    }

    @Override
    public synchronized void release() {
      if (released) return;
      released = true;
      entry.released();
    }
  }
}
