package io.vncgate.gateway.fanout;

import static io.vncgate.gateway.rfb.Encodings.*;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.ServerMessageType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One viewer's side of a shared desktop: the pixel format and encodings the viewer asked for, and
 * whether its ZRLE zlib stream has begun. Builds whole server→client messages from the session's
 * {@link Framebuffer}: Tight or ZRLE, whichever the viewer listed first (Tight only in a 24-bit
 * format, with JPEG at the viewer's quality level: {@link TightEncoder}), else Raw, the tiles from
 * the session's {@link SharedTiles} (encoded once for every viewer of the same form); CopyRect
 * rectangles its member passes on (docs/fan-out.md, "Copies") and pseudo rectangles only when the
 * viewer asked for them.
 *
 * <p>Until the viewer's SetPixelFormat the format is {@link PixelFormat#GATEWAY} (what ServerInit
 * offers), and until its SetEncodings only Raw is used. Not thread-safe: one viewer, one thread.
 * {@link #update} converts every pixel of its rectangles (a table look-up each) and, for Tight and
 * ZRLE, encodes each 64x64 tile (and Tight's JPEG rows of tiles) not yet encoded for its form; a
 * Tight update the session already built for another viewer in the same state is that viewer's
 * buffer.
 */
public final class ViewerEncoder {

  /** Pseudo-rectangles to put at the head of one update. */
  public record Extras(
      /**
       * the new size (ExtendedDesktopSize with {@code screens} when the viewer asked for it, else
       * DesktopSize); {@code x} and {@code y} are ExtendedDesktopSize's reason and status (0, 0 for
       * a change the target made), ignored for DesktopSize; null: none
       */
      Rect resize, Buffer screens,
      /** the pointer shape; null: none */
      Cursor cursor,
      /** acknowledge QEMU extended key events */
      boolean qemuExtendedKeys) {
    public static final Extras NONE = new Extras(null, null, null, false);
  }

  /** A CopyRect rectangle: {@code w x h} pixels the viewer copies from {@code srcX, srcY} to {@code x, y} of its own picture. */
  public record Copy(int srcX, int srcY, int x, int y, int w, int h) {}

  /** The session's encoded tiles; null: every tile is encoded for this viewer alone. */
  private final SharedTiles tiles;
  /** The viewer's zlib stream has its header (sent with its first ZRLE rectangle). */
  private boolean streamStarted;
  private PixelWriter writer = new PixelWriter(PixelFormat.GATEWAY);
  private int[] encodings = new int[0];
  private byte[] row = new byte[0];

  /** A viewer alone: its tiles are encoded for it. */
  public ViewerEncoder() {
    this(null);
  }

  /** A viewer of a session whose encoded tiles are {@code tiles}. */
  ViewerEncoder(SharedTiles tiles) {
    this.tiles = tiles;
  }

  /** The viewer's SetPixelFormat (already parsed, so true colour, 8/16/32 bpp). */
  public void pixelFormat(PixelFormat format) {
    String wrong = format.whyUnusable();
    if (wrong != null) throw new IllegalArgumentException(wrong);
    writer = new PixelWriter(format);
  }

  /** The pixel format in use. */
  public PixelFormat pixelFormat() {
    return writer.format;
  }

  /** The viewer's SetEncodings, in its order. */
  public void encodings(int[] encodings) {
    this.encodings = encodings.clone();
  }

  /** Whether the viewer listed this (pseudo-)encoding. */
  public boolean accepts(int encoding) {
    for (int e : encodings) {
      if (e == encoding) return true;
    }
    return false;
  }

  /**
   * The encoding rectangles go in: the first of Tight (when the pixel format has 3-byte TPIXELs,
   * {@link TightEncoder#serves}) and ZRLE in the viewer's list, else Raw.
   */
  public int encoding() {
    for (int e : encodings) {
      if (e == TIGHT && TightEncoder.serves(writer.format)) return TIGHT;
      if (e == ZRLE) return ZRLE;
    }
    return RAW;
  }

  /**
   * The JPEG quality for Tight: from the last quality level (-32..-23) the viewer listed, as
   * TigerVNC's server maps it; 0 (no JPEG, every tile lossless) when it listed none.
   */
  int jpegQuality() {
    int quality = 0;
    for (int e : encodings) {
      if (e >= QUALITY_LEVEL_0 && e <= QUALITY_LEVEL_0 + 9) quality = TightEncoder.jpegQuality(e - QUALITY_LEVEL_0);
    }
    return quality;
  }

  /**
   * One FramebufferUpdate: the extras first, then {@code rects} (each inside the framebuffer;
   * empty ones are left out) from {@code framebuffer} in the viewer's pixel format and best
   * encoding. Extras the viewer did not ask for are left out. A Tight update of a session's viewer
   * may be the very buffer another viewer in the same state was sent ({@link SharedTiles#update}):
   * it is never to be changed.
   *
   * @throws IllegalArgumentException a rectangle outside the framebuffer, or more than 65535 in all
   */
  public Buffer update(Framebuffer framebuffer, List<Rect> rects, Extras extras) {
    return update(framebuffer, List.of(), rects, extras);
  }

  /**
   * One FramebufferUpdate as {@link #update(Framebuffer, List, Extras)}, with {@code copies} as
   * CopyRect rectangles, in their order, after the extras and before the pixel rectangles (a viewer
   * applies an update's rectangles in order, so the copies move the picture it has and the pixels
   * then carry what changed since). The caller sends copies only to a viewer that listed CopyRect.
   *
   * @throws IllegalArgumentException a copy's source or destination or a rectangle outside the
   *     framebuffer, or more than 65535 rectangles in all
   */
  public Buffer update(Framebuffer framebuffer, List<Copy> copies, List<Rect> rects, Extras extras) {
    int count = 0;
    for (Copy c : copies) {
      if (!framebuffer.contains(c.srcX(), c.srcY(), c.w(), c.h()) || !framebuffer.contains(c.x(), c.y(), c.w(), c.h())) {
        throw new IllegalArgumentException(c + " leaves the " + framebuffer.width() + "x" + framebuffer.height() + " framebuffer");
      }
      if (c.w() > 0 && c.h() > 0) count++;
    }
    int encoding = encoding();
    for (Rect r : rects) {
      if (!framebuffer.contains(r.x(), r.y(), r.w(), r.h())) {
        throw new IllegalArgumentException(r + " is outside the " + framebuffer.width() + "x" + framebuffer.height() + " framebuffer");
      }
      if (r.w() > 0 && r.h() > 0 && encoding != TIGHT) count++;
    }
    int jpegQuality = encoding == TIGHT ? jpegQuality() : 0;
    // Tight has no state in the viewer (each tile resets its zlib stream): an update is the same
    // for every viewer in this form with these copies and rectangles
    SharedTiles.Form form = new SharedTiles.Form(writer.format, TIGHT, jpegQuality);
    boolean shareable = tiles != null && encoding == TIGHT && extras == Extras.NONE;
    if (shareable) {
      Buffer built = tiles.update(form, copies, rects);
      if (built != null) return built;
    }
    // Tight's rectangles (a tile each, or a JPEG row of them) first: their count is the update's,
    // and the update is built in a buffer of its size (no growing copies)
    List<TightRect> payloads = encoding == TIGHT ? tight(framebuffer, rects, form) : List.of();
    count += payloads.size();
    Rect resize = extras.resize();
    boolean extended = resize != null && accepts(EXTENDED_DESKTOP_SIZE);
    boolean plain = resize != null && !extended && accepts(DESKTOP_SIZE);
    boolean cursor = extras.cursor() != null && accepts(CURSOR);
    boolean keys = extras.qemuExtendedKeys() && accepts(QEMU_EXTENDED_KEY_EVENT);
    count += (extended || plain ? 1 : 0) + (cursor ? 1 : 0) + (keys ? 1 : 0);
    if (count > 0xFFFF) throw new IllegalArgumentException(count + " rectangles do not fit one FramebufferUpdate");

    int size = 4 + 16 * copies.size() + (extended ? 12 + (extras.screens() != null ? extras.screens().length() : 20) : 0)
        + (plain || keys ? 24 : 0);
    if (cursor) size += 12 + extras.cursor().width() * extras.cursor().height() * writer.bytesPerPixel
        + (extras.cursor().width() + 7) / 8 * extras.cursor().height();
    for (TightRect t : payloads) size += 12 + t.payload.length;
    for (Rect r : rects) {
      if (encoding == RAW) size += 12 + r.w() * r.h() * writer.bytesPerPixel;
      if (encoding == ZRLE) size += 16 + r.w() * r.h() / 8; // a guess: compressed
    }
    Buffer out = Buffer.buffer(size).appendByte((byte) 0).appendByte((byte) 0).appendUnsignedShort(count);
    if (extended) {
      header(out, resize.x(), resize.y(), resize.w(), resize.h(), EXTENDED_DESKTOP_SIZE);
      if (extras.screens() != null) {
        out.appendBuffer(extras.screens());
      } else {
        // one screen covering the desktop: id 0, at 0,0, flags 0
        out.appendByte((byte) 1).appendBytes(new byte[3]).appendInt(0).appendUnsignedShort(0).appendUnsignedShort(0)
            .appendUnsignedShort(resize.w()).appendUnsignedShort(resize.h()).appendInt(0);
      }
    } else if (plain) {
      header(out, 0, 0, resize.w(), resize.h(), DESKTOP_SIZE);
    }
    if (cursor) cursor(out, extras.cursor());
    if (keys) header(out, 0, 0, 0, 0, QEMU_EXTENDED_KEY_EVENT);
    for (Copy c : copies) {
      if (c.w() == 0 || c.h() == 0) continue;
      header(out, c.x(), c.y(), c.w(), c.h(), COPY_RECT);
      out.appendUnsignedShort(c.srcX()).appendUnsignedShort(c.srcY());
    }
    for (TightRect t : payloads) {
      header(out, t.x, t.y, t.w, t.h, TIGHT);
      out.appendBytes(t.payload);
    }
    for (Rect r : rects) {
      if (r.w() == 0 || r.h() == 0 || encoding == TIGHT) continue;
      header(out, r.x(), r.y(), r.w(), r.h(), encoding);
      if (encoding == ZRLE) {
        ZrleEncoder.onThisThread().encode(out, framebuffer, r.x(), r.y(), r.w(), r.h(), writer, tiles, !streamStarted);
        streamStarted = true;
      } else {
        raw(out, framebuffer, r);
      }
    }
    if (shareable) tiles.keepUpdate(form, copies, rects, out);
    return out;
  }

  /** ServerCutText with {@code latin1}. */
  public static Buffer serverCutText(Buffer latin1) {
    return Buffer.buffer(8 + latin1.length()).appendByte((byte) 3).appendBytes(new byte[3]).appendInt(latin1.length())
        .appendBuffer(latin1);
  }

  /** Bell. */
  public static Buffer bell() {
    return Buffer.buffer(new byte[] {2});
  }

  /** EndOfContinuousUpdates: continuous updates are offered, or have ended. */
  public static Buffer endOfContinuousUpdates() {
    return Buffer.buffer(new byte[] {(byte) ServerMessageType.END_OF_CONTINUOUS_UPDATES});
  }

  /** A Tight rectangle: where, and what follows its header. */
  private record TightRect(int x, int y, int w, int h, byte[] payload) {}

  /**
   * {@code rects} as Tight rectangles, from the session's shared tiles when it has them: a tile
   * each, but tiles of many colours side by side in a row are one JPEG rectangle (up to {@link
   * TightEncoder#MAX_JPEG_TILES}).
   */
  private List<TightRect> tight(Framebuffer fb, List<Rect> rects, SharedTiles.Form form) {
    TightEncoder tight = TightEncoder.onThisThread();
    int jpegQuality = form.jpegQuality();
    SharedTiles.Coder coder = (f, x, y, w, h) -> tight.tile(f, x, y, w, h, jpegQuality);
    SharedTiles.Coder jpeg = (f, x, y, w, h) -> tight.jpegRect(f, x, y, w, h, jpegQuality);
    List<TightRect> out = new ArrayList<>();
    for (Rect r : rects) {
      for (int ty = 0; ty < r.h(); ty += TightEncoder.TILE) {
        int y = r.y() + ty;
        int th = Math.min(TightEncoder.TILE, r.h() - ty);
        int runX = -1; // where the row's current run of JPEG tiles starts
        for (int tx = 0; tx < r.w(); tx += TightEncoder.TILE) {
          int x = r.x() + tx;
          int tw = Math.min(TightEncoder.TILE, r.w() - tx);
          byte[] payload = tiles == null ? coder.encode(fb, x, y, tw, th) : tiles.tile(fb, x, y, tw, th, form, coder);
          if (payload != TightEncoder.MANY_COLOURS) {
            if (runX >= 0) out.add(jpegRun(fb, runX, y, x - runX, th, form, jpeg));
            runX = -1;
            out.add(new TightRect(x, y, tw, th, payload));
            continue;
          }
          if (runX < 0) runX = x;
          if (x + tw - runX == TightEncoder.MAX_JPEG_TILES * TightEncoder.TILE) {
            out.add(jpegRun(fb, runX, y, x + tw - runX, th, form, jpeg));
            runX = -1;
          }
        }
        if (runX >= 0) out.add(jpegRun(fb, runX, y, r.x() + r.w() - runX, th, form, jpeg));
      }
    }
    return out;
  }

  private TightRect jpegRun(Framebuffer fb, int x, int y, int w, int h, SharedTiles.Form form, SharedTiles.Coder jpeg) {
    return new TightRect(x, y, w, h, tiles == null ? jpeg.encode(fb, x, y, w, h) : tiles.run(fb, x, y, w, h, form, jpeg));
  }

  private static void header(Buffer out, int x, int y, int w, int h, int encoding) {
    out.appendUnsignedShort(x).appendUnsignedShort(y).appendUnsignedShort(w).appendUnsignedShort(h).appendInt(encoding);
  }

  private void raw(Buffer out, Framebuffer fb, Rect r) {
    int rowLength = r.w() * writer.bytesPerPixel;
    if (row.length < rowLength) row = new byte[rowLength];
    int[] pixels = fb.pixels();
    for (int y = r.y(); y < r.y() + r.h(); y++) {
      int at = 0;
      int from = y * fb.width() + r.x();
      for (int i = 0; i < r.w(); i++) at = writer.pixel(row, at, pixels[from + i]);
      out.appendBytes(row, 0, rowLength);
    }
  }

  /** The Cursor pseudo-rectangle: pixels in the viewer's format, then the bitmask (1: opaque, most significant bit first). */
  private void cursor(Buffer out, Cursor c) {
    header(out, c.hotX(), c.hotY(), c.width(), c.height(), CURSOR);
    int rowBytes = (c.width() + 7) / 8;
    int length = Math.max(c.width() * writer.bytesPerPixel, rowBytes);
    if (row.length < length) row = new byte[length];
    for (int y = 0; y < c.height(); y++) {
      int at = 0;
      for (int x = 0; x < c.width(); x++) at = writer.pixel(row, at, c.argb()[y * c.width() + x]);
      out.appendBytes(row, 0, at);
    }
    for (int y = 0; y < c.height(); y++) {
      Arrays.fill(row, 0, rowBytes, (byte) 0);
      for (int x = 0; x < c.width(); x++) {
        if (c.argb()[y * c.width() + x] >>> 24 != 0) row[x >> 3] |= (byte) (0x80 >> (x & 7));
      }
      out.appendBytes(row, 0, rowBytes);
    }
  }
}
