package io.vncgate.testbeds;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * An RFB PIXEL_FORMAT (16 bytes on the wire), true colour only for encoding and decoding.
 *
 * @param bitsPerPixel 8, 16 or 32
 * @param depth significant bits
 * @param bigEndian byte order of multi-byte pixels
 * @param trueColour false means a colour map (not supported by {@link #encode}/{@link #decode})
 */
public record PixelFormat(int bitsPerPixel, int depth, boolean bigEndian, boolean trueColour,
                          int redMax, int greenMax, int blueMax,
                          int redShift, int greenShift, int blueShift) {

  /** 32 bpp, depth 24, little-endian, 0x00RRGGBB: what noVNC asks for and servers default to. */
  public static final PixelFormat RGB888_LE =
      new PixelFormat(32, 24, false, true, 255, 255, 255, 16, 8, 0);

  public PixelFormat {
    if (bitsPerPixel != 8 && bitsPerPixel != 16 && bitsPerPixel != 32) {
      throw new IllegalArgumentException("bits per pixel must be 8, 16 or 32: " + bitsPerPixel);
    }
  }

  public int bytesPerPixel() {
    return bitsPerPixel / 8;
  }

  public static PixelFormat read(DataInputStream in) throws IOException {
    PixelFormat format = new PixelFormat(in.readUnsignedByte(), in.readUnsignedByte(),
        in.readUnsignedByte() != 0, in.readUnsignedByte() != 0,
        in.readUnsignedShort(), in.readUnsignedShort(), in.readUnsignedShort(),
        in.readUnsignedByte(), in.readUnsignedByte(), in.readUnsignedByte());
    in.skipNBytes(3);
    return format;
  }

  public void write(DataOutputStream out) throws IOException {
    out.writeByte(bitsPerPixel);
    out.writeByte(depth);
    out.writeByte(bigEndian ? 1 : 0);
    out.writeByte(trueColour ? 1 : 0);
    out.writeShort(redMax);
    out.writeShort(greenMax);
    out.writeShort(blueMax);
    out.writeByte(redShift);
    out.writeByte(greenShift);
    out.writeByte(blueShift);
    out.write(new byte[3]);
  }

  /** The wire bytes of colour {@code 0xRRGGBB} in this format. */
  public byte[] encode(int rgb) {
    long pixel = ((long) scale((rgb >> 16) & 0xFF, 255, redMax) << redShift)
        | ((long) scale((rgb >> 8) & 0xFF, 255, greenMax) << greenShift)
        | ((long) scale(rgb & 0xFF, 255, blueMax) << blueShift);
    int n = bytesPerPixel();
    byte[] bytes = new byte[n];
    for (int i = 0; i < n; i++) {
      int shift = 8 * (bigEndian ? n - 1 - i : i);
      bytes[i] = (byte) (pixel >>> shift);
    }
    return bytes;
  }

  /** The colour {@code 0xRRGGBB} of the pixel at {@code offset} in {@code bytes}. */
  public int decode(byte[] bytes, int offset) {
    int n = bytesPerPixel();
    long pixel = 0;
    for (int i = 0; i < n; i++) {
      int shift = 8 * (bigEndian ? n - 1 - i : i);
      pixel |= (long) (bytes[offset + i] & 0xFF) << shift;
    }
    int r = scale((int) (pixel >>> redShift) & redMax, redMax, 255);
    int g = scale((int) (pixel >>> greenShift) & greenMax, greenMax, 255);
    int b = scale((int) (pixel >>> blueShift) & blueMax, blueMax, 255);
    return r << 16 | g << 8 | b;
  }

  private static int scale(int value, int fromMax, int toMax) {
    return fromMax == 0 ? 0 : (value * toMax + fromMax / 2) / fromMax;
  }
}
