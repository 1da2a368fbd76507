package io.vncgate.gateway.fanout;

import io.vncgate.gateway.rfb.RfbException;
import io.vncgate.gateway.rfb.RfbFailure.Cause;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The ZRLE side of {@link UpstreamDecoder} (RFC 6143 §7.7.6): one zlib stream for the connection's
 * life, fed compressed bytes as they arrive; a rectangle's inflated bytes are held (never more than
 * its tiles can take, so a decompression bomb stops at the rectangle's size) and painted into the
 * framebuffer in 64x64 tiles once its data is in. Pixels are {@link PixelFormat#GATEWAY}: a CPIXEL
 * is 3 bytes, little-endian.
 */
final class ZrleDecoder {
  static final int TILE = 64;
  private static final int CPIXEL = 3;

  private final Inflater inflater = new Inflater();
  private final byte[] probe = new byte[1];
  private final int[] palette = new int[127];
  private byte[] out = new byte[64 * 1024];
  private int outLength;
  private int limit;
  private int pos;

  /**
   * The most inflated bytes a {@code w x h} rectangle can hold: per tile a subencoding byte and a
   * full palette, and per pixel at most 4 bytes (plain RLE of single pixels: CPIXEL + length).
   */
  static long maxInflated(int w, int h) {
    long tiles = (long) ((w + TILE - 1) / TILE) * ((h + TILE - 1) / TILE);
    return tiles * (1 + 127 * CPIXEL) + 4L * w * h;
  }

  /** The most compressed bytes that can inflate to {@link #maxInflated}: stored blocks and flush markers on top. */
  static long maxCompressed(int w, int h) {
    long inflated = maxInflated(w, h);
    return inflated + inflated / 8 + 1024;
  }

  /** A new rectangle of {@code w x h} pixels starts. */
  void begin(int w, int h) {
    outLength = 0;
    limit = (int) Math.min(Integer.MAX_VALUE - 16, maxInflated(w, h));
  }

  /** Compressed bytes of the current rectangle; all are consumed. */
  void input(byte[] bytes, int offset, int length) throws RfbException {
    inflater.setInput(bytes, offset, length);
    try {
      while (true) {
        if (outLength == Math.min(out.length, limit)) {
          if (outLength == limit) {
            if (inflater.inflate(probe) > 0) {
              throw malformed("sent a ZRLE rectangle whose data inflates to more than its tiles can hold (" + limit
                  + " bytes)");
            }
            if (inflater.needsInput()) return;
          } else {
            byte[] larger = new byte[(int) Math.min(limit, Math.max(2L * out.length, 64 * 1024))];
            System.arraycopy(out, 0, larger, 0, outLength);
            out = larger;
          }
        }
        int n = inflater.inflate(out, outLength, Math.min(out.length, limit) - outLength);
        outLength += n;
        if (n == 0) {
          if (inflater.needsInput()) return;
          if (inflater.finished()) throw malformed("ended its ZRLE zlib stream, which lasts as long as the connection");
          if (inflater.needsDictionary()) throw malformed("sent ZRLE data that asks for a zlib dictionary");
          throw malformed("sent ZRLE data that zlib cannot inflate");
        }
      }
    } catch (DataFormatException e) {
      throw malformed("sent ZRLE data that is not a valid zlib stream (" + e.getMessage() + ")");
    }
  }

  /** The rectangle's data is in: paint its tiles at {@code (x, y)}; they must use every inflated byte. */
  void paint(Framebuffer fb, int x, int y, int w, int h) throws RfbException {
    pos = 0;
    int[] pixels = fb.pixels();
    int stride = fb.width();
    for (int ty = 0; ty < h; ty += TILE) {
      int th = Math.min(TILE, h - ty);
      for (int tx = 0; tx < w; tx += TILE) {
        int tw = Math.min(TILE, w - tx);
        tile(pixels, (y + ty) * stride + x + tx, stride, tw, th);
      }
    }
    if (pos != outLength) {
      throw malformed("sent a ZRLE rectangle with " + (outLength - pos) + " bytes more than its tiles hold");
    }
  }

  private void tile(int[] pixels, int origin, int stride, int tw, int th) throws RfbException {
    need(1);
    int sub = out[pos++] & 0xFF;
    int area = tw * th;
    if (sub == 0) {
      need(area * CPIXEL);
      for (int row = 0; row < th; row++) {
        int at = origin + row * stride;
        for (int col = 0; col < tw; col++) pixels[at + col] = cpixel();
      }
    } else if (sub == 1) {
      need(CPIXEL);
      fill(pixels, origin, stride, tw, th, cpixel());
    } else if (sub <= 16) {
      readPalette(sub);
      int bits = sub == 2 ? 1 : sub <= 4 ? 2 : 4;
      int rowBytes = (tw * bits + 7) / 8;
      need(rowBytes * th);
      int mask = (1 << bits) - 1;
      for (int row = 0; row < th; row++) {
        int at = origin + row * stride;
        int bitPos = 0;
        for (int col = 0; col < tw; col++, bitPos += bits) {
          int index = (out[pos + (bitPos >> 3)] & 0xFF) >> (8 - bits - (bitPos & 7)) & mask;
          if (index >= sub) throw malformed("sent a ZRLE packed-palette tile with index " + index + " of a " + sub + "-colour palette");
          pixels[at + col] = palette[index];
        }
        pos += rowBytes;
      }
    } else if (sub == 128 || sub >= 130) {
      int size = sub - 128;
      if (size > 0) readPalette(size);
      int done = 0;
      while (done < area) {
        int colour;
        int run = 1;
        if (size == 0) {
          need(CPIXEL);
          colour = cpixel();
          run = runLength(area - done);
        } else {
          need(1);
          int b = out[pos++] & 0xFF;
          int index = b & 0x7F;
          if (index >= size) throw malformed("sent a ZRLE palette-RLE tile with index " + index + " of a " + size + "-colour palette");
          colour = palette[index];
          if ((b & 0x80) != 0) run = runLength(area - done);
        }
        for (int i = done; i < done + run; i++) pixels[origin + i / tw * stride + i % tw] = colour;
        done += run;
      }
    } else {
      throw malformed("sent a ZRLE tile with subencoding " + sub + ", which RFC 6143 leaves unused");
    }
  }

  private int runLength(int left) throws RfbException {
    int run = 1;
    int b;
    do {
      need(1);
      b = out[pos++] & 0xFF;
      run += b;
      if (run > left) throw malformed("sent a ZRLE run of more pixels than its tile has left (" + left + ")");
    } while (b == 255);
    return run;
  }

  private void readPalette(int size) throws RfbException {
    need(size * CPIXEL);
    for (int i = 0; i < size; i++) palette[i] = cpixel();
  }

  private int cpixel() {
    int p = pos;
    pos += CPIXEL;
    return (out[p] & 0xFF) | (out[p + 1] & 0xFF) << 8 | (out[p + 2] & 0xFF) << 16;
  }

  private void need(int bytes) throws RfbException {
    if (pos + bytes > outLength) throw malformed("sent a ZRLE rectangle whose data ends inside a tile");
  }

  static void fill(int[] pixels, int origin, int stride, int w, int h, int colour) {
    for (int row = 0; row < h; row++) {
      int at = origin + row * stride;
      Arrays.fill(pixels, at, at + w, colour);
    }
  }

  /** Frees the zlib stream's native memory. */
  void close() {
    inflater.end();
  }

  private static RfbException malformed(String message) {
    return new RfbException(Cause.PROTOCOL_ERROR, message);
  }
}
