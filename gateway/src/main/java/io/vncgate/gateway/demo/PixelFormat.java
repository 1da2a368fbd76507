package io.vncgate.gateway.demo;

import io.vertx.core.buffer.Buffer;

/**
 * An RFB PIXEL_FORMAT (true colour only), and the encoding of 0xRRGGBB pixels into it. noVNC asks
 * for 32 bpp, depth 24, little-endian, red at shift 0; other viewers ask for big-endian or 16/8 bpp.
 */
record PixelFormat(int bitsPerPixel, int depth, boolean bigEndian, int redMax, int greenMax, int blueMax,
    int redShift, int greenShift, int blueShift) {

  /** What the demo server announces in ServerInit: 32 bpp, depth 24, big-endian 0x00RRGGBB. */
  static final PixelFormat SERVER = new PixelFormat(32, 24, true, 255, 255, 255, 16, 8, 0);

  PixelFormat {
    if (bitsPerPixel != 8 && bitsPerPixel != 16 && bitsPerPixel != 32) {
      throw new IllegalArgumentException("bits-per-pixel must be 8, 16 or 32, got " + bitsPerPixel);
    }
    if (redMax <= 0 || greenMax <= 0 || blueMax <= 0 || redMax > 0xffff || greenMax > 0xffff || blueMax > 0xffff) {
      throw new IllegalArgumentException("colour maxima must be 1..65535");
    }
  }

  /** Reads the 16-byte PIXEL_FORMAT at {@code offset}; fails on colour-map formats. */
  static PixelFormat read(Buffer b, int offset) {
    if (b.getUnsignedByte(offset + 3) == 0) {
      throw new IllegalArgumentException("colour-map pixel formats are not supported; ask for true colour");
    }
    return new PixelFormat(b.getUnsignedByte(offset), b.getUnsignedByte(offset + 1), b.getUnsignedByte(offset + 2) != 0,
        b.getUnsignedShort(offset + 4), b.getUnsignedShort(offset + 6), b.getUnsignedShort(offset + 8),
        b.getUnsignedByte(offset + 10), b.getUnsignedByte(offset + 11), b.getUnsignedByte(offset + 12));
  }

  void write(Buffer b) {
    b.appendByte((byte) bitsPerPixel).appendByte((byte) depth).appendByte((byte) (bigEndian ? 1 : 0)).appendByte((byte) 1)
        .appendUnsignedShort(redMax).appendUnsignedShort(greenMax).appendUnsignedShort(blueMax)
        .appendByte((byte) redShift).appendByte((byte) greenShift).appendByte((byte) blueShift)
        .appendBytes(new byte[3]);
  }

  int bytesPerPixel() {
    return bitsPerPixel / 8;
  }

  /** One 0xRRGGBB pixel as the client's pixel value. */
  long value(int rgb) {
    return ((long) channel((rgb >> 16) & 0xff, redMax) << redShift)
        | ((long) channel((rgb >> 8) & 0xff, greenMax) << greenShift)
        | ((long) channel(rgb & 0xff, blueMax) << blueShift);
  }

  private static int channel(int v, int max) {
    return max == 255 ? v : (v * max + 127) / 255;
  }

  /** Encodes a rectangle of {@code pixels} (row stride {@code stride}) into {@code out} at {@code pos}; returns the new pos. */
  int encode(int[] pixels, int stride, int x, int y, int w, int h, byte[] out, int pos) {
    int bpp = bytesPerPixel();
    for (int row = y; row < y + h; row++) {
      int i = row * stride + x;
      for (int col = 0; col < w; col++, i++) {
        long v = value(pixels[i]);
        for (int k = 0; k < bpp; k++) {
          int shift = bigEndian ? (bpp - 1 - k) * 8 : k * 8;
          out[pos++] = (byte) (v >>> shift);
        }
      }
    }
    return pos;
  }
}
