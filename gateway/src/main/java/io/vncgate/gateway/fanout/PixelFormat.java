package io.vncgate.gateway.fanout;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.RfbException;

/**
 * An RFB PIXEL_FORMAT (16 bytes on the wire) and how a {@code 0xRRGGBB} pixel is written in it.
 * Fan-out serves true colour only (8, 16 or 32 bits per pixel, either byte order).
 */
public record PixelFormat(int bitsPerPixel, int depth, boolean bigEndian, boolean trueColour, int redMax,
    int greenMax, int blueMax, int redShift, int greenShift, int blueShift) {

  /** What the gateway asks the target for and offers viewers in ServerInit: 32 bpp, depth 24, little-endian RGB888. */
  public static final PixelFormat GATEWAY = new PixelFormat(32, 24, false, true, 255, 255, 255, 16, 8, 0);

  /** Reads the 16 bytes at {@code offset}; a colour-map format or a bpp other than 8/16/32 is refused in words. */
  public static PixelFormat read(Buffer buffer, int offset) throws RfbException {
    throw new UnsupportedOperationException("fan-out codec: not built yet");
  }

  /** The 16 wire bytes (padding zero). */
  public byte[] bytes() {
    throw new UnsupportedOperationException("fan-out codec: not built yet");
  }

  public int bytesPerPixel() {
    return bitsPerPixel / 8;
  }
}
