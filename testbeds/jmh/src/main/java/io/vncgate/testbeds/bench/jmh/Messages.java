package io.vncgate.testbeds.bench.jmh;

import io.vertx.core.buffer.Buffer;

/** Client-to-server RFB messages as noVNC sends them. */
final class Messages {
  private Messages() {}

  static Buffer pointer() {
    return Buffer.buffer(6).appendByte((byte) 5).appendByte((byte) 1).appendUnsignedShort(640).appendUnsignedShort(400);
  }

  static Buffer key(boolean down) {
    return Buffer.buffer(8).appendByte((byte) 4).appendByte((byte) (down ? 1 : 0)).appendUnsignedShort(0).appendInt(0x61);
  }

  static Buffer updateRequest() {
    return Buffer.buffer(10).appendByte((byte) 3).appendByte((byte) 1).appendInt(0)
        .appendUnsignedShort(1920).appendUnsignedShort(1080);
  }

  /** noVNC 1.x's list: Tight, ZRLE, Hextile, Raw, CopyRect and its pseudo-encodings (20 entries). */
  static Buffer setEncodings() {
    int[] encodings = {7, 16, 5, 0, 1, -21, -256, -223, -224, -239, -258, -261, -307, -308, -309, -312, -313, -316,
        0xC0A1E5CE, -32};
    Buffer b = Buffer.buffer().appendByte((byte) 2).appendByte((byte) 0).appendUnsignedShort(encodings.length);
    for (int e : encodings) b.appendInt(e);
    return b;
  }

  /** {@code n} messages: pointer moves with a key press and release and an update request every eighth. */
  static Buffer mixed(int n) {
    Buffer b = Buffer.buffer();
    for (int i = 0; i < n; i++) {
      switch (i % 8) {
        case 3 -> b.appendBuffer(key(true));
        case 5 -> b.appendBuffer(key(false));
        case 7 -> b.appendBuffer(updateRequest());
        default -> b.appendBuffer(pointer());
      }
    }
    return b;
  }
}
