package io.vncgate.gateway.fanout;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.Encodings;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * ZRLE (RFC 6143 §7.7.6): 64x64 tiles, each written the cheapest of solid, packed palette (2–16
 * colours), palette RLE (up to 127 colours), plain RLE or raw CPIXELs, measured in one pass over
 * the tile; then deflated (zlib level 1) from an empty dictionary and sync-flushed, so that a
 * tile's compressed bytes stand alone: a viewer's zlib stream is its zlib header (2 bytes, at its
 * first ZRLE rectangle) and then the tiles it is sent, in any order, whoever they were compressed
 * for. That lets a session compress a tile once for all its viewers in one pixel format
 * ({@link SharedTiles}); it costs some compression against one stream per viewer (no matches
 * across tiles or updates). The working buffers (some 100 KiB and a deflater) are not a viewer's:
 * one set per thread ({@link #onThisThread()}), reused by every viewer that thread encodes for,
 * since an encode runs to its end before the next begins.
 */
final class ZrleEncoder {
  private static final int TILE = ZrleDecoder.TILE;
  private static final ThreadLocal<ZrleEncoder> PER_THREAD = ThreadLocal.withInitial(ZrleEncoder::new);

  private final int[] tile = new int[TILE * TILE];
  private final Palette palette = new Palette(127);
  private byte[] raw = new byte[64 * 1024];
  private int rawLength;
  private final Flushed compressed = new Flushed();
  /** Raw deflate (no zlib header: the viewer's stream has one), reset before each tile. */
  private final Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);

  private ZrleEncoder() {
  }

  /** The encoder of the calling thread (an event loop: a session's members are encoded on its loop). */
  static ZrleEncoder onThisThread() {
    return PER_THREAD.get();
  }

  /** The zlib header a viewer's stream starts with (deflate, 32 KiB window, level 1), before its first tile. */
  static final byte[] ZLIB_HEADER = {0x78, 0x01};

  /**
   * Appends the ZRLE payload ({@code U32 length}, zlib data) of {@code w x h} at {@code (x, y)}:
   * the zlib header first when {@code startStream} (the viewer's first ZRLE rectangle), then each
   * of its tiles, from {@code tiles} (a session's shared entries; null: encoded here).
   */
  void encode(Buffer out, Framebuffer fb, int x, int y, int w, int h, PixelWriter writer, SharedTiles tiles,
              boolean startStream) {
    SharedTiles.Form form = tiles == null ? null : new SharedTiles.Form(writer.format, Encodings.ZRLE, 0);
    SharedTiles.Coder coder = (f, tx, ty, tw, th) -> tile(f, tx, ty, tw, th, writer);
    int lengthAt = out.length();
    out.appendInt(0);
    if (startStream) out.appendBytes(ZLIB_HEADER);
    for (int ty = 0; ty < h; ty += TILE) {
      int th = Math.min(TILE, h - ty);
      for (int tx = 0; tx < w; tx += TILE) {
        int tw = Math.min(TILE, w - tx);
        out.appendBytes(tiles == null ? tile(fb, x + tx, y + ty, tw, th, writer)
            : tiles.tile(fb, x + tx, y + ty, tw, th, form, coder));
      }
    }
    out.setInt(lengthAt, out.length() - lengthAt - 4);
  }

  /** One tile's ZRLE data, deflated from an empty dictionary and sync-flushed: bytes that stand alone in any stream. */
  byte[] tile(Framebuffer fb, int x, int y, int tw, int th, PixelWriter writer) {
    rawLength = 0;
    tileData(fb, x, y, tw, th, writer);
    deflater.reset();
    int length = compressed.deflate(deflater, raw, rawLength);
    return Arrays.copyOf(compressed.bytes(), length);
  }

  private void tileData(Framebuffer fb, int x, int y, int tw, int th, PixelWriter writer) {
    int area = tw * th;
    int[] pixels = fb.pixels();
    int stride = fb.width();
    for (int row = 0; row < th; row++) System.arraycopy(pixels, (y + row) * stride + x, tile, row * tw, tw);
    int cp = writer.cpixelBytes;
    ensure(1 + 127 * cp + area * (cp + 1));

    // one pass: the palette (up to 127 colours) and the cost of each run-length form
    palette.clear();
    boolean paletteFits = true;
    long plainRle = 0;
    long paletteRle = 0;
    int runStart = 0;
    for (int i = 0; i <= area; i++) {
      if (i < area && i > 0 && tile[i] == tile[i - 1]) continue;
      if (i > 0) {
        int run = i - runStart;
        int lengthBytes = (run - 1) / 255 + 1;
        plainRle += cp + lengthBytes;
        paletteRle += run == 1 ? 1 : 1 + lengthBytes;
        runStart = i;
      }
      if (i < area && paletteFits && indexOf(tile[i], true) < 0) paletteFits = false;
    }

    long rawCost = (long) area * cp;
    int best = 0; // 0 raw, 1 solid, 2 packed, 3 palette RLE, 4 plain RLE
    long bestCost = rawCost;
    if (paletteFits && palette.size() == 1) {
      best = 1;
    } else {
      if (plainRle < bestCost) {
        best = 4;
        bestCost = plainRle;
      }
      if (paletteFits) {
        if (palette.size() * cp + paletteRle < bestCost) {
          best = 3;
          bestCost = palette.size() * cp + paletteRle;
        }
        if (palette.size() <= 16 && palette.size() * cp + (long) th * rowBytes(tw) <= bestCost) best = 2;
      }
    }
    switch (best) {
      case 1 -> {
        raw[rawLength++] = 1;
        rawLength = writer.cpixel(raw, rawLength, tile[0]);
      }
      case 2 -> packed(tw, th, writer);
      case 3 -> runs(area, writer, true);
      case 4 -> runs(area, writer, false);
      default -> {
        raw[rawLength++] = 0;
        for (int i = 0; i < area; i++) rawLength = writer.cpixel(raw, rawLength, tile[i]);
      }
    }
  }

  private int bits() {
    return palette.size() <= 2 ? 1 : palette.size() <= 4 ? 2 : 4;
  }

  private int rowBytes(int tw) {
    return (tw * bits() + 7) / 8;
  }

  private void writePalette(PixelWriter writer) {
    for (int i = 0; i < palette.size(); i++) rawLength = writer.cpixel(raw, rawLength, palette.colour(i));
  }

  private void packed(int tw, int th, PixelWriter writer) {
    raw[rawLength++] = (byte) palette.size();
    writePalette(writer);
    int bits = bits();
    for (int row = 0; row < th; row++) {
      int b = 0;
      int used = 0;
      for (int col = 0; col < tw; col++) {
        b = b << bits | indexOf(tile[row * tw + col], false);
        used += bits;
        if (used == 8) {
          raw[rawLength++] = (byte) b;
          b = 0;
          used = 0;
        }
      }
      if (used > 0) raw[rawLength++] = (byte) (b << (8 - used));
    }
  }

  private void runs(int area, PixelWriter writer, boolean withPalette) {
    raw[rawLength++] = (byte) (128 + (withPalette ? palette.size() : 0));
    if (withPalette) writePalette(writer);
    int i = 0;
    while (i < area) {
      int colour = tile[i];
      int run = 1;
      while (i + run < area && tile[i + run] == colour) run++;
      i += run;
      if (withPalette) {
        int index = indexOf(colour, false);
        if (run == 1) {
          raw[rawLength++] = (byte) index;
          continue;
        }
        raw[rawLength++] = (byte) (index | 0x80);
      } else {
        rawLength = writer.cpixel(raw, rawLength, colour);
      }
      int left = run - 1;
      while (left >= 255) {
        raw[rawLength++] = (byte) 255;
        left -= 255;
      }
      raw[rawLength++] = (byte) left;
    }
  }

  private int indexOf(int colour, boolean add) {
    return palette.indexOf(colour, add);
  }

  private void ensure(int more) {
    if (rawLength + more > raw.length) raw = Arrays.copyOf(raw, Math.max(raw.length * 2, rawLength + more));
  }

}
