package io.vncgate.testbeds.impl;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * Reads one whole client-to-server RFB message (rfb-reference §3) so a server stays in sync.
 * Covers the messages noVNC, TigerVNC and the gateway send; anything else has no known length.
 */
public final class ClientMessages {

  public static final int SET_PIXEL_FORMAT = 0;
  public static final int SET_ENCODINGS = 2;
  public static final int FRAMEBUFFER_UPDATE_REQUEST = 3;
  public static final int KEY_EVENT = 4;
  public static final int POINTER_EVENT = 5;
  public static final int CLIENT_CUT_TEXT = 6;
  public static final int ENABLE_CONTINUOUS_UPDATES = 150;
  public static final int CLIENT_FENCE = 248;
  public static final int XVP = 250;
  public static final int SET_DESKTOP_SIZE = 251;
  public static final int QEMU = 255;

  private ClientMessages() {
  }

  /** The next message including its type byte, or {@code null} on a clean end of stream. */
  public static byte[] read(DataInputStream in) throws IOException {
    int type = in.read();
    if (type < 0) {
      return null;
    }
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    message.write(type);
    switch (type) {
      case SET_PIXEL_FORMAT -> copy(in, message, 19);
      case SET_ENCODINGS -> {
        byte[] head = copy(in, message, 3);
        copy(in, message, 4 * u16(head, 1));
      }
      case FRAMEBUFFER_UPDATE_REQUEST, ENABLE_CONTINUOUS_UPDATES -> copy(in, message, 9);
      case KEY_EVENT -> copy(in, message, 7);
      case POINTER_EVENT -> copy(in, message, 5);
      case CLIENT_CUT_TEXT -> {
        byte[] head = copy(in, message, 7);
        int length = s32(head, 3);
        copy(in, message, Math.abs(length));
      }
      case CLIENT_FENCE -> {
        byte[] head = copy(in, message, 8);
        copy(in, message, head[7] & 0xFF);
      }
      case XVP -> copy(in, message, 3);
      case SET_DESKTOP_SIZE -> {
        byte[] head = copy(in, message, 7);
        copy(in, message, 16 * (head[5] & 0xFF));
      }
      case QEMU -> {
        byte[] head = copy(in, message, 1);
        if (head[0] != 0) {
          throw new IOException("unsupported QEMU client message subtype " + (head[0] & 0xFF));
        }
        copy(in, message, 10);
      }
      default -> throw new IOException("unknown client message type " + type);
    }
    return message.toByteArray();
  }

  private static byte[] copy(DataInputStream in, ByteArrayOutputStream out, int n)
      throws IOException {
    byte[] bytes = new byte[n];
    try {
      in.readFully(bytes);
    } catch (EOFException e) {
      throw new EOFException("stream ended inside a client message");
    }
    out.write(bytes);
    return bytes;
  }

  private static int u16(byte[] b, int offset) {
    return (b[offset] & 0xFF) << 8 | (b[offset + 1] & 0xFF);
  }

  private static int s32(byte[] b, int offset) {
    return (b[offset] & 0xFF) << 24 | (b[offset + 1] & 0xFF) << 16
        | (b[offset + 2] & 0xFF) << 8 | (b[offset + 3] & 0xFF);
  }
}
