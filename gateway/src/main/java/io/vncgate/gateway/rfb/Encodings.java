package io.vncgate.gateway.rfb;

/**
 * The rectangle encodings and pseudo-encodings the gateway knows, named once (rfb-reference.md §4
 * and the RFB community spec): which it can follow on the way from the target to the viewer
 * ({@link ServerMessageFramer}), and so which the viewer's SetEncodings keeps
 * ({@link ClientMessageFramer}).
 */
public final class Encodings {
  public static final int RAW = 0;
  public static final int COPY_RECT = 1;
  public static final int RRE = 2;
  public static final int CORRE = 4;
  public static final int HEXTILE = 5;
  public static final int ZLIB = 6;
  public static final int TIGHT = 7;
  public static final int ZRLE = 16;
  public static final int ZYWRLE = 17;
  public static final int H264 = 50;
  public static final int TIGHT_PNG = -260;

  /** The JPEG quality level 0 of Tight; levels 1..9 follow (-31..-23). */
  public static final int QUALITY_LEVEL_0 = -32;
  public static final int DESKTOP_SIZE = -223;
  public static final int LAST_RECT = -224;
  public static final int CURSOR = -239;
  public static final int X_CURSOR = -240;
  public static final int QEMU_POINTER_MOTION_CHANGE = -257;
  public static final int QEMU_EXTENDED_KEY_EVENT = -258;
  public static final int QEMU_AUDIO = -259;
  public static final int QEMU_LED_STATE = -261;
  public static final int DESKTOP_NAME = -307;
  public static final int EXTENDED_DESKTOP_SIZE = -308;
  public static final int XVP = -309;
  public static final int FENCE = -312;
  public static final int CONTINUOUS_UPDATES = -313;
  public static final int EXTENDED_MOUSE_BUTTONS = -316;
  /** A capability only: never a rectangle. */
  public static final int EXTENDED_CLIPBOARD = 0xC0A1E5CE;
  public static final int VMWARE_CURSOR = 0x574d5664;
  public static final int VMWARE_CURSOR_POSITION = 0x574d5666;
  public static final int VMWARE_LED_STATE = 0x574d5668;

  /**
   * Rectangle encodings whose length the framer can follow (real and pseudo), besides the
   * settings-only pseudo-encodings ({@link #isSetting}) and capabilities. Not JPEG (21), which has
   * no length, nor TRLE, alpha cursors (-314) or client redirects (-311).
   */
  private static final int[] FRAMEABLE_ENCODINGS = {
      RAW, COPY_RECT, RRE, CORRE, HEXTILE, ZLIB, TIGHT, ZRLE, ZYWRLE, H264, TIGHT_PNG,
      DESKTOP_SIZE, LAST_RECT, CURSOR, X_CURSOR, DESKTOP_NAME, EXTENDED_DESKTOP_SIZE,
      QEMU_POINTER_MOTION_CHANGE, QEMU_EXTENDED_KEY_EVENT, QEMU_AUDIO, QEMU_LED_STATE, XVP, FENCE, CONTINUOUS_UPDATES,
      EXTENDED_MOUSE_BUTTONS, VMWARE_CURSOR, VMWARE_CURSOR_POSITION, VMWARE_LED_STATE,
  };

  /** Whether the server-side framer can follow rectangles of this encoding (for narrowing SetEncodings). */
  public static boolean canFrame(int encoding) {
    if (neverARectangle(encoding)) return true;
    for (int e : FRAMEABLE_ENCODINGS) {
      if (e == encoding) return true;
    }
    return false;
  }

  /**
   * Whether a viewer may ask for this encoding though no rectangle ever comes in it: a setting or
   * a capability ({@link #EXTENDED_CLIPBOARD}) for the server, which the framer refuses as a
   * rectangle.
   */
  public static boolean neverARectangle(int encoding) {
    return encoding == EXTENDED_CLIPBOARD || isSetting(encoding);
  }

  /**
   * Pseudo-encodings that only carry a setting to the server, never a rectangle: compression
   * levels (-256..-247), quality levels (-32..-23), and TurboVNC's fine quality (-512..-412) and
   * JPEG subsampling (-768..-763) that TigerVNC's viewer sends.
   */
  private static boolean isSetting(int encoding) {
    return encoding >= -256 && encoding <= -247 || encoding >= -32 && encoding <= -23
        || encoding >= -512 && encoding <= -412 || encoding >= -768 && encoding <= -763;
  }

  private Encodings() {}
}
