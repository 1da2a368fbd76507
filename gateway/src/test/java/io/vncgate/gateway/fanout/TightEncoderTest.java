package io.vncgate.gateway.fanout;

import static io.vncgate.gateway.rfb.Encodings.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
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
    byte[] first = a.update(fb, all, ViewerEncoder.Extras.NONE).getBytes();
    assertEquals(12, tiles.encoded());
    byte[] second = b.update(fb, all, ViewerEncoder.Extras.NONE).getBytes();
    assertArrayEquals(first, second);
    assertEquals(12, tiles.encoded());
    readAll(second, fb, new ReferenceTight());
    sharp.update(fb, all, ViewerEncoder.Extras.NONE);
    assertEquals(24, tiles.encoded(), "quality 9 is a form of its own");
    // a change in one tile: encoded again once; both viewers read it through their streams
    fb.pixels()[70 * 200 + 70] ^= 0xFFFFFF;
    tiles.changed(70, 70, 1, 1);
    ReferenceTight readA = new ReferenceTight();
    readAll(a.update(fb, List.of(new Rect(64, 64, 64, 64)), ViewerEncoder.Extras.NONE).getBytes(), fb, readA);
    readAll(b.update(fb, List.of(new Rect(64, 64, 64, 64)), ViewerEncoder.Extras.NONE).getBytes(), fb, new ReferenceTight());
    assertEquals(25, tiles.encoded());
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

  /** Reads every rectangle of an update (Tight, lossless here but for JPEG tiles) and checks the lossless ones. */
  private static void readAll(byte[] bytes, Framebuffer fb, ReferenceTight reader) throws Exception {
    ByteBuffer update = ByteBuffer.wrap(bytes);
    update.position(2);
    int count = update.getShort() & 0xFFFF;
    for (int i = 0; i < count; i++) {
      int[] t = {update.getShort(), update.getShort(), update.getShort(), update.getShort()};
      assertEquals(TIGHT, update.getInt());
      int before = reader.kinds.getOrDefault("jpeg", 0);
      int[] got = reader.read(update, t[2], t[3]);
      if (reader.kinds.getOrDefault("jpeg", 0) == before) assertArrayEquals(pixels(fb, t), got, () -> "tile " + t[0] + "," + t[1]);
    }
    assertEquals(0, update.remaining());
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
