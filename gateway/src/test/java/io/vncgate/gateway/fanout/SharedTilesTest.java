package io.vncgate.gateway.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vncgate.gateway.rfb.Encodings;
import org.junit.jupiter.api.Test;

/** The session's shared tiles: kept per form (here ZRLE in a pixel format), the four used last, and current only at their tile's version. */
class SharedTilesTest {
  private final Framebuffer fb = ViewerEncoderTest.desktop(); // 200x150
  private final SharedTiles tiles = new SharedTiles(fb.width(), fb.height());

  private byte[] tile(PixelFormat format) {
    PixelWriter writer = new PixelWriter(format);
    return tiles.tile(fb, 64, 64, 64, 64, new SharedTiles.Form(format, Encodings.ZRLE, 0),
        (f, x, y, w, h) -> ZrleEncoder.onThisThread().tile(f, x, y, w, h, writer));
  }

  @Test
  void aChangeAnywhereInATileMakesItEncodedAgainAndOnlyIt() {
    byte[] first = tile(PixelFormat.GATEWAY);
    assertSame(first, tile(PixelFormat.GATEWAY));
    tiles.changed(0, 0, 64, 64); // the tile to its upper left
    tiles.changed(128, 64, 1, 1); // the one to its right
    assertSame(first, tile(PixelFormat.GATEWAY));
    tiles.changed(127, 127, 1, 1); // its last pixel
    tile(PixelFormat.GATEWAY);
    assertEquals(2, tiles.encoded());
    assertEquals(2, tiles.reused());
  }

  /** A viewer cycling through pixel formats does not push out the one the others use. */
  @Test
  void theFourFormatsUsedLastAreKept() {
    PixelFormat[] others = {ViewerEncoderTest.BGR233, ViewerEncoderTest.RGB565_LE, ViewerEncoderTest.RGB565_BE,
        ViewerEncoderTest.RGB888_BE, ViewerEncoderTest.DEPTH32};
    byte[] shared = tile(PixelFormat.GATEWAY);
    for (PixelFormat f : others) {
      tile(f);
      assertSame(shared, tile(PixelFormat.GATEWAY), "the format in use stays, after " + f);
    }
    assertEquals(1 + others.length, tiles.encoded());
    // kept now, least recently used first: RGB565_BE, RGB888_BE, DEPTH32, GATEWAY
    tile(ViewerEncoderTest.RGB888_BE);
    assertEquals(6, tiles.encoded(), "still kept");
    tile(ViewerEncoderTest.BGR233); // pushes out RGB565_BE
    tile(ViewerEncoderTest.RGB565_LE); // and DEPTH32
    assertEquals(8, tiles.encoded());
    tile(ViewerEncoderTest.RGB565_BE); // and GATEWAY, now the least recently used
    assertEquals(9, tiles.encoded());
    byte[] again = tile(PixelFormat.GATEWAY);
    assertEquals(10, tiles.encoded(), "GATEWAY was pushed out");
    assertSame(again, tile(PixelFormat.GATEWAY));
  }
}
