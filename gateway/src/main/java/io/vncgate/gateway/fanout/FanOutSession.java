package io.vncgate.gateway.fanout;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.rfb.DropReason;
import io.vncgate.gateway.rfb.RfbException;
import io.vncgate.gateway.rfb.ServerInit;
import io.vncgate.gateway.transport.Upstream;
import io.vncgate.spi.Limits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All viewers of one target on ONE upstream connection (docs/fan-out.md): the gateway is the
 * target's only RFB client, decodes every update into a {@link Framebuffer} and serves each viewer
 * ({@link Member}) from it as an RFB server of its own. Runs on one event loop, the upstream's;
 * viewers' input and their sockets' drain events hop onto it. Made and ended by
 * {@link FanOutSessions}.
 */
public final class FanOutSession {
  private static final Logger log = LoggerFactory.getLogger(FanOutSession.class);

  /** A viewer's connection, as its session sees it. */
  public interface Viewer {
    /** The viewer's event loop: {@link #output()} is written there. */
    Context context();

    /** The viewer's socket, written on {@link #context()} only. */
    WriteStream<Buffer> output();

    /** Ends the viewer's connection with {@code outcome} and {@code reason}; safe from any thread. */
    void end(Outcome outcome, String reason);

    /** {@code bytes} were written to the viewer (on {@link #context()}): counted, and activity. */
    void wrote(int bytes);

    /** A target message was not given to this viewer (clipboard policy or size); safe from any thread. */
    void droppedFromTarget(String wireName, DropReason reason);

    /** The target's clipboard text {@code latin1} was written to the viewer (for the audit); on the session's loop. */
    default void cutTextSent(Buffer latin1) {}

    /**
     * The viewer turned continuous updates on: from now on updates are written without being
     * asked for, so the socket's queues are kept short (the drain handler of {@link #output()} then
     * says when the kernel has taken the last update, not when 1 MiB has gone). Safe from any thread.
     */
    default void writesUnasked() {}

    /** For logs. */
    String id();
  }

  /**
   * The upstream after its handshake, as the relay set it up: paused, nothing read past {@code leftover}.
   *
   * @param explain when the target goes away: the gateway's words → the same with its provider's
   *     reason added (or alone); never fails, completes on the caller's loop, soon
   */
  public record Opened(Upstream upstream, ServerInit serverInit, Buffer leftover, Limits limits,
      Function<String, Future<String>> explain) {}

  private final Vertx vertx;
  private final FanOutSessions registry;
  private final String target;
  private final Context context;
  private final Upstream upstream;
  private final Limits limits;
  private final Function<String, Future<String>> explain;
  /** The target went away; its provider is asked why before the session ends. */
  private boolean askingWhy;
  private final String name;
  private final Framebuffer framebuffer;
  /** The framebuffer's tiles as encoded for the viewers, per pixel format (each encoded once per change). */
  private final SharedTiles tiles;
  private final UpstreamDecoder decoder;
  private final long clipboardMax;
  private final boolean clipboardToViewer;
  private final Duration stallTimeout;
  private final GatewayConfig.UpstreamEncoding upstreamEncoding;
  private final List<Member> members = new ArrayList<>();
  /** The viewers' writes of one turn of the session's loop, handed to their loops together. */
  private final Handoffs handoffs;
  private volatile int width;
  private volatile int height;
  private volatile boolean upstreamFull;
  private Cursor cursor;
  private Buffer screens;
  private boolean qemuExtendedKeys;
  private long stallTimer = -1;
  /** Observers are being served one per task (see {@link #serveAll}); another round is due after it. */
  private boolean observerRound;
  private boolean anotherRound;
  /** Set once, when the session ends: latecomers are told the same. */
  private volatile Outcome endOutcome;
  private volatile String endReason;

  FanOutSession(Vertx vertx, FanOutSessions registry, String target, Context context, Opened opened,
      long clipboardMax, boolean clipboardToViewer, Duration stallTimeout, GatewayConfig.UpstreamEncoding upstreamEncoding) {
    this.vertx = vertx;
    this.registry = registry;
    this.target = target;
    this.context = context;
    this.upstream = opened.upstream();
    this.limits = opened.limits();
    this.explain = opened.explain();
    this.name = opened.serverInit().name();
    this.width = opened.serverInit().width();
    this.height = opened.serverInit().height();
    this.clipboardMax = clipboardMax;
    this.clipboardToViewer = clipboardToViewer;
    this.stallTimeout = stallTimeout;
    this.upstreamEncoding = upstreamEncoding;
    this.handoffs = new Handoffs(context);
    this.framebuffer = new Framebuffer(width, height);
    this.tiles = new SharedTiles(width, height);
    // a clipboard viewers may not get, or one past the cap, is skipped as it comes, never held
    this.decoder = new UpstreamDecoder(framebuffer, new Decoded(),
        clipboardToViewer ? (int) Math.min(Integer.MAX_VALUE - 8, clipboardMax) : 0);
  }

  /** On the session's loop: asks the target for the gateway's format, encodings and a whole picture, and reads. */
  void start(Buffer leftover) {
    WriteStream<Buffer> out = upstream.output();
    OptionalLong roundTrip = upstream.roundTripMicros();
    boolean hextile = hextileFirst(upstreamEncoding, roundTrip);
    out.write(UpstreamMessages.setPixelFormat());
    out.write(UpstreamMessages.setEncodings(hextile));
    out.write(UpstreamMessages.updateRequest(false, 0, 0, width, height));
    // a close the target made itself is a normal end; one its transport reports is a lost connection
    upstream.closeHandler(reason -> {
      if (reason == null) targetEnded(Outcome.TARGET_ENDED, Outcome.TARGET_ENDED.words());
      else targetEnded(Outcome.TARGET_LOST, reason);
    });
    upstream.input().endHandler(v -> targetEnded(Outcome.TARGET_ENDED, Outcome.TARGET_ENDED.words()));
    upstream.input().exceptionHandler(e -> targetEnded(Outcome.TARGET_LOST, "connection lost: " + e.getMessage()));
    upstream.input().handler(this::fromTarget);
    if (leftover != null && leftover.length() > 0) fromTarget(leftover);
    upstream.input().resume();
    long period = Math.max(250, Math.min(stallTimeout.toMillis() / 4, 5_000));
    stallTimer = vertx.setPeriodic(period, id -> cutOffStalled());
    log.info("target={} fan-out session open ({}x{}, upstream {}, {} first: {})", target, width, height, upstream.describe(),
        hextile ? "Hextile" : "ZRLE", why(upstreamEncoding, roundTrip));
  }

  /** Whether the session asks its target for Hextile before ZRLE ({@code sessions.fan-out-upstream-encoding}). */
  static boolean hextileFirst(GatewayConfig.UpstreamEncoding setting, OptionalLong roundTripMicros) {
    return switch (setting) {
      case HEXTILE -> true;
      case ZRLE -> false;
      case AUTO -> roundTripMicros.isPresent() && roundTripMicros.getAsLong() < GatewayConfig.UpstreamEncoding.NEAR_MICROS;
    };
  }

  private static String why(GatewayConfig.UpstreamEncoding setting, OptionalLong roundTripMicros) {
    if (setting != GatewayConfig.UpstreamEncoding.AUTO) return "sessions.fan-out-upstream-encoding";
    if (roundTripMicros.isEmpty()) return "the transport does not tell its round trip";
    return String.format(Locale.ROOT, "round trip %.2f ms", roundTripMicros.getAsLong() / 1000.0);
  }

  private void fromTarget(Buffer data) {
    if (endOutcome != null) return;
    try {
      decoder.feed(data);
    } catch (RfbException e) {
      end(Outcome.TARGET_PROTOCOL, "target " + target + " " + e.failure().message());
    } catch (RuntimeException e) {
      log.error("target={} fan-out session: decoding the target's update failed", target, e);
      end(Outcome.INTERNAL, Outcome.INTERNAL.words());
    }
  }

  /** What a viewer gets as ServerInit: the current size, the gateway's pixel format, the target's name. Any thread. */
  public ServerInit serverInit() {
    return new ServerInit(width, height, PixelFormat.GATEWAY.bytes(), name);
  }

  /** The target's limits as its provider gave them when the session opened (clipboard policy and caps). */
  public Limits limits() {
    return limits;
  }

  /** The target id: the session's key. */
  public String target() {
    return target;
  }

  /**
   * The viewer joins (its handshake is done): a late joiner starts with the whole desktop dirty,
   * so its first request gets a full picture. Safe from any thread; input written to the returned
   * member's {@link Member#input()} is handled after the join.
   */
  public Member join(Viewer viewer) {
    Member member = new Member(this, viewer);
    context.runOnContext(v -> {
      if (member.left()) return;
      if (endOutcome != null) {
        viewer.end(endOutcome, endReason);
        return;
      }
      member.joined(framebuffer, tiles);
      members.add(member);
      log.debug("target={} connection={} joined the fan-out session ({} viewers)", target, viewer.id(), members.size());
    });
    return member;
  }

  void remove(Member member) {
    if (members.remove(member)) {
      member.removed();
      log.debug("target={} connection={} left the fan-out session ({} viewers)", target, member.viewer().id(), members.size());
    }
  }

  /** A viewer's input to the target: whole messages, one viewer's at a time (the session's loop). */
  void forward(Buffer message) {
    if (endOutcome != null) return;
    WriteStream<Buffer> out = upstream.output();
    out.write(message);
    if (!upstreamFull && out.writeQueueFull()) {
      upstreamFull = true;
      out.drainHandler(v -> {
        out.drainHandler(null);
        upstreamFull = false;
        for (Member m : List.copyOf(members)) m.upstreamDrained();
      });
    }
  }

  /**
   * The target's update is in: the viewers in control are served at once, the others after them
   * in slices of {@link #OBSERVER_SLICE_NANOS} a task on the session's loop (a round), so their
   * encoding never delays the controller's update, and the controller's input (a task of its own)
   * waits for one slice at most. Observers in the same state share one update, so a slice serves
   * many, and their writes go to their loops together ({@link Handoffs}). An update that ends while
   * a round runs starts another when it is done.
   */
  private void serveAll() {
    for (Member m : members) {
      if (m.inControl()) m.serve();
    }
    if (observerRound) {
      anotherRound = true;
      return;
    }
    observerRound = true;
    serveObservers(List.copyOf(members), 0);
  }

  /** How long one task of an observer round serves observers before the loop takes its other work (a viewer's input). */
  static final long OBSERVER_SLICE_NANOS = 500_000;

  private void serveObservers(List<Member> round, int from) {
    context.runOnContext(v -> {
      long until = System.nanoTime() + OBSERVER_SLICE_NANOS;
      int i = from;
      while (i < round.size() && endOutcome == null) {
        Member m = round.get(i++);
        if (m.inControl()) continue;
        m.serve();
        if (System.nanoTime() - until > 0) break;
      }
      if (i < round.size() && endOutcome == null) {
        serveObservers(round, i);
      } else if (anotherRound && endOutcome == null) {
        anotherRound = false;
        serveObservers(List.copyOf(members), 0);
      } else {
        anotherRound = false;
        observerRound = false;
      }
    });
  }

  private void cutOffStalled() {
    long now = System.nanoTime();
    for (Member m : List.copyOf(members)) {
      if (m.stalledNanos(now) > stallTimeout.toNanos()) {
        log.info("target={} connection={} fan-out viewer took no update for {} s: cut off", target, m.viewer().id(),
            stallTimeout.toSeconds());
        m.viewer().end(Outcome.VIEWER_STALLED, "the viewer took no screen update for " + stallTimeout.toSeconds()
            + " s (sessions.fan-out-stall-timeout): its connection is too slow or it stopped reading; reconnect");
        m.leave();
      }
    }
  }

  /** The target went away: its provider is asked why (briefly), then every viewer is told. On the session's loop. */
  private void targetEnded(Outcome outcome, String reason) {
    if (endOutcome != null || askingWhy) return;
    askingWhy = true;
    explain.apply(reason).onComplete(ar -> end(outcome, ar.succeeded() ? ar.result() : reason));
  }

  /**
   * The session ends: every viewer is told {@code reason}, the upstream is closed, the registry
   * forgets it. Idempotent; on the session's loop.
   */
  void end(Outcome outcome, String reason) {
    if (endOutcome != null) return;
    endReason = reason;
    endOutcome = outcome;
    if (stallTimer >= 0) vertx.cancelTimer(stallTimer);
    registry.ended(this);
    upstream.input().handler(null);
    upstream.closeHandler(null);
    upstream.close();
    for (Member m : List.copyOf(members)) {
      m.viewer().end(outcome, reason);
      m.removed();
    }
    members.clear();
    log.info("target={} fan-out session ended: {}", target, reason);
  }

  /** The last viewer left and the grace passed: closed without a word to anyone. */
  void closeIdle(Duration grace) {
    end(Outcome.VIEWER_LEFT, "no viewer for " + grace.toSeconds() + " s (sessions.fan-out-grace)");
  }

  Handoffs handoffs() {
    return handoffs;
  }

  Context context() {
    return context;
  }

  Framebuffer framebuffer() {
    return framebuffer;
  }

  Cursor cursor() {
    return cursor;
  }

  Buffer screens() {
    return screens;
  }

  boolean qemuExtendedKeys() {
    return qemuExtendedKeys;
  }

  boolean upstreamFull() {
    return upstreamFull;
  }

  /** Viewers now (the gauge). */
  int viewers() {
    return members.size();
  }

  boolean ended() {
    return endOutcome != null;
  }

  /** The decoder's findings, applied to every member. */
  private final class Decoded implements UpstreamEvents {
    @Override
    public void damaged(int x, int y, int w, int h) {
      tiles.changed(x, y, w, h);
      for (Member m : members) m.dirty().mark(x, y, w, h);
    }

    @Override
    public void copied(int srcX, int srcY, int x, int y, int w, int h) {
      tiles.changed(x, y, w, h);
      for (Member m : members) m.copied(srcX, srcY, x, y, w, h);
    }

    @Override
    public void updateDone() {
      upstream.output().write(UpstreamMessages.updateRequest(true, 0, 0, width, height));
      for (int i = 0; i < counted.length; i++) {
        int encoding = UpstreamDecoder.ENCODINGS.get(i);
        long now = decoder.decoded(encoding);
        registry.countUpstreamRectangles(encoding, now - counted[i]);
        counted[i] = now;
      }
      serveAll();
    }

    /** The decoder's counts already given to the registry, per {@link UpstreamDecoder#ENCODINGS}. */
    private final long[] counted = new long[UpstreamDecoder.ENCODINGS.size()];

    @Override
    public void resized(int w, int h, Buffer screenList) {
      width = w;
      height = h;
      screens = screenList == null ? null : screenList.copy();
      tiles.resized(w, h);
      for (Member m : members) m.resized(w, h);
    }

    @Override
    public void cursor(Cursor c) {
      cursor = c;
      for (Member m : members) m.cursorChanged();
    }

    @Override
    public void bell() {
      for (Member m : List.copyOf(members)) {
        m.bell();
        m.serve();
      }
    }

    @Override
    public void serverCutText(Buffer latin1) {
      for (Member m : List.copyOf(members)) {
        if (!clipboardToViewer) {
          m.viewer().droppedFromTarget("ServerCutText", DropReason.POLICY);
        } else {
          m.cutText(latin1.copy());
          m.serve();
        }
      }
    }

    @Override
    public void cutTextDropped(int length) {
      // as the per-viewer relay counts it (ServerMessageFramer): the policy first, then the size
      DropReason reason = clipboardToViewer ? DropReason.SIZE : DropReason.POLICY;
      if (clipboardToViewer) {
        log.info("target={} fan-out session skipped a clipboard text of {} bytes from the target: more than the limit of {}"
            + " bytes", target, length, clipboardMax);
      }
      for (Member m : List.copyOf(members)) m.viewer().droppedFromTarget("ServerCutText", reason);
    }

    @Override
    public void qemuExtendedKeys() {
      qemuExtendedKeys = true;
      for (Member m : members) m.qemuExtendedKeys();
    }
  }
}
