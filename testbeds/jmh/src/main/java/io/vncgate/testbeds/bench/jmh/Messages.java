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

  /**
   * noVNC 1.7's list at depth 24 (rfb.js _sendEncodings, without H.264): 24 entries, one of which
   * (JPEG, 21) the gateway removes because it cannot frame it on the way back.
   */
  static final int[] NOVNC_ENCODINGS = {1, 7, -260, 16, 21, 5, 2, 6, 0, -32 + 6, -256 + 2, -223, -224, -258, -261, -308,
      -309, -312, -313, -307, 0xC0A1E5CE, -316, 0x574d5664, -239};

  static Buffer setEncodings() {
    Buffer b = Buffer.buffer().appendByte((byte) 2).appendByte((byte) 0).appendUnsignedShort(NOVNC_ENCODINGS.length);
    for (int e : NOVNC_ENCODINGS) b.appendInt(e);
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
