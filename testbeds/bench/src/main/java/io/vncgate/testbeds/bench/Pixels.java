package io.vncgate.testbeds.bench;

import io.netty.buffer.ByteBuf;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A viewer's copy of the screen, for a bench viewer that must see what it is sent (the fan-out
 * benchmark's controller, which waits for the effect of its own key): Raw and ZRLE rectangles
 * decoded into one int per pixel, as the server's 32 bpp true-colour format gives them (the
 * pixel's bytes, little-endian, as an int). ZRLE's zlib stream lives as long as the connection
 * (RFC 6143, 7.7.6).
 */
final class Pixels {
  private static final int TILE = 64;

  private final int width;
  private final int height;
  private final int[] fb;
  /** Bytes per compressed pixel (CPIXEL): 3 when the colours fit in 3 of the 4 bytes, else 4. */
  private final int cpixel;
  /** Where a 3-byte CPIXEL sits in the pixel: 0 (least significant bytes) or 8. */
  private final int cpixelShift;
  private final Inflater zlib = new Inflater();
  private byte[] inflated = new byte[1 << 16];

  /**
   * @param colourMask the bits the pixel format's colours use ((max << shift) for red, green and
   *     blue, or'ed), to tell ZRLE's compressed pixel size
   */
  Pixels(int width, int height, long colourMask) {
    this.width = width;
    this.height = height;
    this.fb = new int[width * height];
    if ((colourMask & ~0xFFFFFFL) == 0) {
      cpixel = 3;
      cpixelShift = 0;
    } else if ((colourMask & 0xFFL) == 0) {
      cpixel = 3;
      cpixelShift = 8;
    } else {
      cpixel = 4;
      cpixelShift = 0;
    }
  }

  /** The pixel at x, y (the four bytes as the server sent them, little-endian). */
  int at(int x, int y) {
    return fb[y * width + x];
  }

  /** A Raw rectangle: w×h pixels of 4 bytes from {@code in}. */
  void raw(ByteBuf in, int x, int y, int w, int h) {
    for (int row = 0; row < h; row++) {
      for (int col = 0; col < w; col++) set(x + col, y + row, in.readIntLE());
    }
  }

  /** A ZRLE rectangle: {@code length} bytes of zlib data from {@code in}. */
  void zrle(ByteBuf in, int length, int x, int y, int w, int h) {
    byte[] z = new byte[length];
    in.readBytes(z);
    zlib.setInput(z);
    int n = 0;
    try {
      while (true) {
        if (n == inflated.length) inflated = java.util.Arrays.copyOf(inflated, n * 2);
        int k = zlib.inflate(inflated, n, inflated.length - n);
        n += k;
        if (k == 0 && (zlib.needsInput() || zlib.finished())) break;
      }
    } catch (DataFormatException e) {
      throw new IllegalStateException("ZRLE data is not a zlib stream: " + e.getMessage(), e);
    }
    Tiles t = new Tiles(inflated, n);
    for (int ty = y; ty < y + h; ty += TILE) {
      for (int tx = x; tx < x + w; tx += TILE) {
        tile(t, tx, ty, Math.min(TILE, x + w - tx), Math.min(TILE, y + h - ty));
      }
    }
  }

  private void tile(Tiles t, int x, int y, int w, int h) {
    int sub = t.u8();
    if (sub == 0) {
      for (int i = 0; i < w * h; i++) set(x + i % w, y + i / w, t.cpixel());
    } else if (sub == 1) {
      int p = t.cpixel();
      for (int i = 0; i < w * h; i++) set(x + i % w, y + i / w, p);
    } else if (sub <= 16) {
      int[] palette = palette(t, sub);
      int bits = sub == 2 ? 1 : sub <= 4 ? 2 : 4;
      for (int row = 0; row < h; row++) {
        int bit = 8;
        int b = 0;
        for (int col = 0; col < w; col++) {
          if (bit == 8) {
            b = t.u8();
            bit = 0;
          }
          bit += bits;
          set(x + col, y + row, palette[(b >> (8 - bit)) & ((1 << bits) - 1)]);
        }
      }
    } else if (sub == 128) {
      int i = 0;
      while (i < w * h) {
        int p = t.cpixel();
        int run = t.runLength();
        for (int k = 0; k < run && i < w * h; k++, i++) set(x + i % w, y + i / w, p);
      }
    } else if (sub >= 130) {
      int[] palette = palette(t, sub - 128);
      int i = 0;
      while (i < w * h) {
        int index = t.u8();
        int run = (index & 0x80) != 0 ? t.runLength() : 1;
        int p = palette[index & 0x7F];
        for (int k = 0; k < run && i < w * h; k++, i++) set(x + i % w, y + i / w, p);
      }
    } else {
      throw new IllegalStateException("ZRLE tile subencoding " + sub + " is not defined");
    }
  }

  private static int[] palette(Tiles t, int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) p[i] = t.cpixel();
    return p;
  }

  /** A CopyRect: w×h pixels of the picture from srcX, srcY to x, y (overlap-safe; outside the screen: a broken server, ignored). */
  void copy(int srcX, int srcY, int x, int y, int w, int h) {
    if (w <= 0 || h <= 0 || srcX + w > width || srcY + h > height || x + w > width || y + h > height) return;
    if (y > srcY) {
      for (int row = h - 1; row >= 0; row--) System.arraycopy(fb, (srcY + row) * width + srcX, fb, (y + row) * width + x, w);
    } else {
      for (int row = 0; row < h; row++) System.arraycopy(fb, (srcY + row) * width + srcX, fb, (y + row) * width + x, w);
    }
  }

  private void set(int x, int y, int pixel) {
    if (x < width && y < height) fb[y * width + x] = pixel;
  }

  /** The inflated bytes of one ZRLE rectangle, read in order. */
  private final class Tiles {
    private final byte[] b;
    private final int end;
    private int pos;

    Tiles(byte[] b, int end) {
      this.b = b;
      this.end = end;
    }

    int u8() {
      if (pos >= end) throw new IllegalStateException("ZRLE rectangle ends early");
      return b[pos++] & 0xFF;
    }

    int cpixel() {
      int p = 0;
      for (int i = 0; i < cpixel; i++) p |= u8() << (8 * i);
      return cpixel == 3 ? p << cpixelShift : p;
    }

    int runLength() {
      int run = 1;
      int k;
      do {
        k = u8();
        run += k;
      } while (k == 255);
      return run;
    }
  }
}
