package io.vncgate.gateway.fanout;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.rfb.ClientMessageType;
import io.vncgate.gateway.rfb.Encodings;
import io.vncgate.gateway.rfb.MessagePolicy;
import io.vncgate.gateway.rfb.RfbException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One viewer of a {@link FanOutSession}, served as an RFB server of its own: its pixel format
 * and encodings ({@link ViewerEncoder}, its tiles from the session's {@link SharedTiles}), the tiles it has not been sent
 * ({@link DirtyTiles}) and its pending FramebufferUpdateRequest. Touched on the session's event
 * loop only, except {@link #input()} and {@link #takeRequest} (the viewer's loop: a lone
 * incremental request), the end of a write ({@link #sent}, the viewer's loop) and {@link #leave()}
 * (any thread); what they share is atomic or volatile.
 *
 * <p>Flow control: at most one update is on its way at a time. An update is built only when the
 * viewer asked for one (or turned continuous updates on for the region), something in its region
 * changed and its socket took the last one (its write queue is not full, else its drain handler
 * says when); so a slow viewer costs the session one encoded update and its own socket's queue,
 * and falls behind only itself. Continuous updates (noVNC turns them on) spare the viewer a
 * request, and the gateway reading it, per update: docs/fan-out.md, "Continuous updates".
 *
 * <p>CopyRect passthrough (docs/fan-out.md, "Copies"): a target's CopyRect is queued for a viewer
 * that listed CopyRect and whose picture of the source is current (no dirty tile touches it), and
 * goes at the head of its next update; else its destination is dirty. Invariant: the viewer's
 * picture with the queued copies applied equals the framebuffer outside the dirty tiles.
 */
public final class Member {
  private static final Logger log = LoggerFactory.getLogger(Member.class);
  /** Copies queued for one update at most; past this, a copy's destination is dirty instead. */
  static final int MAX_COPIES = 64;

  private final FanOutSession session;
  private final FanOutSession.Viewer viewer;
  private final MemberInput input;
  private ViewerEncoder encoder;
  private DirtyTiles dirty;
  /** The desktop size this viewer knows: updates are clipped to it (a viewer that cannot resize). */
  private int knownWidth;
  private int knownHeight;
  /**
   * The viewer's pending FramebufferUpdateRequest. Written on the session's loop, or on the
   * viewer's for an incremental request that comes alone with nothing of the viewer's still on its
   * way to the session ({@link #takeRequest}); consumed on the session's loop.
   */
  private final AtomicReference<Rect> request = new AtomicReference<>();
  /**
   * The session has something for this viewer (dirty tiles, copies, a resize, cursor, bell or
   * clipboard): a request taken on the viewer's loop is handed to the session only then. Written
   * by the session's loop before it reads {@link #request}, read by the viewer's loop after it
   * wrote it, so at least one of the two sees the other (both volatile).
   */
  private volatile boolean due;
  /**
   * The region continuous updates cover (the viewer's EnableContinuousUpdates), or null while they
   * are off and each update waits for the viewer's request. On: the member is served whenever
   * something in the region changed and its socket took the last update, as if a request stood.
   */
  private Rect continuous;
  /** The viewer listed ContinuousUpdates (-313) once: it may turn them on. */
  private boolean continuousOffered;
  /** An EndOfContinuousUpdates is due: continuous updates are offered (first listing) or ended. */
  private boolean endOfContinuousPending;
  /** The target's copies the viewer has not been sent, in order (see the class comment). */
  private final List<ViewerEncoder.Copy> copies = new ArrayList<>();
  /** The viewer's role lets it send input: served before the other viewers. */
  private volatile boolean inControl;
  /**
   * An update is on its way to the viewer's socket: {@link #IDLE}, {@link #BUSY} (handed to the
   * viewer's loop, or written and its queue not yet drained), or {@link #BUSY_WANTED} (the same,
   * and something came to send meanwhile: the viewer's loop hands the member back when it is
   * through). Set busy on the session's loop, back to idle on the viewer's: no hop back to the
   * session for an update that went out with nothing waiting, which is most of them.
   */
  private final AtomicInteger sending = new AtomicInteger(IDLE);
  private static final int IDLE = 0;
  private static final int BUSY = 1;
  private static final int BUSY_WANTED = 2;
  private long busySinceNanos;
  private boolean resizePending;
  private boolean cursorPending;
  private boolean qemuPending;
  private boolean bellPending;
  private Buffer cutText;
  private volatile boolean joined;
  /** Out of the session (it left, or the session ended): nothing more is built for it. */
  private boolean removed;
  private volatile boolean left;

  Member(FanOutSession session, FanOutSession.Viewer viewer) {
    this.session = session;
    this.viewer = viewer;
    this.input = new MemberInput(session, this, viewer.context());
  }

  /** Where the viewer's framed messages go (its relay's viewer→server half writes here). */
  public WriteStream<Buffer> input() {
    return input;
  }

  /** The viewer's connection ended: it leaves the session. Safe from any thread; idempotent. */
  public void leave() {
    leave(Buffer.buffer());
  }

  /**
   * The same, with the releases of the keys and buttons the viewer held down ({@code
   * ClientMessageFramer.releaseHeld}), forwarded to the target first if the viewer was in control:
   * the upstream stays open for the others, and a Shift left down would stay down for them.
   */
  public void leave(Buffer releases) {
    if (left) return;
    left = true;
    session.context().runOnContext(v -> {
      if (releases.length() > 0 && joined && !removed) session.forward(releases);
      session.remove(this);
    });
  }

  boolean left() {
    return left;
  }

  /**
   * The viewer's role, as its messages are framed (set at join and at every change of control):
   * a viewer allowed to send key or pointer events is served first when the target's update
   * comes, so the other viewers' encoding never delays it. Safe from any thread.
   */
  public void policy(MessagePolicy policy) {
    inControl = policy.allows(ClientMessageType.KEY_EVENT) || policy.allows(ClientMessageType.POINTER_EVENT);
  }

  boolean inControl() {
    return inControl;
  }

  FanOutSession.Viewer viewer() {
    return viewer;
  }

  /** On the session's loop: the member starts with the whole desktop dirty. */
  void joined(Framebuffer framebuffer, SharedTiles tiles) {
    encoder = new ViewerEncoder(tiles);
    dirty = new DirtyTiles(framebuffer.width(), framebuffer.height());
    knownWidth = framebuffer.width();
    knownHeight = framebuffer.height();
    due = true;
    joined = true;
  }

  /** On the session's loop, once the member is out of the session: nothing more is built for it. */
  void removed() {
    removed = true;
  }

  DirtyTiles dirty() {
    return dirty;
  }

  /** The viewer's framed messages (whole, allowed by its role), on the session's loop. */
  void onMessages(Buffer messages) {
    if (!joined || removed) return; // the session ended before the member could join, or since: it is being told so
    int at = 0;
    while (at < messages.length() && !left) {
      int length = ViewerMessages.length(messages, at);
      onMessage(messages.slice(at, at + length));
      at += length;
    }
    serve(); // a new pixel format, or encodings, may have left work ({@link #due}), and a request may wait for it
  }

  /**
   * On the viewer's loop: {@code message}, one whole message of the viewer's with nothing of
   * its before it still on the way to the session, is an incremental FramebufferUpdateRequest:
   * it becomes the pending request here, and goes to the session's loop only when the session has
   * something for the viewer; else the session's next update round serves it. Saves most
   * requests a hand-over to the session's loop (and the wake-up of that loop).
   *
   * @return false when it is not such a request (it goes to the session as every message does)
   */
  boolean takeRequest(Buffer message) {
    if (message.length() != 10 || message.getUnsignedByte(0) != ViewerMessages.FRAMEBUFFER_UPDATE_REQUEST
        || message.getUnsignedByte(1) == 0 || !joined || left) {
      return false;
    }
    request.set(new Rect(message.getUnsignedShort(2), message.getUnsignedShort(4), message.getUnsignedShort(6),
        message.getUnsignedShort(8)));
    if (due) session.context().runOnContext(v -> serve());
    return true;
  }

  private void onMessage(Buffer m) {
    switch (m.getUnsignedByte(0)) {
      case ViewerMessages.SET_PIXEL_FORMAT -> {
        try {
          encoder.pixelFormat(PixelFormat.read(m, 4));
        } catch (RfbException e) {
          viewer.end(Outcome.VIEWER_PROTOCOL, e.failure().message());
          return;
        } catch (IllegalArgumentException e) {
          viewer.end(Outcome.VIEWER_PROTOCOL, "the viewer asked for a pixel format the gateway cannot serve: " + e.getMessage());
          return;
        }
        dirty.markAll(); // the next update is in the new format: all of it
        copies.clear(); // all of it is dirty: the copies would be painted over
      }
      case ViewerMessages.SET_ENCODINGS -> setEncodings(m);
      case ViewerMessages.FRAMEBUFFER_UPDATE_REQUEST -> {
        int x = m.getUnsignedShort(2);
        int y = m.getUnsignedShort(4);
        int w = m.getUnsignedShort(6);
        int h = m.getUnsignedShort(8);
        if (m.getUnsignedByte(1) == 0) dirty.mark(x, y, w, h);
        request.set(new Rect(x, y, w, h));
      }
      case ViewerMessages.ENABLE_CONTINUOUS_UPDATES -> continuousUpdates(m);
      case ViewerMessages.KEY_EVENT, ViewerMessages.POINTER_EVENT, ViewerMessages.SET_DESKTOP_SIZE -> session.forward(m);
      case ViewerMessages.CLIENT_CUT_TEXT -> {
        // the extended clipboard (a negative length) is not offered upstream: the target would misread it
        if (m.getInt(4) >= 0) session.forward(m);
      }
      case ViewerMessages.QEMU -> {
        if (m.getUnsignedByte(1) == 0) session.forward(m); // extended key event; audio is not offered
      }
      // fences and the rest: not offered to fan-out viewers
      default -> log.debug("connection={} fan-out: message type {} not offered, ignored", viewer.id(), m.getUnsignedByte(0));
    }
  }

  private void setEncodings(Buffer m) {
    int count = m.getUnsignedShort(2);
    int[] encodings = new int[count];
    for (int i = 0; i < count; i++) encodings[i] = m.getInt(4 + 4 * i);
    boolean resizable = acceptsResize();
    boolean cursor = encoder.accepts(Encodings.CURSOR);
    boolean qemu = encoder.accepts(Encodings.QEMU_EXTENDED_KEY_EVENT);
    encoder.encodings(encodings);
    if (!encoder.accepts(Encodings.COPY_RECT)) copiesToDirty();
    // a pseudo-encoding newly accepted gets its state at once (noVNC learns it may resize the
    // desktop from the first ExtendedDesktopSize)
    if (!resizable && acceptsResize()) resized(session.framebuffer().width(), session.framebuffer().height());
    if (!cursor && encoder.accepts(Encodings.CURSOR) && session.cursor() != null) cursorPending = true;
    if (!qemu && encoder.accepts(Encodings.QEMU_EXTENDED_KEY_EVENT) && session.qemuExtendedKeys()) qemuPending = true;
    // the first listing of ContinuousUpdates is answered with EndOfContinuousUpdates: the session serves them
    if (!continuousOffered && encoder.accepts(Encodings.CONTINUOUS_UPDATES)) {
      continuousOffered = true;
      endOfContinuousPending = true;
    }
  }

  /**
   * EnableContinuousUpdates: on, for a region (a new one replaces the last), the member is served
   * without requests, and its socket's queues are kept short ({@link FanOutSession.Viewer#writesUnasked}),
   * so a slow viewer's updates wait in the session (merged into the next) rather than pile up in
   * buffers; off, an EndOfContinuousUpdates says so and requests rule again. A viewer that did not
   * list them is ended, as TigerVNC's server does.
   */
  private void continuousUpdates(Buffer m) {
    if (!continuousOffered) {
      viewer.end(Outcome.VIEWER_PROTOCOL, "the viewer turned on continuous updates without listing them"
          + " (pseudo-encoding -313) in its SetEncodings");
      return;
    }
    if (m.getUnsignedByte(1) != 0) {
      if (continuous == null) viewer.writesUnasked();
      continuous = new Rect(m.getUnsignedShort(2), m.getUnsignedShort(4), m.getUnsignedShort(6), m.getUnsignedShort(8));
    } else {
      continuous = null;
      endOfContinuousPending = true;
    }
  }

  private boolean acceptsResize() {
    return encoder.accepts(Encodings.DESKTOP_SIZE) || encoder.accepts(Encodings.EXTENDED_DESKTOP_SIZE);
  }

  /** The desktop changed size: all of it is dirty; a viewer that can follow is told. */
  void resized(int width, int height) {
    dirty.resize(width, height);
    copies.clear(); // all of it is dirty: the copies would be painted over
    if (acceptsResize()) {
      resizePending = true;
    }
  }

  /**
   * The target copied {@code w x h} pixels from {@code srcX, srcY} to {@code x, y} (the framebuffer
   * already has it): queued when the viewer listed CopyRect, its picture of the source is current
   * (with the copies before it applied, no dirty tile touches the source), both ends lie in the
   * desktop it knows and the queue has room; else the destination is dirty.
   */
  void copied(int srcX, int srcY, int x, int y, int w, int h) {
    if (w <= 0 || h <= 0) return;
    if (encoder.accepts(Encodings.COPY_RECT) && copies.size() < MAX_COPIES
        && srcX + w <= knownWidth && srcY + h <= knownHeight && x + w <= knownWidth && y + h <= knownHeight
        && !dirty.any(new Rect(srcX, srcY, w, h))) {
      copies.add(new ViewerEncoder.Copy(srcX, srcY, x, y, w, h));
    } else {
      dirty.mark(x, y, w, h);
    }
  }

  /** The queued copies are not sent: their destinations are dirty instead (the picture differs from the framebuffer only there). */
  private void copiesToDirty() {
    for (ViewerEncoder.Copy c : copies) dirty.mark(c.x(), c.y(), c.w(), c.h());
    copies.clear();
  }

  void cursorChanged() {
    if (encoder.accepts(Encodings.CURSOR)) cursorPending = true;
  }

  void qemuExtendedKeys() {
    if (encoder.accepts(Encodings.QEMU_EXTENDED_KEY_EVENT)) qemuPending = true;
  }

  void bell() {
    bellPending = true;
  }

  /** The target's clipboard: the latest only, if the viewer has not taken the previous one yet. */
  void cutText(Buffer latin1) {
    cutText = latin1;
  }

  /**
   * Sends what is due, if the viewer can take it: bell and clipboard at once, an update when it
   * asked for one and something in its region changed (or a resize, cursor or acknowledgement is
   * due).
   */
  void serve() {
    if (left || removed || !joined) return;
    due = hasWork(); // before the request is read: see takeRequest
    if (busy()) return;
    Buffer out = null;
    if (bellPending) {
      out = ViewerEncoder.bell();
      bellPending = false;
    }
    if (cutText != null) {
      out = then(out, ViewerEncoder.serverCutText(cutText));
      viewer.cutTextSent(cutText);
      cutText = null;
    }
    if (endOfContinuousPending) {
      out = then(out, ViewerEncoder.endOfContinuousUpdates());
      endOfContinuousPending = false;
    }
    Rect asked = request.get();
    boolean standing = asked == null && continuous != null; // continuous updates: as if a request stood for their region
    if (standing) asked = continuous;
    if (asked != null) {
      Framebuffer fb = session.framebuffer();
      ViewerEncoder.Extras extras = extras(fb);
      List<Rect> rects = dirty.take(asked, knownWidth, knownHeight);
      if (!rects.isEmpty() || !copies.isEmpty() || extras != ViewerEncoder.Extras.NONE) {
        // the copies first, in order, on the picture the viewer has; then the pixels, current
        Buffer update = encoder.update(fb, copies, rects, extras);
        out = then(out, update); // last: a shared update is never appended to
        copies.clear();
        if (!standing) request.compareAndSet(asked, null); // a newer one, taken on the viewer's loop meanwhile, stays
      }
    }
    if (out != null) {
      due = hasWork();
      send(out);
    }
  }

  /**
   * {@code next} after {@code out} (null: nothing yet). Appends to {@code out}, so {@code out} is
   * always a buffer of this member's own: the bell, cut text and end of continuous updates are
   * fresh, and the update, which observers may share, only ever comes last.
   */
  private static Buffer then(Buffer out, Buffer next) {
    return out == null ? next : out.appendBuffer(next);
  }

  /** Whether a request would get something now (its region aside). */
  private boolean hasWork() {
    return !dirty.isEmpty() || !copies.isEmpty() || resizePending || cursorPending || qemuPending || bellPending
        || cutText != null || endOfContinuousPending;
  }

  private ViewerEncoder.Extras extras(Framebuffer fb) {
    if (!resizePending && !cursorPending && !qemuPending) return ViewerEncoder.Extras.NONE;
    Rect resize = null;
    if (resizePending) {
      resize = new Rect(0, 0, fb.width(), fb.height());
      knownWidth = fb.width();
      knownHeight = fb.height();
    }
    ViewerEncoder.Extras extras = new ViewerEncoder.Extras(resize, resizePending ? session.screens() : null,
        cursorPending ? session.cursor() : null, qemuPending);
    resizePending = false;
    cursorPending = false;
    qemuPending = false;
    return extras;
  }

  /**
   * Whether an update is on its way; if so, and there is something to send once it is through,
   * the member asks to be handed back then. On the session's loop.
   */
  private boolean busy() {
    boolean waiting = request.get() != null || continuous != null && due || bellPending || cutText != null
        || endOfContinuousPending;
    while (true) {
      int s = sending.get();
      if (s == IDLE) return false;
      if (s == BUSY_WANTED || !waiting || sending.compareAndSet(BUSY, BUSY_WANTED)) return true;
    }
  }

  /** Writes on the viewer's loop (with the other writes of this turn of the session's loop); the member is busy until its socket has taken it. */
  private void send(Buffer out) {
    sending.set(BUSY);
    busySinceNanos = System.nanoTime();
    session.handoffs().post(viewer.context(), () -> {
      if (left) return;
      WriteStream<Buffer> socket = viewer.output();
      socket.write(out);
      viewer.wrote(out.length());
      if (socket.writeQueueFull()) {
        socket.drainHandler(d -> {
          socket.drainHandler(null);
          sent();
        });
      } else {
        sent();
      }
    });
  }

  /** On the viewer's loop: its socket took the update; the session serves the member again if something waits. */
  private void sent() {
    if (sending.getAndSet(IDLE) == BUSY_WANTED) session.context().runOnContext(x -> serve());
  }

  /** Nanoseconds the viewer's socket has held its last update without taking it; 0 when not busy. */
  long stalledNanos(long now) {
    return sending.get() != IDLE ? now - busySinceNanos : 0;
  }

  /** The upstream can take input again: the viewer's input resumes. */
  void upstreamDrained() {
    input.drained();
  }
}
