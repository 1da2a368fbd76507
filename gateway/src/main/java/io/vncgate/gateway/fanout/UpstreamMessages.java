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

  /** The encodings {@link #setEncodings()} lists, best first. */
  static final int[] ENCODINGS = {ZRLE, HEXTILE, COPY_RECT, RAW, EXTENDED_DESKTOP_SIZE, DESKTOP_SIZE, LAST_RECT, CURSOR,
      QEMU_EXTENDED_KEY_EVENT};

  /** SetEncodings with what {@link UpstreamDecoder} reads, best first. */
  static Buffer setEncodings() {
    Buffer b = Buffer.buffer(4 + 4 * ENCODINGS.length).appendByte((byte) 2).appendByte((byte) 0)
        .appendUnsignedShort(ENCODINGS.length);
    for (int e : ENCODINGS) b.appendInt(e);
    return b;
  }

  /** FramebufferUpdateRequest. */
  static Buffer updateRequest(boolean incremental, int x, int y, int w, int h) {
    return Buffer.buffer(10).appendByte((byte) 3).appendByte((byte) (incremental ? 1 : 0))
        .appendUnsignedShort(x).appendUnsignedShort(y).appendUnsignedShort(w).appendUnsignedShort(h);
  }
}
