package io.vncgate.gateway.rfb;

/**
 * Which rectangle encodings the gateway can follow on the way from the target to the viewer
 * ({@link ServerMessageFramer}), and so which the viewer's SetEncodings keeps
 * ({@link ClientMessageFramer}). Numbers from rfb-reference.md §4 and the RFB community spec.
 */
public final class Encodings {
  static final int VMWARE_CURSOR = 0x574d5664;
  static final int VMWARE_CURSOR_POSITION = 0x574d5666;
  static final int VMWARE_LED_STATE = 0x574d5668;

  /**
   * Rectangle encodings whose length the framer can follow (real and pseudo), besides the
   * settings-only pseudo-encodings ({@link #isSetting}). Not JPEG (21), which has no length, nor
   * TRLE, alpha cursors (-314) or client redirects (-311).
   */
  private static final int[] FRAMEABLE_ENCODINGS = {
      0, 1, 2, 4, 5, 6, 7, 16, 17, 50,    // Raw CopyRect RRE CoRRE Hextile zlib Tight ZRLE ZYWRLE H.264
      -260,                               // TightPNG
      -223, -224, -239, -240, -307, -308, // DesktopSize LastRect Cursor XCursor DesktopName ExtendedDesktopSize
      -257, -258, -259, -261, -309, -312, -313, -316, // QEMU pointer/key/audio/LED, xvp, Fence, ContinuousUpdates, ExtendedMouseButtons
      ClientMessageFramer.EXTENDED_CLIPBOARD, // a capability only: never a rectangle
      VMWARE_CURSOR, VMWARE_CURSOR_POSITION, VMWARE_LED_STATE,
  };

  /** Whether the server-side framer can follow rectangles of this encoding (for narrowing SetEncodings). */
  public static boolean canFrame(int encoding) {
    if (isSetting(encoding)) return true;
    for (int e : FRAMEABLE_ENCODINGS) {
      if (e == encoding) return true;
    }
    return false;
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
