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

  /** The encodings {@link #setEncodings} lists, best first, for a far target (bytes count: zlib's CPU pays). */
  static final int[] ENCODINGS = {ZRLE, HEXTILE, COPY_RECT, RAW, EXTENDED_DESKTOP_SIZE, DESKTOP_SIZE, LAST_RECT, CURSOR,
      QEMU_EXTENDED_KEY_EVENT};

  /** The same for a near one (bytes are cheap: no zlib on either side). */
  static final int[] ENCODINGS_NEAR = {HEXTILE, ZRLE, COPY_RECT, RAW, EXTENDED_DESKTOP_SIZE, DESKTOP_SIZE, LAST_RECT, CURSOR,
      QEMU_EXTENDED_KEY_EVENT};

  /**
   * SetEncodings with what {@link UpstreamDecoder} reads, best first: ZRLE first, or Hextile when
   * {@code hextileFirst} (the servers send the first listed they support: TigerVNC, QEMU, x11vnc).
   */
  static Buffer setEncodings(boolean hextileFirst) {
    int[] encodings = hextileFirst ? ENCODINGS_NEAR : ENCODINGS;
    Buffer b = Buffer.buffer(4 + 4 * encodings.length).appendByte((byte) 2).appendByte((byte) 0)
        .appendUnsignedShort(encodings.length);
    for (int e : encodings) b.appendInt(e);
    return b;
  }

  /** FramebufferUpdateRequest. */
  static Buffer updateRequest(boolean incremental, int x, int y, int w, int h) {
    return Buffer.buffer(10).appendByte((byte) 3).appendByte((byte) (incremental ? 1 : 0))
        .appendUnsignedShort(x).appendUnsignedShort(y).appendUnsignedShort(w).appendUnsignedShort(h);
  }
}
