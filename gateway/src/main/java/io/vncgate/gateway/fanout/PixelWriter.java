package io.vncgate.gateway.fanout;

/**
 * Writes {@code 0xRRGGBB} pixels in one viewer's {@link PixelFormat}: each channel scaled to its
 * maximum (rounded) through a table per channel, then shifted, in the format's byte order; and as
 * ZRLE's CPIXEL (3 bytes when {@link PixelFormat#cpixelBytes} says so).
 */
final class PixelWriter {
  final PixelFormat format;
  final int bytesPerPixel;
  final int cpixelBytes;
  private final int cpixelSkip;
  private final boolean bigEndian;
  private final int[] red = new int[256];
  private final int[] green = new int[256];
  private final int[] blue = new int[256];

  PixelWriter(PixelFormat format) {
    this.format = format;
    this.bytesPerPixel = format.bytesPerPixel();
    this.cpixelBytes = format.cpixelBytes();
    this.cpixelSkip = format.cpixelSkip();
    this.bigEndian = format.bigEndian();
    for (int v = 0; v < 256; v++) {
      red[v] = format.pixel(v << 16);
      green[v] = format.pixel(v << 8);
      blue[v] = format.pixel(v);
    }
  }

  /** The pixel value of {@code rgb}, before byte order. */
  int value(int rgb) {
    return red[rgb >> 16 & 0xFF] | green[rgb >> 8 & 0xFF] | blue[rgb & 0xFF];
  }

  /** Writes {@code rgb} as a whole pixel at {@code at}; returns the next position. */
  int pixel(byte[] out, int at, int rgb) {
    int v = value(rgb);
    switch (bytesPerPixel) {
      case 1 -> out[at] = (byte) v;
      case 2 -> {
        out[at] = (byte) (bigEndian ? v >> 8 : v);
        out[at + 1] = (byte) (bigEndian ? v : v >> 8);
      }
      default -> {
        if (bigEndian) {
          out[at] = (byte) (v >> 24);
          out[at + 1] = (byte) (v >> 16);
          out[at + 2] = (byte) (v >> 8);
          out[at + 3] = (byte) v;
        } else {
          out[at] = (byte) v;
          out[at + 1] = (byte) (v >> 8);
          out[at + 2] = (byte) (v >> 16);
          out[at + 3] = (byte) (v >> 24);
        }
      }
    }
    return at + bytesPerPixel;
  }

  /** Writes {@code rgb} as a CPIXEL: the pixel's wire bytes without the unused one when it is 3 bytes. */
  int cpixel(byte[] out, int at, int rgb) {
    if (cpixelSkip < 0) return pixel(out, at, rgb);
    int v = value(rgb);
    // the wire bytes, most significant first when big-endian, without the byte at cpixelSkip
    int first = bigEndian ? 24 : 0;
    int step = bigEndian ? -8 : 8;
    for (int i = 0; i < 4; i++) {
      if (i != cpixelSkip) out[at++] = (byte) (v >> first + i * step);
    }
    return at;
  }
}
