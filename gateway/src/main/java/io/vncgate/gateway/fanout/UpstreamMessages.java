package io.vncgate.gateway.fanout;

import static io.vncgate.gateway.rfb.Encodings.*;

import io.vertx.core.buffer.Buffer;

/**
 * What the gateway, as a fan-out session's only RFB client, sends its target: the pixel format and
 * the encodings {@link UpstreamDecoder} reads, and update requests.
 */
final class UpstreamMessages {
  private UpstreamMessages() {}

  /** SetPixelFormat({@link PixelFormat#GATEWAY}), to send the target right after ServerInit. */
  static Buffer setPixelFormat() {
    return Buffer.buffer(20).appendByte((byte) 0).appendBytes(new byte[3]).appendBytes(PixelFormat.GATEWAY.bytes());
  }

  /**
   * The encodings {@link #setEncodings} lists after the two data encodings it puts first (ZRLE and
   * Hextile, in the order the target's distance decides).
   */
  private static final int[] AFTER_FIRST = {COPY_RECT, RAW, EXTENDED_DESKTOP_SIZE, DESKTOP_SIZE, LAST_RECT, CURSOR,
      QEMU_EXTENDED_KEY_EVENT};

  /**
   * SetEncodings with what {@link UpstreamDecoder} reads, best first: ZRLE first (a far target:
   * bytes count), or Hextile when {@code hextileFirst} (a near one: no zlib on either side); the
   * servers send the first listed they support (TigerVNC, QEMU, x11vnc).
   */
  static Buffer setEncodings(boolean hextileFirst) {
    int count = 2 + AFTER_FIRST.length;
    Buffer b = Buffer.buffer(4 + 4 * count).appendByte((byte) 2).appendByte((byte) 0).appendUnsignedShort(count)
        .appendInt(hextileFirst ? HEXTILE : ZRLE).appendInt(hextileFirst ? ZRLE : HEXTILE);
    for (int e : AFTER_FIRST) b.appendInt(e);
    return b;
  }

  /** FramebufferUpdateRequest. */
  static Buffer updateRequest(boolean incremental, int x, int y, int w, int h) {
    return Buffer.buffer(10).appendByte((byte) 3).appendByte((byte) (incremental ? 1 : 0))
        .appendUnsignedShort(x).appendUnsignedShort(y).appendUnsignedShort(w).appendUnsignedShort(h);
  }
}
