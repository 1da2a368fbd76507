package io.vncgate.gateway.fanout;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.Inflater;

/**
 * A plain ZRLE reader for the tests, written straight from RFC 6143 §7.7.6 and apart from the
 * gateway's decoder: it reads any pixel format's CPIXELs and gives each pixel back as the Raw
 * bytes it stands for (the left-out byte of a 3-byte CPIXEL as zero), so an encoder's ZRLE can be
 * compared byte for byte with its Raw. One zlib stream across calls, as on a connection.
 */
final class ReferenceZrle {
  private final Inflater inflater = new Inflater();
  private final int bpp;
  private final int cpixel;
  private final int skip;

  ReferenceZrle(PixelFormat format) {
    this.bpp = format.bytesPerPixel();
    boolean fitsLow = ((long) format.redMax() << format.redShift() | (long) format.greenMax() << format.greenShift()
        | (long) format.blueMax() << format.blueShift()) < (1L << 24);
    boolean fitsHigh = (((long) format.redMax() << format.redShift() | (long) format.greenMax() << format.greenShift()
        | (long) format.blueMax() << format.blueShift()) & 0xFF) == 0;
    boolean three = format.bitsPerPixel() == 32 && format.depth() <= 24 && (fitsLow || fitsHigh);
    this.cpixel = three ? 3 : bpp;
    // the wire byte a 3-byte CPIXEL leaves out
    this.skip = !three ? -1 : fitsLow ? (format.bigEndian() ? 0 : 3) : (format.bigEndian() ? 3 : 0);
  }

  /** Reads one ZRLE rectangle's payload ({@code U32 length} + zlib data) at {@code in}'s position into Raw bytes. */
  byte[] read(ByteBuffer in, int w, int h) throws Exception {
    int length = in.getInt();
    byte[] compressed = new byte[length];
    in.get(compressed);
    inflater.setInput(compressed);
    ByteArrayOutputStream inflated = new ByteArrayOutputStream();
    byte[] chunk = new byte[65536];
    int n;
    while ((n = inflater.inflate(chunk)) > 0) inflated.write(chunk, 0, n);
    ByteBuffer data = ByteBuffer.wrap(inflated.toByteArray());
    byte[] raw = new byte[w * h * bpp];
    for (int ty = 0; ty < h; ty += 64) {
      for (int tx = 0; tx < w; tx += 64) {
        int tw = Math.min(64, w - tx);
        int th = Math.min(64, h - ty);
        byte[][] tile = tile(data, tw * th, tw);
        for (int i = 0; i < tw * th; i++) {
          System.arraycopy(tile[i], 0, raw, ((ty + i / tw) * w + tx + i % tw) * bpp, bpp);
        }
      }
    }
    if (data.hasRemaining()) throw new AssertionError(data.remaining() + " bytes after the last tile");
    return raw;
  }

  private byte[][] tile(ByteBuffer data, int area, int tw) {
    int type = data.get() & 0xFF;
    byte[][] pixels = new byte[area][];
    if (type == 0) {
      for (int i = 0; i < area; i++) pixels[i] = pixel(data);
    } else if (type == 1) {
      byte[] p = pixel(data);
      for (int i = 0; i < area; i++) pixels[i] = p;
    } else if (type >= 2 && type <= 16) {
      byte[][] palette = new byte[type][];
      for (int i = 0; i < type; i++) palette[i] = pixel(data);
      int bits = type == 2 ? 1 : type <= 4 ? 2 : 4;
      int th = area / tw;
      for (int y = 0; y < th; y++) {
        int bitsLeft = 0;
        int b = 0;
        for (int x = 0; x < tw; x++) {
          if (bitsLeft == 0) {
            b = data.get() & 0xFF;
            bitsLeft = 8;
          }
          bitsLeft -= bits;
          pixels[y * tw + x] = palette[(b >> bitsLeft) & ((1 << bits) - 1)];
        }
      }
    } else if (type == 128) {
      for (int i = 0; i < area; ) {
        byte[] p = pixel(data);
        int run = runLength(data);
        for (int k = 0; k < run; k++) pixels[i++] = p;
      }
    } else if (type >= 130) {
      byte[][] palette = new byte[type - 128][];
      for (int i = 0; i < palette.length; i++) palette[i] = pixel(data);
      for (int i = 0; i < area; ) {
        int b = data.get() & 0xFF;
        int run = (b & 0x80) != 0 ? runLength(data) : 1;
        for (int k = 0; k < run; k++) pixels[i++] = palette[b & 0x7F];
      }
    } else {
      throw new AssertionError("tile type " + type);
    }
    return pixels;
  }

  private static int runLength(ByteBuffer data) {
    int run = 1;
    int b;
    do {
      b = data.get() & 0xFF;
      run += b;
    } while (b == 255);
    return run;
  }

  private byte[] pixel(ByteBuffer data) {
    byte[] p = new byte[bpp];
    for (int i = 0, j = 0; i < bpp; i++) {
      if (i != skip) p[i] = data.get();
    }
    return p;
  }
}
