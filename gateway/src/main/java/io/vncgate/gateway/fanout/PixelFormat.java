package io.vncgate.gateway.fanout;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.RfbException;
import io.vncgate.gateway.rfb.RfbFailure.Cause;

/**
 * An RFB PIXEL_FORMAT (16 bytes on the wire) and how a {@code 0xRRGGBB} pixel is written in it.
 * Fan-out serves true colour only (8, 16 or 32 bits per pixel, either byte order).
 */
public record PixelFormat(int bitsPerPixel, int depth, boolean bigEndian, boolean trueColour, int redMax,
    int greenMax, int blueMax, int redShift, int greenShift, int blueShift) {

  /** What the gateway asks the target for and offers viewers in ServerInit: 32 bpp, depth 24, little-endian RGB888. */
  public static final PixelFormat GATEWAY = new PixelFormat(32, 24, false, true, 255, 255, 255, 16, 8, 0);

  /** The wire length of a PIXEL_FORMAT. */
  static final int LENGTH = 16;

  /**
   * Reads the 16 bytes at {@code offset} (a viewer's SetPixelFormat); a colour-map format, a bpp
   * other than 8/16/32, or a channel whose maximum is not {@code 2^n - 1} or does not fit the
   * pixel at its shift is refused in words (VIEWER_PROTOCOL_ERROR).
   */
  public static PixelFormat read(Buffer buffer, int offset) throws RfbException {
    PixelFormat format = new PixelFormat(buffer.getUnsignedByte(offset), buffer.getUnsignedByte(offset + 1),
        buffer.getUnsignedByte(offset + 2) != 0, buffer.getUnsignedByte(offset + 3) != 0,
        buffer.getUnsignedShort(offset + 4), buffer.getUnsignedShort(offset + 6), buffer.getUnsignedShort(offset + 8),
        buffer.getUnsignedByte(offset + 10), buffer.getUnsignedByte(offset + 11), buffer.getUnsignedByte(offset + 12));
    String wrong = format.whyUnusable();
    if (wrong != null) throw new RfbException(Cause.VIEWER_PROTOCOL_ERROR, wrong);
    return format;
  }

  /** Why fan-out cannot serve this format, in words, or null when it can. */
  String whyUnusable() {
    if (!trueColour) {
      return "asked for a colour-map pixel format; fan-out sessions serve true-colour pixel formats only"
          + " (choose a colour depth of 8 bits true colour or more in the viewer)";
    }
    if (bitsPerPixel != 8 && bitsPerPixel != 16 && bitsPerPixel != 32) {
      return "asked for " + bitsPerPixel + " bits per pixel; fan-out sessions serve 8, 16 or 32";
    }
    String channel = channelProblem("red", redMax, redShift);
    if (channel == null) channel = channelProblem("green", greenMax, greenShift);
    if (channel == null) channel = channelProblem("blue", blueMax, blueShift);
    return channel;
  }

  private String channelProblem(String name, int max, int shift) {
    if (max == 0 || (max & (max + 1)) != 0) {
      return "asked for a pixel format whose " + name + " maximum " + max + " is not a power of two minus one";
    }
    if (shift + Integer.bitCount(max) > bitsPerPixel) {
      return "asked for a pixel format whose " + name + " channel (maximum " + max + " at shift " + shift + ") does not fit in "
          + bitsPerPixel + " bits per pixel";
    }
    return null;
  }

  /** The 16 wire bytes (padding zero). */
  public byte[] bytes() {
    return new byte[] {(byte) bitsPerPixel, (byte) depth, (byte) (bigEndian ? 1 : 0), (byte) (trueColour ? 1 : 0),
        (byte) (redMax >> 8), (byte) redMax, (byte) (greenMax >> 8), (byte) greenMax, (byte) (blueMax >> 8), (byte) blueMax,
        (byte) redShift, (byte) greenShift, (byte) blueShift, 0, 0, 0};
  }

  public int bytesPerPixel() {
    return bitsPerPixel / 8;
  }

  /** The pixel value (before byte order) of colour {@code 0xRRGGBB}, each channel scaled to its maximum, rounded. */
  int pixel(int rgb) {
    return scale(rgb >> 16 & 0xFF, redMax) << redShift | scale(rgb >> 8 & 0xFF, greenMax) << greenShift
        | scale(rgb & 0xFF, blueMax) << blueShift;
  }

  /** The {@link #GATEWAY} pixel at {@code at} as {@code 0xRRGGBB}: 32 bpp little-endian, as the target sends it. */
  static int readGateway(byte[] bytes, int at) {
    return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8 | (bytes[at + 2] & 0xFF) << 16;
  }

  private static int scale(int value, int max) {
    return (value * max + 127) / 255;
  }

  /**
   * Bytes of a compressed pixel (ZRLE's CPIXEL, RFC 6143 §7.7.6): 3 when 32 bpp true colour of
   * depth 24 or less fits in the least or most significant 3 bytes, else {@link #bytesPerPixel}.
   */
  int cpixelBytes() {
    return cpixelSkip() < 0 ? bytesPerPixel() : 3;
  }

  /**
   * Which of the 4 wire bytes of a pixel a 3-byte CPIXEL leaves out (0 or 3), or -1 when CPIXEL
   * is a whole pixel.
   */
  int cpixelSkip() {
    if (bitsPerPixel != 32 || depth > 24 || !trueColour) return -1;
    long mask = (long) redMax << redShift | (long) greenMax << greenShift | (long) blueMax << blueShift;
    if ((mask & 0xFF000000L) == 0) return bigEndian ? 0 : 3;      // least significant 3 bytes
    if ((mask & 0xFFL) == 0) return bigEndian ? 3 : 0;            // most significant 3 bytes
    return -1;
  }
}
