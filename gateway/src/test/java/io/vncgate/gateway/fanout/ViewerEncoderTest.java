package io.vncgate.gateway.fanout;

import static io.vncgate.gateway.rfb.Encodings.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The per-viewer encoder: Raw byte for byte against pixels computed by hand in each viewer pixel
 * format, ZRLE against the encoder's own Raw through a reference ZRLE reader written apart from the
 * gateway's decoder, and in the gateway's format back through {@link UpstreamDecoder}.
 */
class ViewerEncoderTest {
  static final PixelFormat BGR233 = new PixelFormat(8, 8, false, true, 7, 7, 3, 0, 3, 6);
  static final PixelFormat RGB565_LE = new PixelFormat(16, 16, false, true, 31, 63, 31, 11, 5, 0);
  static final PixelFormat RGB565_BE = new PixelFormat(16, 16, true, true, 31, 63, 31, 11, 5, 0);
  static final PixelFormat RGB888_BE = new PixelFormat(32, 24, true, true, 255, 255, 255, 16, 8, 0);
  /** 32 bpp with the colour in the most significant 3 bytes: a 3-byte CPIXEL of the high bytes. */
  static final PixelFormat RGB888_HIGH_LE = new PixelFormat(32, 24, false, true, 255, 255, 255, 24, 16, 8);
  /** depth 32: CPIXEL stays 4 bytes. */
  static final PixelFormat DEPTH32 = new PixelFormat(32, 32, false, true, 255, 255, 255, 16, 8, 0);

  static final int[] COLOURS = {0xFF0000, 0x00FF00, 0x0000FF, 0x808080, 0x123456, 0xFFFFFF};

  static List<PixelFormat> formats() {
    return List.of(PixelFormat.GATEWAY, RGB888_BE, RGB888_HIGH_LE, DEPTH32, RGB565_LE, RGB565_BE, BGR233);
  }

  /** A desktop with what ZRLE's tile kinds are for: flat areas, 2 and 10 colours, 100 colours in runs, noise. */
  static Framebuffer desktop() {
    Framebuffer fb = new Framebuffer(200, 150);
    int[] p = fb.pixels();
    Random random = new Random(7);
    for (int y = 0; y < 150; y++) {
      for (int x = 0; x < 200; x++) {
        int c;
        if (y < 64) c = x < 100 ? 0x3366CC : ((x / 3 + y / 2) % 2 == 0 ? 0x000000 : 0xFFCC00);
        else if (y < 100) c = x < 100 ? 0x102030 * ((x / 7 + y) % 10) : 0x010101 * ((x / 4 + y * 3) % 100);
        else c = random.nextInt(1 << 24);
        p[y * 200 + x] = c;
      }
    }
    System.arraycopy(COLOURS, 0, p, 0, COLOURS.length);
    return fb;
  }

  /** Worked by hand: each channel scaled to its maximum ({@code (v * max + 127) / 255}), shifted, in byte order. */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource({
      "GATEWAY, 0000ff00 00ff0000 ff000000 80808000 56341200 ffffff00",
      "RGB888_BE, 00ff0000 0000ff00 000000ff 00808080 00123456 00ffffff",
      "RGB888_HIGH_LE, 000000ff 0000ff00 00ff0000 00808080 00563412 00ffffff",
      "RGB565_LE, 00f8 e007 1f00 1084 aa11 ffff",
      "RGB565_BE, f800 07e0 001f 8410 11aa ffff",
      "BGR233, 07 38 c0 a4 48 ff"})
  void rawPixelsAreWhatTheSpecSaysInEachFormat(String name, String expected) throws Exception {
    PixelFormat format = name.equals("GATEWAY") ? PixelFormat.GATEWAY : (PixelFormat) ViewerEncoderTest.class.getDeclaredField(name).get(null);
    byte[] pixels = rawPixels(desktop(), new Rect(0, 0, COLOURS.length, 1), format);
    assertEquals(expected.replace(" ", ""), hex(pixels), "red, green, blue, grey, 0x123456, white");
  }

  /** ZRLE of several rectangles (one zlib stream) reads back, through the reference reader, as the encoder's Raw. */
  @ParameterizedTest
  @MethodSource("formats")
  void zrleReadsBackAsRawInEveryFormat(PixelFormat format) throws Exception {
    Framebuffer fb = desktop();
    ViewerEncoder encoder = new ViewerEncoder();
    encoder.pixelFormat(format);
    encoder.encodings(new int[] {ZRLE, RAW});
    ReferenceZrle reader = new ReferenceZrle(format);
    List<Rect> rects = List.of(new Rect(0, 0, 200, 150), new Rect(3, 5, 130, 77), new Rect(199, 149, 1, 1), new Rect(70, 90, 64, 60));
    for (int round = 0; round < 2; round++) {
      ByteBuffer update = ByteBuffer.wrap(encoder.update(fb, rects, ViewerEncoder.Extras.NONE).getBytes());
      assertEquals(0, update.get());
      update.get();
      assertEquals(rects.size(), update.getShort() & 0xFFFF);
      for (Rect r : rects) {
        assertEquals(r.x(), update.getShort());
        assertEquals(r.y(), update.getShort());
        assertEquals(r.w(), update.getShort());
        assertEquals(r.h(), update.getShort());
        assertEquals(ZRLE, update.getInt());
        assertArrayEquals(rawPixels(fb, r, format), reader.read(update, r.w(), r.h()), () -> r + " in " + format);
      }
      assertEquals(0, update.remaining());
      fb.pixels()[0] ^= 0xFFFFFF; // the second round sees a change
    }
  }

  /**
   * Two viewers encoded in turn on one thread (as a session's members are on its loop), with the
   * session's shared tiles, in different pixel formats and rectangles of different sizes: each
   * viewer's updates read back through its own reader (one zlib stream each) as its Raw.
   */
  @Test
  void viewersEncodedInTurnOnOneThreadKeepTheirOwnStreams() throws Exception {
    Framebuffer fb = desktop();
    SharedTiles tiles = new SharedTiles(fb.width(), fb.height());
    ViewerEncoder a = new ViewerEncoder(tiles);
    ViewerEncoder b = new ViewerEncoder(tiles);
    a.encodings(new int[] {ZRLE});
    b.encodings(new int[] {ZRLE});
    b.pixelFormat(RGB565_LE);
    ReferenceZrle readA = new ReferenceZrle(PixelFormat.GATEWAY);
    ReferenceZrle readB = new ReferenceZrle(RGB565_LE);
    List<Rect> big = List.of(new Rect(0, 0, 200, 150));
    List<Rect> small = List.of(new Rect(10, 100, 40, 30));
    for (int round = 0; round < 3; round++) {
      for (var step : List.of(Map.entry(a, big), Map.entry(b, small), Map.entry(b, big), Map.entry(a, small))) {
        ViewerEncoder encoder = step.getKey();
        Rect r = step.getValue().get(0);
        ByteBuffer update = ByteBuffer.wrap(encoder.update(fb, step.getValue(), ViewerEncoder.Extras.NONE).getBytes());
        update.position(4 + 12); // the message header, the rectangle's header
        PixelFormat format = encoder == a ? PixelFormat.GATEWAY : RGB565_LE;
        byte[] read = (encoder == a ? readA : readB).read(update, r.w(), r.h());
        assertArrayEquals(rawPixels(fb, r, format), read, () -> r + " for viewer " + (encoder == a ? "a" : "b"));
      }
      fb.pixels()[5] ^= 0xFFFFFF;
      tiles.changed(5, 0, 1, 1);
    }
  }

  /**
   * The session's tiles are encoded once per pixel format and change: viewers in one format are
   * sent the same bytes, each reads them through its own stream, including one that joins late
   * (its stream starts with those tiles); a changed tile is encoded again, once, and the rest are
   * still shared; a viewer in another format gets tiles of its own.
   */
  @Test
  void viewersInOneFormatShareEachTileOncePerChange() throws Exception {
    Framebuffer fb = desktop(); // 200x150: 4 x 3 tiles
    SharedTiles tiles = new SharedTiles(fb.width(), fb.height());
    ViewerEncoder a = new ViewerEncoder(tiles);
    ViewerEncoder b = new ViewerEncoder(tiles);
    ViewerEncoder low = new ViewerEncoder(tiles);
    for (ViewerEncoder e : List.of(a, b, low)) e.encodings(new int[] {ZRLE});
    low.pixelFormat(BGR233);
    ReferenceZrle readA = new ReferenceZrle(PixelFormat.GATEWAY);
    ReferenceZrle readB = new ReferenceZrle(PixelFormat.GATEWAY);
    ReferenceZrle readLow = new ReferenceZrle(BGR233);
    // whole rows of tiles, as a member's dirty tiles give them
    List<Rect> all = List.of(new Rect(0, 0, 200, 64), new Rect(0, 64, 200, 64), new Rect(0, 128, 200, 22));

    byte[] first = readBack(a, fb, all, readA, PixelFormat.GATEWAY);
    assertEquals(12, tiles.encoded());
    byte[] second = readBack(b, fb, all, readB, PixelFormat.GATEWAY);
    assertEquals(12, tiles.encoded(), "b was sent a's tiles");
    assertEquals(12, tiles.reused());
    assertArrayEquals(first, second, "the same update, byte for byte");
    readBack(low, fb, all, readLow, BGR233);
    assertEquals(24, tiles.encoded(), "8 bpp has tiles of its own");

    // a repaint inside one tile (column 1, row 1): that tile is encoded again, once for both viewers
    for (int y = 70; y < 90; y++) Arrays.fill(fb.pixels(), y * 200 + 70, y * 200 + 120, 0x00AA00);
    tiles.changed(70, 70, 50, 20);
    List<Rect> row = List.of(new Rect(64, 64, 64, 64));
    readBack(a, fb, row, readA, PixelFormat.GATEWAY);
    readBack(b, fb, row, readB, PixelFormat.GATEWAY);
    assertEquals(25, tiles.encoded());
    // a late joiner's stream starts with the shared tiles
    ViewerEncoder late = new ViewerEncoder(tiles);
    late.encodings(new int[] {ZRLE});
    readBack(late, fb, all, new ReferenceZrle(PixelFormat.GATEWAY), PixelFormat.GATEWAY);
    assertEquals(25, tiles.encoded(), "the late joiner is sent only tiles already encoded");

    // a viewer that knows a smaller desktop (its rectangles cut tiles short) is encoded for alone, correctly
    readBack(a, fb, List.of(new Rect(0, 64, 100, 50)), readA, PixelFormat.GATEWAY);
    assertEquals(27, tiles.encoded());
    // a new size forgets every tile
    fb.resize(130, 70);
    tiles.resized(130, 70);
    readBack(a, fb, List.of(new Rect(0, 0, 130, 64), new Rect(0, 64, 130, 6)), readA, PixelFormat.GATEWAY);
    assertEquals(33, tiles.encoded());
  }

  /** One update of {@code rects}, read back through the viewer's reader and checked against Raw; the update's bytes. */
  private static byte[] readBack(ViewerEncoder encoder, Framebuffer fb, List<Rect> rects, ReferenceZrle reader,
                                 PixelFormat format) throws Exception {
    byte[] bytes = encoder.update(fb, rects, ViewerEncoder.Extras.NONE).getBytes();
    ByteBuffer update = ByteBuffer.wrap(bytes);
    update.position(4);
    for (Rect r : rects) {
      update.position(update.position() + 12);
      assertArrayEquals(rawPixels(fb, r, format), reader.read(update, r.w(), r.h()), () -> r + " in " + format);
    }
    assertEquals(0, update.remaining());
    return bytes;
  }

  /**
   * Flat areas cost a few bytes: a 64x64 tile of one colour is a solid tile (4 bytes), deflated
   * alone and flushed (so that viewers can share it): some 10 bytes a tile.
   */
  @Test
  void flatAreasAreCheap() {
    Framebuffer fb = new Framebuffer(640, 480);
    Arrays.fill(fb.pixels(), 0x3366CC);
    ViewerEncoder encoder = new ViewerEncoder();
    encoder.encodings(new int[] {ZRLE});
    Buffer update = encoder.update(fb, List.of(new Rect(0, 0, 640, 480)), ViewerEncoder.Extras.NONE);
    assertTrue(update.length() < 16 + 80 * 12, () -> "a flat 640x480 desktop (80 tiles) took " + update.length() + " bytes");
  }

  /** In the gateway's own format the update goes back through the upstream decoder, pseudo-rectangles included. */
  @Test
  void anUpdateInTheGatewaysFormatDecodesToTheSameDesktop() throws Exception {
    Framebuffer source = desktop();
    ViewerEncoder encoder = new ViewerEncoder();
    encoder.encodings(new int[] {ZRLE, EXTENDED_DESKTOP_SIZE, CURSOR, QEMU_EXTENDED_KEY_EVENT});
    int[] argb = {0xFFFF0000, 0, 0, 0xFF00FF00, 0xFF0000FF, 0, 0xFFFFFFFF, 0, 0, 0xFF123456};
    Cursor cursor = new Cursor(1, 2, 5, 2, argb);
    Buffer update = encoder.update(source, List.of(new Rect(0, 0, 200, 150)),
        new ViewerEncoder.Extras(new Rect(0, 0, 200, 150), null, cursor, true));
    Framebuffer copy = new Framebuffer(10, 10);
    Recorder events = new Recorder();
    new UpstreamDecoder(copy, events, 100).feed(update);
    assertEquals(1, events.updates);
    assertEquals(200, copy.width());
    assertNotNull(events.screens, "ExtendedDesktopSize with one screen");
    assertEquals(1, events.screens.getUnsignedByte(0));
    assertArrayEquals(source.pixels(), copy.pixels());
    assertArrayEquals(argb, events.cursor.argb());
    assertEquals(1, events.cursor.hotX());
    assertTrue(events.qemuKeys);
  }

  /** Extras a viewer did not ask for are left out; DesktopSize stands in for ExtendedDesktopSize. */
  @Test
  void extrasFollowWhatTheViewerAskedFor() {
    ViewerEncoder encoder = new ViewerEncoder();
    encoder.encodings(new int[] {RAW, DESKTOP_SIZE});
    Framebuffer fb = new Framebuffer(4, 4);
    Buffer update = encoder.update(fb, List.of(), new ViewerEncoder.Extras(new Rect(0, 0, 4, 4), null,
        new Cursor(0, 0, 1, 1, new int[] {0xFF000000}), true));
    assertEquals("000000010000000000040004ffffff21", hex(update.getBytes()));
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  /** The pixel bytes of a Raw update of one rectangle. */
  static byte[] rawPixels(Framebuffer fb, Rect r, PixelFormat format) {
    ViewerEncoder encoder = new ViewerEncoder();
    encoder.pixelFormat(format);
    encoder.encodings(new int[] {RAW});
    Buffer update = encoder.update(fb, List.of(r), ViewerEncoder.Extras.NONE);
    assertEquals(0, update.getByte(0));
    assertEquals(1, update.getUnsignedShort(2));
    assertEquals(RAW, update.getInt(12));
    return update.getBytes(16, update.length());
  }
}
