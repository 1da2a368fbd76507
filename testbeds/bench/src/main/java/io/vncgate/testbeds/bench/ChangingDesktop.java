package io.vncgate.testbeds.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Vertx;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * The synthetic server's desktop when it should behave like a busy real one (the fan-out
 * benchmark): one framebuffer shared by all its connections, a block of moving stripes redrawn
 * {@code rateHz} times a second at a new place each time, and a marker square in the top-left
 * corner that changes colour on every key press (the input round trip's visible effect). Each
 * connection is answered as a real server answers: a non-incremental request with the whole
 * screen, an incremental one with what changed since its last update, or, when nothing did, at
 * the next change. All Raw, 32 bpp little-endian, depth 24. Runs on the server's event loop.
 */
final class ChangingDesktop {
  /** Where a key press shows: a 16×16 square at 0,0, never touched by the moving block. */
  static final int MARKER_SIZE = 16;
  /** The moving block stays below this row, clear of the marker. */
  private static final int TOP = 32;
  /** More pending rectangles than this and a connection gets the whole screen instead. */
  private static final int MAX_RECTS = 16;
  /** The marker's two colours (0x00RRGGBB, which is how a viewer reads the little-endian pixel). */
  static final int[] MARKER_COLOURS = {0x00CC2222, 0x002222CC};

  private record Rect(int x, int y, int w, int h) {
  }

  private final int width;
  private final int height;
  private final int blockW;
  private final int blockH;
  private final byte[] fb;
  private final List<Viewer> viewers = new ArrayList<>();
  private volatile long tick;
  private int marker;
  private long timer = -1;

  ChangingDesktop(int width, int height, int blockW, int blockH) {
    if (width < blockW || height < TOP + blockH) {
      throw new IllegalArgumentException("a " + width + "x" + height + " desktop has no room for a "
          + blockW + "x" + blockH + " moving block below row " + TOP);
    }
    this.width = width;
    this.height = height;
    this.blockW = blockW;
    this.blockH = blockH;
    this.fb = new byte[width * height * SyntheticRfbServer.BYTES_PER_PIXEL];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) put(x, y, 0x00203040 + ((x / 64 + y / 64) % 2) * 0x00101010);
    }
    paintMarker();
  }

  /** Starts redrawing the block {@code rateHz} times a second on {@code vertx}'s event loop. */
  void start(Vertx vertx, double rateHz) {
    long periodMs = Math.max(1, Math.round(1000 / rateHz));
    vertx.runOnContext(v -> timer = vertx.setPeriodic(periodMs, id -> tick()));
  }

  void stop(Vertx vertx) {
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  /** Redraws of the moving block so far (read from any thread). */
  long redraws() {
    return tick;
  }

  /** A new connection past ServerInit. */
  Viewer attach(NetSocket socket) {
    Viewer v = new Viewer(socket);
    viewers.add(v);
    return v;
  }

  /** The connection closed. */
  void detach(Viewer v) {
    viewers.remove(v);
  }

  /** One connection's state: what changed since its last update, and whether it waits for a change. */
  final class Viewer {
    private final NetSocket socket;
    private final List<Rect> dirty = new ArrayList<>();
    private boolean waiting;

    private Viewer(NetSocket socket) {
      this.socket = socket;
    }

    /** A FramebufferUpdateRequest (its rectangle is taken as the whole screen, as every bench viewer asks). */
    void request(boolean incremental) {
      if (!incremental) {
        dirty.clear();
        dirty.add(new Rect(0, 0, width, height));
      }
      if (dirty.isEmpty()) {
        waiting = true;
      } else {
        send();
      }
    }

    /** A KeyEvent: the marker changes colour on a key press (not on its release). */
    void key(boolean down) {
      if (!down) return;
      marker ^= 1;
      paintMarker();
      damage(new Rect(0, 0, MARKER_SIZE, MARKER_SIZE));
    }

    private void damaged(Rect r) {
      if (dirty.size() >= MAX_RECTS) {
        dirty.clear();
        dirty.add(new Rect(0, 0, width, height));
      } else if (!(dirty.size() == 1 && dirty.get(0).w() == width && dirty.get(0).h() == height)) {
        dirty.add(r);
      }
      if (waiting) send();
    }

    private void send() {
      waiting = false;
      int size = 4;
      for (Rect r : dirty) size += 12 + r.w() * r.h() * SyntheticRfbServer.BYTES_PER_PIXEL;
      ByteBuf b = Unpooled.buffer(size);
      b.writeByte(0).writeByte(0).writeShort(dirty.size());
      for (Rect r : dirty) {
        b.writeShort(r.x()).writeShort(r.y()).writeShort(r.w()).writeShort(r.h()).writeInt(0);
        int row = r.w() * SyntheticRfbServer.BYTES_PER_PIXEL;
        for (int y = r.y(); y < r.y() + r.h(); y++) {
          b.writeBytes(fb, (y * width + r.x()) * SyntheticRfbServer.BYTES_PER_PIXEL, row);
        }
      }
      dirty.clear();
      socket.write(BufferInternal.buffer(b));
    }
  }

  /** One redraw: the block moves to its next place on a grid below the marker and gets new stripes. */
  private void tick() {
    tick++;
    int cols = width / blockW;
    int rows = (height - TOP) / blockH;
    int place = (int) (tick % ((long) cols * rows));
    Rect r = new Rect((place % cols) * blockW, TOP + (place / cols) * blockH, blockW, blockH);
    int colour = (int) ((tick * 0x9E3779B1L) & 0x00FFFFFF);
    int phase = (int) (tick * 4);
    for (int y = r.y(); y < r.y() + r.h(); y++) {
      for (int x = r.x(); x < r.x() + r.w(); x++) {
        put(x, y, ((x + y + phase) / 8) % 2 == 0 ? colour : 0x00202020);
      }
    }
    damage(r);
  }

  private void damage(Rect r) {
    for (Viewer v : List.copyOf(viewers)) v.damaged(r);
  }

  private void paintMarker() {
    for (int y = 0; y < MARKER_SIZE; y++) {
      for (int x = 0; x < MARKER_SIZE; x++) put(x, y, MARKER_COLOURS[marker]);
    }
  }

  private void put(int x, int y, int rgb) {
    int i = (y * width + x) * SyntheticRfbServer.BYTES_PER_PIXEL;
    fb[i] = (byte) rgb;
    fb[i + 1] = (byte) (rgb >> 8);
    fb[i + 2] = (byte) (rgb >> 16);
    fb[i + 3] = 0;
  }

  /** For the report: what the desktop does. */
  String describe(double rateHz) {
    return String.format(java.util.Locale.ROOT, "%dx%d, a %dx%d block of moving stripes redrawn %.0f times a second at a new place"
        + " each time (Raw, %d bytes per redraw per connection); a key press recolours a %dx%d marker at 0,0",
        width, height, blockW, blockH, rateHz, 12 + blockW * blockH * SyntheticRfbServer.BYTES_PER_PIXEL, MARKER_SIZE, MARKER_SIZE);
  }
}
