package io.vncgate.gateway.fanout;

import static io.vncgate.gateway.rfb.Encodings.*;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.RfbException;
import io.vncgate.gateway.rfb.RfbFailure.Cause;
import io.vncgate.gateway.rfb.ServerMessageType;
import java.util.List;
import java.util.Objects;

/**
 * Reads what a fan-out session's target sends after ServerInit and applies it to the session's
 * {@link Framebuffer}. The gateway is the target's only RFB client: it sends {@link
 * UpstreamMessages#setPixelFormat()} and {@link UpstreamMessages#setEncodings(boolean)} right after
 * ServerInit, before its first {@link UpstreamMessages#updateRequest}, so the decoder reads
 * exactly those (Raw, CopyRect, Hextile, ZRLE; DesktopSize, ExtendedDesktopSize, LastRect,
 * Cursor, QEMU extended key events; Bell, ServerCutText, SetColourMapEntries) and refuses anything
 * else in words. Bytes may arrive split anywhere; what is held between feeds is at most one
 * header, one part of a Hextile tile ({@link HextileDecoder}), one cursor, one cut text (up to the
 * limit) or one ZRLE rectangle's inflated data (bounded by its size, {@link ZrleDecoder}); Raw
 * pixels, ZRLE's compressed bytes and a cut text past the limit (skipped, {@link
 * UpstreamEvents#cutTextDropped}) are used as they come. The zlib stream of ZRLE lives as long as
 * the decoder.
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

  private enum Step {
    TYPE, UPDATE, RECT, RAW, COPY_RECT, HEXTILE, ZRLE_LENGTH, ZRLE_DATA, SCREENS_COUNT, SCREENS, CURSOR, COLOUR_MAP, SKIP,
    CUT_TEXT_LENGTH, CUT_TEXT
  }

  private final Framebuffer framebuffer;
  private final UpstreamEvents events;
  private final int maxCutText;
  private final ZrleDecoder zrle = new ZrleDecoder();
  private final HextileDecoder hextile = new HextileDecoder();

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

  /**
   * @param maxCutText the largest ServerCutText text passed on; a longer one is skipped and reported
   *     ({@link UpstreamEvents#cutTextDropped})
   */
  public UpstreamDecoder(Framebuffer framebuffer, UpstreamEvents events, int maxCutText) {
    this.framebuffer = Objects.requireNonNull(framebuffer, "framebuffer");
    this.events = Objects.requireNonNull(events, "events");
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

  /** The data encodings the decoder reads. */
  public static final List<Integer> ENCODINGS = List.of(RAW, COPY_RECT, HEXTILE, ZRLE);

  /** How many rectangles of this data encoding (one of {@link #ENCODINGS}) have been decoded. */
  long decoded(int encoding) {
    return decoded[slot(encoding)];
  }

  static int slot(int encoding) {
    return switch (encoding) {
      case RAW -> 0;
      case COPY_RECT -> 1;
      case HEXTILE -> 2;
      case ZRLE -> 3;
      default -> throw new IllegalArgumentException("not a data encoding the decoder reads: " + encoding);
    };
  }

  /** Bytes fed and not used yet (waiting for the rest of their unit). */
  int held() {
    return end - start;
  }

  /** Frees the zlib stream's native memory; the decoder is not fed after. */
  public void close() {
    zrle.close();
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
      case HEXTILE -> {
        boolean rectangleDone = hextile.read(in, start);
        start += need;
        if (rectangleDone) rectDone();
        else expect(hextile.need(), Step.HEXTILE);
      }
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
          done = length;
          events.cutTextDropped(length);
          skip();
        } else {
          expect(length, Step.CUT_TEXT);
        }
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
        if (hextile.begin(framebuffer, rx, ry, rw, rh)) expect(hextile.need(), Step.HEXTILE);
        else rectDone();
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
        expect(Cursor.wireBytes(rw, rh), Step.CURSOR);
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
      pixels[at++] = PixelFormat.readGateway(in, start);
      start += BPP;
      if (++col == rw) {
        col = 0;
        at += stride - rw;
      }
    }
    done += count;
    if (done == total) rectDone();
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
    Cursor cursor = Cursor.read(in, start, rx, ry, rw, rh);
    start += need;
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
