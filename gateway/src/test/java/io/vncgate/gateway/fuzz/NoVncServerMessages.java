package io.vncgate.gateway.fuzz;

import io.vncgate.gateway.fuzz.Parsed.Closed;
import io.vncgate.gateway.fuzz.Parsed.Reader;
import io.vncgate.gateway.fuzz.Parsed.Short;

/**
 * Reads server-to-viewer messages the way noVNC 1.7 does ({@code core/rfb.js} {@code _normalMsg},
 * {@code _framebufferUpdate}, {@code _handleRect} and {@code core/decoders/*.js} at tag v1.7.0), with
 * the pixel format noVNC always asks for (32 bpp, depth 24: 4 bytes a pixel, 3 in Tight): the
 * reference for what a browser makes of the bytes the gateway forwards.
 *
 * <p>Facts taken from that source: a FramebufferUpdate's rectangle count is a count (65535 too), a
 * LastRect ends it early; Raw and zlib rectangles of zero area carry no payload at all (not even
 * zlib's length); Tight's palette filter packs one bit a pixel for palettes of 1 or 2 colours; a
 * ServerCutText with a negative length is an extended clipboard message of which noVNC reads the
 * flags and, for caps (any action with the caps bit), one U32 per format bit, for provide with
 * the text format all of it, for request/peek/notify (and provide without text) nothing more; SetColourMapEntries, QEMU messages, fence responses,
 * CoRRE, ZYWRLE, XCursor, VMware LED/cursor-position rectangles and unknown xvp codes end the
 * connection.
 */
final class NoVncServerMessages {

  private static final int BPP = 4;
  private static final int TIGHT_PIXEL = 3;

  private static final int CAPS = 0x01000000;
  private static final int REQUEST = 0x02000000;
  private static final int PEEK = 0x04000000;
  private static final int NOTIFY = 0x08000000;
  private static final int PROVIDE = 0x10000000;

  private NoVncServerMessages() {}

  static Parsed read(byte[] stream) {
    return Parsed.readAll(stream, " in the message at offset ", p -> r -> message(r, p));
  }

  private static String message(Reader r, Parsed p) throws Short, Closed {
    int type = r.u8();
    switch (type) {
      case 0 -> { return update(r, p); }
      case 1 -> throw new Closed("Unexpected SetColorMapEntries message");
      case 2 -> { return "Bell"; }
      case 3 -> { return cutText(r, p); }
      case 150 -> { return "EndOfContinuousUpdates"; }
      case 248 -> {
        r.skip(3);
        int flags = r.s32();
        int length = r.u8();
        r.skip(Math.min(length, 64)); // waits for `length`, reads at most 64
        if ((flags & 0x80000000) == 0) throw new Closed("Unexpected fence response");
        return "ServerFence";
      }
      case 250 -> {
        r.skip(2);
        int code = r.u8();
        if (code > 1) throw new Closed("Illegal server XVP message");
        return "xvp";
      }
      default -> throw new Closed("Unexpected server message (type " + type + ")");
    }
  }

  private static String update(Reader r, Parsed p) throws Short, Closed {
    r.skip(1);
    int rects = r.u16();
    String first = rects == 0xFFFF ? "FramebufferUpdate(65535)" : "FramebufferUpdate";
    while (rects > 0) {
      int start = r.pos;
      r.skip(4);
      int w = r.u16();
      int h = r.u16();
      int encoding = r.s32();
      String what = rect(r, w, h, encoding);
      p.parts.add(new Parsed.Part(start, r.pos, what));
      if (encoding == -224) rects = 1;
      rects--;
    }
    return first;
  }

  private static String rect(Reader r, int w, int h, int encoding) throws Short, Closed {
    long area = (long) w * h;
    switch (encoding) {
      case -224: return "LastRect";
      case 0x574d5664: {
        int type = r.peek8(0);
        r.skip(2);
        if (type == 0) r.skip(area * BPP * 2);
        else if (type == 1) r.skip(area * 4);
        else throw new Closed("VMware cursor of unknown type (noVNC stalls)");
        return "VMwareCursor";
      }
      case -239: r.skip(area * 4 + (long) ((w + 7) / 8) * h); return "Cursor";
      case -258: return "QEMUExtendedKeyEvent";
      case -307: r.skip(r.u32()); return "DesktopName";
      case -223: return "DesktopSize";
      case -308: {
        int screens = r.peek8(0);
        r.skip(4 + 16L * screens);
        return "ExtendedDesktopSize";
      }
      case -316: return "ExtendedMouseButtons";
      case -261: r.skip(1); return "QEMULedState";
      case 0: r.skip(area * BPP); return area == 0 ? "Raw(empty)" : "Raw";
      case 1: r.skip(4); return "CopyRect";
      case 2: {
        long n = r.u32();
        r.skip(BPP + n * (BPP + 8));
        return "RRE";
      }
      case 5: return hextile(r, w, h);
      case 6: {
        if (area == 0) return "zlib(empty: no length)";
        r.skip(r.u32());
        return "zlib";
      }
      case 16: r.skip(r.u32()); return "ZRLE";
      case 50: {
        long length = r.u32();
        r.skip(4 + length);
        return "H.264";
      }
      case 7: return tight(r, w, h, false);
      case -260: return tight(r, w, h, true);
      default: throw new Closed("Unsupported encoding (encoding: " + encoding + ")");
    }
  }

  private static String hextile(Reader r, int w, int h) throws Short, Closed {
    int across = (w + 15) / 16;
    int tiles = across * ((h + 15) / 16);
    for (int t = 0; t < tiles; t++) {
      int sub = r.u8();
      if (sub > 30) throw new Closed("Illegal hextile subencoding " + sub);
      int tw = Math.min(16, w - (t % across) * 16);
      int th = Math.min(16, h - (t / across) * 16);
      if ((sub & 1) != 0) {
        r.skip((long) tw * th * BPP);
        continue;
      }
      r.skip(((sub & 2) != 0 ? BPP : 0) + ((sub & 4) != 0 ? BPP : 0));
      if ((sub & 8) != 0) {
        int n = r.u8();
        r.skip((long) n * ((sub & 16) != 0 ? BPP + 2 : 2));
      }
    }
    return "Hextile";
  }

  private static String tight(Reader r, int w, int h, boolean png) throws Short, Closed {
    int c = r.u8() >> 4;
    if (c == 8) {
      r.skip(3);
      return "Tight(fill)";
    }
    if (c == 9) {
      compact(r);
      return "Tight(jpeg)";
    }
    if (c == 10) {
      if (!png) throw new Closed("PNG received in standard Tight rect");
      compact(r);
      return "TightPNG(png)";
    }
    if ((c & 8) != 0) throw new Closed("Illegal tight compression " + c);
    if (png) throw new Closed("BasicCompression received in TightPNG rect");
    int filter = (c & 4) != 0 ? r.u8() : 0;
    long size;
    String what;
    switch (filter) {
      case 0, 2 -> {
        size = (long) w * h * TIGHT_PIXEL;
        what = filter == 0 ? "Tight(copy)" : "Tight(gradient)";
      }
      case 1 -> {
        int colours = r.u8() + 1;
        r.skip(3L * colours);
        int bits = colours <= 2 ? 1 : 8;
        size = (long) ((w * bits + 7) / 8) * h;
        what = "Tight(palette of " + (colours == 1 ? "1" : colours == 2 ? "2" : "3+") + ")";
      }
      default -> throw new Closed("Illegal tight filter " + filter);
    }
    if (size == 0) return what;
    if (size < 12) {
      r.skip(size);
    } else {
      compact(r);
    }
    return what;
  }

  private static void compact(Reader r) throws Short {
    int b = r.u8();
    long len = b & 0x7F;
    if ((b & 0x80) != 0) {
      b = r.u8();
      len |= (long) (b & 0x7F) << 7;
      if ((b & 0x80) != 0) {
        b = r.u8();
        len |= (long) b << 14;
      }
    }
    r.skip(len);
  }

  private static String cutText(Reader r, Parsed p) throws Short, Closed {
    r.skip(3);
    int length = r.s32();
    long abs = Math.abs((long) length);
    r.need(abs); // rQwait for the whole declared length first
    if (length >= 0) {
      r.skip(length);
      return "ServerCutText";
    }
    if (abs < 4) throw new Closed("extended clipboard message shorter than its flags (not modelled)");
    int flags = r.s32();
    int actions = flags & 0xFF000000;
    if ((actions & CAPS) != 0) {
      r.skip(4L * Integer.bitCount(flags & 0xFFFF));
      return "ExtendedClipboard(caps)";
    }
    if (actions == REQUEST || actions == PEEK || actions == NOTIFY) {
      return "ExtendedClipboard(" + Integer.toHexString(actions) + ")";
    }
    if (actions == PROVIDE) {
      // returns before reading the zlib data when the text format bit is clear (and when view-only)
      if ((flags & 1) == 0) return "ExtendedClipboard(provide, no text)";
      r.skip(abs - 4);
      return "ExtendedClipboard(provide)";
    }
    throw new Closed("Unexpected action in extended clipboard message: " + actions);
  }
}
