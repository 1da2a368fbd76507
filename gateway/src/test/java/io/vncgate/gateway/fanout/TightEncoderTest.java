package io.vncgate.gateway.fanout;

import static io.vncgate.gateway.rfb.Encodings.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tight towards fan-out viewers, read back through {@link ReferenceTight} (written from the spec
 * apart from the encoder): a rectangle per 64x64 tile, fill, palettes and copy exact, JPEG close
 * to the picture, each tile's bytes standing alone (so shared by viewers of one quality).
 */
class TightEncoderTest {
  /** What noVNC 1.7 lists (the part that matters here): CopyRect, Tight, ZRLE, quality level 6. */
  /** No bound on a JPEG's error (the noise of {@link ViewerEncoderTest#desktop()}). */
  private static final double NOISE = Double.POSITIVE_INFINITY;

  static final int[] NOVNC = {COPY_RECT, TIGHT, ZRLE, HEXTILE, RAW, QUALITY_LEVEL_0 + 6, -256 + 2, DESKTOP_SIZE};

  /** 128x70: a smooth gradient tile, a flat one, and below them a row of 6 pixels: two colours, then ten. */
  static Framebuffer photoAndFlat() {
    Framebuffer fb = new Framebuffer(128, 70);
    int[] p = fb.pixels();
    for (int y = 0; y < 70; y++) {
      for (int x = 0; x < 128; x++) {
        int c;
        if (y >= 64) c = x < 64 ? ((x + y) % 2 == 0 ? 0x000000 : 0xFFFFFF) : 0x101010 * ((x / 3) % 10);
        else if (x < 64) c = (x * 4) << 16 | (y * 4) << 8 | ((x + y) * 2);
        else c = 0x3366CC;
        p[y * 128 + x] = c;
      }
    }
    return fb;
  }

  @Test
  void eachTileIsATightRectangleOfTheRightKindAndReadsBack() throws Exception {
    Framebuffer fb = photoAndFlat();
    ViewerEncoder encoder = new ViewerEncoder();
    encoder.encodings(NOVNC);
    assertEquals(TIGHT, encoder.encoding());
    ReferenceTight reader = new ReferenceTight();
    ByteBuffer update = ByteBuffer.wrap(encoder.update(fb, List.of(new Rect(0, 0, 128, 70)), ViewerEncoder.Extras.NONE).getBytes());
    assertEquals(0, update.get());
    update.get();
    assertEquals(4, update.getShort(), "a rectangle per tile");
    for (int[] t : new int[][] {{0, 0, 64, 64}, {64, 0, 64, 64}, {0, 64, 64, 6}, {64, 64, 64, 6}}) {
      assertEquals(t[0], update.getShort());
      assertEquals(t[1], update.getShort());
      assertEquals(t[2], update.getShort());
      assertEquals(t[3], update.getShort());
      assertEquals(TIGHT, update.getInt());
      int[] got = reader.read(update, t[2], t[3]);
      int[] want = pixels(fb, t);
      if (t[0] == 0 && t[1] == 0) {
        assertTrue(meanError(got, want) < 3, () -> "the gradient's JPEG is close: " + meanError(got, want));
      } else {
        assertArrayEquals(want, got, () -> "tile at " + t[0] + "," + t[1]);
      }
    }
    assertEquals(0, update.remaining());
    assertEquals(Map.of("jpeg", 1, "fill", 1, "palette-2", 1, "palette", 1), reader.kinds);
  }

  /** Without a quality level (TigerVNC with JPEG off) every tile is lossless: the gradient goes as the copy filter. */
  @Test
  void withoutAQualityLevelEveryTileIsLossless() throws Exception {
    Framebuffer fb = photoAndFlat();
    ViewerEncoder encoder = new ViewerEncoder();
    encoder.encodings(new int[] {TIGHT});
    ReferenceTight reader = new ReferenceTight();
    ByteBuffer update = ByteBuffer.wrap(encoder.update(fb, List.of(new Rect(0, 0, 64, 64)), ViewerEncoder.Extras.NONE).getBytes());
    update.position(4 + 12);
    assertArrayEquals(pixels(fb, new int[] {0, 0, 64, 64}), reader.read(update, 64, 64));
    assertEquals(Map.of("copy", 1), reader.kinds);
  }

  /**
   * The session's tiles: two noVNC viewers are sent the same bytes, each reading them through its
   * own streams; one at quality 9 gets tiles of its own; ZRLE and Tight of the same format too.
   */
  @Test
  void viewersOfOneQualityShareTheTiles() throws Exception {
    Framebuffer fb = ViewerEncoderTest.desktop(); // 200x150: 12 tiles
    SharedTiles tiles = new SharedTiles(fb.width(), fb.height());
    ViewerEncoder a = new ViewerEncoder(tiles);
    ViewerEncoder b = new ViewerEncoder(tiles);
    ViewerEncoder sharp = new ViewerEncoder(tiles);
    a.encodings(NOVNC);
    b.encodings(NOVNC);
    sharp.encodings(new int[] {TIGHT, QUALITY_LEVEL_0 + 9});
    List<Rect> all = List.of(new Rect(0, 0, 200, 64), new Rect(0, 64, 200, 64), new Rect(0, 128, 200, 22));
    // 12 tiles looked at; the 100-colour tiles of the middle row (3) and the noise of the last (4) are a JPEG each
    byte[] first = a.update(fb, all, ViewerEncoder.Extras.NONE).getBytes();
    assertEquals(14, tiles.encoded());
    byte[] second = b.update(fb, all, ViewerEncoder.Extras.NONE).getBytes();
    assertArrayEquals(first, second);
    assertEquals(14, tiles.encoded());
    ReferenceTight read = new ReferenceTight();
    rectangles(second, fb, read, NOISE);
    assertEquals(2, read.kinds.get("jpeg"));
    sharp.update(fb, all, ViewerEncoder.Extras.NONE);
    assertEquals(28, tiles.encoded(), "quality 9 is a form of its own");
    // a change in one tile: it is looked at again and its JPEG made (once, a run of its own as the
    // update has only it); both viewers read it
    fb.pixels()[70 * 200 + 70] ^= 0xFFFFFF;
    tiles.changed(70, 70, 1, 1);
    ReferenceTight readA = new ReferenceTight();
    rectangles(a.update(fb, List.of(new Rect(64, 64, 64, 64)), ViewerEncoder.Extras.NONE).getBytes(), fb, readA, NOISE);
    rectangles(b.update(fb, List.of(new Rect(64, 64, 64, 64)), ViewerEncoder.Extras.NONE).getBytes(), fb, new ReferenceTight(), NOISE);
    assertEquals(30, tiles.encoded());
    // the whole middle row again: its run of three is made afresh (a tile of it changed), once
    a.update(fb, List.of(new Rect(0, 64, 200, 64)), ViewerEncoder.Extras.NONE);
    b.update(fb, List.of(new Rect(0, 64, 200, 64)), ViewerEncoder.Extras.NONE);
    assertEquals(31, tiles.encoded());
  }

  /**
   * Viewers in one state (same form, same rectangles, nothing changed since) are sent the one
   * buffer built for the first; other rectangles, a change, or extras (a viewer's own) build anew.
   */
  @Test
  void viewersInOneStateAreSentOneBuffer() throws Exception {
    Framebuffer fb = ViewerEncoderTest.desktop();
    SharedTiles tiles = new SharedTiles(fb.width(), fb.height());
    ViewerEncoder a = new ViewerEncoder(tiles);
    ViewerEncoder b = new ViewerEncoder(tiles);
    a.encodings(NOVNC);
    b.encodings(NOVNC);
    List<Rect> all = List.of(new Rect(0, 0, 200, 64), new Rect(0, 64, 200, 64), new Rect(0, 128, 200, 22));
    Buffer first = a.update(fb, all, ViewerEncoder.Extras.NONE);
    assertSame(first, b.update(fb, all, ViewerEncoder.Extras.NONE));
    assertNotSame(first, b.update(fb, List.of(new Rect(0, 0, 200, 64)), ViewerEncoder.Extras.NONE), "other rectangles");
    fb.pixels()[5] ^= 0xFFFFFF;
    tiles.changed(5, 0, 1, 1);
    Buffer changed = a.update(fb, all, ViewerEncoder.Extras.NONE);
    assertNotSame(first, changed);
    rectangles(changed.getBytes(), fb, new ReferenceTight(), NOISE); // the new pixel, exact
    assertSame(changed, b.update(fb, all, ViewerEncoder.Extras.NONE));
    ViewerEncoder.Extras resize = new ViewerEncoder.Extras(new Rect(0, 0, 200, 150), null, null, false);
    assertNotSame(changed, b.update(fb, all, resize), "a viewer's own extras");
  }

  /**
   * Tiles of many colours side by side in a row are one JPEG rectangle, of up to 16 tiles (1024
   * pixels): a photo 1100 pixels wide is 1024 + 76 in each row of tiles; a flat tile among them
   * splits the run, and goes as a fill.
   */
  @Test
  void tilesOfManyColoursInARowAreOneJpegRectangle() throws Exception {
    Framebuffer fb = new Framebuffer(1100, 70);
    int[] p = fb.pixels();
    for (int y = 0; y < 70; y++) {
      for (int x = 0; x < 1100; x++) p[y * 1100 + x] = (x / 5 % 256) << 16 | (y * 3) << 8 | ((x + 2 * y) % 256);
    }
    ViewerEncoder encoder = new ViewerEncoder();
    encoder.encodings(NOVNC);
    List<int[]> rects = rectangles(encoder.update(fb, List.of(new Rect(0, 0, 1100, 70)), ViewerEncoder.Extras.NONE).getBytes(),
        fb, 3);
    assertEquals(List.of("0,0 1024x64", "1024,0 76x64", "0,64 1024x6", "1024,64 76x6"),
        rects.stream().map(r -> r[0] + "," + r[1] + " " + r[2] + "x" + r[3]).toList());
    // a flat tile at 320..383 of the first row
    for (int y = 0; y < 64; y++) Arrays.fill(p, y * 1100 + 320, y * 1100 + 384, 0x204060);
    rects = rectangles(encoder.update(fb, List.of(new Rect(0, 0, 1100, 64)), ViewerEncoder.Extras.NONE).getBytes(), fb, 3);
    assertEquals(List.of("0,0 320x64", "320,0 64x64", "384,0 716x64"),
        rects.stream().map(r -> r[0] + "," + r[1] + " " + r[2] + "x" + r[3]).toList());
  }

  /** An update's rectangles (x, y, w, h), each read back: lossless ones exact, JPEG within {@code jpegError} a channel on average. */
  private static List<int[]> rectangles(byte[] bytes, Framebuffer fb, double jpegError) throws Exception {
    return rectangles(bytes, fb, new ReferenceTight(), jpegError);
  }

  /** {@link #rectangles(byte[], Framebuffer, double)} through {@code reader} (its streams, its count of kinds). */
  private static List<int[]> rectangles(byte[] bytes, Framebuffer fb, ReferenceTight reader, double jpegError) throws Exception {
    ByteBuffer update = ByteBuffer.wrap(bytes);
    update.position(2);
    int count = update.getShort() & 0xFFFF;
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int[] t = {update.getShort(), update.getShort(), update.getShort(), update.getShort()};
      assertEquals(TIGHT, update.getInt());
      int before = reader.kinds.getOrDefault("jpeg", 0);
      int[] got = reader.read(update, t[2], t[3]);
      int[] want = pixels(fb, t);
      if (reader.kinds.getOrDefault("jpeg", 0) == before) assertArrayEquals(want, got, () -> "rectangle " + t[0] + "," + t[1]);
      else assertTrue(meanError(got, want) < jpegError, () -> "the JPEG at " + t[0] + "," + t[1] + ": " + meanError(got, want));
      out.add(t);
    }
    assertEquals(0, update.remaining());
    return out;
  }

  /** Tight needs 3-byte TPIXELs: in another format the viewer gets ZRLE when it listed it, else Raw. */
  @Test
  void tightOnlyInTheTwentyFourBitFormat() {
    ViewerEncoder encoder = new ViewerEncoder();
    encoder.encodings(new int[] {TIGHT, ZRLE});
    assertEquals(TIGHT, encoder.encoding());
    encoder.pixelFormat(ViewerEncoderTest.RGB565_LE);
    assertEquals(ZRLE, encoder.encoding());
    encoder.encodings(new int[] {TIGHT, HEXTILE});
    assertEquals(RAW, encoder.encoding());
    encoder.pixelFormat(ViewerEncoderTest.RGB888_BE); // big-endian, other shifts: still 3-byte TPIXELs
    assertEquals(TIGHT, encoder.encoding());
  }

  @Test
  void compactLengthsAreOneToThreeBytes() {
    for (int[] c : new int[][] {{0, 1}, {127, 1}, {128, 2}, {16383, 2}, {16384, 3}, {(1 << 22) - 1, 3}}) {
      Buffer out = Buffer.buffer();
      TightEncoder.compactLength(out, c[0]);
      assertEquals(c[1], out.length(), "length " + c[0]);
      int b0 = out.getUnsignedByte(0);
      int value = b0 & 0x7F;
      if (out.length() > 1) value |= (out.getUnsignedByte(1) & 0x7F) << 7;
      if (out.length() > 2) value |= out.getUnsignedByte(2) << 14;
      assertEquals(c[0], value);
    }
  }

  private static int[] pixels(Framebuffer fb, int[] t) {
    int[] out = new int[t[2] * t[3]];
    for (int y = 0; y < t[3]; y++) System.arraycopy(fb.pixels(), (t[1] + y) * fb.width() + t[0], out, y * t[2], t[2]);
    return out;
  }

  /** Mean absolute difference per channel. */
  private static double meanError(int[] got, int[] want) {
    long sum = 0;
    for (int i = 0; i < got.length; i++) {
      for (int shift = 0; shift <= 16; shift += 8) sum += Math.abs((got[i] >> shift & 0xFF) - (want[i] >> shift & 0xFF));
    }
    return sum / (3.0 * got.length);
  }
}
