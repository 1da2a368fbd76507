package io.vncgate.gateway.fuzz;

import io.vncgate.gateway.fuzz.Parsed.Closed;
import io.vncgate.gateway.fuzz.Parsed.Reader;
import io.vncgate.gateway.fuzz.Parsed.Short;

/**
 * Reads viewer-to-server messages the way TigerVNC 1.12's Xvnc does ({@code common/rfb/SMsgReader.cxx}
 * at tag v1.12.0): the reference for what the target makes of the bytes the gateway forwards.
 *
 * <p>Facts taken from that source: PointerEvent is always 6 bytes (1.12 knows no extended mouse
 * buttons); a ClientCutText whose U32 length has the top bit set is an extended clipboard message
 * whatever was negotiated, of {@code -length} bytes, of which Xvnc reads only the flags (4 bytes)
 * for request/peek/notify, flags plus one U32 per format bit for caps (any action with the caps bit),
 * and all of them for provide; above MaxCutText (256 KiB) it skips the whole message; a Fence over
 * 64 bytes is skipped; unknown types (UltraVNC, xvp, gii) and QEMU subtypes other than 0 end the
 * connection.
 */
final class XvncClientMessages {

  /** Xvnc's MaxCutText default. */
  static final int MAX_CUT_TEXT = 256 * 1024;

  private static final int CAPS = 0x01000000;
  private static final int REQUEST = 0x02000000;
  private static final int PEEK = 0x04000000;
  private static final int NOTIFY = 0x08000000;
  private static final int PROVIDE = 0x10000000;

  private XvncClientMessages() {}

  static Parsed read(byte[] stream) {
    return read(stream, false);
  }

  /**
   * @param extendedMouseButtons read as a server that supports ExtendedMouseButtons (TigerVNC after
   *     1.12, SMsgReader::readPointerEvent): a PointerEvent has a 7th byte when the client's latest
   *     SetEncodings lists -316 and the marker bit (0x80) of its button mask is set; Xvnc 1.12: never
   */
  static Parsed read(byte[] stream, boolean extendedMouseButtons) {
    boolean[] listed = extendedMouseButtons ? new boolean[1] : null;
    return Parsed.readAll(stream, " at offset ", p -> r -> message(r, listed));
  }

  /** @param listed null: 1.12; else whether the latest SetEncodings listed -316 (updated here) */
  private static String message(Reader r, boolean[] listed) throws Short, Closed {
    int type = r.u8();
    switch (type) {
      case 0 -> { r.skip(3 + 16); return "SetPixelFormat"; }
      case 2 -> {
        r.skip(1);
        int n = r.u16();
        r.need(4L * n);
        boolean extended = false;
        for (int i = 0; i < n; i++) extended |= r.s32() == -316;
        if (listed != null) listed[0] = extended;
        return "SetEncodings";
      }
      case 251 -> {
        r.skip(5);
        int screens = r.u8();
        r.skip(1 + 16L * screens);
        return "SetDesktopSize";
      }
      case 3 -> { r.skip(9); return "FramebufferUpdateRequest"; }
      case 150 -> { r.skip(9); return "EnableContinuousUpdates"; }
      case 248 -> {
        r.skip(7);
        int len = r.u8();
        r.skip(len);
        return "ClientFence";
      }
      case 4 -> { r.skip(7); return "KeyEvent"; }
      case 5 -> {
        int mask = r.u8();
        r.skip(4);
        if (listed != null && listed[0] && (mask & 0x80) != 0) {
          r.skip(1);
          return "PointerEvent(7 bytes)";
        }
        return "PointerEvent";
      }
      case 6 -> { return cutText(r); }
      case 255 -> {
        int sub = r.u8();
        if (sub != 0) throw new Closed("unknown QEMU submessage type " + sub);
        r.skip(10);
        return "QEMUExtendedKeyEvent";
      }
      default -> throw new Closed("unknown message type " + type);
    }
  }

  private static String cutText(Reader r) throws Short, Closed {
    r.skip(3);
    int len = r.s32();
    if (len >= 0) {
      r.skip(len);
      return "ClientCutText";
    }
    int slen = -len;
    if (slen < 0) throw new Closed("extended clipboard length overflows");
    r.need(slen); // hasData(len) before anything is read
    if (slen < 4) throw new Closed("invalid extended clipboard message");
    if (slen > MAX_CUT_TEXT) {
      r.skip(slen);
      return "ExtendedClipboard(skipped)";
    }
    int flags = r.s32();
    int action = flags & 0xFF000000;
    if ((action & CAPS) != 0) {
      int num = Integer.bitCount(flags & 0xFFFF);
      if (slen < 4 + 4 * num) throw new Closed("invalid extended clipboard caps");
      r.skip(4L * num);
      return "ExtendedClipboard(caps)";
    }
    if (action == PROVIDE) {
      r.skip(slen - 4L); // zlib stream over len - 4, flushed to its end
      return "ExtendedClipboard(provide)";
    }
    if (action == REQUEST || action == PEEK || action == NOTIFY) {
      return "ExtendedClipboard(" + Integer.toHexString(action) + ")";
    }
    throw new Closed("invalid extended clipboard action " + Integer.toHexString(action));
  }
}
