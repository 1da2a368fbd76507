package io.vncgate.gateway.fanout;

import static io.vncgate.gateway.rfb.Encodings.*;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.RfbException;
import io.vncgate.gateway.rfb.RfbFailure.Cause;
import io.vncgate.gateway.rfb.ServerMessageType;

/**
 * Reads what a fan-out session's target sends after ServerInit and applies it to the session's
 * {@link Framebuffer}. The gateway is the target's only RFB client: it sends {@link
 * #setPixelFormat()} and {@link #setEncodings()} right after ServerInit, before its first {@link
 * #updateRequest}, so the decoder reads exactly those (Raw, CopyRect, Hextile, ZRLE; DesktopSize,
 * ExtendedDesktopSize, LastRect, Cursor, QEMU extended key events; Bell, ServerCutText,
 * SetColourMapEntries) and refuses anything else in words. Bytes may arrive split anywhere; what
 * is held between feeds is at most one header, one Hextile tile, one cursor, one cut text (capped)
 * or one ZRLE rectangle's inflated data (bounded by its size); Raw pixels and ZRLE's compressed
 * bytes are used as they come. The zlib stream of ZRLE lives as long as the decoder.
 *
 * <p>Every rectangle is checked against the framebuffer before it is painted; a target that breaks
 * the protocol gets an {@link RfbException} (PROTOCOL_ERROR) in words, and every later feed throws
 * the same. Not thread-safe: feed from one thread (the session's event loop).
 */
public final class UpstreamDecoder {

  /** The largest desktop accepted (a little more than 7680x4320): a bigger one is refused, not allocated. */
  static final int MAX_PIXELS = 1 << 25;
  /** The largest cursor side accepted. */
  static final int MAX_CURSOR_SIDE = 1024;
  private static final int BPP = 4;

  /** What the decoder found, called on the caller's thread from within {@link #feed}. */
  public interface Events {
    /** Pixels in this rectangle of the framebuffer changed (called when the rectangle is decoded). */
    void damaged(int x, int y, int w, int h);

    /**
     * A CopyRect came: the framebuffer already has {@code w x h} pixels from {@code srcX, srcY}
     * copied to {@code x, y}. By default, the destination is damaged.
     */
    default void copied(int srcX, int srcY, int x, int y, int w, int h) {
      damaged(x, y, w, h);
    }

    /** A FramebufferUpdate ended: time to ask the target for the next one. */
    void updateDone();

    /**
     * A DesktopSize or ExtendedDesktopSize rectangle came; the framebuffer is already resized (to
     * the same size when it did not change: an ExtendedDesktopSize also comes as the answer to
     * SetEncodings and to SetDesktopSize, and its screens may change alone). {@code screens} is
     * the ExtendedDesktopSize screen list as it came ({@code number-of-screens} U8, 3 padding, then
     * 16 bytes per screen; a copy), or null after a plain DesktopSize.
     */
    void resized(int width, int height, Buffer screens);

    /** The pointer's shape changed. */
    void cursor(Cursor cursor);

    void bell();

    /** ServerCutText: the text as it came (Latin-1). */
    void serverCutText(Buffer latin1);

    /** The target acknowledged QEMU extended key events (its pseudo-rectangle came). */
    void qemuExtendedKeys();
  }

  private enum Step {
    TYPE, UPDATE, RECT, RAW, COPY_RECT, HEXTILE_TILE, HEXTILE_RAW, HEXTILE_COLOURS, HEXTILE_SUBRECTS, ZRLE_LENGTH, ZRLE_DATA,
    SCREENS_COUNT, SCREENS, CURSOR, COLOUR_MAP, SKIP, CUT_TEXT_LENGTH, CUT_TEXT
  }

  private final Framebuffer framebuffer;
  private final Events events;
  private final int maxCutText;
  private final ZrleDecoder zrle = new ZrleDecoder();

  // bytes fed and not yet used: in[start, end)
  private byte[] in = new byte[16 * 1024];
  private int start;
  private int end;
  private Step step = Step.TYPE;
  private int need = 1;
  private RfbException failure;
  /** Rectangles decoded per data encoding: Raw, CopyRect, Hextile, ZRLE. */
  private final long[] decoded = new long[4];

  // the update and rectangle being read
  private int rectsLeft;
  private int rx;
  private int ry;
  private int rw;
  private int rh;
  private long done;       // Raw: pixels painted; SKIP/ZRLE_DATA: bytes left
  private int tilesAcross;
  private int tileIndex;
  private int tileW;
  private int tileH;
  private int subencoding;
  private int background;
  private int foreground;

  /**
   * @param maxCutText the largest ServerCutText accepted; a longer one is an {@link RfbException}
   */
  public UpstreamDecoder(Framebuffer framebuffer, Events events, int maxCutText) {
    this.framebuffer = java.util.Objects.requireNonNull(framebuffer, "framebuffer");
    this.events = java.util.Objects.requireNonNull(events, "events");
    this.maxCutText = maxCutText;
  }

  /**
   * Consumes {@code data}; events fire for every whole unit it completes.
   *
   * @throws RfbException PROTOCOL_ERROR when the target breaks the protocol; every later feed throws the same
   */
  public void feed(Buffer data) throws RfbException {
    if (failure != null) throw failure;
    append(data);
    try {
      while (end - start >= need) step();
    } catch (RfbException e) {
      failure = e;
      throw e;
    }
    if (start == end) {
      start = 0;
      end = 0;
    }
  }

  /** How many rectangles of this data encoding (Raw, CopyRect, Hextile or ZRLE) have been decoded. */
  long decoded(int encoding) {
    return decoded[slot(encoding)];
  }

  private static int slot(int encoding) {
    return switch (encoding) {
      case RAW -> 0;
      case COPY_RECT -> 1;
      case HEXTILE -> 2;
      case ZRLE -> 3;
      default -> throw new IllegalArgumentException("not a data encoding the decoder reads: " + encoding);
    };
  }

  /** Frees the zlib stream's native memory; the decoder is not fed after. */
  public void close() {
    zrle.close();
  }

  /** SetPixelFormat({@link PixelFormat#GATEWAY}), to send the target right after ServerInit. */
  public static Buffer setPixelFormat() {
    return Buffer.buffer(20).appendByte((byte) 0).appendBytes(new byte[3]).appendBytes(PixelFormat.GATEWAY.bytes());
  }

  /** The encodings {@link #setEncodings()} lists, best first. */
  static final int[] ENCODINGS = {ZRLE, HEXTILE, COPY_RECT, RAW, EXTENDED_DESKTOP_SIZE, DESKTOP_SIZE, LAST_RECT, CURSOR,
      QEMU_EXTENDED_KEY_EVENT};

  /** SetEncodings with what this decoder reads, best first. */
  public static Buffer setEncodings() {
    Buffer b = Buffer.buffer(4 + 4 * ENCODINGS.length).appendByte((byte) 2).appendByte((byte) 0)
        .appendUnsignedShort(ENCODINGS.length);
    for (int e : ENCODINGS) b.appendInt(e);
    return b;
  }

  /** FramebufferUpdateRequest. */
  public static Buffer updateRequest(boolean incremental, int x, int y, int w, int h) {
    return Buffer.buffer(10).appendByte((byte) 3).appendByte((byte) (incremental ? 1 : 0))
        .appendUnsignedShort(x).appendUnsignedShort(y).appendUnsignedShort(w).appendUnsignedShort(h);
  }

  private void append(Buffer data) {
    int n = data.length();
    if (end + n > in.length) {
      int kept = end - start;
      byte[] target = kept + n > in.length ? new byte[Math.max(kept + n, 2 * in.length)] : in;
      System.arraycopy(in, start, target, 0, kept);
      in = target;
      start = 0;
      end = kept;
    }
    data.getBytes(0, n, in, end);
    end += n;
  }

  private void expect(int bytes, Step next) {
    need = bytes;
    step = next;
  }

  private void step() throws RfbException {
    switch (step) {
      case TYPE -> type();
      case UPDATE -> {
        rectsLeft = u16(1);
        start += 3;
        nextRect();
      }
      case RECT -> rect();
      case RAW -> raw();
      case COPY_RECT -> {
        int sx = u16(0);
        int sy = u16(2);
        start += 4;
        if (!framebuffer.contains(sx, sy, rw, rh)) {
          throw malformed("sent a CopyRect from " + sx + "," + sy + " of " + rw + "x" + rh + " pixels, outside its "
              + framebuffer.width() + "x" + framebuffer.height() + " desktop");
        }
        framebuffer.copy(sx, sy, rx, ry, rw, rh);
        events.copied(sx, sy, rx, ry, rw, rh);
        nextRect();
      }
      case HEXTILE_TILE -> hextileTile();
      case HEXTILE_RAW -> {
        int[] pixels = framebuffer.pixels();
        int stride = framebuffer.width();
        int origin = (ry + tileIndex / tilesAcross * 16) * stride + rx + tileIndex % tilesAcross * 16;
        for (int row = 0; row < tileH; row++) {
          for (int col = 0; col < tileW; col++) pixels[origin + row * stride + col] = pixel(start + (row * tileW + col) * BPP);
        }
        start += need;
        nextTile();
      }
      case HEXTILE_COLOURS -> hextileColours();
      case HEXTILE_SUBRECTS -> hextileSubrects();
      case ZRLE_LENGTH -> {
        long length = u32(0);
        start += 4;
        if (length > ZrleDecoder.maxCompressed(rw, rh)) {
          throw malformed("sent a ZRLE rectangle of " + rw + "x" + rh + " pixels with " + length
              + " bytes of zlib data, more than such a rectangle can need");
        }
        zrle.begin(rw, rh);
        done = length;
        zrleData();
      }
      case ZRLE_DATA -> zrleData();
      case SCREENS_COUNT -> expect(4 + 16 * u8(0), Step.SCREENS);
      case SCREENS -> {
        Buffer screens = Buffer.buffer(need).appendBytes(in, start, need);
        start += need;
        resize(screens);
      }
      case CURSOR -> cursor();
      case COLOUR_MAP -> {
        done = 6L * u16(3);
        start += 5;
        skip();
      }
      case SKIP -> skip();
      case CUT_TEXT_LENGTH -> {
        int length = s32(3);
        start += 7;
        if (length < 0) {
          throw malformed("sent an extended clipboard message, which the gateway did not ask for");
        }
        if (length > maxCutText) {
          throw malformed("sent a clipboard text of " + length + " bytes, more than the limit of " + maxCutText);
        }
        expect(length, Step.CUT_TEXT);
      }
      case CUT_TEXT -> {
        Buffer text = Buffer.buffer(need).appendBytes(in, start, need);
        start += need;
        expect(1, Step.TYPE);
        events.serverCutText(text);
      }
    }
  }

  private void type() throws RfbException {
    int type = u8(0);
    switch (type) {
      case ServerMessageType.FRAMEBUFFER_UPDATE -> {
        start++;
        expect(3, Step.UPDATE);
      }
      case ServerMessageType.SET_COLOUR_MAP_ENTRIES -> {
        start++;
        expect(5, Step.COLOUR_MAP);
      }
      case ServerMessageType.BELL -> {
        start++;
        events.bell();
      }
      case ServerMessageType.SERVER_CUT_TEXT -> {
        start++;
        expect(7, Step.CUT_TEXT_LENGTH);
      }
      default -> throw malformed("sent RFB message type " + type + ", which the gateway did not ask for and cannot read");
    }
  }

  private void nextRect() {
    if (rectsLeft == 0) {
      expect(1, Step.TYPE);
      events.updateDone();
      return;
    }
    rectsLeft--;
    expect(12, Step.RECT);
  }

  private void rectDone() {
    events.damaged(rx, ry, rw, rh);
    nextRect();
  }

  private void rect() throws RfbException {
    rx = u16(0);
    ry = u16(2);
    rw = u16(4);
    rh = u16(6);
    int encoding = s32(8);
    start += 12;
    if (encoding == RAW || encoding == COPY_RECT || encoding == HEXTILE || encoding == ZRLE) decoded[slot(encoding)]++;
    switch (encoding) {
      case RAW -> {
        inside("Raw");
        done = 0;
        if ((long) rw * rh == 0) rectDone();
        else expect(BPP, Step.RAW);
      }
      case COPY_RECT -> {
        inside("CopyRect");
        expect(4, Step.COPY_RECT);
      }
      case HEXTILE -> {
        inside("Hextile");
        tilesAcross = (rw + 15) / 16;
        tileIndex = 0;
        if ((long) rw * rh == 0) rectDone();
        else startTile();
      }
      case ZRLE -> {
        inside("ZRLE");
        expect(4, Step.ZRLE_LENGTH);
      }
      case DESKTOP_SIZE -> resize(null);
      case EXTENDED_DESKTOP_SIZE -> expect(4, Step.SCREENS_COUNT);
      case LAST_RECT -> {
        rectsLeft = 0;
        nextRect();
      }
      case CURSOR -> {
        if (rw > MAX_CURSOR_SIDE || rh > MAX_CURSOR_SIDE) {
          throw malformed("sent a cursor of " + rw + "x" + rh + " pixels, more than the limit of " + MAX_CURSOR_SIDE
              + " on a side");
        }
        expect(rw * rh * BPP + (rw + 7) / 8 * rh, Step.CURSOR);
      }
      case QEMU_EXTENDED_KEY_EVENT -> {
        events.qemuExtendedKeys();
        nextRect();
      }
      default -> throw malformed("sent a rectangle in encoding " + encoding
          + ", which the gateway did not ask for and cannot read");
    }
  }

  private void inside(String encoding) throws RfbException {
    if (!framebuffer.contains(rx, ry, rw, rh)) {
      throw malformed("sent a " + encoding + " rectangle of " + rw + "x" + rh + " pixels at " + rx + "," + ry
          + ", outside its " + framebuffer.width() + "x" + framebuffer.height() + " desktop");
    }
  }

  private void raw() {
    int[] pixels = framebuffer.pixels();
    int stride = framebuffer.width();
    long total = (long) rw * rh;
    int count = (int) Math.min((end - start) / BPP, total - done);
    int row = (int) (done / rw);
    int col = (int) (done % rw);
    int at = (ry + row) * stride + rx + col;
    for (int i = 0; i < count; i++) {
      pixels[at++] = pixel(start);
      start += BPP;
      if (++col == rw) {
        col = 0;
        at += stride - rw;
      }
    }
    done += count;
    if (done == total) rectDone();
  }

  private void startTile() {
    tileW = Math.min(16, rw - tileIndex % tilesAcross * 16);
    tileH = Math.min(16, rh - tileIndex / tilesAcross * 16);
    expect(1, Step.HEXTILE_TILE);
  }

  private void nextTile() {
    tileIndex++;
    if (tileIndex == tilesAcross * ((rh + 15) / 16)) rectDone();
    else startTile();
  }

  private int tileOrigin() {
    return (ry + tileIndex / tilesAcross * 16) * framebuffer.width() + rx + tileIndex % tilesAcross * 16;
  }

  private void hextileTile() {
    subencoding = u8(0);
    start++;
    if ((subencoding & 1) != 0) {
      expect(tileW * tileH * BPP, Step.HEXTILE_RAW);
      return;
    }
    int header = ((subencoding & 2) != 0 ? BPP : 0) + ((subencoding & 4) != 0 ? BPP : 0) + ((subencoding & 8) != 0 ? 1 : 0);
    expect(header, Step.HEXTILE_COLOURS);
  }

  private void hextileColours() {
    int at = start;
    if ((subencoding & 2) != 0) {
      background = pixel(at);
      at += BPP;
    }
    if ((subencoding & 4) != 0) {
      foreground = pixel(at);
      at += BPP;
    }
    int subrects = (subencoding & 8) != 0 ? in[at++] & 0xFF : 0;
    start = at;
    ZrleDecoder.fill(framebuffer.pixels(), tileOrigin(), framebuffer.width(), tileW, tileH, background);
    if (subrects == 0) nextTile();
    else expect(subrects * ((subencoding & 16) != 0 ? BPP + 2 : 2), Step.HEXTILE_SUBRECTS);
  }

  private void hextileSubrects() throws RfbException {
    boolean coloured = (subencoding & 16) != 0;
    int stop = start + need;
    int origin = tileOrigin();
    int stride = framebuffer.width();
    for (int at = start; at < stop; ) {
      int colour = foreground;
      if (coloured) {
        colour = pixel(at);
        at += BPP;
      }
      int xy = in[at++] & 0xFF;
      int wh = in[at++] & 0xFF;
      int sx = xy >> 4;
      int sy = xy & 15;
      int sw = (wh >> 4) + 1;
      int sh = (wh & 15) + 1;
      if (sx + sw > tileW || sy + sh > tileH) {
        throw malformed("sent a Hextile subrectangle " + sw + "x" + sh + " at " + sx + "," + sy + " outside its "
            + tileW + "x" + tileH + " tile");
      }
      ZrleDecoder.fill(framebuffer.pixels(), origin + sy * stride + sx, stride, sw, sh, colour);
    }
    start = stop;
    nextTile();
  }

  private void zrleData() throws RfbException {
    int n = (int) Math.min(end - start, done);
    if (n > 0) zrle.input(in, start, n);
    start += n;
    done -= n;
    if (done > 0) {
      expect(1, Step.ZRLE_DATA);
      return;
    }
    zrle.paint(framebuffer, rx, ry, rw, rh);
    rectDone();
  }

  private void resize(Buffer screens) throws RfbException {
    if ((long) rw * rh > MAX_PIXELS) {
      throw malformed("resized its desktop to " + rw + "x" + rh + ", more pixels than the gateway's limit of " + MAX_PIXELS);
    }
    if (rw != framebuffer.width() || rh != framebuffer.height()) framebuffer.resize(rw, rh);
    events.resized(rw, rh, screens);
    nextRect();
  }

  private void cursor() {
    int[] argb = new int[rw * rh];
    int maskAt = start + argb.length * BPP;
    int rowBytes = (rw + 7) / 8;
    for (int row = 0; row < rh; row++) {
      for (int col = 0; col < rw; col++) {
        int i = row * rw + col;
        boolean opaque = (in[maskAt + row * rowBytes + col / 8] & (0x80 >> (col & 7))) != 0;
        argb[i] = opaque ? 0xFF000000 | pixel(start + i * BPP) : 0;
      }
    }
    start += need;
    Cursor cursor = new Cursor(rx, ry, rw, rh, argb);
    nextRect();
    events.cursor(cursor);
  }

  private void skip() {
    int n = (int) Math.min(end - start, done);
    start += n;
    done -= n;
    if (done > 0) expect(1, Step.SKIP);
    else expect(1, Step.TYPE);
  }

  /** A {@link PixelFormat#GATEWAY} pixel at {@code at}: 32 bpp little-endian, 0xRRGGBB. */
  private int pixel(int at) {
    return (in[at] & 0xFF) | (in[at + 1] & 0xFF) << 8 | (in[at + 2] & 0xFF) << 16;
  }

  private int u8(int offset) {
    return in[start + offset] & 0xFF;
  }

  private int u16(int offset) {
    return (in[start + offset] & 0xFF) << 8 | in[start + offset + 1] & 0xFF;
  }

  private int s32(int offset) {
    return u16(offset) << 16 | u16(offset + 2);
  }

  private long u32(int offset) {
    return s32(offset) & 0xFFFFFFFFL;
  }

  private static RfbException malformed(String message) {
    return new RfbException(Cause.PROTOCOL_ERROR, message);
  }
}
