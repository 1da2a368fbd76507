package io.vncgate.gateway.fanout;

import io.vertx.core.buffer.Buffer;

/**
 * The lengths of the client-to-server messages a viewer's {@code ClientMessageFramer} passed:
 * whole and canonical, so the length is known from the header. Pointer events are 6 bytes: the
 * session never confirms ExtendedMouseButtons to viewers (the gateway does not ask its target for it).
 */
final class ViewerMessages {
  static final int SET_PIXEL_FORMAT = 0;
  static final int SET_ENCODINGS = 2;
  static final int FRAMEBUFFER_UPDATE_REQUEST = 3;
  static final int KEY_EVENT = 4;
  static final int POINTER_EVENT = 5;
  static final int CLIENT_CUT_TEXT = 6;
  static final int ENABLE_CONTINUOUS_UPDATES = 150;
  static final int SET_DESKTOP_SIZE = 251;
  static final int QEMU = 255;

  private ViewerMessages() {}

  /** The length of the whole message at {@code at} (the framer passed only whole ones). */
  static int length(Buffer b, int at) {
    int type = b.getUnsignedByte(at);
    return switch (type) {
      case SET_PIXEL_FORMAT -> 20;
      case SET_ENCODINGS -> 4 + 4 * b.getUnsignedShort(at + 2);
      case FRAMEBUFFER_UPDATE_REQUEST, ENABLE_CONTINUOUS_UPDATES -> 10;
      case KEY_EVENT -> 8;
      case POINTER_EVENT -> 6;
      case CLIENT_CUT_TEXT -> 8 + Math.abs(b.getInt(at + 4));
      case 7 -> 12 + b.getInt(at + 8); // UltraVNC FileTransfer
      case 8, 9, 250 -> 4; // SetScale, SetServerInput, xvp
      case 10 -> 6; // SetSW
      case 11 -> { // TextChat
        long n = b.getUnsignedInt(at + 4);
        yield 8 + (n >= 0xFFFFFFFDL ? 0 : (int) n);
      }
      case 248 -> 9 + b.getUnsignedByte(at + 8); // ClientFence
      case SET_DESKTOP_SIZE -> 8 + 16 * b.getUnsignedByte(at + 6);
      case 253 -> { // GII
        boolean bigEndian = (b.getUnsignedByte(at + 1) & 0x80) != 0;
        yield 4 + (bigEndian ? b.getUnsignedShort(at + 2) : b.getUnsignedShortLE(at + 2));
      }
      case QEMU -> b.getUnsignedByte(at + 1) == 0 ? 12 : b.getUnsignedShort(at + 2) == 2 ? 10 : 4;
      default -> throw new IllegalStateException("the framer passed message type " + type);
    };
  }
}
