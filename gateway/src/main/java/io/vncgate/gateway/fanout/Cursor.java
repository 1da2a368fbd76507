package io.vncgate.gateway.fanout;

/**
 * The target's pointer shape (the Cursor pseudo-encoding), kept to give every viewer that asked
 * for it, late joiners included.
 *
 * @param argb {@code width * height} pixels, {@code 0xAARRGGBB} with alpha 0 (transparent) or 255
 */
public record Cursor(int hotX, int hotY, int width, int height, int[] argb) {

  /** Bytes of a {@code w x h} Cursor rectangle on the wire: {@link PixelFormat#GATEWAY} pixels, then the bitmask. */
  static int wireBytes(int w, int h) {
    return w * h * 4 + (w + 7) / 8 * h;
  }

  /**
   * The cursor a Cursor pseudo-rectangle carries (RFC 6143 §7.8.1): {@link #wireBytes} bytes of
   * {@code in} from {@code at}; a pixel whose mask bit is clear is transparent.
   */
  static Cursor read(byte[] in, int at, int hotX, int hotY, int w, int h) {
    int[] argb = new int[w * h];
    int maskAt = at + argb.length * 4;
    int rowBytes = (w + 7) / 8;
    for (int row = 0; row < h; row++) {
      for (int col = 0; col < w; col++) {
        int i = row * w + col;
        boolean opaque = (in[maskAt + row * rowBytes + col / 8] & (0x80 >> (col & 7))) != 0;
        argb[i] = opaque ? 0xFF000000 | PixelFormat.readGateway(in, at + i * 4) : 0;
      }
    }
    return new Cursor(hotX, hotY, w, h, argb);
  }
}
